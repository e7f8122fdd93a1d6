"""Annotation worksheets: how annotators write gold without typing offsets.

A worksheet lists, sentence by sentence, the mentions in reading order; code finds each mention in its
sentence after the previous one, so offsets are computed, never typed. Relations and claim links name
their ends by canonical id (or, for TITLE/DATE mentions, by surface) and the sentence(s) that state
them. ``compile_worksheet`` turns a worksheet plus the ingested document into an AnnotatedDocument;
``gold_export`` wraps it as a Label Studio JSON export, the format contributors' exports arrive in.

Format (JSON)::

    {"source_file": "000_....txt", "annotator": "annotator-a", "annotated_at": "2026-11-24T23:50:00Z",
     "sentences": {"0": [["KT", "ORG", "KT"], ["상무", "TITLE"],
                         {"q": "약 200명", "type": "COUNT", "property": "상주 인원",
                          "modality": "PLANNED", "subject": "KT", "time": "연내"}]},
     "relations": [["장두성", "per:title", "상무", [3]]],
     "exclusions": [[5, "1차로", "N3"]]}

A claim may add ``"override": {"low": 2e11, ...}`` with ``"override_reason"`` where the normaliser's
reading of the span is not what the text means (guidelines 4.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kotechnews import schema
from kotechnews.document import Document
from kotechnews.errors import KoTechNewsError
from kotechnews.labelstudio import convert
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation

CLAIM_OVERRIDABLE = tuple(schema.NORMALISED_CLAIM_FIELDS)


class WorksheetError(KoTechNewsError, ValueError):
    """A worksheet entry that cannot be placed in the text; names file, sentence and entry."""


@dataclass
class Mention:
    sentence: int
    start: int
    end: int
    label: str
    ref: str  # canonical id, or the surface for mentions without one
    record: Entity | Claim


@dataclass
class _Compiler:
    source: str
    text: str
    sentences: list[tuple[int, int]]
    mentions: list[Mention] = field(default_factory=list)

    def fail(self, where: str, message: str) -> None:
        raise WorksheetError(f"{self.source}: {where}: {message}")

    def place(self, sentence: int, surface: str, cursor: int, where: str) -> tuple[int, int]:
        start_limit, end_limit = self.sentences[sentence]
        found = self.text.find(surface, cursor, end_limit)
        if found < 0 or not surface:
            context = self.text[cursor:end_limit]
            self.fail(
                where,
                f"{surface!r} not found after offset {cursor} in sentence {sentence}: {context!r}",
            )
        return found, found + len(surface)

    def resolve(
        self,
        ref: str,
        sentences: list[int],
        near: int,
        where: str,
        *,
        after: int | None = None,
        preceding: bool = False,
    ) -> Mention:
        """The mention named by ref (canonical id or surface) in the given sentences.

        Among several, the first one starting at or after ``after`` wins when given (a title
        follows its person: guidelines R1), else the one nearest to offset ``near``. With
        ``preceding``, a ref absent from the sentences falls back to the nearest mention before
        ``near`` in the document (claim subjects: guidelines S1).
        """
        candidates = [
            m
            for m in self.mentions
            if m.label != schema.QUANTITY.name and (m.ref == ref or m.record.text == ref)
        ]
        in_sentences = [m for m in candidates if m.sentence in sentences]
        following = [m for m in in_sentences if after is not None and m.start >= after]
        if following:
            return min(following, key=lambda m: m.start)
        if in_sentences:
            return min(in_sentences, key=lambda m: abs(m.start - near))
        earlier = [m for m in candidates if m.start < near]
        if preceding and earlier:
            return max(earlier, key=lambda m: m.start)
        return self.fail(
            where,
            f"no mention {ref!r} in sentence(s) {sentences}"
            + (" or before it" if preceding else ""),
        )


def compile_worksheet(
    sheet: dict[str, Any], document: Document
) -> tuple[AnnotatedDocument, list[dict[str, Any]]]:
    """The annotated document and its number exclusions (doc_id, start, end, text, rule)."""
    from kotechnews.quantity import parse_quantity

    source = sheet.get("source_file", "?")
    sentences = list(document.sentences)
    comp = _Compiler(source, document.text, sentences)
    doc = AnnotatedDocument(id=document.id, text=document.text, document=document)
    pending_links: list[tuple[Claim, dict[str, Any], int, str]] = []
    for key, entries in sorted(sheet.get("sentences", {}).items(), key=lambda kv: int(kv[0])):
        index = int(key)
        if not 0 <= index < len(sentences):
            comp.fail(f"sentence {key}", f"the document has {len(sentences)} sentences")
        cursor = sentences[index][0]
        for number, entry in enumerate(entries):
            where = f"sentence {index} entry {number}"
            if isinstance(entry, dict):
                start, end = comp.place(index, entry.get("q", ""), cursor, where)
                claim = _claim(
                    entry,
                    f"q{len(doc.claims) + 1}",
                    start,
                    end,
                    comp.text,
                    parse_quantity,
                    comp,
                    where,
                )
                doc.claims.append(claim)
                comp.mentions.append(Mention(index, start, end, schema.QUANTITY.name, "", claim))
                pending_links.append((claim, entry, index, where))
            else:
                surface, label, *rest = entry
                if label not in schema.ENTITY_TYPE_NAMES:
                    comp.fail(where, f"unknown entity type {label!r}")
                start, end = comp.place(index, surface, cursor, where)
                cid = rest[0] if rest else None
                ent = Entity(
                    id=f"e{len(doc.entities) + 1}",
                    start=start,
                    end=end,
                    type=label,
                    text=surface,
                    canonical_id=cid,
                )
                doc.entities.append(ent)
                comp.mentions.append(Mention(index, start, end, label, cid or surface, ent))
            cursor = end
    for claim, entry, index, where in pending_links:
        for link in schema.CLAIM_LINKS:
            ref = entry.get(link.field)
            if ref:
                mention = comp.resolve(ref, [index], claim.start, where, preceding=True)
                setattr(claim, link.field, mention.record.id)
    for number, (head_ref, label, tail_ref, evidence) in enumerate(sheet.get("relations", [])):
        where = f"relation {number} ({head_ref} {label} {tail_ref})"
        if label not in schema.RELATIONS_BY_NAME:
            comp.fail(where, f"unknown relation type {label!r}")
        evidence = [evidence] if isinstance(evidence, int) else list(evidence)
        head = comp.resolve(head_ref, evidence, sentences[evidence[0]][0], where)
        tail = comp.resolve(tail_ref, evidence, head.start, where, after=head.end)
        doc.relations.append(
            Relation(
                head=head.record.id,
                tail=tail.record.id,
                type=label,
                evidence=sorted({head.sentence, tail.sentence}),
            )
        )
    exclusions = []
    for number, (index, surface, rule) in enumerate(sheet.get("exclusions", [])):
        start, end = comp.place(index, surface, sentences[index][0], f"exclusion {number}")
        exclusions.append(
            {"doc_id": doc.id, "start": start, "end": end, "text": surface, "rule": rule}
        )
    return doc, exclusions


def _claim(
    entry: dict[str, Any],
    claim_id: str,
    start: int,
    end: int,
    text: str,
    parse_quantity,
    comp: _Compiler,
    where: str,
) -> Claim:
    surface = text[start:end]
    override = entry.get("override", {})
    unknown = set(override) - set(CLAIM_OVERRIDABLE)
    if unknown:
        comp.fail(where, f"override may set {CLAIM_OVERRIDABLE}, not {sorted(unknown)}")
    if override and not entry.get("override_reason"):
        comp.fail(where, "an override needs an override_reason")
    try:
        normalised = parse_quantity(surface).to_dict()
    except ValueError as exc:  # QuantityError
        if not entry.get("override_reason"):
            comp.fail(where, f"the normaliser cannot read {surface!r} ({exc}); add an override")
        normalised = {}
    values = {name: override.get(name, normalised.get(name)) for name in CLAIM_OVERRIDABLE}
    return Claim(
        id=claim_id,
        start=start,
        end=end,
        text=surface,
        value=values["value"],
        low=values["low"],
        high=values["high"],
        unit=values["unit"],
        approximate=bool(values["approximate"]),
        quantity_type=entry.get("type"),
        property=entry.get("property"),
        modality=entry.get("modality"),
        override_reason=entry.get("override_reason"),
    )


def gold_export(
    doc: AnnotatedDocument,
    annotator: str,
    annotated_at: str,
    task_id: int,
) -> list[dict[str, Any]]:
    """A Label Studio JSON export (one task, one ground-truth annotation) for the gold."""
    return [
        {
            "id": task_id,
            "data": doc.document.task_data(),
            "annotations": [
                {
                    "id": task_id,
                    "completed_by": {"email": annotator},
                    "result": convert.result_from_record(doc),
                    "ground_truth": True,
                    "was_cancelled": False,
                    "created_at": annotated_at,
                    "updated_at": annotated_at,
                    "lead_time": None,
                }
            ],
            "predictions": [],
        }
    ]
