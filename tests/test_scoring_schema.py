"""The committed JSON Schema is the generated one, its labels come from kotechnews.schema, and
the hand-made example file is valid and scores perfectly against itself."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from kotechnews import schema
from kotechnews.scoring.evaluate import Corpus, score
from kotechnews.scoring.submission import load_gold, load_submission, submission_schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schemas" / "submission.schema.json"
EXAMPLE = ROOT / "examples" / "submission.example.jsonl"


def test_committed_schema_equals_generated():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == submission_schema()


def test_schema_labels_come_from_the_schema_module():
    generated = submission_schema()["$defs"]
    assert generated["entity"]["properties"]["type"]["enum"] == schema.ENTITY_TYPE_NAMES
    assert generated["relation"]["properties"]["type"]["enum"] == schema.RELATION_TYPE_NAMES
    claim = generated["claim"]["properties"]
    assert claim["quantity_type"]["enum"] == schema.QUANTITY_TYPE_NAMES + [None]
    assert claim["modality"]["enum"] == schema.MODALITY_NAMES + [None]
    assert set(claim) >= {f.name for f in schema.CLAIM_FIELDS}


def test_example_is_valid_and_marked_as_invented():
    validator = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for line in lines:
        record = json.loads(line)
        assert list(validator.iter_errors(record)) == []
        assert "Invented example" in record["meta"]["note"]
    gold = load_gold(EXAMPLE)
    result = score(Corpus(gold, str(EXAMPLE)), load_submission(EXAMPLE, gold), n_bootstrap=0)
    for task in result["tasks"].values():
        assert all(entry["value"] == 1.0 for entry in task["metrics"].values())
