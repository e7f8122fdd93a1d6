"""Load and validate submissions and gold files: JSON Lines of ``AnnotatedDocument.to_dict()``.

Every problem is collected before anything is scored, and each one names the file, the line or
document id, the item (``entities[2] (id 'e3')``) and the field. Errors are fatal (the CLI exits
with code 2 and lists all of them); warnings (a gold document missing from the submission, which
is then scored as empty) are reported with the result. Checks run in two layers: the JSON Schema
(types, required and unknown fields, labels), then offsets, span texts, unique ids and entity
references; an item with a schema error is reported once and left out of the second layer.

The JSON Schema of one line is generated from the dataclasses in ``kotechnews.records`` and the
label tables in ``kotechnews.schema`` (``submission_schema()``); the committed copy in
``schemas/submission.schema.json`` is regenerated with
``write_submission_schema("schemas/submission.schema.json")`` (a test checks they are equal).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from kotechnews import records, schema
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
    "dict[str, Any]": {"type": "object"},
    "list[Entity]": {"type": "array", "items": {"$ref": "#/$defs/entity"}},
    "list[Relation]": {"type": "array", "items": {"$ref": "#/$defs/relation"}},
    "list[Claim]": {"type": "array", "items": {"$ref": "#/$defs/claim"}},
}

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
            raise TypeError(f"records.{cls.__name__}.{field.name}: no JSON Schema type for "
                            f"annotation {field.type!r}; add it to _FIELD_TYPES")
        prop = dict(_FIELD_TYPES[field.type])
        if key in _LABEL_FIELDS:
            prop["enum"] = list(_LABEL_FIELDS[key]) + ([None] if "null" in prop["type"] else [])
        if key in _DESCRIPTIONS:
            prop = {"description": _DESCRIPTIONS[key], **prop}
        properties[field.name] = prop
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False}


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
        return ": ".join(parts) + ": " + self.message


class SubmissionError(ValueError):
    """Invalid gold or submission input; carries every error found, not just the first."""

    def __init__(self, issues: Sequence[ValidationIssue]):
        self.issues = sorted(issues, key=lambda issue: (issue.source, issue.line or 0))
        lines = "\n".join(str(issue) for issue in self.issues)
        super().__init__(f"{len(self.issues)} error(s):\n{lines}")


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
    def __init__(self, source: str):
        self.source = source
        self.items: list[ValidationIssue] = []

    def add(self, message: str, *, line: int | None = None, document: str | None = None,
            item: str | None = None, field: str | None = None, severity: str = "error") -> None:
        self.items.append(ValidationIssue(severity, self.source, line, document, item, field,
                                          message))

    @property
    def errors(self) -> list[ValidationIssue]:
        return [i for i in self.items if i.severity == "error"]

    @property
    def warnings(self) -> list[ValidationIssue]:
        return [i for i in self.items if i.severity == "warning"]


def read_records(path: str | Path) -> tuple[list[SourceRecord], list[ValidationIssue]]:
    """Parse a JSON Lines file: the records, and an error for every line that is not valid
    UTF-8 JSON (the other lines are still returned, so all errors can be listed at once)."""
    source = str(path)
    issues = _Issues(source)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        issues.add(f"cannot read file: {exc.strerror or exc}")
        raise SubmissionError(issues.items) from None
    out: list[SourceRecord] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(SourceRecord(source, number, json.loads(line.decode("utf-8"))))
        except UnicodeDecodeError as exc:
            issues.add(f"not UTF-8 (byte {exc.start + 1})", line=number)
        except json.JSONDecodeError as exc:
            issues.add(f"invalid JSON: {exc.msg} (column {exc.colno})", line=number)
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


def _item_label(document: dict[str, Any], path: Sequence[Any]) -> tuple[str | None, list[Any]]:
    """Split a JSON path into an item label ("entities[2] (id 'e3')") and the remaining path."""
    if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int):
        item = document.get(path[0])[path[1]]
        label = f"{path[0]}[{path[1]}]"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label += f" (id {item['id']!r})"
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


def _check_schema(record: SourceRecord, issues: _Issues) -> tuple[bool, set[tuple[str, int]]]:
    """Report every schema error of a record.

    Returns whether the document as a whole is usable for the further checks, and the
    (list, index) of items with errors, which are left out of those checks.
    """
    data = record.data
    document = data.get("id") if isinstance(data.get("id"), str) else None
    errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    usable, broken = True, set()
    for error in errors:
        path = list(error.absolute_path)
        item, rest = _item_label(data, path)
        message, extra = _schema_message(error)
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]"
                         for p in rest + extra).replace(".[", "[") or None
        issues.add(message, line=record.line, document=document, item=item, field=field)
        if item is not None:
            broken.add((path[0], path[1]))
        elif path or error.validator != "additionalProperties":
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


_ITEM_LISTS = ("entities", "relations", "claims")


@dataclass
class _Checked:
    """A document built from the schema-valid items of a record, with their original indices
    (so messages point at the submitted item) and the ids of entities left out."""
    document: AnnotatedDocument
    positions: dict[str, list[int]]
    unchecked_entity_ids: set[str]


def _checked_document(data: dict[str, Any], broken: set[tuple[str, int]]) -> _Checked:
    clean = {key: value for key, value in data.items() if key in _VALIDATOR.schema["properties"]}
    positions = {}
    for kind in _ITEM_LISTS:
        items = data.get(kind, [])
        positions[kind] = [i for i in range(len(items)) if (kind, i) not in broken]
        clean[kind] = [items[i] for i in positions[kind]]
    unchecked = {item["id"] for i, item in enumerate(data.get("entities", []))
                 if ("entities", i) in broken and isinstance(item, dict)
                 and isinstance(item.get("id"), str)}
    return _Checked(_as_document(clean), positions, unchecked)


def _check_spans(checked: _Checked, text: str, kind: str, line: int | None,
                 issues: _Issues) -> None:
    document = checked.document
    seen: dict[str, int] = {}
    for index, span in zip(checked.positions[kind], getattr(document, kind)):
        item = f"{kind}[{index}] (id {span.id!r})"
        where = dict(line=line, document=document.id, item=item)
        if span.id in seen:
            issues.add(f"duplicate id (first used by {kind}[{seen[span.id]}])", field="id",
                       **where)
        seen.setdefault(span.id, index)
        if span.end > len(text):
            issues.add(f"offset {span.end} is outside the text (length {len(text)})",
                       field="end", **where)
        elif span.start >= span.end:
            issues.add(f"start {span.start} must be smaller than end {span.end}", field="start",
                       **where)
        elif span.text and span.text != text[span.start:span.end]:
            issues.add(f"span text {span.text!r} differs from the document text "
                       f"{text[span.start:span.end]!r} at [{span.start}:{span.end}]",
                       field="text", **where)


def _check_references(checked: _Checked, line: int | None, issues: _Issues) -> None:
    document = checked.document
    known = {e.id for e in document.entities} | checked.unchecked_entity_ids
    links = [(f"relations[{index}]", relation, ("head", "tail"))
             for index, relation in zip(checked.positions["relations"], document.relations)]
    links += [(f"claims[{index}] (id {claim.id!r})", claim, ("subject", "time"))
              for index, claim in zip(checked.positions["claims"], document.claims)]
    for item, record, fields in links:
        for field in fields:
            target = getattr(record, field)
            if target is not None and target not in known:
                issues.add(f"refers to entity {target!r}, which is not in this document's "
                           f"entities", line=line, document=document.id, item=item,
                           field=field)


def check_records(records_: Iterable[SourceRecord], source: str, *,
                  gold_texts: dict[str, str] | None = None,
                  earlier: Sequence[ValidationIssue] = ()
                  ) -> tuple[list[tuple[int, AnnotatedDocument]], _Issues]:
    """Validate records; gold_texts is None for gold itself, else the gold id -> text map.

    Returns the valid (line, document) pairs and the issues found (after ``earlier`` ones,
    e.g. lines that were not JSON).
    """
    issues = _Issues(source)
    issues.items.extend(earlier)
    documents: list[tuple[int, AnnotatedDocument]] = []
    first_line: dict[str, int] = {}
    for record in records_:
        data = record.data
        if not isinstance(data, dict):
            issues.add(f"expected a JSON object (one document per line), got "
                       f"{_json_type(data)}", line=record.line)
            continue
        usable, broken = _check_schema(record, issues)
        if isinstance(data.get("id"), str):
            where = dict(line=record.line, document=data["id"])
            if data["id"] in first_line:
                issues.add(f"duplicate document id (first on line {first_line[data['id']]})",
                           field="id", **where)
                continue
            first_line[data["id"]] = record.line
        if not usable:
            continue
        if gold_texts is None:
            text = data.get("text")
            if text is None:
                issues.add("gold documents need their text", field="text", **where)
                continue
        else:
            if data["id"] not in gold_texts:
                issues.add("unknown document id (not in the gold)", field="id", **where)
                continue
            text = gold_texts[data["id"]]
            if data.get("text") is not None and data["text"] != text:
                issues.add("text differs from the gold text of this document", field="text",
                           **where)
                continue
        checked = _checked_document(data, broken)
        _check_spans(checked, text, "entities", record.line, issues)
        _check_spans(checked, text, "claims", record.line, issues)
        _check_references(checked, record.line, issues)
        documents.append((record.line, checked.document))
    return documents, issues


def _gold_from_records(records_: list[SourceRecord], source: str,
                       earlier: Sequence[ValidationIssue] = ()) -> list[AnnotatedDocument]:
    documents, issues = check_records(records_, source, earlier=earlier)
    if not records_ and not issues.errors:
        issues.add("no documents")
    if issues.errors:
        raise SubmissionError(issues.errors)
    return [document for _, document in documents]


def load_gold(path: str | Path) -> list[AnnotatedDocument]:
    """Read and validate a gold JSONL file (documents must carry their text)."""
    records_, issues = read_records(path)
    return _gold_from_records(records_, str(path), issues)


def gold_from_documents(documents: Sequence[AnnotatedDocument], source: str
                        ) -> list[AnnotatedDocument]:
    """Validate gold documents that come from code (kotechnews.gold.load_split)."""
    records_ = [SourceRecord(source, index, document.to_dict())
                for index, document in enumerate(documents, start=1)]
    return _gold_from_records(records_, source)


def align_submission(records_: list[SourceRecord], source: str,
                     gold: Sequence[AnnotatedDocument],
                     earlier: Sequence[ValidationIssue] = ()) -> Submission:
    """Validate predicted records against the gold and order them like the gold."""
    gold_texts = {document.id: document.text for document in gold}
    documents, issues = check_records(records_, source, gold_texts=gold_texts, earlier=earlier)
    if issues.errors:
        raise SubmissionError(issues.errors)
    by_id = {document.id: document for _, document in documents}
    aligned = []
    for gold_document in gold:
        if gold_document.id not in by_id:
            issues.add("gold document missing from the submission; scored as an empty "
                       "prediction", document=gold_document.id, severity="warning")
        aligned.append(by_id.get(gold_document.id, AnnotatedDocument(id=gold_document.id)))
    return Submission(source, aligned, issues.warnings, len(documents))


def load_submission(path: str | Path, gold: Sequence[AnnotatedDocument]) -> Submission:
    """Read a submission JSONL file, validate it against the gold, align it to the gold."""
    records_, issues = read_records(path)
    return align_submission(records_, str(path), gold, issues)


def load_split_gold(name: str, dataset: str | Path) -> list[AnnotatedDocument]:
    """Gold documents of one split of the released dataset (a folder or a Hub repo id), read with
    ``datasets.load_dataset``: no source checkout needed."""
    source = f"split:{name}"
    try:
        from kotechnews.hfdataset.records import records_from_dataset
        from kotechnews.splits import check_split_name

        documents = records_from_dataset(dataset, check_split_name(name))
    except Exception as exc:  # a missing folder, an unknown repo or split: all one message
        issue = ValidationIssue("error", source, None, None, None, None,
                                f"cannot load split {name!r} of the dataset {dataset}: {exc}")
        raise SubmissionError([issue]) from None
    return gold_from_documents(documents, source)
