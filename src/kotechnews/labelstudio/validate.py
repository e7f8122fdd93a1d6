"""Validate Label Studio JSON exports against the schema and the text.

Every problem is collected (the validator never stops at the first one) and names the file, the task
(its ``doc_id`` or task id), the result id and the field. Label Studio itself accepts unknown labels and
offsets past the text, so every export is checked here before it is converted or merged.
Whole exports are validated as gold (``validate_paths``): what the adjudication of ``ls pull``
would refuse, a conflict or a task without a usable annotation, is a problem too. A file above
64 MB (``MAX_EXPORT_MB_DEFAULT``; ``KOTECHNEWS_MAX_EXPORT_MB`` overrides it) is refused unread.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import reprlib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kotechnews import jsonio, schema
from kotechnews.cleaning import NOT_IN_CLEAN_TEXT, NOT_IN_ONE_LINE
from kotechnews.document import DOC_ID
from kotechnews.document import METADATA as DOCUMENT_METADATA
from kotechnews.labelstudio import convert
from kotechnews.records import AnnotatedDocument

CHOICE_VALUES: dict[str, set[str]] = {
    **{name: set(schema.names(labels)) for name, labels in schema.CLAIM_CHOICES.items()},
    convert.APPROXIMATE_CHOICE: {convert.APPROXIMATE_CHOICE},
}
TEXTAREA_CONTROLS = {convert.CANONICAL_ID, *convert.CLAIM_TEXT_FIELDS}
CONTROL_TYPES: dict[str, str] = {
    convert.SPAN_CONTROL: "labels",
    **{name: "textarea" for name in TEXTAREA_CONTROLS},
    **{name: "choices" for name in CHOICE_VALUES},
}
CLAIM_ONLY_CONTROLS = set(CONTROL_TYPES) - {convert.SPAN_CONTROL, convert.CANONICAL_ID}
REQUIRED_CLAIM_FIELDS = [
    f.name for f in schema.CLAIM_FIELDS if f.required and f.kind in ("text", "choice")
]
RELATION_LABELS = set(schema.RELATION_TYPE_NAMES) | set(schema.CLAIM_LINK_NAMES)
UNKNOWN = "?"  # stands in for a span label already reported as unknown
# Document ids name files (``ls pull`` writes ARTICLES/<doc_id>.json): no path characters.
DOC_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# Plain ASCII decimals, as ``convert.format_number`` writes them; float() also reads '１００',
# '1_000' and ' 12 ', which the normaliser does not.
NUMBER_PATTERN = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
# The largest gold export is well under 1 MB; a bigger file is refused before it is parsed.
MAX_EXPORT_MB_DEFAULT = 64
MAX_EXPORT_MB_ENV = "KOTECHNEWS_MAX_EXPORT_MB"

_reprs = reprlib.Repr()
_reprs.maxstring, _reprs.maxother, _reprs.maxlevel = 120, 120, 3
brief = _reprs.repr  # repr of any JSON value, bounded in length and depth


@dataclass(frozen=True)
class Problem:
    file: str
    task: str
    result_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: task {self.task}"
        if self.result_id is not None:
            where += f": result {self.result_id}"
        return f"{where}: {self.field}: {self.message}"


class _Collector:
    def __init__(self, file: str, task: str):
        self.file, self.task = file, task
        self.problems: list[Problem] = []

    def add(self, result_id: Any, field: str, message: str) -> None:
        shown = result_id if result_id is None or _plain(result_id) else brief(result_id)
        self.problems.append(Problem(self.file, self.task, shown, field, message))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_character(value: str, pattern: re.Pattern[str] = NOT_IN_ONE_LINE) -> str | None:
    found = pattern.search(value)
    return found.group() if found else None


def _plain(value: Any) -> bool:
    """A non-empty single-line string: safe to print unquoted and to use as a key."""
    return isinstance(value, str) and bool(value) and _bad_character(value) is None


def valid_doc_id(value: Any) -> bool:
    return isinstance(value, str) and DOC_ID_PATTERN.fullmatch(value) is not None


def _task_name(task: dict[str, Any], index: int) -> str:
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    if valid_doc_id(data.get(DOC_ID)):
        return data[DOC_ID]
    return str(task["id"]) if _is_int(task.get("id")) else f"#{index}"


def validate_tasks(tasks: Any, source: str) -> list[Problem]:
    """All problems of one Label Studio export (a list of tasks) read from ``source``."""
    if not isinstance(tasks, list):
        return [
            Problem(source, "-", None, "export", "a Label Studio JSON export is a list of tasks")
        ]
    problems: list[Problem] = []
    for index, task in enumerate(tasks):
        problems.extend(_validate_task(task, source, index))
    return problems


def _validate_task(task: Any, source: str, index: int) -> list[Problem]:
    if not isinstance(task, dict):
        return [Problem(source, f"#{index}", None, "task", "task is not a JSON object")]
    out = _Collector(source, _task_name(task, index))
    text = _check_task_data(task, out)
    if text is None:
        return out.problems
    annotations = task.get("annotations", [])
    if not isinstance(annotations, list):
        out.add(None, "annotations", "not a list")
        return out.problems
    ids: set[int] = set()
    for number, annotation in enumerate(annotations):
        _check_annotation(annotation, number, text, out)
        if isinstance(annotation, dict) and _is_int(annotation.get("id")):
            if annotation["id"] in ids:
                out.add(None, f"annotation {annotation['id']}.id", "two annotations share this id")
            ids.add(annotation["id"])
    return out.problems


def validate_annotation(
    task: dict[str, Any], annotation: Any, source: str, index: int = 0
) -> list[Problem]:
    """Problems of one annotation (entry ``index`` of the task's annotations) of a task whose
    data ``validate_tasks`` accepted."""
    out = _Collector(source, _task_name(task, index))
    _check_annotation(annotation, index, task["data"]["text"], out)
    return out.problems


def parse_annotation(
    task: dict[str, Any], annotation: Any, source: str, index: int = 0, validated: bool = False
) -> tuple[AnnotatedDocument | None, list[Problem]]:
    """The record of one submitted annotation of a task whose data ``validate_tasks`` accepted,
    and its problems (no record when it has any). validated: the whole export passed
    ``validate_tasks`` already, so the annotation is converted without checking it again."""
    problems = [] if validated else validate_annotation(task, annotation, source, index)
    if problems:
        return None, problems
    return convert.record_from_result(task["data"], annotation["result"]), []


def _check_task_data(task: dict[str, Any], out: _Collector) -> str | None:
    """The task text if the task data can be read at all; every problem of the data is added."""
    if "id" in task and not _is_int(task["id"]):
        out.add(None, "id", f"a task id is an integer, got {brief(task['id'])}")
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        out.add(None, "data.text", "missing or not a string")
        return None
    text = data["text"]
    doc_id = data.get(DOC_ID)
    if not doc_id:
        out.add(None, "data.doc_id", "missing: the document id must travel with the task")
    elif not valid_doc_id(doc_id):
        out.add(
            None,
            "data.doc_id",
            f"{brief(doc_id)} is not a document id: letters, digits, "
            "'.', '_' and '-', starting with a letter or digit (like "
            "ktn-<hex>), at most 128 characters",
        )
    if unicodedata.normalize("NFC", text) != text:
        out.add(None, "data.text", "text is not NFC-normalised")
    bad = _bad_character(text, NOT_IN_CLEAN_TEXT)
    if bad is not None:
        out.add(
            None,
            "data.text",
            f"control character {bad!r} at offset {text.index(bad)} (a "
            "clean text holds none but newline and tab)",
        )
    for key in DOCUMENT_METADATA:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            out.add(None, f"data.{key}", f"a string or null, got {brief(value)}")
        elif value is not None and _bad_character(value) is not None:
            out.add(None, f"data.{key}", f"control character or line separator in {value!r}")
    _check_spans("sentences", data.get("sentences"), len(text), out)
    if "paragraphs" in data:  # older task data has none
        _check_spans("paragraphs", data["paragraphs"], len(text), out)
    return text


def _check_spans(name: str, spans: Any, length: int, out: _Collector) -> None:
    """Sentence or paragraph spans: a non-empty list of ordered [start, end] pairs in the text."""
    if not isinstance(spans, list) or not spans:
        out.add(
            None,
            f"data.{name}",
            f"a non-empty list of [start, end] offsets, got {brief(spans)}",
        )
        return
    previous_end = 0
    for number, pair in enumerate(spans):
        if not (isinstance(pair, list) and len(pair) == 2 and all(map(_is_int, pair))):
            out.add(
                None,
                f"data.{name}[{number}]",
                f"not a [start, end] pair of integers: {brief(pair)}",
            )
            return
        start, end = pair
        if not previous_end <= start <= end <= length:
            out.add(
                None,
                f"data.{name}[{number}]",
                f"[{start}, {end}] must lie in the text (length {length}), after the end "
                f"{previous_end} of the previous one, with start <= end",
            )
            return
        previous_end = end


def _check_annotation(annotation: Any, number: int, text: str, out: _Collector) -> None:
    if not isinstance(annotation, dict):
        out.add(None, f"annotations[{number}]", f"not a JSON object: {brief(annotation)}")
        return
    name = (
        f"annotation {annotation['id']}"
        if _is_int(annotation.get("id"))
        else f"annotations[{number}]"
    )
    if annotation.get("id") is not None and not _is_int(annotation["id"]):  # import: no id
        out.add(
            None, f"{name}.id", f"an annotation id is an integer, got {brief(annotation['id'])}"
        )
    for flag in ("was_cancelled", "ground_truth"):
        if annotation.get(flag) is not None and not isinstance(annotation[flag], bool):
            out.add(None, f"{name}.{flag}", f"true or false, got {brief(annotation[flag])}")
    if annotation.get("was_cancelled") is not True:
        _validate_result(annotation.get("result"), text, out)


def _validate_result(result: Any, text: str, out: _Collector) -> None:
    if not isinstance(result, list):
        out.add(None, "result", "not a list")
        return
    spans: dict[str, dict[str, Any]] = {}
    attributes: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    plain_ids: set[str] = set()  # region ids already found plain: regions repeat their id
    for item in result:
        if not isinstance(item, dict):
            out.add(None, "result", "result item is not a JSON object")
        elif item.get("type") == "relation":
            relations.append(item)
        elif (usual := _region_item_ok(item, text, plain_ids)) or _check_region_item(
            item, text, out
        ):
            if item["from_name"] == convert.SPAN_CONTROL:
                if not usual and not _known_label(item):
                    # Keep the region so that its attributes and relations are not reported as
                    # orphans; its type is unknown, so type checks skip it.
                    item = {**item, "value": {**item["value"], "labels": [UNKNOWN]}}
                if item["id"] in spans:
                    out.add(item["id"], "id", "two span regions share this id")
                spans[item["id"]] = item
            else:
                attributes.append(item)
    _check_span_layout(spans, text, out)
    claim_attrs = _check_attributes(attributes, spans, out)
    _check_claims(spans, claim_attrs, out)
    _check_relations(relations, spans, out)


_SPAN_LABELS = frozenset(schema.SPAN_LABEL_NAMES)
_ENTITY_TYPES = frozenset(schema.ENTITY_TYPE_NAMES)
_RELATION_LABELS = frozenset(RELATION_LABELS)


def _region_item_ok(item: dict[str, Any], text: str, plain_ids: set[str]) -> bool:
    """True only for a region item in which ``_check_region_item`` finds nothing (and which it
    accepts): the usual item, checked in a fraction of the time. Anything else, odd or wrong,
    goes through ``_check_region_item``, which names every problem."""
    rid, from_name, value = item.get("id"), item.get("from_name"), item.get("value")
    if type(rid) is not str or type(from_name) is not str or type(value) is not dict:
        return False
    control = CONTROL_TYPES.get(from_name)
    if control is None or item.get("type") != control or item.get("to_name") != convert.TEXT:
        return False
    if rid not in plain_ids:
        if not rid or NOT_IN_ONE_LINE.search(rid):
            return False
        plain_ids.add(rid)
    start, end = value.get("start"), value.get("end")
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
        return False
    if control == "labels":
        labels, span = value.get("labels"), text[start:end]
        return (
            type(labels) is list
            and len(labels) == 1
            and type(labels[0]) is str
            and labels[0] in _SPAN_LABELS
            and value.get("text") == span
            and span == span.strip()
        )
    entries = value.get("text" if control == "textarea" else "choices")
    if type(entries) is not list or len(entries) != 1 or type(entries[0]) is not str:
        return False
    return (
        control != "choices" or entries[0] in CHOICE_VALUES[from_name]
    ) and NOT_IN_ONE_LINE.search(entries[0]) is None


def _check_region_item(item: dict[str, Any], text: str, out: _Collector) -> bool:
    rid = item.get("id")
    if not rid:
        out.add(None, "id", "region result without an id")
        return False
    if not _plain(rid):
        out.add(rid, "id", "a region id is a single-line string")
        return False
    from_name = item.get("from_name")
    if not isinstance(from_name, str) or from_name not in CONTROL_TYPES:
        out.add(rid, "from_name", f"unknown control {brief(from_name)}")
        return False
    if item.get("to_name") != convert.TEXT:
        out.add(rid, "to_name", f"must be {convert.TEXT!r}, got {brief(item.get('to_name'))}")
    if item.get("type") != CONTROL_TYPES[from_name]:
        out.add(
            rid,
            "type",
            f"{from_name} results have type {CONTROL_TYPES[from_name]!r}, "
            f"got {brief(item.get('type'))}",
        )
        return False
    value = item.get("value")
    if not isinstance(value, dict):
        out.add(rid, "value", "missing or not an object")
        return False
    start, end = value.get("start"), value.get("end")
    if not (_is_int(start) and _is_int(end)):
        out.add(
            rid, "value.start/end", f"offsets must be integers, got {brief(start)}, {brief(end)}"
        )
        return False
    if not 0 <= start < end <= len(text):
        out.add(
            rid,
            "value.start/end",
            f"[{start}, {end}) is outside the text (length {len(text)}) or empty",
        )
        return False
    if from_name == convert.SPAN_CONTROL:
        _check_span_value(rid, value, text, out)
        return True
    key = "text" if item["type"] == "textarea" else "choices"
    entries = value.get(key)
    if not (isinstance(entries, list) and len(entries) == 1 and isinstance(entries[0], str)):
        out.add(rid, f"{from_name}.value.{key}", "must be a list with one string")
        return False
    if item["type"] == "choices" and entries[0] not in CHOICE_VALUES[from_name]:
        out.add(
            rid,
            f"{from_name}.value.choices",
            f"unknown choice {entries[0]!r}; allowed: {sorted(CHOICE_VALUES[from_name])}",
        )
        return False
    if _bad_character(entries[0]) is not None:
        out.add(
            rid,
            f"{from_name}.value.{key}",
            f"control character or line separator in {entries[0]!r}",
        )
        return False
    return True


def _known_label(item: dict[str, Any]) -> bool:
    labels = item["value"].get("labels")
    return isinstance(labels, list) and len(labels) == 1 and labels[0] in schema.SPAN_LABEL_NAMES


def _check_span_value(rid: str, value: dict[str, Any], text: str, out: _Collector) -> None:
    start, end = value["start"], value["end"]
    labels = value.get("labels")
    if not (isinstance(labels, list) and len(labels) == 1):
        out.add(rid, "value.labels", f"a span has exactly one label, got {brief(labels)}")
    elif labels[0] not in schema.SPAN_LABEL_NAMES:
        out.add(rid, "value.labels", f"unknown label {brief(labels[0])}")
    if value.get("text") != text[start:end]:
        out.add(
            rid,
            "value.text",
            f"span text {brief(value.get('text'))} != text[{start}:{end}] {text[start:end]!r}",
        )
    elif text[start:end] != text[start:end].strip():
        out.add(rid, "value.text", f"span {text[start:end]!r} starts or ends with whitespace")


def _check_span_layout(spans: dict[str, dict[str, Any]], text: str, out: _Collector) -> None:
    ordered = sorted(spans.values(), key=lambda i: (i["value"]["start"], i["value"]["end"]))
    for before, after in zip(ordered, ordered[1:]):
        b, a = before["value"], after["value"]
        if (b["start"], b["end"]) == (a["start"], a["end"]):
            out.add(
                after["id"],
                "value.start/end",
                f"duplicate span {text[a['start'] : a['end']]!r} (also region {before['id']})",
            )
        elif a["start"] < b["end"]:
            out.add(
                after["id"],
                "value.start/end",
                f"span {text[a['start'] : a['end']]!r} overlaps region {before['id']} "
                f"{text[b['start'] : b['end']]!r}; spans may not nest or cross",
            )


def _check_attributes(
    attributes: list[dict[str, Any]], spans: dict[str, dict[str, Any]], out: _Collector
) -> dict[str, dict[str, str]]:
    by_region: dict[str, dict[str, str]] = defaultdict(dict)
    for item in attributes:
        rid, name, value = item["id"], item["from_name"], item["value"]
        span = spans.get(rid)
        if span is None:
            out.add(rid, name, "attribute of a region that has no span label")
            continue
        if (value["start"], value["end"]) != (span["value"]["start"], span["value"]["end"]):
            out.add(rid, f"{name}.value.start/end", "offsets differ from the region's span")
        label = span["value"]["labels"][0]
        if name in CLAIM_ONLY_CONTROLS and label != schema.QUANTITY.name:
            out.add(rid, name, f"claim attribute on a {label} span")
        if name == convert.CANONICAL_ID and label == schema.QUANTITY.name:
            out.add(rid, name, "QUANTITY spans carry no canonical id")
        if name in by_region[rid]:
            out.add(rid, name, "given twice for one region")
        entry = value["text"][0] if item["type"] == "textarea" else value["choices"][0]
        if name in convert.NUMBER_FIELDS and not _is_number(entry):
            out.add(rid, name, f"not a number: {entry!r}")
        by_region[rid][name] = entry
    for rid, span in spans.items():
        label = span["value"]["labels"][0]
        if (
            label in schema.CANONICAL_ID_TYPES
            and not by_region[rid].get(convert.CANONICAL_ID, "").strip()
        ):
            out.add(
                rid,
                convert.CANONICAL_ID,
                f"{label} span {span['value']['text']!r} needs a canonical id",
            )
    return by_region


def _is_number(entry: str) -> bool:
    return NUMBER_PATTERN.fullmatch(entry) is not None and math.isfinite(float(entry))


@functools.lru_cache(maxsize=8192)  # bounded: memory stays flat over any number of tasks
def _normaliser_reading(span_text: str) -> tuple[Any, str | None]:
    """The normaliser's reading of a claim's text, or None and why it cannot read it; the same
    amounts recur across articles, and the normaliser is a pure function of the text."""
    from kotechnews.quantity import QuantityError, parse_quantity

    try:
        return parse_quantity(span_text), None
    except QuantityError as exc:
        return None, str(exc)


def _check_claims(
    spans: dict[str, dict[str, Any]], attrs: dict[str, dict[str, str]], out: _Collector
) -> None:
    for rid, span in spans.items():
        if span["value"]["labels"][0] != schema.QUANTITY.name:
            continue
        fields = attrs.get(rid, {})
        low, high = fields.get("low"), fields.get("high")
        if (
            low is not None
            and high is not None
            and _is_number(low)
            and _is_number(high)
            and float(low) > float(high)
        ):
            out.add(rid, "low", f"low {low} is above high {high}")
        for name in REQUIRED_CLAIM_FIELDS:
            if not fields.get(name, "").strip():
                out.add(rid, name, f"claim {span['value']['text']!r} has no {name}")
        if fields.get("override_reason", "").strip():
            continue
        expected, error = _normaliser_reading(span["value"]["text"])
        if expected is None:
            out.add(
                rid,
                "value",
                f"the normaliser cannot read {span['value']['text']!r} ({error}); "
                "give value/low/high/unit with an override_reason",
            )
            continue
        for name in convert.NUMBER_FIELDS:
            if not _same_number(getattr(expected, name), fields.get(name)):
                out.add(
                    rid,
                    name,
                    f"{fields.get(name)!r} disagrees with the normaliser "
                    f"({getattr(expected, name)!r}) and no override_reason is given",
                )
        if (fields.get("unit") or None) != expected.unit:
            out.add(
                rid,
                "unit",
                f"{fields.get('unit')!r} disagrees with the normaliser "
                f"({expected.unit!r}) and no override_reason is given",
            )
        if (fields.get(convert.APPROXIMATE_CHOICE) is not None) != expected.approximate:
            out.add(
                rid,
                convert.APPROXIMATE_CHOICE,
                f"approximate={fields.get(convert.APPROXIMATE_CHOICE) is not None} "
                f"disagrees with the normaliser ({expected.approximate})",
            )


def _same_number(expected: float | None, given: str | None) -> bool:
    if expected is None or given is None:
        return expected is None and given is None
    return _is_number(given) and math.isclose(float(given), expected, rel_tol=1e-9)


def _check_relations(
    relations: list[dict[str, Any]], spans: dict[str, dict[str, Any]], out: _Collector
) -> None:
    seen: set[tuple[str, str, str]] = set()
    subjects: dict[str, int] = defaultdict(int)
    for item in relations:
        labels = item.get("labels")
        ends = [item.get("from_id"), item.get("to_id")]
        if (
            type(ends[0]) is str and type(ends[1]) is str and ends[0] in spans and ends[1] in spans
        ):  # span ids are plain: the usual relation, quickly
            rid, head, tail = f"{ends[0]}->{ends[1]}", spans[ends[0]], spans[ends[1]]
        else:
            rid = "->".join(end if _plain(end) else brief(end) for end in ends)
            head, tail = (spans.get(end) if _plain(end) else None for end in ends)
        if not (
            isinstance(labels, list)
            and len(labels) == 1
            and isinstance(labels[0], str)
            and labels[0] in _RELATION_LABELS
        ):
            out.add(rid, "labels", f"a relation has exactly one known label, got {brief(labels)}")
            continue
        label = labels[0]
        if head is None or tail is None:
            missing = "from_id" if head is None else "to_id"
            out.add(rid, missing, f"{label}: no span region with id {brief(item.get(missing))}")
            continue
        if item["from_id"] == item["to_id"]:
            out.add(rid, "to_id", f"{label}: a relation links two different regions")
            continue
        if item.get("direction", "right") != "right":
            out.add(rid, "direction", "relations are stored head -> tail with direction 'right'")
        head_type, tail_type = head["value"]["labels"][0], tail["value"]["labels"][0]
        key = (item["from_id"], label, item["to_id"])
        if key in seen:
            out.add(rid, "labels", f"duplicate relation {label}")
        seen.add(key)
        if UNKNOWN in (head_type, tail_type):
            continue
        if label in schema.CLAIM_LINKS_BY_NAME:
            link = schema.CLAIM_LINKS_BY_NAME[label]
            if head_type != schema.QUANTITY.name or tail_type not in link.tail:
                out.add(
                    rid,
                    "labels",
                    f"{label} goes from a QUANTITY to {link.tail}, got {head_type} -> {tail_type}",
                )
            subjects[(item["from_id"], label)] += 1
        elif schema.QUANTITY.name in (head_type, tail_type) or not schema.relation_allowed(
            label, head_type, tail_type
        ):
            out.add(rid, "labels", f"{label} does not allow {head_type} -> {tail_type}")
    for (claim_id, label), count in subjects.items():
        if count > 1:
            out.add(claim_id, label, f"a claim has one {label} link, got {count}")
    for rid, span in spans.items():
        if span["value"]["labels"][0] == schema.QUANTITY.name and not subjects.get(
            (rid, "claim:subject")
        ):
            out.add(rid, "subject", f"claim {span['value']['text']!r} has no claim:subject link")


def export_files(paths: Iterable[str | Path]) -> list[Path]:
    """Label Studio export files named by paths (directories give their *.json, sorted)."""
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    return files


def max_export_bytes() -> int:
    """The size limit of one export file: MAX_EXPORT_MB_DEFAULT MB unless $KOTECHNEWS_MAX_EXPORT_MB
    gives another number of megabytes."""
    value = os.environ.get(MAX_EXPORT_MB_ENV) or str(MAX_EXPORT_MB_DEFAULT)
    try:
        return int(float(value) * 2**20)
    except ValueError:
        raise ValueError(f"{MAX_EXPORT_MB_ENV}={value!r} is not a number of megabytes") from None


def load_export(path: Path) -> tuple[Any, list[Problem]]:
    """The parsed JSON of path, or None and the problem that prevented reading it."""

    def problem(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(str(path), "-", None, "file", message)]

    try:
        limit = max_export_bytes()
    except ValueError as exc:
        return problem(f"cannot check the size: {exc}")
    try:
        size = path.stat().st_size
        if size > limit:
            return problem(
                f"{size} bytes is above the limit of {limit} bytes for one export "
                f"({limit / 2**20:g} MB; set {MAX_EXPORT_MB_ENV} to change it)"
            )
        return jsonio.loads(path.read_text(encoding="utf-8")), []
    except (OSError, UnicodeDecodeError) as exc:
        return problem(f"cannot read: {exc}")
    except json.JSONDecodeError as exc:
        return problem(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
    except jsonio.InvalidJSON as exc:
        return problem(f"invalid JSON: {exc}")


def file_kind(data: Any) -> str | None:
    """What a JSON file of the annotation tree is: a Label Studio ``export`` (a list of tasks), an
    annotator's ``worksheet``, a ``pull report`` or ``pull conflicts`` file, stored
    ``predictions`` (pre-annotations by source), or None (none of these)."""
    if isinstance(data, list):
        return "export"
    if not isinstance(data, dict):
        return None
    if "source_file" in data and "sentences" in data:
        return "worksheet"
    if "outcomes" in data and "pulled_at" in data:
        return "pull report"
    if "conflicts" in data and "invalid" in data:
        return "pull conflicts"
    sources = [v for v in data.values() if isinstance(v, dict)]
    if sources and all(isinstance(p, dict) and "result" in p for v in sources for p in v.values()):
        return "predictions"
    return None


@dataclass
class TreeReport:
    """What ``validate_tree`` found: checked files by kind, skipped files and their kind."""

    checked: dict[str, list[Path]]
    skipped: list[tuple[Path, str]]
    problems: list[Problem]


# Kinds that are outputs or inputs of tools, not annotations to validate.
SKIPPED_KINDS = ("pull report", "pull conflicts", "predictions")


def validate_tree(
    paths: Iterable[str | Path], check_worksheet: Callable[[dict[str, Any], Path], list[Problem]]
) -> TreeReport:
    """Validate every JSON file under paths by what it is: exports as exports (with corpus-wide
    canonical-id checks), worksheets with ``check_worksheet``; pull reports, conflicts files and
    stored predictions are skipped and listed; anything else is a problem."""
    report = TreeReport({"export": [], "worksheet": []}, [], [])
    for path in export_files(paths):
        data, load_problems = load_export(path)
        report.problems.extend(load_problems)
        if load_problems:
            continue
        kind = file_kind(data)
        if kind in SKIPPED_KINDS:
            report.skipped.append((path, kind))
        elif kind == "worksheet":
            report.checked["worksheet"].append(path)
            report.problems.extend(check_worksheet(data, path))
        elif kind == "export":
            report.checked["export"].append(path)
        else:
            report.problems.append(
                Problem(
                    str(path),
                    "-",
                    None,
                    "file",
                    "not a Label Studio export (a list of tasks), a "
                    "worksheet, a pull report or stored predictions",
                )
            )
    _, problems = validate_paths(report.checked["export"])
    report.problems.extend(problems)
    return report


@dataclass(frozen=True)
class CheckedExport:
    """An export file that validated, its tasks, how they adjudicate and what keeps them from
    being gold (conflicts, tasks without a usable annotation)."""

    path: Path
    tasks: list[dict[str, Any]]
    adjudication: Any  # labelstudio.adjudication.Adjudication (which imports this module)
    refusals: list[Problem]


def validate_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Validate every export named by paths as gold: the schema and the text, corpus-wide
    canonical-id and document-id consistency, and the adjudication rule (no conflict, every task
    with a usable annotation)."""
    files, checked, problems = check_exports(paths)
    return files, problems + [p for export in checked for p in export.refusals]


def check_exports(
    paths: Iterable[str | Path],
) -> tuple[list[Path], list[CheckedExport], list[Problem]]:
    """Files named by paths, those that validated (with their adjudication and refusals) and the
    problems other than refusals."""
    from kotechnews.labelstudio.adjudication import adjudicate, refusals

    files = export_files(paths)
    checked: list[CheckedExport] = []
    problems: list[Problem] = []
    cid_types: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    doc_ids: dict[str, tuple[str, str]] = {}
    for path in files:
        tasks, load_problems = load_export(path)
        problems.extend(load_problems)
        if load_problems:
            continue
        file_problems = validate_tasks(tasks, str(path))
        problems.extend(file_problems)
        if file_problems:
            continue
        problems.extend(_duplicate_doc_ids(tasks, str(path), doc_ids))
        adjudication = adjudicate(tasks, str(path), validated=True)
        _collect_canonical_types(adjudication.records, str(path), cid_types)
        checked.append(CheckedExport(path, tasks, adjudication, refusals(adjudication, str(path))))
    for cid, by_type in cid_types.items():
        if len(by_type) > 1:
            where = "; ".join(f"{t} in {f} task {task}" for t, (f, task) in sorted(by_type.items()))
            problems.append(
                Problem(
                    next(iter(by_type.values()))[0],
                    "-",
                    None,
                    "canonical_id",
                    f"canonical id {cid!r} is used with several types: {where}",
                )
            )
    return files, checked, problems


def _duplicate_doc_ids(
    tasks: list[dict[str, Any]], source: str, seen: dict[str, tuple[str, str]]
) -> list[Problem]:
    problems = []
    for index, task in enumerate(tasks):
        doc_id = task["data"][DOC_ID]
        where = (source, f"#{index}" if not _is_int(task.get("id")) else str(task["id"]))
        if doc_id in seen:
            first_file, first_task = seen[doc_id]
            problems.append(
                Problem(
                    source,
                    doc_id,
                    None,
                    "data.doc_id",
                    f"document {doc_id} is also task {first_task} of {first_file}",
                )
            )
        else:
            seen[doc_id] = where
    return problems


def _collect_canonical_types(
    records: Iterable[AnnotatedDocument],
    source: str,
    cid_types: dict[str, dict[str, tuple[str, str]]],
) -> None:
    """Where each canonical id is first used with each type, over the records of every
    submitted annotation (a validated task is named by its document id)."""
    for doc in records:
        for ent in doc.entities:
            if ent.canonical_id:
                cid_types[ent.canonical_id].setdefault(ent.type, (source, doc.id))
