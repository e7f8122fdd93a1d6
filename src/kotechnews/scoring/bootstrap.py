"""Bootstrap over documents: confidence intervals and a paired test between two submissions.

Every metric is a function of count totals (true positives, predicted, gold, ...) summed over
documents. A bootstrap sample draws the documents with replacement; that is the same as giving
each document a multinomial weight, so the sample totals are one matrix product
``weights @ per_document_counts`` and all samples are scored at once, vectorised.
Confidence intervals are percentile intervals. The paired test (Koehn 2004) scores both
submissions on the same samples; its one-sided p-value for "A is better than B" is the share of
samples in which A does not beat B (resolution 1/N).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

CONFIDENCE = 0.95
# Upper bound on the cells of one weight matrix, to keep memory flat for large gold sets.
_BATCH_CELLS = 2_000_000

Counts = dict[str, np.ndarray]  # count name -> (n_documents, k) array
Metrics = Callable[[Counts], dict[str, np.ndarray]]


def stack_counts(per_document: Sequence[Counts]) -> Counts:
    return {name: np.stack([counts[name] for counts in per_document]) for name in per_document[0]}


def totals(counts: Counts) -> Counts:
    return {name: values.sum(0) for name, values in counts.items()}


def resample_weights(n_documents: int, n_samples: int, seed: int) -> Iterator[np.ndarray]:
    """Batches of (samples, documents) weights: how often each document is drawn."""
    rng = np.random.default_rng(seed)
    probabilities = np.full(n_documents, 1.0 / n_documents)
    batch = max(1, _BATCH_CELLS // max(1, n_documents))
    for first in range(0, n_samples, batch):
        size = min(batch, n_samples - first)
        yield rng.multinomial(n_documents, probabilities, size=size).astype(float)


def sample_metrics(
    tables: Sequence[tuple[Counts, Metrics]], n_samples: int, seed: int
) -> list[dict[str, np.ndarray]]:
    """Metric values on the same n_samples document resamples for every (counts, metrics).

    All count tables must be over the same documents in the same order.
    """
    n_documents = len(next(iter(tables[0][0].values())))
    batches: list[list[dict[str, np.ndarray]]] = [[] for _ in tables]
    for weights in resample_weights(n_documents, n_samples, seed):
        for out, (counts, metrics) in zip(batches, tables):
            out.append(metrics({name: weights @ values for name, values in counts.items()}))
    return [
        {name: np.concatenate([batch[name] for batch in out]) for name in out[0]} for out in batches
    ]


# Below this many documents a document bootstrap says nothing: intervals are not reported.
MIN_DOCUMENTS = 5


def is_degenerate(samples: np.ndarray) -> bool:
    """Every resample gave the same value: a zero-width interval that measures nothing."""
    return bool(np.ptp(samples) == 0)


def percentile_interval(samples: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def paired_p_value(samples_a: np.ndarray, samples_b: np.ndarray) -> float:
    """One-sided p-value for "A is better than B": share of samples where A <= B."""
    return float(np.mean(samples_a <= samples_b))
