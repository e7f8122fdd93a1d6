"""Submission and gold validation: each kind of error has its own message naming file, line,
document, item and field; all errors are listed at once; a missing document is a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kotechnews.scoring.submission import (
    SubmissionError,
    gold_from_documents,
    load_gold,
    load_submission,
)

TEXT = "alpha beta gamma delta"  # placeholder text: alpha 0-5, beta 6-10, gamma 11-16


def _gold_record(doc_id="d1"):
    return {
        "id": doc_id,
        "text": TEXT,
        "entities": [
            {"id": "e1", "start": 0, "end": 5, "type": "ORG", "text": "alpha"},
            {"id": "e2", "start": 6, "end": 10, "type": "PER"},
        ],
        "relations": [{"head": "e2", "tail": "e1", "type": "per:employee_of"}],
        "claims": [{"id": "q1", "start": 11, "end": 16, "subject": "e1"}],
    }


def _write(path: Path, lines) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def gold(tmp_path):
    return load_gold(_write(tmp_path / "gold.jsonl", [_gold_record("d1"), _gold_record("d2")]))


def _errors(tmp_path, gold, *lines) -> list[str]:
    path = _write(tmp_path / "pred.jsonl", lines)
    with pytest.raises(SubmissionError) as caught:
        load_submission(path, gold)
    return [str(issue) for issue in caught.value.issues]


def _one_error(tmp_path, gold, record) -> str:
    errors = _errors(tmp_path, gold, record)
    assert len(errors) == 1, errors
    return errors[0]


def _pred(**changes):
    record = _gold_record()
    for key, value in changes.items():
        record[key] = value
    return record


def test_valid_submission_loads_and_missing_document_is_a_warning(tmp_path, gold):
    submission = load_submission(_write(tmp_path / "p.jsonl", [_gold_record("d2")]), gold)
    assert [d.id for d in submission.documents] == ["d1", "d2"]
    assert submission.documents[0].entities == []  # missing d1 scored as empty
    assert submission.documents[1].entities[0].text == "alpha"
    assert [str(w) for w in submission.warnings] == [
        f"{tmp_path / 'p.jsonl'}: document 'd1': gold document missing from the submission; "
        f"scored as an empty prediction"
    ]


def test_malformed_json_names_file_and_line(tmp_path, gold):
    errors = _errors(tmp_path, gold, _gold_record("d1"), '{"id": "d2",')
    assert errors == [
        f"{tmp_path / 'pred.jsonl'}:2: invalid JSON: Expecting property name "
        f"enclosed in double quotes (column 13)"
    ]


def test_line_that_is_not_an_object(tmp_path, gold):
    assert _one_error(tmp_path, gold, [1, 2]).endswith(
        "pred.jsonl:1: expected a JSON object (one document per line), got array"
    )


def test_unknown_and_duplicate_document_ids(tmp_path, gold):
    errors = _errors(tmp_path, gold, _gold_record("d1"), _gold_record("zz"), _gold_record("d1"))
    assert errors[0].endswith(
        "pred.jsonl:2: document 'zz': id: unknown document id (not in the gold)"
    )
    assert errors[1].endswith(
        "pred.jsonl:3: document 'd1': id: duplicate document id (first on line 1)"
    )


def test_wrong_type(tmp_path, gold):
    record = _pred()
    record["entities"][1]["start"] = "6"
    assert _one_error(tmp_path, gold, record).endswith(
        "pred.jsonl:1: document 'd1': entities[1] (id 'e2').start: expected integer, "
        'got string "6"'
    )


def test_missing_and_unknown_fields(tmp_path, gold):
    record = _pred()
    del record["entities"][0]["end"]
    record["relations"][0]["score"] = 0.9
    errors = _errors(tmp_path, gold, record)
    assert any(e.endswith("entities[0] (id 'e1').end: required field is missing") for e in errors)
    assert any(
        "relations[0].score: unknown field (allowed: head, tail, type, evidence)" in e
        for e in errors
    )


@pytest.mark.parametrize(
    "where, value, label",
    [
        (("entities", 0, "type"), "COMPANY", "ORG, PER, TITLE"),
        (("relations", 0, "type"), "per:boss_of", "per:employee_of, per:title"),
        (("claims", 0, "quantity_type"), "AMOUNT", "MONEY, COUNT"),
        (("claims", 0, "modality"), "MAYBE", "ACTUAL, PLANNED"),
    ],
)
def test_unknown_labels(tmp_path, gold, where, value, label):
    record = _pred()
    kind, index, field = where
    record[kind][index][field] = value
    error = _one_error(tmp_path, gold, record)
    assert (
        f"{kind}[{index}]" in error
        and f'.{field}: unknown label "{value}"; allowed: {label}' in error
    )


def test_offsets_outside_the_text_and_empty_span(tmp_path, gold):
    record = _pred()
    record["entities"][0].update(start=20, end=40, text="")
    record["claims"][0].update(start=12, end=12)
    errors = _errors(tmp_path, gold, record)
    assert errors == [
        f"{tmp_path / 'pred.jsonl'}:1: document 'd1': entities[0] (id 'e1').end: offset 40 is "
        f"outside the text (length {len(TEXT)})",
        f"{tmp_path / 'pred.jsonl'}:1: document 'd1': claims[0] (id 'q1').start: start 12 must "
        f"be smaller than end 12",
    ]


def test_span_text_mismatch(tmp_path, gold):
    record = _pred()
    record["entities"][0]["text"] = "alp"
    assert _one_error(tmp_path, gold, record).endswith(
        "entities[0] (id 'e1').text: span text 'alp' differs from the document text 'alpha' "
        "at [0:5]"
    )


def test_document_text_must_equal_gold(tmp_path, gold):
    assert _one_error(tmp_path, gold, _pred(text="other text")).endswith(
        "document 'd1': text: text differs from the gold text of this document"
    )


def test_dangling_entity_references_and_duplicate_entity_ids(tmp_path, gold):
    record = _pred()
    record["relations"][0]["tail"] = "e9"
    record["claims"][0]["subject"] = "e8"
    record["entities"][1]["id"] = "e1"
    record["relations"][0]["head"] = "e1"
    errors = _errors(tmp_path, gold, record)
    assert [e.split("document 'd1': ")[1] for e in errors] == [
        "entities[1] (id 'e1').id: duplicate id (first used by entities[0])",
        "relations[0].tail: refers to entity 'e9', which is not in this document's entities",
        "claims[0] (id 'q1').subject: refers to entity 'e8', which is not in this document's "
        "entities",
    ]


def test_all_errors_are_listed_not_just_the_first(tmp_path, gold):
    bad_type = _pred()
    bad_type["entities"][0]["type"] = "NOPE"
    errors = _errors(tmp_path, gold, "not json", bad_type, _gold_record("zz"))
    assert [e.split(":")[1] for e in errors] == ["1", "2", "3"]


def test_gold_needs_text_and_valid_records(tmp_path):
    record = _gold_record()
    del record["text"]
    with pytest.raises(SubmissionError) as caught:
        load_gold(_write(tmp_path / "g.jsonl", [record]))
    assert str(caught.value.issues[0]).endswith(
        "document 'd1': text: gold documents need their text"
    )
    with pytest.raises(SubmissionError, match="g2.jsonl: no documents"):
        load_gold(_write(tmp_path / "g2.jsonl", []))
    with pytest.raises(SubmissionError, match="cannot read file"):
        load_gold(tmp_path / "absent.jsonl")


def test_gold_from_code_is_validated_with_record_numbers(tmp_path):
    from kotechnews.records import AnnotatedDocument, Entity

    document = AnnotatedDocument(id="x", text="abc", entities=[Entity("e1", 1, 9, "ORG")])
    with pytest.raises(SubmissionError) as caught:
        gold_from_documents([document], "split:test")
    assert str(caught.value.issues[0]) == (
        "split:test:1: document 'x': entities[0] (id 'e1')"
        ".end: offset 9 is outside the text (length 3)"
    )
