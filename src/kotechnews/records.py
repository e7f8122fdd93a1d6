"""The annotated-document record: how gold, predictions and the dataset carry annotations.

One record per document. The same shape is the scorer's submission format (issue 7), the
dataset builder's input and what the Label Studio converter produces from an export. Offsets
are Python code-point offsets into ``text``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from kotechnews.document import Document, Span


@dataclass
class Entity:
    id: str
    start: int
    end: int
    type: str
    text: str = ""
    canonical_id: str | None = None


@dataclass
class Relation:
    head: str  # Entity.id
    tail: str  # Entity.id
    type: str
    evidence: list[int] = field(default_factory=list)  # sentence indices


@dataclass
class Claim:
    id: str
    start: int
    end: int
    text: str = ""
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    approximate: bool = False
    quantity_type: str | None = None
    property: str | None = None
    modality: str | None = None
    subject: str | None = None  # Entity.id
    time: str | None = None  # Entity.id of a DATE
    override_reason: str | None = None


@dataclass
class AnnotatedDocument:
    id: str
    text: str | None = None
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    # The annotated document (gold carries it; a prediction may not), with id and text as above
    document: Document | None = None

    def __post_init__(self) -> None:
        if self.document is not None and (self.document.id, self.document.text) != (
            self.id,
            self.text,
        ):
            raise ValueError(f"record {self.id!r}: its document has another id or text")

    @property
    def sentences(self) -> tuple[Span, ...]:
        """The document's sentence spans; none when the record carries no document."""
        return self.document.sentences if self.document is not None else ()

    def with_annotations(self, **annotations: Any) -> AnnotatedDocument:
        """A record of the same document with other annotations (entities, relations, claims)."""
        return AnnotatedDocument(id=self.id, text=self.text, document=self.document, **annotations)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "text": self.text}
        for name in ("entities", "relations", "claims"):
            out[name] = [asdict(part) for part in getattr(self, name)]
        if self.document is not None:
            out["meta"] = self.document.record_meta()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnnotatedDocument:
        """From a JSONL record; its ``meta`` becomes the document when it holds sentence spans
        and the record its text (other keys of a submission's free-form ``meta`` are not kept)."""
        meta, text = data.get("meta"), data.get("text")
        document = (
            Document.from_record_meta(data["id"], text, meta)
            if isinstance(meta, dict) and meta.get("sentences") and isinstance(text, str)
            else None
        )
        return cls(
            id=data["id"],
            text=text,
            entities=[Entity(**e) for e in data.get("entities", [])],
            relations=[Relation(**r) for r in data.get("relations", [])],
            claims=[Claim(**c) for c in data.get("claims", [])],
            document=document,
        )

    def entity(self, entity_id: str) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    def entities_by_id(self) -> dict[str, Entity]:
        """Entities by id, for lookups over a whole document (``entity`` scans the list)."""
        return {e.id: e for e in self.entities}
