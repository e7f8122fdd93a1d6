"""Exports a probe found to crash the validator, to pass it and then break the build, or to pass
what the schema forbids. Each case runs `kotechnews validate FILE` and expects exit 1 with one line
per problem naming the file, the task, the result id (where there is one) and the field; what
validates must load as gold."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kotechnews.cli import app
from kotechnews.document import Document
from kotechnews.gold import GoldError, load_gold
from kotechnews.hfdataset.rows import claims_row, relations_row
from kotechnews.labelstudio import convert
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation
from kotechnews.worksheet import gold_export
from test_validate import TEXT, _valid_record

TASK = "ktn-test"


@pytest.fixture
def export() -> list[dict]:
    return gold_export(_valid_record(), "annotator@example.com", "2026-11-24T00:00:00Z", 1)


def _annotation(export, n=0):
    return export[0]["annotations"][n]


def _result(export):
    return _annotation(export)["result"]


def _item(export, rid, from_name="label"):
    return next(
        i for i in _result(export) if i.get("id") == rid and i.get("from_name") == from_name
    )


def _relation(export, label):
    return next(i for i in _result(export) if i.get("labels") == [label])


def validate(path: Path) -> tuple[int, list[str], str]:
    """Exit code, problem lines and the whole output of `kotechnews validate path`."""
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    lines = [line for line in result.output.splitlines() if line.startswith(f"{path}: task ")]
    summary = result.output.strip().splitlines()[-1]
    assert summary.endswith(f"{len(lines)} problem(s)"), result.output  # one line per problem
    return result.exit_code, lines, result.output


def _write(tmp_path: Path, data, name="x.json") -> Path:
    path = tmp_path / name
    path.write_text(
        data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8"
    )
    return path


def assert_refused(tmp_path: Path, data, where: str) -> list[str]:
    """validate exits 1 and names where (task, result id, field); the gold loader refuses cleanly."""
    path = _write(tmp_path, data)
    code, lines, output = validate(path)
    assert code == 1 and lines, output
    assert any(where in line for line in lines), output
    with pytest.raises(GoldError):
        load_gold(tmp_path)
    return lines


# 1. Values that used to raise inside the validator


def _list_from_id(e):
    _relation(e, "per:title")["from_id"] = ["e2"]


def _scalar_labels(e):
    _relation(e, "per:title")["labels"] = 7


def _list_region_id(e):
    _item(e, "e3")["id"] = ["e3"]


def _list_from_name(e):
    _item(e, "e3")["from_name"] = ["label"]


def _null_annotation(e):
    e[0]["annotations"].append(None)


def _number_annotation(e):
    e[0]["annotations"].append(3)


def _list_task_id(e):
    e[0]["id"] = [1]


def _list_annotation_id(e):
    _annotation(e)["id"] = [1]


RAISED = [
    (_list_from_id, f"task {TASK}: result ['e2']->e3: from_id:"),
    (_scalar_labels, f"task {TASK}: result e2->e3: labels:"),
    (_list_region_id, f"task {TASK}: result ['e3']: id:"),
    (_list_from_name, f"task {TASK}: result e3: from_name:"),
    (_null_annotation, f"task {TASK}: annotations[1]: not a JSON object"),
    (_number_annotation, f"task {TASK}: annotations[1]: not a JSON object"),
    (_list_task_id, f"task {TASK}: id: a task id is an integer"),
    (_list_annotation_id, f"task {TASK}: annotations[0].id:"),
]


@pytest.mark.parametrize("breaker, where", RAISED, ids=[b.__name__[1:] for b, _ in RAISED])
def test_odd_types_are_problems_not_tracebacks(tmp_path, export, breaker, where):
    breaker(export)
    assert_refused(tmp_path, export, where)


SENTENCES = {
    "not_a_list": "0-10",
    "empty": [],
    "not_pairs": [[0, 10, 20]],
    "strings": [["0", "10"]],
    "string_item": ["0,10"],
    "negative": [[-1, 10]],
    "past_the_text": [[0, len(TEXT) + 1]],
    "unsorted": [[30, 40], [0, 10]],
    "overlapping": [[0, 20], [10, 30]],
    "start_after_end": [[10, 5]],
    "bools": [[False, True]],
}


@pytest.mark.parametrize("sentences", SENTENCES.values(), ids=SENTENCES)
def test_sentences_garbage_is_a_problem(tmp_path, export, sentences):
    export[0]["data"]["sentences"] = sentences
    assert_refused(tmp_path, export, f"task {TASK}: data.sentences")


def test_missing_sentences_are_a_problem(tmp_path, export):
    del export[0]["data"]["sentences"]
    assert_refused(tmp_path, export, f"task {TASK}: data.sentences: a non-empty list")


def test_deeply_nested_json_is_a_problem(tmp_path):
    lines = assert_refused(tmp_path, "[" * 100_000 + "]" * 100_000, "task -: file:")
    assert "nested too deeply" in lines[0]


def test_integer_longer_than_python_converts_is_named(tmp_path):
    """Was reported as "cannot check the size": the size-limit handler caught its ValueError."""
    lines = assert_refused(tmp_path, "[" + "9" * 5000 + "]", "task -: file:")
    assert "invalid JSON: a number with more than 4300 digits" in lines[0]


# 2. Exports that validated and then broke the gold loader or the build


DOC_IDS = {
    "number": 5,
    "list": ["ktn-test"],
    "parent": "../x",
    "slash": "/",
    "inner_slash": "a/b",
    "backslash": "a\\b",
    "control": "ktn\ntest",
    "space": " ktn-test",
    "dot": ".hidden",
}


@pytest.mark.parametrize("doc_id", DOC_IDS.values(), ids=DOC_IDS)
def test_document_id_must_be_a_plain_name(tmp_path, export, doc_id):
    export[0]["data"]["doc_id"] = doc_id
    lines = assert_refused(tmp_path, export, "task 1: data.doc_id: ")
    assert "like ktn-<hex>" in lines[0]


@pytest.mark.parametrize(
    "key", ["source_file", "outlet", "date", "title", "url", "license", "source"]
)
@pytest.mark.parametrize("value", [5, ["a"], {"a": 1}, True, "two\nlines"])
def test_metadata_is_a_string_or_null(tmp_path, export, key, value):
    export[0]["data"][key] = value
    assert_refused(tmp_path, export, f"task {TASK}: data.{key}: ")


def test_null_export_is_a_problem(tmp_path):
    assert_refused(tmp_path, "null", "task -: file: not a Label Studio export (a list of tasks)")


@pytest.mark.parametrize("annotations", ["missing", []])
def test_task_without_annotation_is_not_gold(tmp_path, export, annotations):
    if annotations == "missing":
        del export[0]["annotations"]
    else:
        export[0]["annotations"] = annotations
    assert_refused(
        tmp_path, export, f"task {TASK}: annotations: not gold: task 1 (doc {TASK}): no submitted"
    )


def _disagreeing(export, ground_truth: bool) -> list[dict]:
    first = _annotation(export)
    first["ground_truth"] = ground_truth
    second = copy.deepcopy(first)
    second["id"] = 2
    second["result"] = [i for i in second["result"] if i.get("labels") != ["per:title"]]
    export[0]["annotations"].append(second)
    return export


@pytest.mark.parametrize(
    "ground_truth, rule",
    [
        (False, "2 annotations, none of them ground truth, disagree"),
        (True, "2 ground-truth annotations disagree"),
    ],
)
def test_disagreeing_annotations_are_not_gold(tmp_path, export, ground_truth, rule):
    assert_refused(
        tmp_path,
        _disagreeing(export, ground_truth),
        f"task {TASK}: annotations: not gold: task 1 (doc {TASK}): {rule}",
    )


@pytest.mark.parametrize("flag", ["was_cancelled", "ground_truth"])
def test_flags_are_booleans(tmp_path, export, flag):
    _annotation(export)[flag] = "false"
    assert_refused(tmp_path, export, f"task {TASK}: annotation 1.{flag}: true or false")


def test_repeated_annotation_id_is_a_problem(tmp_path, export):
    export[0]["annotations"].append(copy.deepcopy(_annotation(export)))
    assert_refused(tmp_path, export, f"task {TASK}: annotation 1.id: two annotations share")


def test_same_document_twice_in_one_file(tmp_path, export):
    twin = copy.deepcopy(export[0])
    twin["id"] = 2
    assert_refused(
        tmp_path, [export[0], twin], f"task {TASK}: data.doc_id: document {TASK} is also task 1 of "
    )


def test_same_document_in_two_files(tmp_path, export):
    _write(tmp_path, export, "a.json")
    (tmp_path / "b.json").write_text(json.dumps(export), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        f"b.json: task {TASK}: data.doc_id: document {TASK} is also task 1 of "
        f"{tmp_path / 'a.json'}" in result.output
    )
    with pytest.raises(GoldError):
        load_gold(tmp_path)


def test_odd_annotator_metadata_still_loads(tmp_path, export):
    """completed_by and timestamps are not gold content: odd values must not break the loader."""
    _annotation(export).update(
        completed_by={"email": ["a"], "id": [1]}, created_at=5, updated_at=None
    )
    code, lines, output = validate(_write(tmp_path, export))
    assert code == 0, output
    [record] = load_gold(tmp_path)
    assert record.id == TASK


# 3. What the schema forbids or cannot mean


@pytest.mark.parametrize(
    "label, head",
    [
        ("org:partner_of", "e1"),  # symmetric
        ("org:part_of", "e4"),
    ],
)
def test_relation_from_a_region_to_itself(tmp_path, export, label, head):
    relation = next(
        i for i in _result(export) if i.get("type") == "relation" and i["labels"] == ["org:part_of"]
    )
    relation.update(labels=[label], from_id=head, to_id=head)
    assert_refused(
        tmp_path,
        export,
        f"task {TASK}: result {head}->{head}: to_id: {label}: a "
        "relation links two different regions",
    )


# 2000억 개 is 2e11: each spelling is float() == 2e11 but not a plain decimal.
NUMBERS = {
    "fullwidth": "２０００００００００００",
    "underscores": "200_000_000_000",
    "spaces": " 200000000000 ",
    "arabic_indic": "٢٠٠٠٠٠٠٠٠٠٠٠",
    "plus": "+2e11",
    "nan": "nan",
    "infinity": "inf",
}


@pytest.mark.parametrize("number", NUMBERS.values(), ids=NUMBERS)
def test_numbers_are_plain_ascii_decimals(tmp_path, export, number):
    _item(export, "q1", "value")["value"]["text"] = [number]
    assert_refused(tmp_path, export, f"task {TASK}: result q1: value: not a number")


def _override(export, **fields):
    claim = _item(export, "q1")
    for name, text in fields.items():
        item = next(
            (i for i in _result(export) if i.get("id") == "q1" and i.get("from_name") == name), None
        )
        if item is None:
            item = {**copy.deepcopy(claim), "from_name": name, "type": "textarea"}
            item["value"] = {"start": claim["value"]["start"], "end": claim["value"]["end"]}
            _result(export).append(item)
        item["value"]["text"] = [text]


def test_override_value_must_be_a_number(tmp_path, export):
    _override(export, override_reason="the article rounds", value="１２")
    assert_refused(tmp_path, export, f"task {TASK}: result q1: value: not a number: '１２'")


def test_low_above_high(tmp_path, export):
    _override(export, override_reason="a range", low="10", high="5")
    assert_refused(tmp_path, export, f"task {TASK}: result q1: low: low 10 is above high 5")


@pytest.mark.parametrize("char", ["\x00", "\r", "\x0b", "\x7f", "\x85"])
def test_control_characters_in_the_text(tmp_path, export, char):
    data = export[0]["data"]
    data["text"] += char
    data["sentences"][-1][1] += 1
    lines = assert_refused(tmp_path, export, f"task {TASK}: data.text: control character")
    assert len(lines) == 1 and f"offset {len(TEXT)}" in lines[0]


@pytest.mark.parametrize("char", ["\t", "\u2028", "\u2029"])
def test_what_ingest_keeps_in_the_text_is_accepted(tmp_path, export, char):
    """Ingest keeps tabs and the line and paragraph separators (JSON Lines escapes them), so a
    task holding one validates."""
    data = export[0]["data"]
    data["text"] += char
    data["sentences"][-1][1] += 1
    assert validate(_write(tmp_path, export))[0] == 0


@pytest.mark.parametrize("rid, name", [("e1", "canonical_id"), ("q1", "property"), ("q1", "unit")])
@pytest.mark.parametrize("char", ["\n", "\x07", "\u2028"])
def test_control_characters_in_attributes(tmp_path, export, rid, name, char):
    item = _item(export, rid, name)
    item["value"]["text"] = [item["value"]["text"][0] + char]
    assert_refused(tmp_path, export, f"task {TASK}: result {rid}: {name}.value.text: control")


def test_region_id_with_a_newline_keeps_one_line(tmp_path, export):
    for item in _result(export):
        if item.get("id") == "e3":
            item["id"] = "e3\nforged: line"
    assert_refused(tmp_path, export, f"task {TASK}: result 'e3\\nforged: line': id: a region id")


def test_an_export_above_the_size_limit_is_refused(tmp_path, export, monkeypatch):
    path = _write(tmp_path, export)
    monkeypatch.setenv("KOTECHNEWS_MAX_EXPORT_MB", "0.001")
    lines = assert_refused(tmp_path, export, f"{path}: task -: file: ")
    assert f"above the limit of {int(0.001 * 2**20)} bytes" in lines[0]
    assert "KOTECHNEWS_MAX_EXPORT_MB" in lines[0]
    monkeypatch.setenv("KOTECHNEWS_MAX_EXPORT_MB", "lots")
    lines = assert_refused(tmp_path, export, f"{path}: task -: file: cannot check the size: ")
    assert "KOTECHNEWS_MAX_EXPORT_MB='lots' is not a number of megabytes" in lines[0]
    monkeypatch.delenv("KOTECHNEWS_MAX_EXPORT_MB")
    assert validate(path)[0] == 0


class _CountingList(list):
    """A list that counts the items read through iteration: a step that scans the whole list once
    per item makes the count grow with the square of the length."""

    def __init__(self, items):
        super().__init__(items)
        self.reads = 0

    def __iter__(self):
        for item in super().__iter__():
            self.reads += 1
            yield item


def _big_document(n: int) -> tuple[AnnotatedDocument, dict]:
    text = "KT와 LG. " * n
    entities = [
        Entity(f"e{i}_{j}", 8 * i + 4 * j, 8 * i + 4 * j + 2, "ORG", canonical_id=f"c{j}")
        for i in range(n)
        for j in (0, 1)
    ]
    document = Document("ktn-big", text, sentences=[(8 * i, 8 * i + 7) for i in range(n)])
    doc = AnnotatedDocument(
        "ktn-big",
        text,
        entities=entities,
        relations=[Relation(f"e{i}_0", f"e{i}_1", "org:partner_of") for i in range(n)],
        document=document,
    )
    return doc, document.task_data()


def test_record_conversion_is_linear_in_relations():
    """sentence lookup built the list of sentence starts again for every relation end."""
    n = 2_000
    doc, data = _big_document(n)
    data["sentences"] = sentences = _CountingList(data["sentences"])
    record = convert.record_from_result(data, convert.result_from_record(doc))
    assert record.relations[-1].evidence == [n - 1]
    assert sentences.reads <= 2 * n


def test_dataset_rows_are_linear_in_relations():
    """relations_row and claims_row looked every linked entity up by scanning all entities."""
    n = 2_000
    doc, _ = _big_document(n)
    doc.entities = entities = _CountingList(doc.entities)
    row = relations_row(doc)
    assert row["relations"][-1]["tail_canonical_id"] == "c1"
    assert entities.reads <= 2 * len(entities)
    doc.claims = [Claim(f"q{i}", 8 * i + 6, 8 * i + 7, subject=f"e{i}_0") for i in range(n)]
    entities.reads = 0
    assert claims_row(doc)["claims"][-1]["subject_canonical_id"] == "c0"
    assert entities.reads <= 2 * len(entities)


def test_annotations_of_the_import_format_need_no_id(tmp_path, export):
    """`ls push` re-imports exports whose annotations carry no id yet; only a given id is checked."""
    del _annotation(export)["id"]
    assert validate(_write(tmp_path, export))[0] == 0
    [record] = load_gold(tmp_path)
    assert record.id == TASK
