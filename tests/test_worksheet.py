"""Worksheets: mentions in reading order become offset-checked records and valid gold exports."""

from __future__ import annotations

import pytest

from kotechnews.annotation import completeness_gaps
from kotechnews.document import Document
from kotechnews.labelstudio.validate import validate_tasks
from kotechnews.worksheet import WorksheetError, compile_worksheet, gold_export

# An invented two-sentence text (test data only, not from the gold).
TEXT = (
    "KT와 KAIST는 연내 AI 연구소를 세운다. KT는 약 200명이 일할 공간을 짓고 KT 직원 10명을 보낸다."
)


def _document():
    cut = TEXT.index("KT는")
    return Document(
        "ktn-sheet",
        TEXT,
        sentences=[(0, cut - 1), (cut, len(TEXT))],
        source_file="sheet.txt",
    )


def _sheet(**changes):
    sheet = {
        "source_file": "sheet.txt",
        "annotator": "tester",
        "annotated_at": "2026-11-24T00:00:00Z",
        "sentences": {
            "0": [["KT", "ORG", "KT"], ["KAIST", "ORG", "KAIST"], ["연내", "DATE"]],
            "1": [
                ["KT", "ORG", "KT"],
                {
                    "q": "약 200명",
                    "type": "COUNT",
                    "property": "상주 인원",
                    "modality": "PLANNED",
                    "subject": "KT",
                },
                ["KT", "ORG", "KT"],
                {
                    "q": "10명",
                    "type": "COUNT",
                    "property": "파견 인원",
                    "modality": "PLANNED",
                    "subject": "KT",
                },
            ],
        },
        "relations": [["KT", "org:partner_of", "KAIST", 0], ["KT", "org:founded_on", "연내", [0]]],
        "exclusions": [],
    }
    sheet.update(changes)
    return sheet


def test_offsets_are_computed_in_reading_order():
    doc, exclusions = compile_worksheet(_sheet(), _document())
    assert exclusions == []
    for item in doc.entities + doc.claims:
        assert TEXT[item.start : item.end] == item.text
    kt_starts = [e.start for e in doc.entities if e.text == "KT"]
    assert kt_starts == [m for m in range(len(TEXT)) if TEXT.startswith("KT", m)]
    people = doc.claims[0]
    assert (people.value, people.unit, people.approximate) == (200.0, "명", True)
    # The subject is the nearest KT mention in the claim's sentence.
    subject = doc.entity(people.subject)
    assert subject.start == TEXT.index("KT는")
    second_subject = doc.entity(doc.claims[1].subject)
    assert second_subject.start == TEXT.index("KT 직원")


def test_relations_take_mentions_from_their_evidence_sentences():
    doc, _ = compile_worksheet(_sheet(), _document())
    partner, founded = doc.relations
    assert doc.entity(partner.head).start == 0 and partner.evidence == [0]
    assert doc.entity(founded.tail).text == "연내" and founded.evidence == [0]


def test_compiled_gold_validates():
    doc, _ = compile_worksheet(_sheet(), _document())
    export = gold_export(doc, "tester", "2026-11-24T00:00:00Z", 1)
    assert validate_tasks(export, "sheet.json") == []


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"sentences": {"0": [["KAIST", "ORG", "KAIST"], ["KT", "ORG", "KT"]]}},
            "sentence 0 entry 1: 'KT' not found after offset",
        ),
        ({"sentences": {"5": [["KT", "ORG", "KT"]]}}, "sentence 5: the document has 2 sentences"),
        ({"sentences": {"0": [["KT", "COMPANY", "KT"]]}}, "unknown entity type 'COMPANY'"),
        (
            {"relations": [["KT", "org:friend_of", "KAIST", 0]]},
            "unknown relation type 'org:friend_of'",
        ),
        (
            {"relations": [["KT", "org:partner_of", "네이버", 0]]},
            "no mention '네이버' in sentence(s) [0]",
        ),
        (
            {"sentences": {"1": [{"q": "약 200명", "override": {"value": 3}}]}},
            "an override needs an override_reason",
        ),
    ],
)
def test_bad_worksheets_name_the_entry(change, message):
    sheet = _sheet(**change)
    if "relations" not in change:
        sheet["relations"] = []
    with pytest.raises(WorksheetError) as info:
        compile_worksheet(sheet, _document())
    assert str(info.value).startswith("sheet.txt: ")
    assert message in str(info.value)


def test_completeness_lists_unannotated_repeats_and_numbers():
    sheet = _sheet()
    sheet["sentences"]["1"] = sheet["sentences"]["1"][:2]  # drop the second KT and 10명
    doc, _ = compile_worksheet(sheet, _document())
    gaps = {(g.kind, g.text) for g in completeness_gaps(doc, [])}
    assert gaps == {("mention", "KT"), ("number", "10"), ("number", "10명")}
    exclusion = {
        "doc_id": doc.id,
        "start": TEXT.index("10명"),
        "end": TEXT.index("10명") + 3,
        "text": "10명",
        "rule": "N6",
    }
    gaps = {(g.kind, g.text) for g in completeness_gaps(doc, [exclusion])}
    assert gaps == {("mention", "KT")}
