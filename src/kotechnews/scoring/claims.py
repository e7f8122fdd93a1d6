"""Numeric-claim scoring: span F1, attribute accuracies over matched claims, subject-link F1.

- **span**: a predicted claim matches a gold claim with the same start and end (one-to-one; a
  second claim on the same span is refused when the submission is validated). Span P/R/F1 over
  all claims.
- **value accuracy** over matched claims: each claim is an interval, ``[value, value]`` when a
  point value is given, else ``[low, high]`` with a missing bound at -inf/+inf; a claim with no
  number at all has no interval and agrees only with another such claim. The gold interval is
  widened by ``value_rtol * |bound|`` on each finite bound (default 0), plus 1e-9 relative
  (1e-9 absolute below magnitude 1) to absorb float rounding; the value is right when the
  predicted interval overlaps the widened gold interval.
- **unit / quantity_type / modality accuracy** over matched claims: exact equality (a missing
  value equals only a missing value).
- **subject-link F1**: a link is (claim span, subject cluster) for every claim with a subject;
  a predicted link is correct when a gold claim with the same span has a subject in the same
  gold entity cluster (clusters as in ``kotechnews.scoring.clusters``).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from kotechnews import schema
from kotechnews.records import AnnotatedDocument, Claim
from kotechnews.scoring.clusters import gold_clusters, predicted_clusters
from kotechnews.scoring.prf import prf, safe_divide

NAME = "claims"
HEADLINE = schema.TASKS_BY_NAME[NAME].headline
ATTRIBUTES = ("unit", "quantity_type", "modality")
ROUNDING_EPSILON = 1e-9


def interval(claim: Claim) -> tuple[float, float] | None:
    if claim.value is not None:
        return claim.value, claim.value
    if claim.low is None and claim.high is None:
        return None
    return (
        -math.inf if claim.low is None else claim.low,
        math.inf if claim.high is None else claim.high,
    )


def values_agree(gold: Claim, pred: Claim, rtol: float = 0.0) -> bool:
    gold_interval, pred_interval = interval(gold), interval(pred)
    if gold_interval is None or pred_interval is None:
        return gold_interval is None and pred_interval is None

    def slack(bound: float) -> float:
        if math.isinf(bound):
            return 0.0
        return rtol * abs(bound) + ROUNDING_EPSILON * max(1.0, abs(bound))

    low, high = gold_interval
    low, high = low - slack(low), high + slack(high)
    return pred_interval[0] <= high and low <= pred_interval[1]


def match_claims(gold: list[Claim], pred: list[Claim]) -> list[tuple[Claim, Claim]]:
    """One-to-one (gold, pred) pairs with equal spans, in document order."""
    waiting: dict[tuple[int, int], list[Claim]] = {}
    for claim in pred:
        waiting.setdefault((claim.start, claim.end), []).append(claim)
    pairs = []
    for claim in gold:
        candidates = waiting.get((claim.start, claim.end))
        if candidates:
            pairs.append((claim, candidates.pop(0)))
    return pairs


def _links(claims: list[Claim], clusters: dict[str, str]) -> Counter:
    return Counter((c.start, c.end, clusters[c.subject]) for c in claims if c.subject is not None)


def count_document(
    gold: AnnotatedDocument, pred: AnnotatedDocument, options
) -> dict[str, np.ndarray]:
    """Counts for one document (all scalars, as arrays of length 1).

    ``options.value_rtol`` is the relative tolerance of value accuracy.
    """
    pairs = match_claims(gold.claims, pred.claims)
    gold_links = _links(gold.claims, gold_clusters(gold))
    pred_links = _links(pred.claims, predicted_clusters(gold, pred))
    counts = {
        "gold": len(gold.claims),
        "pred": len(pred.claims),
        "tp": len(pairs),
        "value_correct": sum(values_agree(g, p, options.value_rtol) for g, p in pairs),
        **{
            f"{name}_correct": sum(getattr(g, name) == getattr(p, name) for g, p in pairs)
            for name in ATTRIBUTES
        },
        "subject_gold": sum(gold_links.values()),
        "subject_pred": sum(pred_links.values()),
        "subject_tp": sum((gold_links & pred_links).values()),
    }
    return {name: np.array([value], dtype=float) for name, value in counts.items()}


def metrics(totals: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    scalar = {name: value[..., 0] for name, value in totals.items()}
    out = dict(
        zip(
            ("span_precision", "span_recall", "span_f1"),
            prf(scalar["tp"], scalar["pred"], scalar["gold"]),
        )
    )
    for name in ("value", *ATTRIBUTES):
        out[f"{name}_accuracy"] = safe_divide(scalar[f"{name}_correct"], scalar["tp"])
    out.update(
        zip(
            ("subject_precision", "subject_recall", "subject_f1"),
            prf(scalar["subject_tp"], scalar["subject_pred"], scalar["subject_gold"]),
        )
    )
    return out
