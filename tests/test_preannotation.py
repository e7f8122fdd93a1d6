"""Pre-annotation quality: strict span matches per type, counted by hand."""

from __future__ import annotations

import json

import pytest

from kotechnews.document import Document
from kotechnews.labelstudio.convert import result_from_record
from kotechnews.preannotation import load_preannotations, preannotation_quality
from kotechnews.records import AnnotatedDocument, Claim, Entity

TEXT = "KT와 네이버는 약 200명을 뽑는다. KT는 3배로 늘린다."


def at(surface: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(surface, start + 1)
    return start, start + len(surface)


def entity(eid: str, surface: str, etype: str, occurrence: int = 0) -> Entity:
    return Entity(eid, *at(surface, occurrence), etype, surface)


def claim(cid: str, surface: str) -> Claim:
    return Claim(cid, *at(surface), surface, unit="명")


GOLD = AnnotatedDocument(
    "d1",
    TEXT,
    entities=[
        entity("g1", "KT", "ORG"),
        entity("g2", "네이버", "ORG"),
        entity("g3", "KT", "ORG", 1),
    ],
    claims=[claim("c1", "약 200명"), claim("c2", "3배")],
    document=Document("d1", TEXT, sentences=[(0, 20), (21, 33)]),
)


def predictions(doc: AnnotatedDocument) -> dict:
    return {doc.id: {"model_version": "test", "result": result_from_record(doc)}}


def test_strict_matches_per_type_and_quantity():
    predicted = AnnotatedDocument(
        "d1",
        TEXT,
        entities=[
            entity("p1", "KT", "ORG"),  # right
            entity("p2", "네이버", "PER"),  # wrong type: an ORG miss and a PER false positive
            entity("p3", "KT는", "ORG"),
        ],  # wrong span (particle inside)
        claims=[claim("q1", "200명"), claim("q2", "3배")],
    )  # one span too short, one right
    table = preannotation_quality(predictions(predicted), [GOLD])
    assert table["ORG"] == pytest.approx(
        {"precision": 1 / 2, "recall": 1 / 3, "f1": 0.4, "support": 3, "predicted": 2}
    )
    assert table["PER"]["precision"] == 0.0 and table["PER"]["support"] == 0
    assert table["QUANTITY"] == pytest.approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2, "predicted": 2}
    )
    assert "TECH" not in table  # neither gold nor prediction has one


def test_a_source_is_scored_only_on_the_layers_it_predicts():
    claims_only = AnnotatedDocument("d1", TEXT, claims=[claim("q2", "3배")])
    table = preannotation_quality(predictions(claims_only), [GOLD])
    assert list(table) == ["QUANTITY"] and table["QUANTITY"]["recall"] == 0.5


def test_documents_without_predictions_are_not_counted(tmp_path):
    stored = tmp_path / "pre.json"
    stored.write_text(json.dumps({"about": "text", "sklearn": predictions(GOLD)}), encoding="utf-8")
    sources = load_preannotations(stored)
    assert list(sources) == ["sklearn"]
    other = AnnotatedDocument("d2", "삼성", entities=[Entity("x", 0, 2, "ORG", "삼성")])
    table = preannotation_quality(sources["sklearn"], [GOLD, other])
    assert table["ORG"]["support"] == 3 and table["ORG"]["recall"] == 1.0
