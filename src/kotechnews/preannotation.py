"""How good the pre-annotations were that contributors would have started from.

Pre-annotations are Label Studio predictions (``kotechnews ls push --predictions sklearn|quantity``)
stored before the gold existed (annotation/preannotations/). Against the gold, each entity type and
the QUANTITY spans get precision, recall and F1 by strict span match (same start, end and type).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kotechnews import schema
from kotechnews.errors import KoTechNewsError
from kotechnews.labelstudio.convert import record_from_result
from kotechnews.records import AnnotatedDocument
from kotechnews.scoring.entities import TYPES, count_document
from kotechnews.scoring.prf import per_class_table

QUANTITY = schema.QUANTITY.name


class PreannotationError(KoTechNewsError, ValueError):
    """A stored pre-annotations file that cannot be read; names the file."""


def load_preannotations(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Predictions per source (``sklearn``, ``quantity``), each keyed by document id."""
    try:
        stored = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as exc:  # not JSON, not UTF-8
        raise PreannotationError(f"{path}: not a JSON file of pre-annotations: {exc}") from None
    if not isinstance(stored, dict):
        raise PreannotationError(f"{path}: pre-annotations are a JSON object of sources")
    return {source: body for source, body in stored.items() if isinstance(body, dict)}


def preannotation_quality(
    predictions: Mapping[str, Mapping[str, Any]], gold: Sequence[AnnotatedDocument]
) -> dict[str, dict[str, float]]:
    """Strict precision/recall/F1, support and predicted count per entity type and QUANTITY, over
    the gold documents that have predictions; the entity types only if the source predicts
    entities, QUANTITY only if it predicts claims."""
    totals = {name: np.zeros(len(TYPES)) for name in ("gold", "pred", "strict_tp")}
    quantity = {"tp": 0, "pred": 0, "gold": 0}
    for doc in gold:
        if doc.id not in predictions:
            continue
        predicted = record_from_result(doc.document.task_data(), predictions[doc.id]["result"])
        counts = count_document(doc, predicted)
        for name in totals:
            totals[name] += counts[name]
        gold_spans = {(c.start, c.end) for c in doc.claims}
        predicted_spans = {(c.start, c.end) for c in predicted.claims}
        quantity["tp"] += len(gold_spans & predicted_spans)
        quantity["pred"] += len(predicted_spans)
        quantity["gold"] += len(gold_spans)
    table = per_class_table(
        [*TYPES, QUANTITY],
        np.append(totals["strict_tp"], quantity["tp"]),
        np.append(totals["pred"], quantity["pred"]),
        np.append(totals["gold"], quantity["gold"]),
    )
    # a source scores only the layers it predicts (the quantity finder marks no entities)
    names = [*(TYPES if totals["pred"].sum() else []), *([QUANTITY] if quantity["pred"] else [])]
    return {name: table[name] for name in names if name in table}
