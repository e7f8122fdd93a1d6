"""Every metric on small gold/prediction pairs with the expected numbers computed by hand.

Texts are placeholder strings: offsets are all that matters to the scorer.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.metrics import f1_score

from kotechnews.records import AnnotatedDocument, Claim
from kotechnews.scoring import claims, entities, relations
from kotechnews.scoring.bootstrap import totals
from kotechnews.scoring.evaluate import ScoringOptions, count_table

TEXT = "x" * 50


def doc(entities_=(), relations_=(), claims_=(), text=TEXT, id_="d1") -> AnnotatedDocument:
    return AnnotatedDocument.from_dict(
        {
            "id": id_,
            "text": text,
            "entities": [
                dict(zip(("id", "start", "end", "type", "canonical_id"), e)) for e in entities_
            ],
            "relations": [dict(zip(("head", "tail", "type", "evidence"), r)) for r in relations_],
            "claims": list(claims_),
        }
    )


def scores(task, gold, pred, options=ScoringOptions()):
    gold, pred = ([d] if isinstance(d, AnnotatedDocument) else d for d in (gold, pred))
    return {
        k: float(v) for k, v in task.metrics(totals(count_table(task, gold, pred, options))).items()
    }


# --- entities ---------------------------------------------------------------------------------

ENTITY_GOLD = doc(
    [("g1", 0, 3, "ORG"), ("g2", 5, 8, "PER"), ("g3", 10, 14, "ORG"), ("g4", 16, 18, "LOC")],
    text="x" * 20,
)
ENTITY_PRED = doc(
    [
        ("p1", 0, 3, "ORG"),  # strict match of g1
        ("p2", 5, 7, "PER"),  # overlaps g2, same type: partial
        ("p3", 10, 14, "LOC"),  # g3's span with the wrong type: no credit
        ("p4", 19, 20, "DATE"),
    ],  # nothing there
    text="x" * 20,
)


def test_entity_strict_micro_and_macro():
    s = scores(entities, ENTITY_GOLD, ENTITY_PRED)
    # strict: tp 1 (p1), predicted 4, gold 4 -> P = R = F = 1/4
    assert s["strict_precision"] == pytest.approx(0.25)
    assert s["strict_recall"] == pytest.approx(0.25)
    assert s["strict_f1"] == pytest.approx(0.25)
    # per type: ORG P 1/1 R 1/2 F 2/3; PER, LOC, DATE all 0. Types present: ORG PER LOC DATE.
    # macro P = (1+0+0+0)/4, macro R = (1/2)/4, macro F = (2/3)/4
    assert s["strict_macro_precision"] == pytest.approx(0.25)
    assert s["strict_macro_recall"] == pytest.approx(0.125)
    assert s["strict_macro_f1"] == pytest.approx(1 / 6)


def test_entity_partial_gives_half_credit_to_same_type_overlaps():
    s = scores(entities, ENTITY_GOLD, ENTITY_PRED)
    # credit = 1 (p1 exact) + 0.5 (p2 overlaps g2) = 1.5; P = R = 1.5/4
    assert s["partial_precision"] == pytest.approx(0.375)
    assert s["partial_recall"] == pytest.approx(0.375)
    assert s["partial_f1"] == pytest.approx(0.375)
    # macro F: ORG 2/3, PER (credit .5 of 1 each way) 1/2, LOC 0, DATE 0 -> (2/3 + 1/2)/4
    assert s["partial_macro_f1"] == pytest.approx(7 / 24)


def test_partial_matching_is_one_to_one():
    gold = doc([("g1", 0, 4, "ORG"), ("g2", 5, 9, "ORG")])
    pred = doc([("p1", 3, 6, "ORG")])  # overlaps both gold mentions, pairs with one
    s = scores(entities, gold, pred)
    # credit 0.5: P = 0.5/1, R = 0.5/2, F = 2*.5*.25/.75 = 1/3
    assert s["partial_precision"] == pytest.approx(0.5)
    assert s["partial_recall"] == pytest.approx(0.25)
    assert s["partial_f1"] == pytest.approx(1 / 3)
    assert s["strict_f1"] == 0.0


def test_duplicate_prediction_is_a_false_positive():
    s = scores(
        entities, doc([("g1", 0, 3, "ORG")]), doc([("p1", 0, 3, "ORG"), ("p2", 0, 3, "ORG")])
    )
    # tp 1, predicted 2, gold 1 -> P 1/2, R 1, F 2/3
    assert (s["strict_precision"], s["strict_recall"]) == (0.5, 1.0)
    assert s["strict_f1"] == pytest.approx(2 / 3)


def test_entity_char_level_f1_by_hand():
    s = scores(entities, ENTITY_GOLD, ENTITY_PRED)
    # Gold chars: 0 B-ORG 1-2 I-ORG | 5 B-PER 6-7 I-PER | 10 B-ORG 11-13 I-ORG | 16 B-LOC 17 I-LOC
    # Pred chars: 0 B-ORG 1-2 I-ORG | 5 B-PER 6 I-PER | 10 B-LOC 11-13 I-LOC | 19 B-DATE
    # F per tag = 2tp/(2tp+fp+fn):
    #   B-ORG tp1 fn1 -> 2/3; I-ORG tp2 fn3 -> 4/7; B-PER tp1 -> 1; I-PER tp1 fn1 -> 2/3;
    #   B-LOC fp1 fn1 -> 0; I-LOC fp3 fn1 -> 0; B-DATE fp1 -> 0;
    #   the 9 other tags (I-DATE, B/I- TITLE PRODUCT TECH EVENT) occur in neither: not scored
    #   (KLUE: macro over the B-/I- tags, O excluded; counting them as 1 would inflate the mean).
    # mean over the 7 tags seen = (2/3 + 4/7 + 1 + 2/3 + 0 + 0 + 0) / 7 = (61/21) / 7 = 61/147
    assert s["char_f1"] == pytest.approx(61 / 147)


def test_char_level_f1_equals_sklearn_macro_as_in_klue():
    rng = random.Random(7)
    types = entities.TYPES
    golds, preds = [], []
    for index in range(30):
        length = rng.randint(5, 40)

        def mentions(prefix):
            out, position = [], 0
            while position < length - 1:
                start = position + rng.randint(0, 4)
                end = min(length, start + rng.randint(1, 5))
                if start >= end:
                    break
                out.append((f"{prefix}{len(out)}", start, end, rng.choice(types)))
                position = end
            return out

        golds.append(doc(mentions("g"), text="x" * length, id_=f"d{index}"))
        preds.append(doc(mentions("p"), text="x" * length, id_=f"d{index}"))
    ours = scores(entities, golds, preds)["char_f1"]
    gold_tags = np.concatenate([entities.char_tags(d.entities, len(d.text)) for d in golds])
    pred_tags = np.concatenate([entities.char_tags(d.entities, len(d.text)) for d in preds])
    seen = sorted((set(gold_tags) | set(pred_tags)) - {0})  # O is tag 0
    reference = f1_score(gold_tags, pred_tags, labels=seen, average="macro")
    assert ours == pytest.approx(reference, abs=1e-12)


def test_char_view_keeps_the_first_of_overlapping_mentions():
    tags = entities.char_tags(doc([("a", 1, 3, "PER"), ("b", 0, 5, "ORG")]).entities, 6)
    names = [entities.CHAR_TAGS[t] for t in tags]
    assert names == ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O"]


def test_entity_breakdown_lists_types_seen():
    table = entities.breakdown(
        totals(count_table(entities, [ENTITY_GOLD], [ENTITY_PRED], ScoringOptions()))
    )
    assert set(table) == {"ORG", "PER", "LOC", "DATE"}
    assert table["ORG"]["support"] == 2 and table["ORG"]["f1"] == pytest.approx(2 / 3)
    assert table["PER"]["partial_f1"] == pytest.approx(0.5)


# --- relations --------------------------------------------------------------------------------

REL_GOLD = doc(
    [
        ("g1", 0, 2, "ORG", "A"),
        ("g2", 3, 5, "ORG", "A"),
        ("g3", 6, 8, "ORG", "B"),
        ("g4", 9, 11, "PER"),
        ("g5", 12, 14, "TITLE"),
    ],
    [
        ("g1", "g3", "org:partner_of", [0]),
        ("g2", "g3", "org:partner_of", [1]),  # same clusters: the same triple, evidence {0, 1}
        ("g4", "g1", "per:employee_of", [1]),
        ("g4", "g5", "per:title", [2]),
    ],
)
REL_PRED = doc(
    [
        ("p1", 3, 5, "ORG"),  # strict match of g2 -> cluster A
        ("p2", 6, 9, "ORG", "B"),  # no strict match; canonical id B -> cluster B
        ("p3", 9, 11, "PER"),  # strict match of g4 -> g4's own cluster
        ("p4", 12, 13, "TITLE"),  # matches nothing -> a cluster of its own
        ("p5", 15, 17, "ORG"),
    ],
    [
        ("p2", "p1", "org:partner_of", [0, 2]),  # symmetric: (B, A) matches gold (A, B)
        ("p3", "p1", "per:employee_of", [1]),
        ("p3", "p4", "per:title", [2]),  # wrong tail cluster
        ("p1", "p5", "org:part_of", []),
    ],
)


def test_relation_triples_use_clusters_and_symmetry():
    s = scores(relations, REL_GOLD, REL_PRED)
    # gold triples 3 (partner A-B, employee g4->A, title g4->g5); predicted 4; correct 2
    # P = 2/4, R = 2/3, F = 2 * 1/2 * 2/3 / (1/2 + 2/3) = 4/7
    assert s["precision"] == pytest.approx(0.5)
    assert s["recall"] == pytest.approx(2 / 3)
    assert s["f1"] == pytest.approx(4 / 7)
    # per type F: partner 1, employee 1, title 0, part_of 0 -> macro (1+1+0+0)/4
    assert s["macro_f1"] == pytest.approx(0.5)
    assert "ign_f1" not in s


def test_relation_evidence_f1_as_in_docred():
    s = scores(relations, REL_GOLD, REL_PRED)
    # correct evidence: partner {0,2} & {0,1} = 1, employee {1} & {1} = 1 -> 2
    # predicted evidence over all predicted triples: 2 + 1 + 1 + 0 = 4
    # gold evidence over all gold triples: 2 + 1 + 1 = 4 -> P = R = F = 1/2
    assert s["evidence_precision"] == pytest.approx(0.5)
    assert s["evidence_recall"] == pytest.approx(0.5)
    assert s["evidence_f1"] == pytest.approx(0.5)


def test_relation_ign_f1_drops_train_facts_from_precision():
    train = doc(
        [("t1", 0, 1, "ORG", "B"), ("t2", 2, 3, "ORG", "A")],
        [("t1", "t2", "org:partner_of", [])],
        id_="train1",
    )
    options = ScoringOptions(train_facts=relations.train_facts([train]))
    s = scores(relations, REL_GOLD, REL_PRED, options)
    # the correct partner triple (A, B) is a train fact: correct_in_train = 1
    # P_ign = (2 - 1) / (4 - 1) = 1/3; R = 2/3; Ign F1 = 2 * 1/3 * 2/3 / 1 = 4/9
    assert s["ign_precision"] == pytest.approx(1 / 3)
    assert s["ign_f1"] == pytest.approx(4 / 9)
    assert s["f1"] == pytest.approx(4 / 7)


def test_directed_relation_does_not_match_reversed():
    gold = doc([("g1", 0, 2, "PER"), ("g2", 3, 5, "ORG")], [("g1", "g2", "per:employee_of", [])])
    pred = doc([("p1", 0, 2, "PER"), ("p2", 3, 5, "ORG")], [("p2", "p1", "per:employee_of", [])])
    assert scores(relations, gold, pred)["f1"] == 0.0


# --- claims -----------------------------------------------------------------------------------


def claim(id_, start, end, subject=None, **fields):
    return {"id": id_, "start": start, "end": end, "subject": subject, **fields}


CLAIM_GOLD = doc(
    [("g1", 0, 2, "ORG", "A"), ("g2", 3, 5, "ORG", "A"), ("g3", 6, 8, "DATE")],
    claims_=[
        claim("c1", 10, 14, "g1", value=100, unit="원", quantity_type="MONEY", modality="ACTUAL"),
        claim(
            "c2",
            15,
            18,
            "g1",
            low=10,
            high=20,
            unit="명",
            quantity_type="COUNT",
            modality="PLANNED",
        ),
        claim("c3", 20, 23, value=5, unit="%", quantity_type="PERCENT", modality="ESTIMATE"),
        claim("c4", 24, 27, value=3),
    ],
)
CLAIM_PRED = doc(
    [("p1", 3, 5, "ORG"), ("p2", 30, 32, "ORG", "Z")],
    claims_=[
        # value within rounding, subject p1 = g2's span -> cluster A like g1
        claim(
            "k1",
            10,
            14,
            "p1",
            value=100.00000000001,
            unit="원",
            quantity_type="MONEY",
            modality="ACTUAL",
        ),
        # [18, inf) overlaps [10, 20]; wrong unit, wrong modality, subject in cluster Z
        claim("k2", 15, 18, "p2", low=18, unit="개", quantity_type="COUNT", modality="ACTUAL"),
        claim("k3", 20, 23, value=6, unit="%", quantity_type="PERCENT", modality="ESTIMATE"),
        claim("k4", 40, 43, value=1),
    ],
)


def test_claim_span_attribute_and_subject_scores():
    s = scores(claims, CLAIM_GOLD, CLAIM_PRED)
    # spans: matched k1 k2 k3 -> tp 3 of 4 predicted, 4 gold -> P = R = F = 3/4
    assert (s["span_precision"], s["span_recall"]) == (0.75, 0.75)
    assert s["span_f1"] == pytest.approx(0.75)
    # over the 3 matched: value k1 ok, k2 ok (overlap), k3 6 != 5 -> 2/3
    assert s["value_accuracy"] == pytest.approx(2 / 3)
    assert s["unit_accuracy"] == pytest.approx(2 / 3)  # 원 ok, 개 != 명, % ok
    assert s["quantity_type_accuracy"] == 1.0
    assert s["modality_accuracy"] == pytest.approx(2 / 3)  # k2 ACTUAL != PLANNED
    # subject links: gold (c1, A), (c2, A); pred (k1, A) correct, (k2, Z) wrong -> 1/2, 1/2
    assert (s["subject_precision"], s["subject_recall"], s["subject_f1"]) == (0.5, 0.5, 0.5)


def test_claim_value_tolerance_widens_gold():
    s = scores(claims, CLAIM_GOLD, CLAIM_PRED, ScoringOptions(value_rtol=0.2))
    # gold 5 widened to [4, 6] now contains k3's 6 -> 3/3
    assert s["value_accuracy"] == 1.0


@pytest.mark.parametrize(
    "gold, pred, rtol, agree",
    [
        ({"value": 2.0}, {"value": 2.0 + 1e-12}, 0.0, True),  # rounding noise
        ({"value": 2.0}, {"value": 2.001}, 0.0, False),
        ({"value": 100}, {"value": 109}, 0.1, True),  # within 10% of gold
        ({"value": 100}, {"value": 111}, 0.1, False),
        ({"low": 10}, {"value": 1e9}, 0.0, True),  # open upper bound
        ({"high": 10}, {"value": 11}, 0.0, False),
        ({"low": 1, "high": 2}, {"low": 3, "high": 4}, 0.0, False),
        ({}, {}, 0.0, True),  # neither states a number
        ({"value": 1}, {}, 0.0, False),
    ],
)
def test_values_agree(gold, pred, rtol, agree):
    assert claims.values_agree(Claim("g", 0, 1, **gold), Claim("p", 0, 1, **pred), rtol) is agree


def test_missing_prediction_scores_zero_not_error():
    empty = AnnotatedDocument(id="d1")
    for task in (entities, relations, claims):
        s = scores(task, REL_GOLD if task is relations else CLAIM_GOLD, empty)
        assert all(value == 0.0 or name == "char_f1" for name, value in s.items())
