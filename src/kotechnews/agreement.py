"""Inter-annotator agreement between two annotations of the same text.

Pure functions on two ``AnnotatedDocument``:

- entities agree when span and type are equal (strict);
- a relation agrees when its type is equal and its head and tail are the same entities, an entity
  being identified by its span and type or by its canonical id (two mentions of one entity are the
  same end point); symmetric relation types match in either order;
- claims agree on their span; span-matched claims agree on their value when value, low, high and
  unit are all equal.

Every F1 here is ``2 * matched / (items in a + items in b)``, 1.0 when both sides are empty.
``disagreements(a, b)`` lists what differs, item by item; an empty list means the two annotations
say the same thing (region ids aside).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from kotechnews import schema
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation

T = TypeVar("T")

# The normalised amount of a claim (its approximate flag is compared with the other fields).
VALUE_FIELDS = tuple(f.name for f in schema.CLAIM_FIELDS if f.normalised and f.kind != "bool")
# Claim fields compared by disagreements(); links are compared as entities, not ids.
CLAIM_COMPARED_FIELDS = tuple(f.name for f in schema.CLAIM_FIELDS if f.kind != "link")
CLAIM_LINK_FIELDS = tuple(link.field for link in schema.CLAIM_LINKS)


def f1(matched: int, in_a: int, in_b: int) -> float:
    return 1.0 if in_a + in_b == 0 else 2 * matched / (in_a + in_b)


@dataclass(frozen=True)
class PairAgreement:
    entity_f1: float
    relation_f1: float
    claim_span_f1: float
    claim_value_agreement: float | None  # None when no claim span is shared

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Disagreement:
    kind: str  # entity, canonical_id, relation, claim, claim_field
    where: str  # the item, readable: text, offsets, type
    a: Any  # what annotation a says (None: a has no such item)
    b: Any

    def __str__(self) -> str:
        return f"{self.kind} {self.where}: a={self.a!r} b={self.b!r}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_same_text(a: AnnotatedDocument, b: AnnotatedDocument) -> None:
    if a.text != b.text:
        raise ValueError(
            f"agreement needs two annotations of one text: documents {a.id!r} and "
            f"{b.id!r} have different texts"
        )


def _entity_key(ent: Entity) -> tuple[int, int, str]:
    return (ent.start, ent.end, ent.type)


def _same_entity(x: Entity | None, y: Entity | None) -> bool:
    if x is None or y is None:
        return x is y
    if _entity_key(x) == _entity_key(y):
        return True
    return bool(x.canonical_id) and x.canonical_id == y.canonical_id


def _max_matching(
    left: Sequence[T], right: Sequence[T], match: Callable[[T, T], bool]
) -> list[tuple[int, int]]:
    """Maximum one-to-one matching (augmenting paths); pairs of (left index, right index)."""
    partner_of_right: dict[int, int] = {}
    candidates = [[j for j, r in enumerate(right) if match(item, r)] for item in left]

    def augment(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in partner_of_right or augment(partner_of_right[j], seen):
                partner_of_right[j] = i
                return True
        return False

    for i in range(len(left)):
        augment(i, set())
    return sorted((i, j) for j, i in partner_of_right.items())


def _relation_matcher(
    a: AnnotatedDocument, b: AnnotatedDocument
) -> Callable[[Relation, Relation], bool]:
    def match(x: Relation, y: Relation) -> bool:
        if x.type != y.type:
            return False
        xh, xt, yh, yt = a.entity(x.head), a.entity(x.tail), b.entity(y.head), b.entity(y.tail)
        if _same_entity(xh, yh) and _same_entity(xt, yt):
            return True
        relation = schema.RELATIONS_BY_NAME.get(x.type)
        return (
            bool(relation and relation.symmetric) and _same_entity(xh, yt) and _same_entity(xt, yh)
        )

    return match


def _counter_f1(keys_a: list, keys_b: list) -> float:
    matched = sum((Counter(keys_a) & Counter(keys_b)).values())
    return f1(matched, len(keys_a), len(keys_b))


def entity_f1(a: AnnotatedDocument, b: AnnotatedDocument) -> float:
    """Strict entity F1: span and type equal."""
    _check_same_text(a, b)
    return _counter_f1([_entity_key(e) for e in a.entities], [_entity_key(e) for e in b.entities])


def relation_f1(a: AnnotatedDocument, b: AnnotatedDocument) -> float:
    _check_same_text(a, b)
    pairs = _max_matching(a.relations, b.relations, _relation_matcher(a, b))
    return f1(len(pairs), len(a.relations), len(b.relations))


def _claim_pairs(a: AnnotatedDocument, b: AnnotatedDocument) -> list[tuple[Claim, Claim]]:
    pairs = _max_matching(a.claims, b.claims, lambda x, y: (x.start, x.end) == (y.start, y.end))
    return [(a.claims[i], b.claims[j]) for i, j in pairs]


def claim_span_f1(a: AnnotatedDocument, b: AnnotatedDocument) -> float:
    _check_same_text(a, b)
    return f1(len(_claim_pairs(a, b)), len(a.claims), len(b.claims))


def claim_value_agreement(a: AnnotatedDocument, b: AnnotatedDocument) -> float | None:
    """Fraction of span-matched claims whose value, low, high and unit all agree."""
    _check_same_text(a, b)
    pairs = _claim_pairs(a, b)
    if not pairs:
        return None
    agreeing = sum(all(getattr(x, f) == getattr(y, f) for f in VALUE_FIELDS) for x, y in pairs)
    return agreeing / len(pairs)


def agreement(a: AnnotatedDocument, b: AnnotatedDocument) -> PairAgreement:
    return PairAgreement(
        entity_f1=entity_f1(a, b),
        relation_f1=relation_f1(a, b),
        claim_span_f1=claim_span_f1(a, b),
        claim_value_agreement=claim_value_agreement(a, b),
    )


def pooled_agreement(pairs: Sequence[tuple[AnnotatedDocument, AnnotatedDocument]]) -> PairAgreement:
    """Agreement over all items of all documents at once (micro): a long article weighs more."""
    totals = Counter()
    for a, b in pairs:
        _check_same_text(a, b)
        entity_keys = (
            Counter(_entity_key(e) for e in a.entities),
            Counter(_entity_key(e) for e in b.entities),
        )
        claims = _claim_pairs(a, b)
        totals.update(
            entity_matched=sum((entity_keys[0] & entity_keys[1]).values()),
            entity_a=len(a.entities),
            entity_b=len(b.entities),
            relation_matched=len(_max_matching(a.relations, b.relations, _relation_matcher(a, b))),
            relation_a=len(a.relations),
            relation_b=len(b.relations),
            claim_matched=len(claims),
            claim_a=len(a.claims),
            claim_b=len(b.claims),
            value_agreeing=sum(
                all(getattr(x, f) == getattr(y, f) for f in VALUE_FIELDS) for x, y in claims
            ),
        )
    return PairAgreement(
        entity_f1=f1(totals["entity_matched"], totals["entity_a"], totals["entity_b"]),
        relation_f1=f1(totals["relation_matched"], totals["relation_a"], totals["relation_b"]),
        claim_span_f1=f1(totals["claim_matched"], totals["claim_a"], totals["claim_b"]),
        claim_value_agreement=(
            totals["value_agreeing"] / totals["claim_matched"] if totals["claim_matched"] else None
        ),
    )


def _describe_span(text: str, start: int, end: int) -> str:
    return f"{text!r} [{start},{end})"


def _describe_entity(ent: Entity | None) -> str | None:
    if ent is None:
        return None
    return f"{_describe_span(ent.text, ent.start, ent.end)} {ent.type}"


def _describe_relation(doc: AnnotatedDocument, rel: Relation) -> str:
    head = _describe_entity(doc.entity(rel.head)) or f"region {rel.head}"
    tail = _describe_entity(doc.entity(rel.tail)) or f"region {rel.tail}"
    return f"{head} -{rel.type}-> {tail}"


def disagreements(a: AnnotatedDocument, b: AnnotatedDocument) -> list[Disagreement]:
    """Every item on which the two annotations differ; empty when they agree entirely."""
    _check_same_text(a, b)
    found: list[Disagreement] = []

    # Entities, by span: a differing type on the same span is one disagreement, not two.
    spans_a = {(e.start, e.end): e for e in a.entities}
    spans_b = {(e.start, e.end): e for e in b.entities}
    for span in sorted(spans_a.keys() | spans_b.keys()):
        ea, eb = spans_a.get(span), spans_b.get(span)
        ent = ea or eb
        where = _describe_span(ent.text, *span)
        if ea is None or eb is None or ea.type != eb.type:
            found.append(Disagreement("entity", where, ea and ea.type, eb and eb.type))
        elif (ea.canonical_id or None) != (eb.canonical_id or None):
            found.append(
                Disagreement("canonical_id", f"{where} {ea.type}", ea.canonical_id, eb.canonical_id)
            )

    matched = _max_matching(a.relations, b.relations, _relation_matcher(a, b))
    matched_a, matched_b = {i for i, _ in matched}, {j for _, j in matched}
    for i, rel in enumerate(a.relations):
        if i not in matched_a:
            found.append(Disagreement("relation", _describe_relation(a, rel), rel.type, None))
    for j, rel in enumerate(b.relations):
        if j not in matched_b:
            found.append(Disagreement("relation", _describe_relation(b, rel), None, rel.type))

    pairs = _claim_pairs(a, b)
    paired_a = {id(x) for x, _ in pairs}
    paired_b = {id(y) for _, y in pairs}
    for claim in a.claims:
        if id(claim) not in paired_a:
            found.append(
                Disagreement(
                    "claim",
                    _describe_span(claim.text, claim.start, claim.end),
                    schema.QUANTITY.name,
                    None,
                )
            )
    for claim in b.claims:
        if id(claim) not in paired_b:
            found.append(
                Disagreement(
                    "claim",
                    _describe_span(claim.text, claim.start, claim.end),
                    None,
                    schema.QUANTITY.name,
                )
            )
    for x, y in pairs:
        where = _describe_span(x.text, x.start, x.end)
        for name in CLAIM_COMPARED_FIELDS:
            if getattr(x, name) != getattr(y, name):
                found.append(
                    Disagreement(
                        "claim_field", f"{where} {name}", getattr(x, name), getattr(y, name)
                    )
                )
        for name in CLAIM_LINK_FIELDS:
            linked_a = a.entity(getattr(x, name)) if getattr(x, name) else None
            linked_b = b.entity(getattr(y, name)) if getattr(y, name) else None
            if not _same_entity(linked_a, linked_b):
                found.append(
                    Disagreement(
                        "claim_field",
                        f"{where} {name}",
                        _describe_entity(linked_a),
                        _describe_entity(linked_b),
                    )
                )
    return found
