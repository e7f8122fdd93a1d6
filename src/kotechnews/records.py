"""The annotated-document record: how gold, predictions and the dataset carry annotations.

One record per document. The same shape is the scorer's submission format (issue 7), the
dataset builder's input and what the Label Studio converter produces from an export. Offsets
are Python code-point offsets into ``text``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# What a document says about itself, carried from ingest through Label Studio task data into the
# gold records' ``meta`` and every dataset config.
DOCUMENT_METADATA: tuple[str, ...] = (
    "source_file",
    "outlet",
    "date",
    "title",
    "url",
    "license",
    "source",
)


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
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if not out["meta"]:
            del out["meta"]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AnnotatedDocument":
        return cls(
            id=data["id"],
            text=data.get("text"),
            entities=[Entity(**e) for e in data.get("entities", [])],
            relations=[Relation(**r) for r in data.get("relations", [])],
            claims=[Claim(**c) for c in data.get("claims", [])],
            meta=dict(data.get("meta", {})),
        )

    def entity(self, entity_id: str) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    def entities_by_id(self) -> dict[str, Entity]:
        """Entities by id, for lookups over a whole document (``entity`` scans the list)."""
        return {e.id: e for e in self.entities}
