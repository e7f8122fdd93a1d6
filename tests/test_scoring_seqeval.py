"""The BIO scorer gives exactly seqeval's numbers (default conlleval mode), on random sequences
with ill-formed starts (I- after O, type changes inside a chunk) and E-/S- tags."""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report, f1_score

from bio_report import bio_classification_report

TAGS = [
    "O",
    "O",
    "O",
    "B-PER",
    "I-PER",
    "B-ORG",
    "I-ORG",
    "I-LOC",
    "E-ORG",
    "S-LOC",
    "B-ORG-X",
    "B-",
]


def _plain(report: dict) -> dict:
    """Floats as floats, NaN comparable, supports as ints."""
    return {
        row: {
            key: (
                "nan"
                if isinstance(v, float) and math.isnan(v)
                else int(v)
                if key == "support"
                else float(v)
            )
            for key, v in values.items()
        }
        for row, values in report.items()
    }


@st.composite
def paired_sequences(draw):
    lengths = draw(st.lists(st.integers(0, 12), min_size=1, max_size=8))
    true = [draw(st.lists(st.sampled_from(TAGS), min_size=n, max_size=n)) for n in lengths]
    pred = [
        [draw(st.sampled_from(TAGS)) if draw(st.booleans()) else tag for tag in sentence]
        for sentence in true
    ]
    return true, pred


@settings(max_examples=400, deadline=None)
@given(paired_sequences())
def test_report_equals_seqeval(sequences):
    true, pred = sequences
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # seqeval warns on undefined precision
        expected = classification_report(true, pred, output_dict=True)
        expected_f1 = f1_score(true, pred)
    ours = bio_classification_report(true, pred)
    assert _plain(ours) == _plain(expected)
    assert ours["micro avg"]["f1-score"] == expected_f1


def test_hand_example_with_ill_formed_start():
    # true: PER(0..1), ORG(3..3); pred: "I-PER" after O opens a PER chunk (conlleval), ORG ok
    true = [["B-PER", "I-PER", "O", "B-ORG"]]
    pred = [["I-PER", "I-PER", "O", "B-ORG"]]
    report = bio_classification_report(true, pred)
    assert report["micro avg"]["f1-score"] == 1.0
    # a type change inside a chunk splits it: B-PER I-ORG is PER(0..0) + ORG(1..1)
    report = bio_classification_report([["B-PER", "I-PER"]], [["B-PER", "I-ORG"]])
    assert report["PER"]["precision"] == 0.0 and report["ORG"]["precision"] == 0.0


def test_rejects_unknown_tags_and_ragged_input():
    with pytest.raises(ValueError, match="unsupported tag 'X-PER'"):
        bio_classification_report([["X-PER"]], [["O"]])
    with pytest.raises(ValueError, match="same length"):
        bio_classification_report([["O", "O"]], [["O"]])
