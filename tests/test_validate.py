"""The validator on broken exports: each kind of fault gives its own message naming file, task,
result id and field, and the validator never stops at the first problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kotechnews.cli import app
from kotechnews.document import Document
from kotechnews.labelstudio.validate import validate_paths, validate_tasks
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation
from kotechnews.worksheet import gold_export

TEXT = "KT 융합기술원 장두성 상무는 파라미터 2000억 개 규모로 만들겠다고 밝혔다.\nKT는 약 200명이 상주할 공간을 만든다."


def _document() -> Document:
    first_end = TEXT.index("\n")
    return Document(
        "ktn-test",
        TEXT,
        sentences=[(0, first_end), (first_end + 1, len(TEXT))],
        paragraphs=[(0, first_end), (first_end + 1, len(TEXT))],
        source_file="test.txt",
    )


def _span(surface: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(surface, start + 1)
    return start, start + len(surface)


def _valid_record() -> AnnotatedDocument:
    def ent(eid, surface, etype, cid=None, nth=0):
        start, end = _span(surface, nth)
        return Entity(eid, start, end, etype, surface, cid)

    claim_start, claim_end = _span("2000억 개")
    people_start, people_end = _span("약 200명")
    return AnnotatedDocument(
        id="ktn-test",
        text=TEXT,
        document=_document(),
        entities=[
            ent("e1", "KT 융합기술원", "ORG", "KT 융합기술원"),
            ent("e2", "장두성", "PER", "장두성"),
            ent("e3", "상무", "TITLE"),
            ent("e4", "KT", "ORG", "KT", nth=1),
        ],
        relations=[
            Relation("e2", "e3", "per:title", [0]),
            Relation("e1", "e4", "org:part_of", [0, 1]),
        ],
        claims=[
            Claim(
                "q1",
                claim_start,
                claim_end,
                "2000억 개",
                value=2e11,
                unit="개",
                quantity_type="PARAMETERS",
                property="파라미터 수",
                modality="PLANNED",
                subject="e1",
            ),
            Claim(
                "q2",
                people_start,
                people_end,
                "약 200명",
                value=200.0,
                unit="명",
                approximate=True,
                quantity_type="COUNT",
                property="상주 인원",
                modality="PLANNED",
                subject="e4",
            ),
        ],
    )


@pytest.fixture
def export() -> list[dict]:
    return gold_export(_valid_record(), "annotator@example.com", "2026-11-24T00:00:00Z", 1)


def _result(export):
    return export[0]["annotations"][0]["result"]


def _item(export, rid, from_name="label"):
    return next(
        i for i in _result(export) if i.get("id") == rid and i.get("from_name") == from_name
    )


def _messages(export) -> list[str]:
    return [str(p) for p in validate_tasks(export, "gold/test.json")]


def test_valid_export_has_no_problems(export):
    assert _messages(export) == []


def _break_span_text(e):
    _item(e, "e2")["value"]["text"] = "장두"


def _break_offsets_past_text(e):
    _item(e, "e3")["value"]["end"] = len(TEXT) + 5


def _break_unknown_label(e):
    _item(e, "e2")["value"]["labels"] = ["PERSON"]


def _break_unknown_control(e):
    _item(e, "e2")["from_name"] = "ner"


def _break_relation_endpoint(e):
    next(i for i in _result(e) if i.get("labels") == ["per:title"])["to_id"] = "nope"


def _break_relation_types(e):
    next(i for i in _result(e) if i.get("labels") == ["per:title"])["labels"] = ["org:part_of"]


def _break_unknown_relation(e):
    next(i for i in _result(e) if i.get("labels") == ["per:title"])["labels"] = ["per:boss_of"]


def _break_duplicate_span(e):
    dup = copy.deepcopy(_item(e, "e2"))
    dup["id"] = "e99"
    _result(e).append(dup)


def _break_crossing_span(e):
    start, _ = _span("장두성")
    _result(e).append(
        {
            "id": "e98",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {
                "start": start + 1,
                "end": start + 6,
                "text": TEXT[start + 1 : start + 6],
                "labels": ["PER"],
            },
        }
    )


def _break_claim_value(e):
    _item(e, "q1", "value")["value"]["text"] = ["2000"]


def _break_claim_unit(e):
    _item(e, "q1", "unit")["value"]["text"] = ["파라미터"]


def _break_unknown_choice(e):
    _item(e, "q1", "modality")["value"]["choices"] = ["MAYBE"]


def _break_missing_property(e):
    _result(e).remove(_item(e, "q2", "property"))


def _break_missing_subject(e):
    _result(e).remove(
        next(i for i in _result(e) if i.get("labels") == ["claim:subject"] and i["from_id"] == "q2")
    )


def _break_missing_canonical_id(e):
    _result(e).remove(_item(e, "e2", "canonical_id"))


def _break_orphan_attribute(e):
    _item(e, "q1", "property")["id"] = "ghost"


def _break_claim_field_on_entity(e):
    attr = copy.deepcopy(_item(e, "q1", "modality"))
    attr["id"] = "e2"
    attr["value"].update(start=_item(e, "e2")["value"]["start"], end=_item(e, "e2")["value"]["end"])
    _result(e).append(attr)


def _break_subject_link_type(e):
    next(i for i in _result(e) if i.get("labels") == ["claim:subject"])["labels"] = ["claim:time"]


def _break_not_a_number(e):
    _item(e, "q1", "value")["value"]["text"] = ["이천억"]


def _break_missing_doc_id(e):
    del e[0]["data"]["doc_id"]


def _break_whitespace_span(e):
    item = _item(e, "e2")
    item["value"]["end"] += 1
    item["value"]["text"] = TEXT[item["value"]["start"] : item["value"]["end"]]


def _break_duplicate_relation(e):
    _result(e).append(
        copy.deepcopy(next(i for i in _result(e) if i.get("labels") == ["per:title"]))
    )


BROKEN = [
    (_break_span_text, "result e2: value.text: span text '장두'"),
    (_break_offsets_past_text, "result e3: value.start/end: "),
    (_break_unknown_label, "result e2: value.labels: unknown label 'PERSON'"),
    (_break_unknown_control, "result e2: from_name: unknown control 'ner'"),
    (_break_relation_endpoint, "result e2->nope: to_id: per:title: no span region with id 'nope'"),
    (_break_relation_types, "result e2->e3: labels: org:part_of does not allow PER -> TITLE"),
    (_break_unknown_relation, "result e2->e3: labels: a relation has exactly one known label"),
    (_break_duplicate_span, "result e99: value.start/end: duplicate span '장두성'"),
    (_break_crossing_span, "result e98: value.start/end: span '두성 상무' overlaps region e2"),
    (_break_claim_value, "result q1: value: '2000' disagrees with the normaliser"),
    (_break_claim_unit, "result q1: unit: '파라미터' disagrees with the normaliser ('개')"),
    (_break_unknown_choice, "result q1: modality.value.choices: unknown choice 'MAYBE'"),
    (_break_missing_property, "result q2: property: claim '약 200명' has no property"),
    (_break_missing_subject, "result q2: subject: claim '약 200명' has no claim:subject link"),
    (
        _break_missing_canonical_id,
        "result e2: canonical_id: PER span '장두성' needs a canonical id",
    ),
    (_break_orphan_attribute, "result ghost: property: attribute of a region that has no span"),
    (_break_claim_field_on_entity, "result e2: modality: claim attribute on a PER span"),
    (
        _break_subject_link_type,
        "result q1->e1: labels: claim:time goes from a QUANTITY to ('DATE',)",
    ),
    (_break_not_a_number, "result q1: value: not a number: '이천억'"),
    (_break_missing_doc_id, "task 1: data.doc_id: missing"),
    (
        _break_whitespace_span,
        "result e2: value.text: span '장두성 ' starts or ends with whitespace",
    ),
    (_break_duplicate_relation, "result e2->e3: labels: duplicate relation per:title"),
]


@pytest.mark.parametrize("breaker, expected", BROKEN, ids=[b.__name__[7:] for b, _ in BROKEN])
def test_each_fault_is_named(export, breaker, expected):
    breaker(export)
    messages = _messages(export)
    assert any(m.startswith("gold/test.json: task ") and expected in m for m in messages), messages


INDEPENDENT = [
    _break_claim_field_on_entity,
    _break_claim_unit,
    _break_unknown_choice,
    _break_missing_property,
    _break_missing_canonical_id,
    _break_missing_doc_id,
    _break_duplicate_relation,
]


def test_all_faults_are_reported_together(export):
    for breaker in INDEPENDENT:
        breaker(export)
    messages = _messages(export)
    expected = dict(BROKEN)
    for breaker in INDEPENDENT:
        assert any(expected[breaker] in m for m in messages), (breaker.__name__, messages)


def test_override_reason_allows_a_different_value(export):
    _item(export, "q1", "value")["value"]["text"] = ["2000"]
    assert _messages(export)
    override = copy.deepcopy(_item(export, "q1", "property"))
    override.update(from_name="override_reason")
    override["value"]["text"] = ["test: reading differs"]
    _result(export).append(override)
    assert _messages(export) == []


def test_cancelled_annotations_are_not_validated(export):
    _item(export, "e2")["value"]["labels"] = ["PERSON"]
    export[0]["annotations"][0]["was_cancelled"] = True
    assert _messages(export) == []


def test_files_invalid_json_and_canonical_id_types_across_files(tmp_path, export):
    (tmp_path / "bad.json").write_text("[{", encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    other = copy.deepcopy(export)
    other[0]["data"]["doc_id"] = "ktn-other"
    _item(other, "e1", "canonical_id")["value"]["text"] = ["장두성"]
    (tmp_path / "b.json").write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    files, problems = validate_paths([tmp_path])
    messages = [str(p) for p in problems]
    assert len(files) == 3
    assert any("bad.json: task -: file: invalid JSON at line 1" in m for m in messages), messages
    assert any("canonical id '장두성' is used with several types: ORG in" in m for m in messages)


def test_cli_exit_codes_and_messages(tmp_path, export):
    good = tmp_path / "good"
    good.mkdir()
    (good / "x.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 export file(s), 0 worksheet(s), 0 skipped, 0 problem(s)" in result.output
    _item(export, "e2")["value"]["labels"] = ["PERSON"]
    _item(export, "q1", "unit")["value"]["text"] = ["파라미터"]
    (good / "x.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 1
    assert "unknown label 'PERSON'" in result.output
    assert "'파라미터' disagrees" in result.output
    assert "1 export file(s), 0 worksheet(s), 0 skipped, 2 problem(s)" in result.output


def test_validate_knows_worksheets_reports_and_predictions(tmp_path, export):
    """`kotechnews validate annotation/` checks each file by what it is."""
    root = Path(__file__).resolve().parents[1]
    tree = tmp_path / "annotation"
    (tree / "gold").mkdir(parents=True)
    (tree / "gold" / "x.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    (tree / "worksheets").mkdir()
    sheet_path = root / "annotation" / "worksheets" / "wikinews_040_6c5c9aa9.json"
    sheet = json.loads(sheet_path.read_text(encoding="utf-8"))
    (tree / "worksheets" / sheet_path.name).write_text(
        json.dumps(sheet, ensure_ascii=False), encoding="utf-8"
    )
    (tree / "report.json").write_text(
        json.dumps({"pulled_at": "x", "outcomes": []}), encoding="utf-8"
    )
    (tree / "conflicts.json").write_text(
        json.dumps({"conflicts": [], "invalid": []}), encoding="utf-8"
    )
    (tree / "predictions.json").write_text(
        json.dumps({"about": "text", "quantity": {"ktn-1": {"model_version": "m", "result": []}}}),
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(
        app, ["validate", str(tree), "--documents", str(tmp_path / "none.jsonl")]
    )
    assert result.exit_code == 0, result.output
    assert "1 export file(s), 1 worksheet(s), 3 skipped, 0 problem(s)" in " ".join(
        result.output.split()
    )
    # a worksheet naming a surface its sentence does not hold is a problem, as a worksheet
    first = next(iter(sheet["sentences"]))
    sheet["sentences"][first] = [["없는말", "ORG", "없는말"]]
    (tree / "worksheets" / sheet_path.name).write_text(
        json.dumps(sheet, ensure_ascii=False), encoding="utf-8"
    )
    (tree / "odd.json").write_text(json.dumps({"something": 1}), encoding="utf-8")
    result = runner.invoke(
        app, ["validate", str(tree), "--documents", str(tmp_path / "none.jsonl")]
    )
    output = " ".join(result.output.split())
    assert result.exit_code == 1
    assert (
        "'없는말' not found" in output
        and "odd.json: task -: file: not a Label Studio export" in output
    )
    assert "Traceback" not in result.output


def test_the_gold_loader_checks_and_converts_each_annotation_once(monkeypatch):
    from collections import Counter

    from conftest import PROJECT
    from kotechnews.gold import load_gold
    from kotechnews.labelstudio import convert
    from kotechnews.labelstudio import validate as validate_module

    calls: Counter = Counter()

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        convert, "record_from_result", counted("convert", convert.record_from_result)
    )
    monkeypatch.setattr(
        validate_module,
        "_check_annotation",
        counted("check", validate_module._check_annotation),
    )
    gold = load_gold(PROJECT.gold)
    annotations = sum(
        len(task["annotations"])
        for path in sorted(PROJECT.gold.glob("*.json"))
        for task in json.loads(path.read_text(encoding="utf-8"))
    )
    assert len(gold) == 48 and annotations >= len(gold)
    assert calls == {"check": annotations, "convert": annotations}
