"""Document bootstrap: CIs from vectorised resampling equal scoring the resampled documents,
are seeded, and the paired test orders submissions correctly."""

from __future__ import annotations

import numpy as np
import pytest

from kotechnews.records import AnnotatedDocument, Entity
from kotechnews.scoring import entities
from kotechnews.scoring.bootstrap import (
    paired_p_value,
    percentile_interval,
    resample_weights,
    sample_metrics,
    totals,
)
from kotechnews.scoring.evaluate import Corpus, ScoringOptions, compare, count_table, score
from kotechnews.scoring.submission import Submission


def _doc(doc_id, spans):
    return AnnotatedDocument(
        id=doc_id,
        text="x" * 30,
        entities=[Entity(f"e{i}", s, e, t) for i, (s, e, t) in enumerate(spans)],
    )


GOLD = [
    _doc(f"d{i}", [(0, 3, "ORG"), (5, 9, "PER"), (10, 12, "LOC")][: 1 + i % 3]) for i in range(12)
]
# a system that finds the ORG everywhere and invents a DATE in every third document
PRED = [
    _doc(d.id, [(0, 3, "ORG")] + ([(20, 22, "DATE")] if i % 3 == 0 else []))
    for i, d in enumerate(GOLD)
]


def _submission(documents, source="pred"):
    return Submission(source, list(documents), [], len(documents))


def test_vectorised_samples_equal_scoring_the_resampled_documents():
    counts = count_table(entities, GOLD, PRED, ScoringOptions())
    samples = sample_metrics([(counts, entities.metrics)], n_samples=5, seed=3)[0]
    weights = next(resample_weights(len(GOLD), 5, seed=3))
    for row in range(5):
        picked = [i for i, times in enumerate(weights[row]) for _ in range(int(times))]
        assert len(picked) == len(GOLD)
        direct = entities.metrics(
            totals(
                count_table(
                    entities, [GOLD[i] for i in picked], [PRED[i] for i in picked], ScoringOptions()
                )
            )
        )
        for name, value in direct.items():
            assert samples[name][row] == pytest.approx(float(value), abs=1e-12)


def test_bootstrap_distribution_on_two_documents_by_hand():
    # doc A: 1 gold, predicted right; doc B: 1 gold, nothing predicted.
    # resamples {A,A} F=1 (p=1/4), {B,B} F=0 (p=1/4), {A,B} P=1 R=1/2 F=2/3 (p=1/2)
    gold = [_doc("a", [(0, 3, "ORG")]), _doc("b", [(0, 3, "ORG")])]
    pred = [_doc("a", [(0, 3, "ORG")]), _doc("b", [])]
    counts = count_table(entities, gold, pred, ScoringOptions())
    f1 = sample_metrics([(counts, entities.metrics)], n_samples=2000, seed=0)[0]["strict_f1"]
    assert set(np.round(f1, 12)) == {0.0, round(2 / 3, 12), 1.0}
    assert 0.45 < np.mean(np.isclose(f1, 2 / 3)) < 0.55
    assert percentile_interval(f1) == (0.0, 1.0)


def test_score_is_seeded_and_ci_brackets_the_estimate():
    first = score(Corpus(GOLD, "gold"), _submission(PRED), tasks=["entities"], seed=5)
    again = score(Corpus(GOLD, "gold"), _submission(PRED), tasks=["entities"], seed=5)
    other = score(Corpus(GOLD, "gold"), _submission(PRED), tasks=["entities"], seed=6)
    metric = first["tasks"]["entities"]["metrics"]["strict_f1"]
    # strict: tp 12, predicted 12 + 4 = 16, gold 4*1 + 4*2 + 4*3 = 24 -> F = 24/40
    assert metric["value"] == pytest.approx(0.6)
    assert metric["ci"] == again["tasks"]["entities"]["metrics"]["strict_f1"]["ci"]
    assert metric["ci"] != other["tasks"]["entities"]["metrics"]["strict_f1"]["ci"]
    assert metric["ci"][0] < 0.6 < metric["ci"][1]
    none = score(Corpus(GOLD, "gold"), _submission(PRED), tasks=["entities"], n_bootstrap=0)
    assert none["tasks"]["entities"]["metrics"]["strict_f1"]["ci"] is None


def test_paired_test_prefers_the_better_system():
    gold = Corpus(GOLD, "gold")
    result = compare(
        gold,
        _submission(GOLD, "perfect"),
        _submission(PRED, "partial"),
        tasks=["entities"],
        n_bootstrap=500,
        seed=1,
    )
    strict = result["tasks"]["entities"]["strict_f1"]
    assert strict["a"] == 1.0 and strict["b"] == pytest.approx(0.6)
    assert strict["delta"] == pytest.approx(0.4)
    assert strict["p_value"] == 0.0 and strict["delta_ci"][0] > 0
    reverse = compare(
        gold, _submission(PRED), _submission(GOLD), tasks=["entities"], n_bootstrap=500, seed=1
    )
    assert reverse["tasks"]["entities"]["strict_f1"]["p_value"] == 1.0
    same = compare(gold, _submission(PRED), _submission(PRED), tasks=["entities"], n_bootstrap=100)
    # A against itself: every resampled difference is 0, a degenerate distribution, not p = 1
    assert same["tasks"]["entities"]["strict_f1"]["p_value"] is None
    assert same["tasks"]["entities"]["strict_f1"]["delta_ci"] is None
    assert any(
        "entities.strict_f1: every bootstrap resample gives the same difference" in w
        for w in same["warnings"]
    )


def test_few_documents_or_a_degenerate_distribution_give_no_interval():
    few = score(Corpus(GOLD[:4], "gold"), _submission(PRED[:4]), tasks=["entities"])
    assert all(m["ci"] is None for m in few["tasks"]["entities"]["metrics"].values())
    assert any("only 4 scored document(s): fewer than 5" in w for w in few["warnings"])
    compared = compare(
        Corpus(GOLD[:4], "gold"),
        _submission(GOLD[:4]),
        _submission(PRED[:4]),
        tasks=["entities"],
        n_bootstrap=50,
    )
    assert compared["tasks"]["entities"]["strict_f1"]["p_value"] is None
    perfect = score(Corpus(GOLD, "gold"), _submission(GOLD), tasks=["entities"])
    strict = perfect["tasks"]["entities"]["metrics"]["strict_f1"]
    assert strict["value"] == 1.0 and strict["ci"] is None  # every resample scores 1.0
    assert any(
        "same value for entities." in w and "entities.strict_f1" in w for w in perfect["warnings"]
    )
    assert score(Corpus(GOLD, "gold"), _submission(PRED), tasks=["entities"])["warnings"] == []


def test_paired_p_value_counts_samples_where_a_does_not_win():
    assert paired_p_value(np.array([0.5, 0.7, 0.2, 0.9]), np.array([0.4, 0.7, 0.3, 0.1])) == 0.5


def test_compare_needs_samples_and_known_tasks():
    gold = Corpus(GOLD, "gold")
    with pytest.raises(ValueError, match="at least one sample"):
        compare(gold, _submission(PRED), _submission(PRED), n_bootstrap=0)
    with pytest.raises(ValueError, match="unknown task"):
        score(gold, _submission(PRED), tasks=["coref"])
