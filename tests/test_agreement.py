"""Agreement metrics and disagreement listing, on annotations whose scores are counted by hand."""

import copy

import pytest

from kotechnews.agreement import (
    agreement,
    claim_span_f1,
    claim_value_agreement,
    disagreements,
    entity_f1,
    pooled_agreement,
    relation_f1,
)
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation

TEXT = "KT와 KAIST는 AI를 연구한다. KT는 2000억 개를 3배로 늘리고 10명과 5곳을 더한다."


def span(surface: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(surface, start + 1)
    return start, start + len(surface)


def ent(eid: str, surface: str, etype: str, cid: str | None = None, occurrence: int = 0) -> Entity:
    start, end = span(surface, occurrence)
    return Entity(eid, start, end, etype, surface, cid)


def claim(
    cid: str, surface: str, value: float | None, unit: str, subject: str | None = None
) -> Claim:
    start, end = span(surface)
    return Claim(
        cid,
        start,
        end,
        surface,
        value=value,
        unit=unit,
        quantity_type="COUNT",
        property="p",
        modality="ACTUAL",
        subject=subject,
    )


@pytest.fixture
def pair() -> tuple[AnnotatedDocument, AnnotatedDocument]:
    a = AnnotatedDocument(
        "d",
        TEXT,
        entities=[
            ent("a1", "KT", "ORG", "kt"),
            ent("a2", "KAIST", "ORG", "kaist"),
            ent("a3", "AI", "TECH"),
            ent("a4", "KT", "ORG", "kt", occurrence=1),
        ],
        relations=[
            Relation("a4", "a3", "org:develops"),  # second KT mention
            Relation("a1", "a2", "org:partner_of"),
            Relation("a2", "a1", "org:part_of"),
        ],
        claims=[
            claim("ac1", "2000억 개", 2e11, "개", subject="a4"),
            claim("ac2", "3배", 3, "배"),
            claim("ac3", "10명", 10, "명", subject="a1"),
        ],
    )
    b = AnnotatedDocument(
        "d",
        TEXT,
        entities=[
            ent("b1", "KT", "ORG", "kt"),
            ent("b2", "KAIST", "PER", "kaist"),
            ent("b3", "AI", "TECH"),
        ],
        relations=[
            Relation("b1", "b3", "org:develops"),  # first mention: same entity by id
            Relation("b2", "b1", "org:partner_of"),  # symmetric, reversed, KAIST typed PER
            Relation("b1", "b2", "org:member_of"),
        ],
        claims=[
            claim("bc1", "2000억 개", 2e11, "원", subject="b1"),
            claim("bc3", "10명", 10, "명", subject="b1"),
            claim("bc4", "5곳", 5, "곳"),
        ],
    )
    return a, b


def test_hand_counted_scores(pair):
    a, b = pair
    # Entities: a has 4, b has 3; KT [first] and AI agree (KAIST differs in type) -> 2*2/7.
    assert entity_f1(a, b) == pytest.approx(4 / 7)
    # Relations: develops (KT mentions share canonical id kt) and partner_of (symmetric, KAIST
    # matched by canonical id) agree; part_of and member_of do not -> 2*2/6.
    assert relation_f1(a, b) == pytest.approx(2 / 3)
    # Claims: 2000억 개 and 10명 shared out of 3 + 3 -> 2*2/6; of these, 10명 agrees on
    # value/low/high/unit, 2000억 개 has unit 개 vs 원 -> 1/2.
    assert claim_span_f1(a, b) == pytest.approx(2 / 3)
    assert claim_value_agreement(a, b) == pytest.approx(0.5)
    scores = agreement(a, b)
    assert (scores.entity_f1, scores.relation_f1) == (entity_f1(a, b), relation_f1(a, b))
    assert agreement(b, a) == scores  # symmetric


def test_pooled_agreement_counts_items_over_documents(pair):
    a, b = pair
    # The pair above, and a second document where both agree on one entity and nothing else.
    other = AnnotatedDocument("e", TEXT, entities=[ent("x", "KT", "ORG", "kt")])
    pooled = pooled_agreement([(a, b), (other, copy.deepcopy(other))])
    assert pooled.entity_f1 == pytest.approx(2 * 3 / 9)  # (2 + 1) matched of 4+1 and 3+1
    assert pooled.relation_f1 == pytest.approx(2 / 3)  # the second document adds nothing
    assert pooled.claim_span_f1 == pytest.approx(2 / 3)
    assert pooled.claim_value_agreement == pytest.approx(0.5)
    assert pooled_agreement([(a, b)]) == agreement(a, b)  # one document: pooled is per-document


def test_disagreements_list_each_differing_item(pair):
    a, b = pair
    found = {(d.kind, d.a, d.b) for d in disagreements(a, b)}
    kt2 = span("KT", 1)
    assert found == {
        ("entity", "ORG", "PER"),  # KAIST
        ("entity", "ORG", None),  # second KT, only in a
        ("relation", "org:part_of", None),
        ("relation", None, "org:member_of"),
        ("claim", "QUANTITY", None),  # 3배
        ("claim", None, "QUANTITY"),  # 5곳
        ("claim_field", "개", "원"),  # unit of 2000억 개
        # subject of 2000억 개: second KT in a, first KT in b; same canonical id -> agrees.
    }
    where = {d.where for d in disagreements(a, b) if d.kind == "entity" and d.b is None}
    assert where == {f"'KT' [{kt2[0]},{kt2[1]})"}
    unit = next(d for d in disagreements(a, b) if d.kind == "claim_field")
    assert unit.where.endswith(" unit") and "2000억 개" in unit.where


def test_claim_subject_on_a_different_entity_is_a_disagreement(pair):
    a, b = pair
    b.claims[1].subject = "b3"  # 10명 about AI instead of KT
    subjects = [d for d in disagreements(a, b) if d.where.endswith(" subject")]
    assert len(subjects) == 1
    assert "'KT'" in subjects[0].a and "'AI'" in subjects[0].b


def test_reversed_directed_relation_does_not_match():
    a = AnnotatedDocument(
        "d",
        TEXT,
        entities=[ent("x", "KT", "ORG", "kt"), ent("y", "AI", "TECH")],
        relations=[Relation("x", "y", "org:develops")],
    )
    b = copy.deepcopy(a)
    b.relations = [Relation("y", "x", "org:develops")]
    assert relation_f1(a, b) == 0.0
    assert [(d.kind, d.a, d.b) for d in disagreements(a, b)] == [
        ("relation", "org:develops", None),
        ("relation", None, "org:develops"),
    ]


def test_identical_annotations_agree_fully_whatever_the_region_ids(pair):
    a, _ = pair
    b = copy.deepcopy(a)
    renamed = {e.id: "r" + e.id for e in b.entities}
    for e in b.entities:
        e.id = renamed[e.id]
    for r in b.relations:
        r.head, r.tail = renamed[r.head], renamed[r.tail]
    for c in b.claims:
        c.id = "r" + c.id
        c.subject = renamed.get(c.subject)
    assert disagreements(a, b) == []
    assert agreement(a, b).to_dict() == {
        "entity_f1": 1.0,
        "relation_f1": 1.0,
        "claim_span_f1": 1.0,
        "claim_value_agreement": 1.0,
    }


def test_empty_annotations_agree_and_have_no_value_agreement():
    a, b = AnnotatedDocument("d", TEXT), AnnotatedDocument("d", TEXT)
    assert agreement(a, b).to_dict() == {
        "entity_f1": 1.0,
        "relation_f1": 1.0,
        "claim_span_f1": 1.0,
        "claim_value_agreement": None,
    }


def test_one_empty_side_scores_zero(pair):
    a, _ = pair
    empty = AnnotatedDocument("d", TEXT)
    assert (entity_f1(a, empty), relation_f1(a, empty), claim_span_f1(a, empty)) == (0.0, 0.0, 0.0)
    assert len(disagreements(a, empty)) == 4 + 3 + 3


def test_different_texts_are_refused():
    with pytest.raises(ValueError, match="different texts"):
        entity_f1(AnnotatedDocument("x", "가"), AnnotatedDocument("y", "나"))
