"""Regressions of the scorer hardening: input that used to raise a traceback or pass unnoticed is an
ordinary validation error (file, line, document, item, field), duplicates are refused, an empty
submission warns once, and wrong command-line paths exit 2 with one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kotechnews.cli import app
from kotechnews.document import Document
from kotechnews.records import AnnotatedDocument, Entity, Relation
from kotechnews.scoring import submission as submission_module
from kotechnews.scoring.evaluate import Corpus, score
from kotechnews.scoring.submission import (
    SubmissionError,
    gold_from_documents,
    load_gold,
    load_submission,
)
from test_scoring_validation import _gold_record, _pred, _write

runner = CliRunner()


@pytest.fixture
def gold(tmp_path):
    return load_gold(_write(tmp_path / "gold.jsonl", [_gold_record("d1"), _gold_record("d2")]))


def _errors(path: Path, gold) -> list[str]:
    with pytest.raises(SubmissionError) as caught:
        load_submission(path, gold)
    return [str(issue) for issue in caught.value.issues]


def _raw(tmp_path, text: str) -> Path:
    path = tmp_path / "pred.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


# 1. tracebacks on deep nesting and lone surrogates


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, json.dumps({"id": "d1", "meta": {"x": json.loads("[" * 40 + "]" * 40)}})],
)
def test_deep_nesting_is_an_error_not_a_recursion_error(tmp_path, gold, text):
    assert _errors(_raw(tmp_path, text + "\n"), gold) == [
        f"{tmp_path / 'pred.jsonl'}:1: invalid JSON: nested more than 32 levels deep"
    ]


def test_deep_gold_line_is_an_error(tmp_path):
    with pytest.raises(SubmissionError, match=r"g.jsonl:1: invalid JSON: nested more"):
        load_gold(_raw(tmp_path, "[" * 5000 + "\n").rename(tmp_path / "g.jsonl"))


def test_lone_surrogate_is_an_error_naming_the_field(tmp_path, gold):
    line = json.dumps(_gold_record()).replace('"text": "alpha"', '"text": "\\ud800"')
    errors = _errors(_raw(tmp_path, line + "\n"), gold)
    assert errors == [
        f"{tmp_path / 'pred.jsonl'}:1: document 'd1': entities[0] (id 'e1').text: "
        f"string with a lone surrogate escape (not encodable as UTF-8)"
    ]
    errors[0].encode("utf-8")


def test_lone_surrogates_in_ids_and_field_names_print(tmp_path, gold):
    record = _gold_record()
    record["entities"][0]["\udc80"] = 1
    record["id"] = "d\ud800"
    errors = _errors(_raw(tmp_path, json.dumps(record) + "\n"), gold)
    assert any(
        "document 'd\\ud800'" in e and "id: string with a lone surrogate" in e for e in errors
    )
    assert any(
        "entities[0] (id 'e1').\\udc80: field name with a lone surrogate" in e for e in errors
    )
    for error in errors:
        error.encode("utf-8")


def test_huge_integer_literal_is_an_error(tmp_path, gold):
    line = json.dumps(_gold_record()).replace('"start": 0', '"start": ' + "9" * 5000)
    assert _errors(_raw(tmp_path, line + "\n"), gold) == [
        f"{tmp_path / 'pred.jsonl'}:1: invalid JSON: a number with more than 4300 digits"
    ]


# 2. values and items accepted without a word


@pytest.mark.parametrize(
    "literal, shown",
    [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("1e400", "Infinity")],
)
@pytest.mark.parametrize("field", ["value", "low", "high"])
def test_non_finite_claim_numbers_are_errors(tmp_path, gold, literal, shown, field):
    record = _pred()
    record["claims"][0][field] = "PLACEHOLDER"
    line = json.dumps(record).replace('"PLACEHOLDER"', literal)
    assert _errors(_raw(tmp_path, line + "\n"), gold) == [
        f"{tmp_path / 'pred.jsonl'}:1: document 'd1': claims[0] (id 'q1').{field}: not a finite "
        f"number (got {shown}; NaN and Infinity are not JSON, and a literal like 1e400 "
        f"overflows to Infinity)"
    ]


def test_integer_beyond_float_range_is_an_error(tmp_path, gold):
    record = _pred()
    record["claims"][0]["value"] = 10**400
    assert _errors(_write(tmp_path / "pred.jsonl", [record]), gold)[0].endswith(
        "claims[0] (id 'q1').value: number out of range (beyond the 64-bit float range)"
    )


def test_nan_in_gold_from_code_is_an_error():
    from kotechnews.records import Claim

    document = AnnotatedDocument(id="x", text="abc", claims=[Claim("q1", 0, 1, value=float("nan"))])
    with pytest.raises(
        SubmissionError,
        match=r"split:test:1: document 'x': claims\[0\] "
        r"\(id 'q1'\)\.value: not a finite number",
    ):
        gold_from_documents([document], "split:test")


def test_claim_bounds_must_be_ordered_and_hold_the_value(tmp_path, gold):
    low_high, outside = _pred(), _gold_record("d2")
    low_high["claims"][0].update(low=5, high=2)
    outside["claims"][0].update(value=9, low=1, high=3)
    errors = _errors(_write(tmp_path / "pred.jsonl", [low_high, outside]), gold)
    assert [e.split(": ", 2)[2] for e in errors] == [
        "claims[0] (id 'q1').low: low 5 is greater than high 2",
        "claims[0] (id 'q1').value: value 9 is outside [low, high] = [1, 3]",
    ]


def test_relation_type_must_allow_the_entity_types(tmp_path, gold):
    record = _pred()
    record["relations"][0].update(head="e1", tail="e2")  # ORG -> PER
    assert _errors(_write(tmp_path / "pred.jsonl", [record]), gold) == [
        f"{tmp_path / 'pred.jsonl'}:1: document 'd1': relations[0].type: per:employee_of does "
        f"not allow ORG -> PER"
    ]


def test_relation_and_claim_links_to_themselves(tmp_path, gold):
    record = _pred()
    record["entities"].append(
        {"id": "e3", "start": 17, "end": 22, "type": "ORG", "canonical_id": "x"}
    )
    record["entities"][0]["canonical_id"] = "x"
    record["relations"] = [
        {"head": "e1", "tail": "e1", "type": "org:partner_of"},
        {"head": "e1", "tail": "e3", "type": "org:part_of"},
    ]
    record["claims"][0]["time"] = "e2"
    errors = [
        e.split("document 'd1': ")[1]
        for e in _errors(_write(tmp_path / "pred.jsonl", [record]), gold)
    ]
    assert errors == [
        "relations[0].tail: head and tail are the same entity",
        "relations[1].tail: head and tail are mentions of the same entity (canonical id 'x')",
        "claims[0] (id 'q1').time: claim:time links to a DATE entity, got PER 'e2'",
    ]
    record["claims"][0]["time"] = "e1"  # the subject
    record["relations"] = []
    record["entities"][0]["type"] = "DATE"
    assert [
        e.split("document 'd1': ")[1]
        for e in _errors(_write(tmp_path / "pred.jsonl", [record]), gold)
    ] == ["claims[0] (id 'q1').time: the time anchor is the claim's own subject"]


def _gold_with_sentences(tmp_path) -> list[AnnotatedDocument]:
    record = _gold_record()
    record["meta"] = {"sentences": [[0, 10], [11, 22]]}
    return load_gold(_write(tmp_path / "gold-s.jsonl", [record]))


def test_evidence_past_the_gold_sentences(tmp_path):
    gold = _gold_with_sentences(tmp_path)
    record = _pred()
    record["relations"][0]["evidence"] = [1, 2, 1]
    assert [
        e.split("relations[0].")[1]
        for e in _errors(_write(tmp_path / "pred.jsonl", [record]), gold)
    ] == [
        "evidence: a sentence index is given twice",
        "evidence[1]: sentence 2 is past the document's last sentence (2 sentences)",
    ]


def test_evidence_without_gold_sentences_is_bounded_by_the_text_and_warned(tmp_path, gold):
    record = _pred()
    record["relations"][0]["evidence"] = [len(record["text"])]
    assert _errors(_write(tmp_path / "pred.jsonl", [record]), gold)[0].endswith(
        "relations[0].evidence[0]: sentence 22 is past the document: its text has 22 characters "
        "(the gold has no sentence spans to check against)"
    )
    record["relations"][0]["evidence"] = [0]
    warnings = [
        str(w) for w in load_submission(_write(tmp_path / "ok.jsonl", [record]), gold).warnings
    ]
    assert any(
        "has no sentence spans (meta.sentences): their evidence indices are only "
        "checked against the text length ('d1')" in w
        for w in warnings
    )


def test_gold_evidence_is_checked_against_its_own_sentences(tmp_path):
    record = _gold_record()
    record["meta"] = {"sentences": [[0, 22]]}
    record["relations"][0]["evidence"] = [3]
    with pytest.raises(SubmissionError, match=r"evidence\[0\]: sentence 3 is past"):
        load_gold(_write(tmp_path / "g.jsonl", [record]))
    record["meta"] = {"sentences": [[0, 99]]}
    with pytest.raises(SubmissionError, match=r"meta.sentences: expected a list of"):
        load_gold(_write(tmp_path / "g.jsonl", [record]))


def test_dataset_gold_carries_sentences_used_for_evidence(tmp_path):
    document = AnnotatedDocument(
        id="x",
        text="ab. cd.",
        document=Document("x", "ab. cd.", sentences=[(0, 3), (4, 7)]),
        entities=[Entity("e1", 0, 1, "PER"), Entity("e2", 4, 5, "ORG")],
        relations=[Relation("e1", "e2", "per:employee_of", [2])],
    )
    with pytest.raises(SubmissionError, match=r"past the document's last sentence \(2 sent"):
        gold_from_documents([document], "split:test")


# 3. duplicates and overlaps


def test_exact_duplicates_are_errors_never_counted(tmp_path, gold):
    record = _pred()
    record["entities"].append({"id": "e9", "start": 0, "end": 5, "type": "ORG"})
    record["claims"].append({"id": "q9", "start": 11, "end": 16})
    record["relations"].append({"head": "e2", "tail": "e1", "type": "per:employee_of"})
    errors = [
        e.split("document 'd1': ")[1]
        for e in _errors(_write(tmp_path / "pred.jsonl", [record]), gold)
    ]
    assert errors == [
        "entities[2] (id 'e9'): same start, end and type as entities[0]: each item is listed once",
        "claims[1] (id 'q9'): same span as (a span carries one claim) claims[0]: each item is "
        "listed once",
        "relations[1]: same head, type and tail as relations[0]: each relation is listed once",
    ]


def test_symmetric_relation_in_both_directions_is_a_duplicate(tmp_path, gold):
    record = _pred()
    record["entities"][1]["type"] = "ORG"
    record["relations"] = [
        {"head": "e1", "tail": "e2", "type": "org:partner_of"},
        {"head": "e2", "tail": "e1", "type": "org:partner_of"},
    ]
    assert _errors(_write(tmp_path / "pred.jsonl", [record]), gold)[0].endswith(
        "relations[1]: same head, type and tail as relations[0]: each relation is listed once"
    )


def test_duplicates_in_the_gold_are_errors(tmp_path):
    record = _gold_record()
    record["entities"].append(dict(record["entities"][0], id="e9"))
    with pytest.raises(SubmissionError, match=r"same start, end and type as entities\[0\]"):
        load_gold(_write(tmp_path / "g.jsonl", [record]))


def test_overlapping_different_spans_are_each_scored(tmp_path, gold):
    record = _pred()
    record["entities"] += [
        {"id": "e7", "start": 0, "end": 4, "type": "ORG"},  # inside e1
        {"id": "e8", "start": 0, "end": 5, "type": "PER"},
    ]  # same span, type
    result = score(
        Corpus(gold, "gold"),
        load_submission(_write(tmp_path / "pred.jsonl", [record, _gold_record("d2")]), gold),
        n_bootstrap=0,
    )
    entities = result["tasks"]["entities"]
    assert entities["totals"]["pred"] == 6 and entities["totals"]["strict_tp"] == 4
    assert entities["metrics"]["strict_precision"]["value"] == pytest.approx(4 / 6)
    assert entities["metrics"]["strict_recall"]["value"] == 1.0


# 4. empty submission


@pytest.mark.parametrize("text", ["", "\n \n\t\n"])
def test_empty_submission_warns_once_and_scores_zero(tmp_path, gold, text):
    submission = load_submission(_raw(tmp_path, text), gold)
    assert [str(w) for w in submission.warnings] == [
        f"{tmp_path / 'pred.jsonl'}: empty submission (no documents): every gold document "
        f"missing from the submission (2 of 2) is scored as an empty prediction, so every "
        f"score is 0"
    ]
    result = score(Corpus(gold, "gold"), submission, n_bootstrap=0)
    assert result["warnings"][0].startswith(f"{tmp_path / 'pred.jsonl'}: empty submission")
    assert result["submission"]["documents"] == 0
    assert all(
        entry["value"] == 0.0
        for task in result["tasks"].values()
        for entry in task["metrics"].values()
    )


def test_empty_submission_cli_warns_in_report_and_json(tmp_path):
    gold_path = _write(tmp_path / "gold.jsonl", [_gold_record()])
    empty = _raw(tmp_path, "")
    readable = runner.invoke(
        app, ["score", "--pred", str(empty), "--gold", str(gold_path), "--bootstrap", "0"]
    )
    assert readable.exit_code == 0 and "empty submission (no documents)" in readable.stdout
    as_json = runner.invoke(
        app, ["score", "--pred", str(empty), "--gold", str(gold_path), "--bootstrap", "0", "--json"]
    )
    assert as_json.exit_code == 0 and "empty submission" in as_json.stderr
    assert "empty submission" in json.loads(as_json.stdout)["warnings"][0]


# 5. wrong command-line input: one line naming the file, exit 2, no traceback


def _cli_error(tmp_path, pred: Path, *extra: str) -> str:
    gold_path = _write(tmp_path / "gold.jsonl", [_gold_record()])
    result = runner.invoke(
        app, ["score", "--pred", str(pred), "--gold", str(gold_path), "--bootstrap", "0", *extra]
    )
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[1] == "1 error(s); nothing scored.", lines
    return lines[0]


def test_cli_missing_file_and_directory(tmp_path):
    assert _cli_error(tmp_path, tmp_path / "absent.jsonl") == (
        f"error: {tmp_path / 'absent.jsonl'}: cannot read file: No such file or directory"
    )
    (tmp_path / "folder").mkdir()
    assert _cli_error(tmp_path, tmp_path / "folder") == (
        f"error: {tmp_path / 'folder'}: cannot read file: is a directory"
    )


def test_cli_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    assert _cli_error(tmp_path, fifo).endswith("pipe.jsonl: cannot read file: not a regular file")


def test_cli_unreadable_file(tmp_path, monkeypatch):
    pred = _raw(tmp_path, "{}\n")
    real_open = open

    def refuse(path, *args, **kwargs):
        if Path(path) == pred:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(submission_module, "open", refuse, raising=False)
    assert _cli_error(tmp_path, pred) == f"error: {pred}: cannot read file: Permission denied"


@pytest.mark.parametrize(
    "encoding, message",
    [
        ("utf-16", "not UTF-8: the file is UTF-16 (it starts with a byte-order mark)"),
        (
            "cp949",
            "not UTF-8: no line decodes (UTF-16, CP949 or EUC-KR files must be converted to UTF-8)",
        ),
    ],
)
def test_cli_not_utf8_is_one_error(tmp_path, encoding, message):
    pred = tmp_path / "pred.jsonl"
    pred.write_bytes('{"id": "한국"}\n{"id": "뉴스"}\n'.encode(encoding))
    assert _cli_error(tmp_path, pred) == f"error: {pred}: {message}"


def test_cli_json_array_is_one_error(tmp_path):
    pred = _raw(tmp_path, json.dumps([_gold_record(), _gold_record("d2")], indent=2))
    assert _cli_error(tmp_path, pred).startswith(
        f"error: {pred}: not JSON Lines: the file is one JSON array spread over "
    )


def test_cli_zero_byte_gold_is_an_error(tmp_path):
    empty_gold = tmp_path / "empty-gold.jsonl"
    empty_gold.write_bytes(b"")
    result = runner.invoke(
        app, ["score", "--pred", str(_raw(tmp_path, "")), "--gold", str(empty_gold)]
    )
    assert result.exit_code == 2 and f"{empty_gold}: no documents" in result.stderr


def test_cli_huge_line_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(submission_module, "MAX_LINE_BYTES", 1000)
    pred = _raw(tmp_path, '{"id": "' + "x" * 5000 + '"}\n')
    assert _cli_error(tmp_path, pred) == (
        f"error: {pred}:1: line longer than 1000 bytes; is this JSON Lines?"
    )


@pytest.mark.parametrize("option, value", [("--value-rtol", "inf"), ("--seed", "-1")])
def test_cli_options_must_be_usable(tmp_path, option, value):
    pred = _write(tmp_path / "pred.jsonl", [_gold_record()])
    gold_path = _write(tmp_path / "gold.jsonl", [_gold_record()])
    result = runner.invoke(
        app, ["score", "--pred", str(pred), "--gold", str(gold_path), option, value]
    )
    assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output


def test_utf8_bom_is_accepted(tmp_path, gold):
    pred = tmp_path / "pred.jsonl"
    pred.write_bytes(b"\xef\xbb\xbf" + json.dumps(_gold_record()).encode() + b"\n")
    assert load_submission(pred, gold).n_submitted == 1
