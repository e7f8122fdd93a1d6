"""Entity scoring: strict, partial and character-level.

Definitions (all micro-averaged over mentions unless named macro):

- **strict**: a predicted mention is correct when a gold mention has the same start, end and
  type. Matching is one-to-one; an exact duplicate (same start, end and type) is refused when
  the submission is validated, so it is never counted. Overlapping or nested mentions that
  differ are each scored.
- **partial** (nervaluate's "partial" credit, but type-aware): after strict matching, each
  remaining gold mention is paired greedily (both sides in (start, end) order) with the first
  remaining prediction of the same type that overlaps it by at least one character. A strict
  match earns 1, an overlap pair 0.5: P = (strict + 0.5 overlap) / predicted,
  R = (strict + 0.5 overlap) / gold.
- **macro**: the unweighted mean over entity types seen in the gold or the prediction (seqeval).
- **char** (KLUE-NER's character-level macro F1): every character of the text gets a BIO tag
  (B-TYPE on the first character of a mention, I-TYPE on the rest, O elsewhere); F1 is computed
  per B-/I- tag over all characters of all documents and averaged over every B-/I- tag of the
  schema, a tag absent from both gold and prediction counting as 1 (scikit-learn's
  ``f1_score(average="macro", zero_division=1)`` as in the KLUE baseline). Where mentions
  overlap, this view keeps the one that starts first (the longer on a tie) and drops the
  others, since a character carries one tag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from kotechnews import schema
from kotechnews.records import AnnotatedDocument, Entity
from kotechnews.scoring.prf import micro_macro, per_class_table, safe_divide

NAME = "entities"
HEADLINE = schema.TASKS_BY_NAME[NAME].headline
TYPES = schema.ENTITY_TYPE_NAMES
_TYPE_INDEX = {name: index for index, name in enumerate(TYPES)}
CHAR_TAGS = schema.bio_labels()  # "O", then B-/I- per type: tag code = index here
_CHAR_TAG_INDEX = {name: index for index, name in enumerate(CHAR_TAGS)}


def _spans(entities: Sequence[Entity]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for entity in entities:
        out.setdefault(entity.type, []).append((entity.start, entity.end))
    return out


def _match_type(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> tuple[int, int]:
    """(strict matches, overlap-only pairs) for the mentions of one type."""
    gold_left, pred_left = Counter(gold), Counter(pred)
    strict = gold_left & pred_left
    gold_left -= strict
    pred_left -= strict
    remaining = sorted(pred_left.elements())
    overlaps = 0
    for start, end in sorted(gold_left.elements()):
        for index, (p_start, p_end) in enumerate(remaining):
            if p_start < end and start < p_end:
                del remaining[index]
                overlaps += 1
                break
    return sum(strict.values()), overlaps


def char_tags(entities: Sequence[Entity], length: int) -> np.ndarray:
    """Character BIO tag codes (indices into CHAR_TAGS) for a text of this length."""
    tags = np.zeros(length, dtype=np.int64)
    for entity in sorted(entities, key=lambda e: (e.start, e.start - e.end)):
        if tags[entity.start : entity.end].any():
            continue
        tags[entity.start] = _CHAR_TAG_INDEX[f"B-{entity.type}"]
        tags[entity.start + 1 : entity.end] = _CHAR_TAG_INDEX[f"I-{entity.type}"]
    return tags


def count_document(
    gold: AnnotatedDocument, pred: AnnotatedDocument, options=None
) -> dict[str, np.ndarray]:
    """Per-type counts for one document (arrays over TYPES, or over B-/I- tags for char_*)."""
    counts = {name: np.zeros(len(TYPES)) for name in ("gold", "pred", "strict_tp", "overlap")}
    gold_spans, pred_spans = _spans(gold.entities), _spans(pred.entities)
    for type_name in set(gold_spans) | set(pred_spans):
        index = _TYPE_INDEX[type_name]
        g, p = gold_spans.get(type_name, []), pred_spans.get(type_name, [])
        counts["gold"][index], counts["pred"][index] = len(g), len(p)
        counts["strict_tp"][index], counts["overlap"][index] = _match_type(g, p)
    n_tags = len(CHAR_TAGS)
    gold_chars = char_tags(gold.entities, len(gold.text))
    pred_chars = char_tags(pred.entities, len(gold.text))
    agree = gold_chars == pred_chars
    counts["char_tp"] = np.bincount(gold_chars[agree], minlength=n_tags)[1:].astype(float)
    counts["char_fp"] = np.bincount(pred_chars[~agree], minlength=n_tags)[1:].astype(float)
    counts["char_fn"] = np.bincount(gold_chars[~agree], minlength=n_tags)[1:].astype(float)
    return counts


def metrics(totals: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = micro_macro("strict_", totals["strict_tp"], totals["pred"], totals["gold"])
    credit = totals["strict_tp"] + 0.5 * totals["overlap"]
    out.update(micro_macro("partial_", credit, totals["pred"], totals["gold"]))
    # KLUE's character F1: macro over the B-/I- tags (O excluded) that occur in the gold or the
    # prediction; a tag absent from both is not a perfect score, it is not scored.
    tp, fp, fn = totals["char_tp"], totals["char_fp"], totals["char_fn"]
    denominator = 2 * tp + fp + fn
    seen = denominator > 0
    per_tag = safe_divide(2 * tp, denominator)
    out["char_f1"] = safe_divide((per_tag * seen).sum(-1), seen.sum(-1))
    return out


def breakdown(totals: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    table = per_class_table(TYPES, totals["strict_tp"], totals["pred"], totals["gold"])
    partial = per_class_table(
        TYPES, totals["strict_tp"] + 0.5 * totals["overlap"], totals["pred"], totals["gold"]
    )
    for name, row in table.items():
        row["partial_f1"] = partial[name]["f1"]
    return table
