"""The one Document: made by ingest, carried through task data, gold records and dataset rows."""

from __future__ import annotations

import pytest

from kotechnews.document import Document
from kotechnews.hfdataset.build import BuildError, build_from_gold
from kotechnews.hfdataset.rows import document_row
from kotechnews.labelstudio import convert
from kotechnews.labelstudio.validate import validate_tasks
from kotechnews.records import AnnotatedDocument
from kotechnews.splits import Assignment
from kotechnews.worksheet import gold_export

TEXT = "첫 문단이다. 둘째 문장.\n둘째 문단이다."
DOCUMENT = Document(
    "ktn-doc",
    TEXT,
    sentences=[(0, 7), (8, 14), (15, 23)],
    paragraphs=[(0, 14), (15, 23)],
    source_file="doc.txt",
    outlet="합성일보",
    license="CC BY 2.5",
    source="wikinews",
)


def test_every_serialised_shape_reads_back_as_the_same_document():
    assert Document.from_row(DOCUMENT.row()) == DOCUMENT
    assert Document.from_task_data(DOCUMENT.task_data()) == DOCUMENT
    record = AnnotatedDocument(DOCUMENT.id, TEXT, document=DOCUMENT).to_dict()
    # the record format carries no paragraphs: read back, they are unknown, not re-derived
    read = AnnotatedDocument.from_dict(record).document
    assert read.paragraphs is None and read.sentences == DOCUMENT.sentences
    assert read.metadata() == DOCUMENT.metadata()


def test_ingested_documents_carry_their_paragraphs(ingested_documents):
    for document in ingested_documents:
        lines = document.text.split("\n")
        assert [document.text[s:e] for s, e in document.paragraphs] == lines
        assert Document.from_task_data(document.task_data()) == document


def test_dataset_rows_take_the_documents_paragraphs_not_the_texts_lines():
    # one paragraph over a newline: a row made from the text would split it in two
    whole = Document("ktn-whole", TEXT, sentences=DOCUMENT.sentences, paragraphs=[(0, len(TEXT))])
    row = document_row(AnnotatedDocument(whole.id, TEXT, document=whole), Assignment("test", -1))
    assert row["paragraphs"] == [{"start": 0, "end": len(TEXT)}]
    assert (row["split"], row["fold"]) == ("test", -1)


def test_a_label_studio_annotation_carries_its_tasks_document():
    record = AnnotatedDocument(DOCUMENT.id, TEXT, document=DOCUMENT)
    [task] = gold_export(record, "tester", "2026-12-07T00:00:00Z", 1)
    assert task["data"]["paragraphs"] == [[0, 14], [15, 23]]
    parsed = convert.record_from_result(task["data"], task["annotations"][0]["result"])
    assert parsed.document == DOCUMENT


def test_a_record_refuses_a_document_of_another_text():
    with pytest.raises(ValueError, match="another id or text"):
        AnnotatedDocument(DOCUMENT.id, TEXT + ".", document=DOCUMENT)


def test_bad_paragraph_spans_are_problems_naming_the_field():
    record = AnnotatedDocument(DOCUMENT.id, TEXT, document=DOCUMENT)
    [task] = gold_export(record, "tester", "2026-12-07T00:00:00Z", 1)
    task["data"]["paragraphs"] = [[15, 23], [0, 14]]
    problems = validate_tasks([task], "doc.json")
    assert [p.field for p in problems] == ["data.paragraphs[1]"]
    assert "after the end 23 of the previous one" in problems[0].message


def test_gold_without_paragraphs_is_refused_by_the_build_naming_the_document(tmp_path):
    record = AnnotatedDocument(DOCUMENT.id, TEXT, document=DOCUMENT)
    [task] = gold_export(record, "tester", "2026-12-07T00:00:00Z", 1)
    del task["data"]["paragraphs"]  # task data made before paragraphs travelled with it
    assert validate_tasks([task], "doc.json") == []
    gold = convert.record_from_result(task["data"], task["annotations"][0]["result"])
    with pytest.raises(BuildError, match="without their document's paragraphs.*'ktn-doc'"):
        build_from_gold(tmp_path / "gold", tmp_path / "dataset", gold=[gold])
