"""The schema module is the one registry: the record types, the scorer's tasks, the validator and
the worksheet compiler take their lists from it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from kotechnews import schema
from kotechnews.agreement import VALUE_FIELDS
from kotechnews.labelstudio.validate import validate_tasks
from kotechnews.records import Claim
from kotechnews.scoring.evaluate import TASKS
from kotechnews.worksheet import CLAIM_OVERRIDABLE

ROOT = Path(__file__).resolve().parents[1]
SPAN_FIELDS = ["id", "start", "end", "text"]


def test_the_claim_record_has_exactly_the_schema_claim_fields_in_order():
    assert [f.name for f in dataclasses.fields(Claim)] == SPAN_FIELDS + [
        f.name for f in schema.CLAIM_FIELDS
    ]
    kinds = {f.name: f.kind for f in schema.CLAIM_FIELDS}
    types = {f.name: f.type for f in dataclasses.fields(Claim)}
    assert all(types[name] == "float | None" for name, kind in kinds.items() if kind == "number")
    assert all(types[name] == "bool" for name, kind in kinds.items() if kind == "bool")
    assert {link.field for link in schema.CLAIM_LINKS} == {
        name for name, kind in kinds.items() if kind == "link"
    }


def test_the_scorer_tasks_and_their_headlines_are_the_schema_tasks():
    assert tuple(TASKS) == schema.TASK_NAMES
    results = sorted((ROOT / "baselines" / "results").glob("*.json"))
    assert results
    for path in results:  # every headline metric is one the scorer reports
        scored = json.loads(path.read_text(encoding="utf-8"))["tasks"]
        for name, task in scored.items():
            # Ign F1 needs the training documents, so a result may lack it
            headline = [m for m in schema.TASKS_BY_NAME[name].headline if m in task["metrics"]]
            assert task["headline"] == headline and len(headline) >= 2, path


def test_normalised_fields_drive_the_worksheet_and_agreement():
    assert list(CLAIM_OVERRIDABLE) == schema.NORMALISED_CLAIM_FIELDS
    assert list(VALUE_FIELDS) == [n for n in schema.NORMALISED_CLAIM_FIELDS if n != "approximate"]


def _task(label: str, canonical_id: str | None) -> dict:
    text = "KT는 2022년에 출시했다."
    span = {"TITLE": "KT", "DATE": "2022년", "ORG": "KT"}[label]
    start = text.index(span)
    region = {"start": start, "end": start + len(span)}
    result = [
        {
            "id": "r1",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {**region, "text": span, "labels": [label]},
        }
    ]
    if canonical_id is not None:
        result.append(
            {
                "id": "r1",
                "from_name": "canonical_id",
                "to_name": "text",
                "type": "textarea",
                "value": {**region, "text": [canonical_id]},
            }
        )
    return {
        "id": 1,
        "data": {"text": text, "doc_id": "ktn-0", "sentences": [[0, len(text)]]},
        "annotations": [{"id": 1, "result": result}],
    }


def test_the_validator_asks_a_canonical_id_of_exactly_the_schema_types():
    assert [t.name for t in schema.ENTITY_TYPES if not t.canonical_id] == ["TITLE", "DATE"]
    for label in ("TITLE", "DATE", "ORG"):
        problems = validate_tasks([_task(label, None)], "mem")
        assert [p.field for p in problems] == (
            ["canonical_id"] if label in schema.CANONICAL_ID_TYPES else []
        ), label
    assert validate_tasks([_task("ORG", "kt")], "mem") == []
