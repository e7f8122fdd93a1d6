"""A seqeval-compatible BIO classification report, vectorised with numpy: the peer that
bench_scoring.py times against seqeval (and tests/test_scoring_seqeval.py checks equal to it).

The scorer itself scores spans, not tag sequences (``kotechnews.scoring.entities``); this lives
with the benchmarks because only they and its test use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from kotechnews.scoring.prf import safe_divide

_O, _B, _I, _E, _S = range(5)
_LETTER = {"B": _B, "I": _I, "E": _E, "S": _S}


class _Vocabulary(dict):
    """Tag string -> consecutive id, growing on first sight (so encoding is one C-level map)."""

    def __missing__(self, key: str) -> int:
        value = self[key] = len(self)
        return value


def _encode(
    sequences: Sequence[Sequence[str]], vocabulary: _Vocabulary
) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    ids = np.fromiter(
        map(vocabulary.__getitem__, chain.from_iterable(sequences)),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    return ids, lengths


def _parse_tags(vocabulary: _Vocabulary) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Letter code and type code per tag id, parsed as seqeval does (type '_' when empty)."""
    letters = np.zeros(len(vocabulary), dtype=np.int64)
    type_ids = np.zeros(len(vocabulary), dtype=np.int64)
    type_names: _Vocabulary = _Vocabulary()
    type_names["_"]  # "O" has seqeval's placeholder type
    for tag, index in vocabulary.items():
        if tag == "O":
            continue
        if len(tag) < 2 or tag[0] not in _LETTER or tag[1] != "-":
            raise ValueError(f"unsupported tag {tag!r}: expected 'O' or B-/I-/E-/S-TYPE")
        letters[index] = _LETTER[tag[0]]
        type_ids[index] = type_names[tag[2:] or "_"]
    return letters, type_ids, list(type_names)


def _chunks(
    letter: np.ndarray, type_: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first, last, type) of every chunk, by seqeval's conlleval start/end rules, vectorised.

    Sentences are scored as if joined with an "O" between them (seqeval flattens that way).
    """
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    non_empty = lengths > 0
    firsts, lasts = offsets[:-1][non_empty], offsets[1:][non_empty] - 1
    prev_letter = np.empty_like(letter)
    prev_letter[1:] = letter[:-1]
    prev_letter[firsts] = _O
    prev_type = np.empty_like(type_)
    prev_type[1:] = type_[:-1]
    prev_type[firsts] = 0
    inside, prev_inside = letter != _O, prev_letter != _O
    type_change = prev_type != type_
    prev_closed = (prev_letter == _E) | (prev_letter == _S)
    opens = (letter == _B) | (letter == _S)
    continues = (letter == _I) | (letter == _E)
    start = opens | ((prev_closed | ~prev_inside) & continues) | (inside & type_change)
    prev_open = (prev_letter == _B) | (prev_letter == _I)
    end_before = prev_closed | (prev_open & (opens | ~inside)) | (prev_inside & type_change)
    chunk_last = np.sort(np.concatenate((np.flatnonzero(end_before) - 1, lasts[inside[lasts]])))
    chunk_first = np.flatnonzero(start)
    return chunk_first, chunk_last, type_[chunk_last]


def bio_classification_report(
    y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]
) -> dict[str, dict[str, float]]:
    """Entity-level scores of BIO(ES) tag sequences, equal to seqeval's default (conlleval) mode.

    Returns the same shape as ``seqeval.metrics.classification_report(..., output_dict=True)``:
    one row per entity type present in either input, then "micro avg", "macro avg" and
    "weighted avg", each with precision, recall, f1-score and support. Tags must be "O" or
    B-/I-/E-/S- followed by a type; ill-formed sequences (an I- after O) are chunked as
    conlleval does.
    """
    if len(y_true) != len(y_pred) or any(map(int.__ne__, map(len, y_true), map(len, y_pred))):
        raise ValueError(
            "y_true and y_pred must have the same number of sentences and the "
            "same length per sentence"
        )
    vocabulary = _Vocabulary()
    true_ids, lengths = _encode(y_true, vocabulary)
    pred_ids, _ = _encode(y_pred, vocabulary)
    letters, type_ids, type_names = _parse_tags(vocabulary)
    true_first, true_last, true_type = _chunks(letters[true_ids], type_ids[true_ids], lengths)
    pred_first, pred_last, pred_type = _chunks(letters[pred_ids], type_ids[pred_ids], lengths)
    # Chunks never share a first token, so a gold chunk is found by its first token alone.
    pred_last_at = np.full(len(true_ids), -1)
    pred_last_at[pred_first] = pred_last
    pred_type_at = np.full(len(true_ids), -1)
    pred_type_at[pred_first] = pred_type
    hit = (pred_last_at[true_first] == true_last) & (pred_type_at[true_first] == true_type)
    n_types = len(type_names)
    true_sum = np.bincount(true_type, minlength=n_types)
    pred_sum = np.bincount(pred_type, minlength=n_types)
    tp_sum = np.bincount(true_type[hit], minlength=n_types)
    present = sorted(
        (name for index, name in enumerate(type_names) if true_sum[index] or pred_sum[index])
    )
    order = [type_names.index(name) for name in present]
    return _seqeval_report(present, tp_sum[order], pred_sum[order], true_sum[order])


def _seqeval_report(
    names: list[str], tp_sum: np.ndarray, pred_sum: np.ndarray, true_sum: np.ndarray
) -> dict[str, dict[str, float]]:
    """Per-class rows and averages with seqeval's arithmetic, operation for operation."""

    def scores(tp, pred, true):
        precision = safe_divide(tp, pred)
        recall = safe_divide(tp, true)
        denominator = precision + recall
        denominator[denominator == 0.0] = 1
        return precision, recall, 2 * precision * recall / denominator

    def row(precision, recall, f1, support):
        return {
            "precision": float(precision),
            "recall": float(recall),
            "f1-score": float(f1),
            "support": int(support),
        }

    precision, recall, f1 = scores(tp_sum, pred_sum, true_sum)
    report = {
        name: row(precision[i], recall[i], f1[i], true_sum[i]) for i, name in enumerate(names)
    }
    micro = scores(np.array([tp_sum.sum()]), np.array([pred_sum.sum()]), np.array([true_sum.sum()]))
    report["micro avg"] = row(*(m[0] for m in micro), true_sum.sum())
    if not names:  # seqeval: the mean over no classes is undefined
        report["macro avg"] = row(np.nan, np.nan, np.nan, 0)
        report["weighted avg"] = row(0.0, 0.0, 0.0, 0)
        return report
    report["macro avg"] = row(*(np.average(m) for m in (precision, recall, f1)), true_sum.sum())
    if true_sum.sum() == 0:  # seqeval's case with nothing to weight by
        report["weighted avg"] = row(0.0, 0.0, 0.0, 0)
    else:
        report["weighted avg"] = row(
            *(np.average(m, weights=true_sum) for m in (precision, recall, f1)), true_sum.sum()
        )
    return report
