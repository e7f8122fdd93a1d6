"""Precision, recall and F1 from counts, vectorised over any leading (bootstrap) axes.

A ratio with a zero denominator is 0, as in seqeval's and scikit-learn's default
``zero_division`` behaviour, so an empty prediction scores 0 rather than failing.
"""

from __future__ import annotations

import numpy as np


def safe_divide(numerator, denominator) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.zeros(np.broadcast_shapes(numerator.shape, denominator.shape))
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def prf(tp, n_pred, n_gold) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 (elementwise)."""
    precision = safe_divide(tp, n_pred)
    recall = safe_divide(tp, n_gold)
    return precision, recall, f1_from(precision, recall)


def f1_from(precision, recall) -> np.ndarray:
    return safe_divide(2 * precision * recall, precision + recall)


def micro_macro(prefix: str, tp, n_pred, n_gold) -> dict[str, np.ndarray]:
    """Micro and macro P/R/F1 from per-class counts on the last axis.

    Macro averages over the classes that occur in the gold or the prediction (seqeval's rule),
    so a class absent from both does not pull the mean down.
    """
    tp, n_pred, n_gold = (np.asarray(a, dtype=float) for a in (tp, n_pred, n_gold))
    micro = prf(tp.sum(-1), n_pred.sum(-1), n_gold.sum(-1))
    per_class = prf(tp, n_pred, n_gold)
    present = (n_pred + n_gold) > 0
    n_present = present.sum(-1)
    macro = [safe_divide((values * present).sum(-1), n_present) for values in per_class]
    names = ("precision", "recall", "f1")
    out = {f"{prefix}{name}": value for name, value in zip(names, micro)}
    out.update({f"{prefix}macro_{name}": value for name, value in zip(names, macro)})
    return out


def per_class_table(class_names, tp, n_pred, n_gold) -> dict[str, dict[str, float]]:
    """Per-class P/R/F1 and support for classes seen in gold or prediction."""
    precision, recall, f1 = prf(tp, n_pred, n_gold)
    return {
        name: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(n_gold[i]),
            "predicted": int(n_pred[i]),
        }
        for i, name in enumerate(class_names)
        if n_gold[i] or n_pred[i]
    }
