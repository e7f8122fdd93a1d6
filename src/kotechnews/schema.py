"""The KoTechNews annotation schema: the single source of truth.

Entity types, relation types (with allowed head/tail types and direction), the numeric-claim
attributes and the claim links are declared here once. The Label Studio config, the dataset
features, the validator, the scorer and the baselines all read these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = "1.0.0"


@dataclass(frozen=True)
class Label:
    name: str
    en: str
    ko: str


@dataclass(frozen=True)
class EntityType(Label):
    # Mentions of one real-world thing share a canonical id (guidelines G7); TITLE and DATE
    # mentions stand alone and carry none.
    canonical_id: bool = True


@dataclass(frozen=True)
class RelationType:
    name: str
    head: tuple[str, ...]
    tail: tuple[str, ...]
    symmetric: bool
    en: str
    ko: str


ENTITY_TYPES: tuple[EntityType, ...] = (
    EntityType(
        "ORG",
        "Organisation: company, institute, university, ministry, consortium, unit of one",
        "기관·기업·대학·부처·협의체 및 그 하위 조직",
    ),
    EntityType("PER", "Person, by name", "사람 이름"),
    EntityType(
        "TITLE",
        "Job title or position next to a person (상무, 총장, 대표)",
        "직함·직위",
        canonical_id=False,
    ),
    EntityType("LOC", "Place: country, city, district, venue, facility", "지명·장소·시설"),
    EntityType(
        "PRODUCT",
        "Named product, service or AI model (기가지니, GPT-3, KoGPT-2)",
        "제품·서비스·AI 모델 이름",
    ),
    EntityType("TECH", "Technology or research field (음성인식, TTS, 초거대 AI)", "기술·연구 분야"),
    EntityType("EVENT", "Named event (AI 원팀 서밋 2022)", "이름 있는 행사"),
    EntityType(
        "DATE",
        "Date, time or period that anchors something in time (내년 상반기, 2020년 2월)",
        "날짜·시점·기간",
        canonical_id=False,
    ),
)

# The span label that carries a numeric claim; it is annotated in the same text as the entities
# but scored and released as its own task.
QUANTITY = Label(
    "QUANTITY", "Span of a numeric claim (2000억 개, 약 200명, 수백억원)", "수치 주장의 표현 범위"
)

_ANY_ENTITY = tuple(label.name for label in ENTITY_TYPES)

RELATION_TYPES: tuple[RelationType, ...] = (
    RelationType(
        "per:employee_of",
        ("PER",),
        ("ORG",),
        False,
        "Person works for, teaches at or represents the organisation",
        "소속",
    ),
    RelationType("per:title", ("PER",), ("TITLE",), False, "Person holds the title", "직함"),
    RelationType(
        "org:part_of",
        ("ORG",),
        ("ORG",),
        False,
        "Organisation is a unit or subsidiary of the other (KT 융합기술원 -> KT)",
        "하위 조직",
    ),
    RelationType(
        "org:member_of",
        ("ORG",),
        ("ORG",),
        False,
        "Organisation takes part in a consortium or alliance (LG전자 -> AI 원팀)",
        "협의체 참여",
    ),
    RelationType(
        "org:partner_of",
        ("ORG",),
        ("ORG",),
        True,
        "Organisations cooperate on stated work (agreement, joint research)",
        "협력",
    ),
    RelationType(
        "org:established_by",
        ("ORG", "EVENT"),
        ("ORG", "PER"),
        False,
        "Organisation or event is founded, set up or organised by (AI·SW 기술 연구소 -> KT)",
        "설립·주최",
    ),
    RelationType(
        "org:develops",
        ("ORG", "PER"),
        ("PRODUCT", "TECH"),
        False,
        "Organisation or person develops or researches the product or technology",
        "개발",
    ),
    RelationType(
        "org:invests_in",
        ("ORG",),
        ("ORG", "PRODUCT", "TECH", "LOC"),
        False,
        "Organisation invests money in the target",
        "투자",
    ),
    RelationType(
        "org:located_in",
        ("ORG", "EVENT"),
        ("LOC",),
        False,
        "Organisation is housed in, or event takes place at, the location",
        "위치",
    ),
    RelationType(
        "event:participant",
        ("EVENT",),
        ("ORG", "PER"),
        False,
        "Organisation or person takes part in the event",
        "행사 참여",
    ),
    RelationType(
        "tech:used_in",
        ("TECH", "PRODUCT"),
        ("PRODUCT",),
        False,
        "Technology or model is used in the product or service",
        "적용",
    ),
    RelationType(
        "org:founded_on",
        ("ORG", "EVENT"),
        ("DATE",),
        False,
        "Organisation is launched, or event held, on the date",
        "출범·개최 시점",
    ),
)

QUANTITY_TYPES: tuple[Label, ...] = (
    Label("MONEY", "Amount of money", "금액"),
    Label("COUNT", "Number of people, organisations, items, projects", "개수·인원"),
    Label("PARAMETERS", "Number of model parameters", "파라미터 수"),
    Label("PERCENT", "Percentage or percentage points", "백분율"),
    Label("DURATION", "Length of time (6개월, 3년간)", "기간"),
    Label("RANK", "Position in an ordering (1위, 1등)", "순위"),
    Label("RATIO", "Multiplier or ratio (3배)", "배수·비율"),
    Label("OTHER", "Any other measured quantity", "기타"),
)

MODALITIES: tuple[Label, ...] = (
    Label("ACTUAL", "Stated as fact, done or current", "사실·현재"),
    Label("PLANNED", "Plan, target or announced intention (계획, 예정, 목표)", "계획·목표"),
    Label("ESTIMATE", "Estimate or reported guess (추정, 파악된다, 전망)", "추정"),
    Label(
        "COMPARISON",
        "Used as a reference point for a comparison (GPT-3의 1750억 개보다)",
        "비교 기준",
    ),
)


@dataclass(frozen=True)
class ClaimLink:
    """A link from a QUANTITY span to an entity; in Label Studio it is a relation label."""

    name: str
    field: str
    tail: tuple[str, ...]
    en: str
    ko: str


CLAIM_LINKS: tuple[ClaimLink, ...] = (
    ClaimLink(
        "claim:subject", "subject", _ANY_ENTITY, "The entity the number is about", "수치의 주체"
    ),
    ClaimLink(
        "claim:time", "time", ("DATE",), "The stated time anchor of the number", "수치의 시점"
    ),
)


@dataclass(frozen=True)
class ClaimField:
    name: str
    kind: str  # "choice", "text", "number", "link", "bool"
    required: bool
    en: str
    ko: str
    normalised: bool = False  # filled in by the quantity normaliser from the span's text


# Fields of a numeric claim beyond its span, in the order they are exported.
CLAIM_FIELDS: tuple[ClaimField, ...] = (
    ClaimField("value", "number", False, "Point value, where the text gives one", "값", True),
    ClaimField(
        "low", "number", False, "Lower bound of an interval, bound or vague amount", "하한", True
    ),
    ClaimField("high", "number", False, "Upper bound", "상한", True),
    ClaimField(
        "unit", "text", True, "Canonical unit: counter or currency (개, 명, 원, %)", "단위", True
    ),
    ClaimField(
        "approximate", "bool", True, "The text marks the number as approximate", "근사", True
    ),
    ClaimField("quantity_type", "choice", True, "Kind of quantity", "수치 유형"),
    ClaimField("property", "text", True, "What is measured (파라미터 수, 상주 인원)", "측정 속성"),
    ClaimField("modality", "choice", True, "Fact, plan, estimate or comparison point", "양태"),
    ClaimField("subject", "link", True, "Entity the number is about", "주체"),
    ClaimField("time", "link", False, "DATE entity that anchors the number", "시점"),
    ClaimField(
        "override_reason",
        "text",
        False,
        "Why value/low/high/unit differ from the quantity normaliser",
        "정규화 예외 사유",
    ),
)

CLAIM_CHOICES: dict[str, tuple[Label, ...]] = {
    "quantity_type": QUANTITY_TYPES,
    "modality": MODALITIES,
}


@dataclass(frozen=True)
class Task:
    """A scored task: its records, its title and the metrics the leaderboard ranks and
    ``kotechnews compare`` tests (in ``kotechnews.scoring.<name>``)."""

    name: str
    title: str
    headline: tuple[str, ...]


TASKS: tuple[Task, ...] = (
    Task("entities", "Entities", ("strict_f1", "partial_f1", "char_f1")),
    Task("relations", "Relations", ("f1", "ign_f1", "evidence_f1")),
    Task("claims", "Numeric claims", ("span_f1", "value_accuracy", "subject_f1")),
)


def names(labels) -> list[str]:
    return [label.name for label in labels]


ENTITY_TYPE_NAMES: list[str] = names(ENTITY_TYPES)
SPAN_LABEL_NAMES: list[str] = ENTITY_TYPE_NAMES + [QUANTITY.name]
RELATION_TYPE_NAMES: list[str] = names(RELATION_TYPES)
CLAIM_LINK_NAMES: list[str] = names(CLAIM_LINKS)
QUANTITY_TYPE_NAMES: list[str] = names(QUANTITY_TYPES)
MODALITY_NAMES: list[str] = names(MODALITIES)
RELATIONS_BY_NAME: dict[str, RelationType] = {r.name: r for r in RELATION_TYPES}
CLAIM_LINKS_BY_NAME: dict[str, ClaimLink] = {c.name: c for c in CLAIM_LINKS}
CANONICAL_ID_TYPES: list[str] = [t.name for t in ENTITY_TYPES if t.canonical_id]
NORMALISED_CLAIM_FIELDS: list[str] = [f.name for f in CLAIM_FIELDS if f.normalised]
TASK_NAMES: tuple[str, ...] = tuple(names(TASKS))
TASKS_BY_NAME: dict[str, Task] = {t.name: t for t in TASKS}


def bio_labels() -> list[str]:
    """BIO tag names for the token-classification view, O first."""
    return ["O"] + [f"{prefix}-{name}" for name in ENTITY_TYPE_NAMES for prefix in ("B", "I")]


def relation_allowed(relation: str, head_type: str, tail_type: str) -> bool:
    rel = RELATIONS_BY_NAME[relation]
    if head_type in rel.head and tail_type in rel.tail:
        return True
    return rel.symmetric and tail_type in rel.head and head_type in rel.tail
