"""Load and validate submissions and gold files: JSON Lines of ``AnnotatedDocument.to_dict()``.

Every problem is collected before anything is scored, and each one names the file, the line or
document id, the item (``entities[2] (id 'e3')``) and the field. Errors are fatal (the CLI exits
with code 2 and lists all of them); warnings (a gold document missing from the submission, which
is then scored as empty) are reported with the result. Checks run in two layers: the JSON Schema
(types, required and unknown fields, labels) and values JSON cannot carry faithfully (NaN,
Infinity or a literal like 1e400 that overflows to it, numbers beyond the float range, lone
surrogate escapes such as ``"\\ud800"``), then offsets, span texts, unique ids, entity references,
the relation types the schema allows between the two entity types, evidence sentence indices
(below the gold document's sentence count, from ``meta["sentences"]``; a gold without sentence
spans only bounds them by its text length, and the submission is warned), claim bounds
(low <= high, a value inside them) and links to itself (a relation with head == tail, a claim
whose subject is its time). An item with a schema error is reported once and left out of the
second layer. A file must be a regular file of UTF-8 JSON Lines, lines at most
``MAX_LINE_BYTES`` long and nested at most ``MAX_DEPTH`` levels; anything else is an error
naming the file (and line), never a traceback.

Duplicates and overlaps: every item is listed once. An exact duplicate, i.e. an entity with the
same start, end and type as another, a claim on the same span as another (a span carries one
claim), a relation with the same head, type and tail (either direction for a symmetric type), an
evidence index given twice, is an error, in gold and submission alike: a duplicate is never
counted, so it can neither inflate nor lower a score. Overlapping or nested spans that differ
are allowed, and each is scored on its own (a false positive when it matches nothing).

An empty submission (no lines, or only blank ones) is valid: every gold document is scored as
an empty prediction, so every score is 0, and one warning saying so comes first (in the
command's output and in the result's ``warnings``); ``kotechnews score`` then exits 0, as for any
missing document. An empty gold or train file is an error.

Records from code (baselines, format readers, the dataset's splits) come in through
``submission_from_documents`` and ``gold_from_documents`` and are never turned into dicts: their
shape is given by their class, so each field's value is checked against the same schema on its
own, and then the same checks run as for a file, with the same messages (a record is numbered
like a line, or named by document and item only).

The JSON Schema of one line is generated from the dataclasses in ``kotechnews.records`` and the
label tables in ``kotechnews.schema`` (``submission_schema()``); the committed copy in
``schemas/submission.schema.json`` is regenerated with
``write_submission_schema("schemas/submission.schema.json")`` (a test checks they are equal).
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import math
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from kotechnews import jsonio, records, schema
from kotechnews.errors import KoTechNewsError
from kotechnews.jsonio import write_json
from kotechnews.records import AnnotatedDocument

# JSON Schema for each field annotation used in records.py; an annotation missing here makes
# schema generation fail loudly, so records.py and the schema cannot drift apart silently.
# Every integer in a record is a code-point offset or a sentence index, hence minimum 0.
_FIELD_TYPES: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "str | None": {"type": ["string", "null"]},
    "int": {"type": "integer", "minimum": 0},
    "float | None": {"type": ["number", "null"]},
    "bool": {"type": "boolean"},
    "list[int]": {"type": "array", "items": {"type": "integer", "minimum": 0}},
    "Document | None": {"type": "object"},
    "list[Entity]": {"type": "array", "items": {"$ref": "#/$defs/entity"}},
    "list[Relation]": {"type": "array", "items": {"$ref": "#/$defs/relation"}},
    "list[Claim]": {"type": "array", "items": {"$ref": "#/$defs/claim"}},
}

# Fields serialised under another name: the record's document is a line's free-form ``meta``.
_JSON_NAMES: dict[tuple[str, str], str] = {("AnnotatedDocument", "document"): "meta"}

# Label-valued fields: (record class, field) -> allowed names from kotechnews.schema.
_LABEL_FIELDS: dict[tuple[str, str], list[str]] = {
    ("Entity", "type"): schema.ENTITY_TYPE_NAMES,
    ("Relation", "type"): schema.RELATION_TYPE_NAMES,
    ("Claim", "quantity_type"): schema.QUANTITY_TYPE_NAMES,
    ("Claim", "modality"): schema.MODALITY_NAMES,
}

_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("AnnotatedDocument", "id"): "Document id; must match a gold document id",
    ("AnnotatedDocument", "text"): "Optional; if given it must equal the gold text",
    ("Entity", "id"): "Unique within the document; relations and claims refer to it",
    ("Entity", "start"): "Code-point offset of the first character",
    ("Entity", "end"): "Code-point offset after the last character",
    ("Entity", "text"): "Optional; if non-empty it must equal text[start:end]",
    ("Entity", "canonical_id"): "Cluster id of the entity across mentions and documents",
    ("Relation", "head"): "Entity id in the same document",
    ("Relation", "tail"): "Entity id in the same document",
    ("Relation", "evidence"): "Indices of the sentences that support the relation",
    ("Claim", "start"): "Code-point offset of the first character of the quantity span",
    ("Claim", "end"): "Code-point offset after the last character",
    ("Claim", "text"): "Optional; if non-empty it must equal text[start:end]",
    **{("Claim", field.name): field.en for field in schema.CLAIM_FIELDS},
}


def _object_schema(cls) -> dict[str, Any]:
    properties = {}
    for field in dataclasses.fields(cls):
        key = (cls.__name__, field.name)
        if field.type not in _FIELD_TYPES:
            raise TypeError(
                f"records.{cls.__name__}.{field.name}: no JSON Schema type for "
                f"annotation {field.type!r}; add it to _FIELD_TYPES"
            )
        prop = dict(_FIELD_TYPES[field.type])
        if key in _LABEL_FIELDS:
            prop["enum"] = list(_LABEL_FIELDS[key]) + ([None] if "null" in prop["type"] else [])
        if key in _DESCRIPTIONS:
            prop = {"description": _DESCRIPTIONS[key], **prop}
        properties[_JSON_NAMES.get(key, field.name)] = prop
    required = [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def submission_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one line of a submission or gold file."""
    document = _object_schema(records.AnnotatedDocument)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "KoTechNews annotated document (one line of a submission or gold JSONL file)",
        "description": f"Generated from kotechnews.records and kotechnews.schema "
        f"(schema version {schema.SCHEMA_VERSION}). Offsets are Python code-point "
        f"offsets into the gold text.",
        **document,
        "$defs": {
            "entity": _object_schema(records.Entity),
            "relation": _object_schema(records.Relation),
            "claim": _object_schema(records.Claim),
        },
    }


def write_submission_schema(path: str | Path) -> None:
    write_json(path, submission_schema())


_VALIDATOR = Draft202012Validator(submission_schema())

# A document line is a few kB to a few hundred kB; far longer lines are refused unread, so that a
# huge or endless line (a binary file, /dev/zero) costs no memory.
MAX_LINE_BYTES = 16 * 1024 * 1024
# A record nests four levels (document, list, item, value); meta may nest more. Deeper JSON is
# refused before anything recurses into it (json, jsonschema and deepcopy would overflow).
MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """Text that can always be encoded as UTF-8: lone surrogates (a path given as undecodable
    bytes, a "\\ud800" escape) are shown as escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class ValidationIssue:
    severity: str  # "error" or "warning"
    source: str  # file path, or "split:NAME" for gold from kotechnews.gold
    line: int | None
    document: str | None
    item: str | None  # e.g. "entities[2] (id 'e3')"
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.source + (f":{self.line}" if self.line is not None else "")]
        if self.document is not None:
            parts.append(f"document {self.document!r}")
        target = ".".join(p for p in (self.item, self.field) if p)
        if target:
            parts.append(target)
        return printable(": ".join(parts) + ": " + self.message)


class SubmissionError(KoTechNewsError, ValueError):
    """Invalid gold or submission input; carries every error found, not just the first."""

    exit_code = 2  # the scorer's "invalid input"

    def __init__(self, issues: Sequence[ValidationIssue], ordered: bool = False):
        """ordered: keep the issues in the order given (several inputs, each in its order)."""
        self.issues = (
            list(issues)
            if ordered
            else sorted(issues, key=lambda issue: (issue.source, issue.line or 0))
        )
        lines = "\n".join(str(issue) for issue in self.issues)
        super().__init__(f"{len(self.issues)} error(s):\n{lines}")

    def report(self) -> None:
        from rich.console import Console

        from kotechnews.scoring.report import print_issues

        console = Console(stderr=True)
        print_issues(self.issues, console)
        console.print(f"[red]{len(self.issues)} error(s); nothing scored.[/red]")


@dataclass(frozen=True)
class SourceRecord:
    source: str
    line: int
    data: Any


@dataclass
class Submission:
    """Predicted documents aligned one-to-one with the gold documents (missing ones empty)."""

    source: str
    documents: list[AnnotatedDocument]
    warnings: list[ValidationIssue]
    n_submitted: int


class _Issues:
    def __init__(self, source: str, earlier: Sequence[ValidationIssue] = ()):
        """earlier: issues found before, e.g. lines that were not JSON."""
        self.source = source
        self.items: list[ValidationIssue] = list(earlier)

    def add(
        self,
        message: str,
        *,
        line: int | None = None,
        document: str | None = None,
        item: str | None = None,
        field: str | None = None,
        severity: str = "error",
    ) -> None:
        self.items.append(
            ValidationIssue(severity, self.source, line, document, item, field, message)
        )

    @property
    def errors(self) -> list[ValidationIssue]:
        return [i for i in self.items if i.severity == "error"]

    @property
    def warnings(self) -> list[ValidationIssue]:
        return [i for i in self.items if i.severity == "warning"]


def _lines(handle, issues: _Issues) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of every line; a line over MAX_LINE_BYTES is reported and skipped
    without reading it into memory."""
    number = 0
    while chunk := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            issues.add(f"line longer than {MAX_LINE_BYTES} bytes; is this JSON Lines?", line=number)
            while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            continue
        yield number, chunk.rstrip(b"\r\n")


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            stack.extend(
                (item, depth + 1) for item in (value.values() if isinstance(value, dict) else value)
            )
    return False


def _parse_line(line: bytes) -> Any:
    """One JSON value; raises ValueError with a readable message."""
    text = line.decode("utf-8")  # UnicodeDecodeError is a ValueError, reported by the caller
    too_deep = f"invalid JSON: nested more than {MAX_DEPTH} levels deep"
    try:
        data = jsonio.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except jsonio.InvalidJSON as exc:
        raise ValueError(too_deep if exc.nesting else f"invalid JSON: {exc}") from None
    if _depth_exceeds(data, MAX_DEPTH):
        raise ValueError(too_deep)
    return data


def _whole_file_problem(
    lines: list[tuple[int, bytes]], failed: int, undecodable: int, parsed: int
) -> str | None:
    """One message for a file that fails line by line for one reason: not UTF-8 at all, or a
    single JSON value spread over several lines (a JSON array, a pretty-printed object)."""
    if lines and lines[0][1].startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "not UTF-8: the file is UTF-16 (it starts with a byte-order mark)"
    if failed < 2:
        return None
    if undecodable == failed and not parsed:
        return (
            "not UTF-8: no line decodes (UTF-16, CP949 or EUC-KR files must be converted to UTF-8)"
        )
    try:
        data = _parse_line(b"\n".join(line for _, line in lines))
    except ValueError:
        return None
    return (
        f"not JSON Lines: the file is one JSON {_json_type(data)} spread over {len(lines)} "
        f"lines; write one document object per line"
    )


def source_name(path: str | Path) -> str:
    return printable(str(path))


def read_records(path: str | Path) -> tuple[list[SourceRecord], list[ValidationIssue]]:
    """Parse a JSON Lines file: the records, and an error for every line that is not valid
    UTF-8 JSON (the other lines are still returned, so all errors can be listed at once)."""
    source = source_name(path)
    issues = _Issues(source)
    try:
        # stat before open: opening a FIFO would wait for a writer, a device never ends
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            issues.add(
                "cannot read file: "
                + ("is a directory" if stat.S_ISDIR(mode) else "not a regular file")
            )
            raise SubmissionError(issues.items)
        with open(path, "rb") as handle:
            lines = list(_lines(handle, issues))
    except OSError as exc:
        issues.add(f"cannot read file: {exc.strerror or exc}")
        raise SubmissionError(issues.items) from None
    out: list[SourceRecord] = []
    failures: list[tuple[int, str]] = []
    undecodable = 0
    for number, line in lines:
        if number == 1 and line.startswith(codecs.BOM_UTF8):  # as Windows editors write it
            line = line[len(codecs.BOM_UTF8) :]
        if not line.strip():
            continue
        try:
            out.append(SourceRecord(source, number, _parse_line(line)))
        except UnicodeDecodeError as exc:
            undecodable += 1
            failures.append((number, f"not UTF-8 (byte {exc.start + 1})"))
        except ValueError as exc:
            failures.append((number, str(exc)))
    whole = _whole_file_problem(lines, len(failures), undecodable, len(out))
    if whole is not None:
        issues.add(whole)
        out = []  # lines that parsed are pieces of the one value
    else:
        for number, message in failures:
            issues.add(message, line=number)
    return out, issues.items


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _field(value: Any, name: str) -> Any:
    """A field of a JSON object or of a record; None if it has none (a JSON item may be any
    value)."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None) if dataclasses.is_dataclass(value) else None


def _item_label(document: Any, path: Sequence[Any]) -> tuple[str | None, list[Any]]:
    """Split the path of a value in a document (JSON object or record) into an item label
    ("entities[2] (id 'e3')") and the remaining path."""
    if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int):
        item_id = _field(_field(document, path[0])[path[1]], "id")
        label = f"{path[0]}[{path[1]}]"
        if isinstance(item_id, str):
            label += f" (id {item_id!r})"
        return label, list(path[2:])
    return None, list(path)


def _schema_message(error) -> tuple[str, list[Any]]:
    """A readable message for a jsonschema error and any field names it adds to the path."""
    value = error.instance
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {expected}, got {_json_type(value)} {json.dumps(value)[:60]}", []
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value if v is not None)
        return f"unknown label {json.dumps(value, ensure_ascii=False)}; allowed: {allowed}", []
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in value]
        return "required field is missing", missing[:1]
    if error.validator == "additionalProperties":
        allowed = set(error.schema["properties"])
        extra = sorted(k for k in value if k not in allowed)
        return f"unknown field (allowed: {', '.join(error.schema['properties'])})", extra[:1]
    if error.validator == "minimum":
        return f"must be >= {error.validator_value}, got {value}", []
    return error.message, []


def _unrepresentable(data: Any) -> Iterator[tuple[list[Any], str]]:
    """(path, message) of every value JSON cannot carry faithfully: it would compare, print or
    encode wrongly later (NaN matches nothing, a surrogate cannot be written as UTF-8). data is
    a JSON value or a record (whose fields are walked as its JSON object would be)."""
    stack: list[tuple[list[Any], Any]] = [([], data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            yield (
                path,
                (
                    f"not a finite number (got {json.dumps(value)}; NaN and Infinity are "
                    f"not JSON, and a literal like 1e400 overflows to Infinity)"
                ),
            )
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and abs(value) > sys.float_info.max
        ):
            yield path, "number out of range (beyond the 64-bit float range)"
        elif isinstance(value, str) and _SURROGATE.search(value):
            yield path, "string with a lone surrogate escape (not encodable as UTF-8)"
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    yield (
                        path + [key],
                        ("field name with a lone surrogate escape (not encodable as UTF-8)"),
                    )
                else:
                    stack.append((path + [key], item))
        elif isinstance(value, list):
            stack.extend((path + [index], item) for index, item in enumerate(value))
        elif dataclasses.is_dataclass(value):
            stack.extend(
                (path + [field.name], getattr(value, field.name))
                for field in dataclasses.fields(value)
            )


# (path of the value, message, field names the message adds to the path, jsonschema keyword or
# None for an unrepresentable value)
_Problem = tuple[list[Any], str, list[Any], str | None]

_ITEM_LISTS = ("entities", "relations", "claims")
_ITEM_DEFINITIONS = dict(zip(_ITEM_LISTS, ("entity", "relation", "claim")))


def _field_validators(definition: dict[str, Any]) -> dict[str, Draft202012Validator]:
    """A validator per field of a record class; item lists are walked item by item instead, and
    a record's typed document stands where a JSON line has its free-form meta."""
    return {
        field: Draft202012Validator(value)
        for field, value in definition["properties"].items()
        if field not in (*_ITEM_LISTS, "meta")
    }


# The schema of every field, to check a record from code value by value: the same rules and
# messages as for its JSON object, without building it.
_FIELD_VALIDATORS: dict[str, dict[str, Draft202012Validator]] = {
    "document": _field_validators(_VALIDATOR.schema),
    **{name: _field_validators(value) for name, value in _VALIDATOR.schema["$defs"].items()},
}


def _json_problems(data: dict[str, Any]) -> list[_Problem]:
    """Schema errors (shape, types, labels) and unrepresentable values of a JSON document."""
    problems: list[_Problem] = [
        (list(e.absolute_path), *_schema_message(e), e.validator)
        for e in _VALIDATOR.iter_errors(data)
    ]
    return problems + [(path, message, [], None) for path, message in _unrepresentable(data)]


def _record_fields(document: AnnotatedDocument) -> Iterator[tuple[list[Any], str, Any]]:
    """(path of the record, schema definition, record) of a document and each of its items."""
    yield [], "document", document
    for kind, definition in _ITEM_DEFINITIONS.items():
        for index, item in enumerate(getattr(document, kind)):
            yield [kind, index], definition, item


def _record_problems(document: AnnotatedDocument) -> list[_Problem]:
    """The problems of a record from code: it has the schema's fields by construction, but a
    value can still be wrong (an unknown label, a negative offset, NaN)."""
    problems: list[_Problem] = [
        ([*path, field, *error.absolute_path], *_schema_message(error), error.validator)
        for path, definition, record in _record_fields(document)
        for field, validator in _FIELD_VALIDATORS[definition].items()
        for error in validator.iter_errors(getattr(record, field))
    ]
    return problems + [(path, message, [], None) for path, message in _unrepresentable(document)]


def _report_problems(
    problems: list[_Problem], data: Any, line: int | None, issues: _Issues
) -> tuple[bool, set[tuple[str, int]]]:
    """Report every problem of a document (JSON object or record), naming its item and field.

    Returns whether the document as a whole is usable for the further checks, and the
    (list, index) of items with problems, which are left out of those checks.
    """
    document = _field(data, "id") if isinstance(_field(data, "id"), str) else None
    usable, broken = True, set()
    for path, message, extra, validator in sorted(problems, key=lambda p: [str(x) for x in p[0]]):
        item, rest = _item_label(data, path)
        field = (
            ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in rest + extra).replace(
                ".[", "["
            )
            or None
        )
        issues.add(message, line=line, document=document, item=item, field=field)
        if item is not None:
            broken.add((path[0], path[1]))
        elif path or validator != "additionalProperties":
            usable = False
    return usable, broken


def _as_document(data: dict[str, Any]) -> AnnotatedDocument:
    document = AnnotatedDocument.from_dict(data)
    # JSON Schema integers admit 3.0; slicing needs real ints.
    for span in (*document.entities, *document.claims):
        span.start, span.end = int(span.start), int(span.end)
    for relation in document.relations:
        relation.evidence = [int(i) for i in relation.evidence]
    return document


@dataclass
class _Checked:
    """A document made of the valid items of a submitted one, with their original indices
    (so messages point at the submitted item) and the ids of entities left out."""

    document: AnnotatedDocument
    positions: dict[str, list[int]]
    unchecked_entity_ids: set[str]


def _valid_positions(
    items: Mapping[str, Sequence[Any]], broken: set[tuple[str, int]]
) -> tuple[dict[str, list[int]], set[str]]:
    """The indices of the valid items of each list, and the ids of the entities left out."""
    positions = {
        kind: [i for i in range(len(values)) if (kind, i) not in broken]
        for kind, values in items.items()
    }
    unchecked = {
        _field(item, "id")
        for i, item in enumerate(items["entities"])
        if ("entities", i) in broken and isinstance(_field(item, "id"), str)
    }
    return positions, unchecked


def _checked_json(data: dict[str, Any], broken: set[tuple[str, int]]) -> _Checked:
    items = {kind: data.get(kind, []) for kind in _ITEM_LISTS}
    positions, unchecked = _valid_positions(items, broken)
    clean = {key: value for key, value in data.items() if key in _VALIDATOR.schema["properties"]}
    clean.update({kind: [items[kind][i] for i in positions[kind]] for kind in _ITEM_LISTS})
    return _Checked(_as_document(clean), positions, unchecked)


def _checked_record(document: AnnotatedDocument, broken: set[tuple[str, int]]) -> _Checked:
    items = {kind: getattr(document, kind) for kind in _ITEM_LISTS}
    positions, unchecked = _valid_positions(items, broken)
    if broken:  # a copy without them; the record itself stays as it was given
        document = dataclasses.replace(
            document, **{kind: [items[kind][i] for i in positions[kind]] for kind in _ITEM_LISTS}
        )
    return _Checked(document, positions, unchecked)


@dataclass(frozen=True)
class _Submitted:
    """A submitted document after the checks of its fields: where it is, its id (duplicates are
    found among unusable documents too) and, if it is usable, its checked document."""

    line: int | None
    id: str | None
    checked: _Checked | None
    meta_problem: str | None = None  # a JSON line's meta.sentences that cannot be read


def _readable_meta(data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The line, without its meta when the sentence spans there cannot become the record's
    document, and what is wrong with them (an error for gold; a prediction's meta is unread)."""
    meta, text = data.get("meta"), data.get("text")
    spans = meta.get("sentences") if isinstance(meta, dict) else None
    if not spans or not isinstance(text, str):
        return data, None
    problem = _sentences(spans, text)
    if isinstance(problem, str):
        return {key: value for key, value in data.items() if key != "meta"}, problem
    return data, None


def _submitted_json(records_: Iterable[SourceRecord], issues: _Issues) -> Iterator[_Submitted]:
    """The documents of JSON lines: untrusted, so their shape is checked too."""
    for record in records_:
        data = record.data
        if not isinstance(data, dict):
            issues.add(
                f"expected a JSON object (one document per line), got {_json_type(data)}",
                line=record.line,
            )
            continue
        usable, broken = _report_problems(_json_problems(data), data, record.line, issues)
        document_id = data["id"] if isinstance(data.get("id"), str) else None
        if not usable:
            yield _Submitted(record.line, document_id, None)
            continue
        readable, meta_problem = _readable_meta(data)
        yield _Submitted(record.line, document_id, _checked_json(readable, broken), meta_problem)


def _submitted_records(
    documents: Iterable[AnnotatedDocument], issues: _Issues, numbered: bool
) -> Iterator[_Submitted]:
    """Records from code, numbered from 1 as lines (or with no line when not numbered)."""
    for number, document in enumerate(documents, start=1):
        line = number if numbered else None
        usable, broken = _report_problems(_record_problems(document), document, line, issues)
        document_id = document.id if isinstance(document.id, str) else None
        yield _Submitted(line, document_id, _checked_record(document, broken) if usable else None)


def _check_spans(
    checked: _Checked, text: str, kind: str, line: int | None, issues: _Issues
) -> None:
    document = checked.document
    seen: dict[str, int] = {}
    spans: dict[tuple, int] = {}
    for index, span in zip(checked.positions[kind], getattr(document, kind)):
        item = f"{kind}[{index}] (id {span.id!r})"
        where = dict(line=line, document=document.id, item=item)
        if span.id in seen:
            issues.add(f"duplicate id (first used by {kind}[{seen[span.id]}])", field="id", **where)
        seen.setdefault(span.id, index)
        # the key each task matches on: a second item with the same key is a duplicate
        key = (span.start, span.end, span.type) if kind == "entities" else (span.start, span.end)
        if key in spans:
            what = (
                "same start, end and type as"
                if kind == "entities"
                else "same span as (a span carries one claim)"
            )
            issues.add(f"{what} {kind}[{spans[key]}]: each item is listed once", **where)
        spans.setdefault(key, index)
        if span.end > len(text):
            issues.add(
                f"offset {span.end} is outside the text (length {len(text)})", field="end", **where
            )
        elif span.start >= span.end:
            issues.add(
                f"start {span.start} must be smaller than end {span.end}", field="start", **where
            )
        elif span.text and span.text != text[span.start : span.end]:
            issues.add(
                f"span text {span.text!r} differs from the document text "
                f"{text[span.start : span.end]!r} at [{span.start}:{span.end}]",
                field="text",
                **where,
            )


def _check_claims(checked: _Checked, line: int | None, issues: _Issues) -> None:
    """Bounds that contradict each other, and a time link that is not a time."""
    entities = {e.id: e for e in checked.document.entities}
    time_types = schema.CLAIM_LINKS_BY_NAME["claim:time"].tail
    for index, claim in zip(checked.positions["claims"], checked.document.claims):
        where = dict(
            line=line, document=checked.document.id, item=f"claims[{index}] (id {claim.id!r})"
        )
        if claim.time is not None and claim.time == claim.subject:
            issues.add("the time anchor is the claim's own subject", field="time", **where)
        elif claim.time in entities and entities[claim.time].type not in time_types:
            issues.add(
                f"claim:time links to a {' or '.join(time_types)} entity, got "
                f"{entities[claim.time].type} {claim.time!r}",
                field="time",
                **where,
            )
        if claim.low is not None and claim.high is not None and claim.low > claim.high:
            issues.add(f"low {claim.low} is greater than high {claim.high}", field="low", **where)
        elif claim.value is not None and not (
            (claim.low is None or claim.low <= claim.value)
            and (claim.high is None or claim.value <= claim.high)
        ):
            issues.add(
                f"value {claim.value} is outside [low, high] = [{claim.low}, {claim.high}]",
                field="value",
                **where,
            )


@dataclass(frozen=True)
class _Sentences:
    """What bounds the evidence indices of a document: its sentence count, or, for a gold
    without sentence spans, its text length (a sentence has at least one character)."""

    bound: int
    known: bool

    def problem(self, index: int) -> str | None:
        if index < self.bound:
            return None
        if self.known:
            return f"sentence {index} is past the document's last sentence ({self.bound} sentences)"
        return (
            f"sentence {index} is past the document: its text has {self.bound} characters "
            f"(the gold has no sentence spans to check against)"
        )


def _sentences(spans: Any, text: str) -> _Sentences | str:
    """The evidence bound of a gold document, or an error message about meta.sentences."""
    if not spans:
        return _Sentences(len(text), known=False)
    if not (
        isinstance(spans, (list, tuple))
        and all(
            isinstance(span, (list, tuple))
            and len(span) == 2
            and all(isinstance(i, int) and not isinstance(i, bool) for i in span)
            and 0 <= span[0] <= span[1] <= len(text)
            for span in spans
        )
    ):
        return "expected a list of [start, end] sentence spans inside the text"
    return _Sentences(len(spans), known=True)


def _relation_key(relation) -> tuple[str, str, str]:
    head, tail = relation.head, relation.tail
    if schema.RELATIONS_BY_NAME[relation.type].symmetric and tail < head:
        head, tail = tail, head
    return head, relation.type, tail


def _check_relations(
    checked: _Checked, sentences: _Sentences, line: int | None, issues: _Issues
) -> None:
    document = checked.document
    entities = {e.id: e for e in document.entities}
    seen: dict[tuple[str, str, str], int] = {}
    for index, relation in zip(checked.positions["relations"], document.relations):
        where = dict(line=line, document=document.id, item=f"relations[{index}]")
        key = _relation_key(relation)
        if key in seen:
            issues.add(
                f"same head, type and tail as relations[{seen[key]}]: each relation is listed once",
                **where,
            )
        seen.setdefault(key, index)
        head, tail = entities.get(relation.head), entities.get(relation.tail)
        if relation.head == relation.tail:
            issues.add("head and tail are the same entity", field="tail", **where)
        elif head is not None and tail is not None:
            if head.canonical_id and head.canonical_id == tail.canonical_id:
                issues.add(
                    f"head and tail are mentions of the same entity (canonical id "
                    f"{head.canonical_id!r})",
                    field="tail",
                    **where,
                )
            if not schema.relation_allowed(relation.type, head.type, tail.type):
                issues.add(
                    f"{relation.type} does not allow {head.type} -> {tail.type}",
                    field="type",
                    **where,
                )
        if len(set(relation.evidence)) < len(relation.evidence):
            issues.add("a sentence index is given twice", field="evidence", **where)
        for position, sentence in enumerate(relation.evidence):
            if (problem := sentences.problem(sentence)) is not None:
                issues.add(problem, field=f"evidence[{position}]", **where)


def _check_references(checked: _Checked, line: int | None, issues: _Issues) -> None:
    document = checked.document
    known = {e.id for e in document.entities} | checked.unchecked_entity_ids
    links = [
        (f"relations[{index}]", relation, ("head", "tail"))
        for index, relation in zip(checked.positions["relations"], document.relations)
    ]
    links += [
        (f"claims[{index}] (id {claim.id!r})", claim, ("subject", "time"))
        for index, claim in zip(checked.positions["claims"], document.claims)
    ]
    for item, record, fields in links:
        for field in fields:
            target = getattr(record, field)
            if target is not None and target not in known:
                issues.add(
                    f"refers to entity {target!r}, which is not in this document's entities",
                    line=line,
                    document=document.id,
                    item=item,
                    field=field,
                )


def _check_documents(
    submitted: Iterable[_Submitted],
    issues: _Issues,
    gold: Mapping[str, AnnotatedDocument] | None = None,
) -> list[AnnotatedDocument]:
    """The semantic checks of every usable document; gold is None for gold itself, else the
    gold documents by id. Returns the valid documents."""
    documents: list[AnnotatedDocument] = []
    first_line: dict[str, int | None] = {}
    for entry in submitted:
        where = dict(line=entry.line, document=entry.id)
        if entry.id is not None:
            if entry.id in first_line:
                issues.add(
                    f"duplicate document id (first on line {first_line[entry.id]})",
                    field="id",
                    **where,
                )
                continue
            first_line[entry.id] = entry.line
        if entry.checked is None:
            continue
        document = entry.checked.document
        if gold is None:
            text = document.text
            if text is None:
                issues.add("gold documents need their text", field="text", **where)
                continue
            sentences = entry.meta_problem or _sentences(document.sentences, text)
            if isinstance(sentences, str):
                issues.add(sentences, field="meta.sentences", **where)
                continue
        else:
            if document.id not in gold:
                issues.add("unknown document id (not in the gold)", field="id", **where)
                continue
            text = gold[document.id].text
            sentences = _sentences(gold[document.id].sentences, text)
            if document.text is not None and document.text != text:
                issues.add(
                    "text differs from the gold text of this document", field="text", **where
                )
                continue
        _check_spans(entry.checked, text, "entities", entry.line, issues)
        _check_spans(entry.checked, text, "claims", entry.line, issues)
        _check_references(entry.checked, entry.line, issues)
        _check_relations(entry.checked, sentences, entry.line, issues)
        _check_claims(entry.checked, entry.line, issues)
        documents.append(document)
    return documents


def _valid_gold(
    submitted: Iterable[_Submitted], issues: _Issues, empty: bool
) -> list[AnnotatedDocument]:
    """empty: there was nothing to read (an empty gold is an error)."""
    documents = _check_documents(submitted, issues)
    if empty and not issues.errors:
        issues.add("no documents")
    if issues.errors:
        raise SubmissionError(issues.errors)
    return documents


def load_gold(path: str | Path) -> list[AnnotatedDocument]:
    """Read and validate a gold JSONL file (documents must carry their text)."""
    records_, earlier = read_records(path)
    issues = _Issues(source_name(path), earlier)
    return _valid_gold(_submitted_json(records_, issues), issues, empty=not records_)


def gold_from_documents(
    documents: Sequence[AnnotatedDocument], source: str
) -> list[AnnotatedDocument]:
    """Validate gold records that come from code (kotechnews.gold.load_split); issues name each
    by its number in ``documents`` as its line."""
    issues = _Issues(source)
    return _valid_gold(
        _submitted_records(documents, issues, numbered=True), issues, empty=not documents
    )


def _aligned_submission(
    submitted: Iterable[_Submitted], issues: _Issues, gold: Sequence[AnnotatedDocument]
) -> Submission:
    """Validate predicted documents against the gold and order them like the gold."""
    gold_by_id = {document.id: document for document in gold}
    documents = _check_documents(submitted, issues, gold_by_id)
    if issues.errors:
        raise SubmissionError(issues.errors)
    by_id = {document.id: document for document in documents}
    if not documents:
        issues.add(
            f"empty submission (no documents): every gold document missing from the "
            f"submission ({len(gold)} of {len(gold)}) is scored as an empty prediction, "
            f"so every score is 0",
            severity="warning",
        )
    unbounded = sorted(
        document.id
        for document in by_id.values()
        if any(r.evidence for r in document.relations) and not gold_by_id[document.id].sentences
    )
    if unbounded:
        issues.add(
            f"the gold of {len(unbounded)} document(s) with predicted evidence has no "
            f"sentence spans (meta.sentences): their evidence indices are only checked "
            f"against the text length ({', '.join(map(repr, unbounded[:5]))}"
            f"{', ...' if len(unbounded) > 5 else ''})",
            severity="warning",
        )
    aligned = []
    for gold_document in gold:
        if documents and gold_document.id not in by_id:
            issues.add(
                "gold document missing from the submission; scored as an empty prediction",
                document=gold_document.id,
                severity="warning",
            )
        aligned.append(by_id.get(gold_document.id, AnnotatedDocument(id=gold_document.id)))
    return Submission(issues.source, aligned, issues.warnings, len(documents))


def load_submission(path: str | Path, gold: Sequence[AnnotatedDocument]) -> Submission:
    """Read a submission JSONL file, validate it against the gold, align it to the gold."""
    records_, earlier = read_records(path)
    issues = _Issues(source_name(path), earlier)
    return _aligned_submission(_submitted_json(records_, issues), issues, gold)


def submission_from_documents(
    documents: Iterable[AnnotatedDocument],
    source: str,
    gold: Sequence[AnnotatedDocument],
    *,
    numbered: bool = True,
) -> Submission:
    """Validate predicted records from code against the gold and align them to the gold, with
    the checks and messages of a submission file but no JSON in between. Issues name each
    record by its number in ``documents`` as its line, or by document and item only when not
    ``numbered`` (records converted from another file, whose lines they do not have)."""
    issues = _Issues(source)
    return _aligned_submission(_submitted_records(documents, issues, numbered), issues, gold)


def load_split_gold(name: str, dataset: str | Path) -> list[AnnotatedDocument]:
    """Gold documents of one split of the released dataset (a folder or a Hub repo id), read with
    ``datasets.load_dataset``: no source checkout needed."""
    source = f"split:{name}"
    try:
        from kotechnews.hfdataset.records import records_from_dataset
        from kotechnews.splits import check_split_name

        documents = records_from_dataset(dataset, check_split_name(name))
    except Exception as exc:  # a missing folder, an unknown repo or split: all one message
        issue = ValidationIssue(
            "error",
            source,
            None,
            None,
            None,
            None,
            f"cannot load split {name!r} of the dataset {dataset}: {exc}",
        )
        raise SubmissionError([issue]) from None
    return gold_from_documents(documents, source)
