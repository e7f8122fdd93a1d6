"""The dataset card (README.md with YAML metadata) and the licence notice of the Hub repo."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from datasets import ClassLabel, DatasetInfo, List, SplitDict, SplitInfo, Value
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData

from kotechnews import schema
from kotechnews.hfdataset import stats as statistics
from kotechnews.hfdataset.features import CONFIG_NAMES, FEATURES
from kotechnews.licences import is_openly_licensed
from kotechnews.records import AnnotatedDocument
from kotechnews.splits import (
    MIN_SHINGLES,
    NEAR_DUPLICATE_CONTAINMENT,
    REST_SHARES,
    SHINGLE,
    SPLIT_NAMES,
    TEST_MAX_SHARE,
    TEST_MINIMUM,
)

DEFAULT_CONFIG = "documents"
LICENSE_NAME = "kotechnews-annotations-cc-by-4.0-text-per-document"
GATED_PROMPT = (
    "Some article texts in KoTechNews (source seed_scrape) are copyrighted by their news outlets "
    "and are shared for non-commercial research only; the Wikinews texts are CC BY 2.5 and the "
    "annotations CC BY 4.0. By requesting access you agree to use the seed texts for research "
    "only and not to redistribute them."
)
# Hub licence ids of the public build: annotations, and the Wikinews texts
PUBLIC_LICENSES = ["cc-by-4.0", "cc-by-2.5"]
WIKINEWS_ATTRIBUTION = "Korean Wikinews contributors (ko.wikinews.org)"
CC_BY_25 = "https://creativecommons.org/licenses/by/2.5/"
# Cited when no author list is configured: no person is named who has not agreed to be.
DEFAULT_AUTHOR = "KoTechNews contributors"
# The card settings the gold does not determine, read by `kotechnews build` and `release`.
CONTACT_ENV = "KOTECHNEWS_CONTACT"
AUTHORS_ENV = "KOTECHNEWS_AUTHORS"  # names separated by ";"
LEADERBOARD_ENV = "KOTECHNEWS_LEADERBOARD_URL"
# The leaderboard when none is hosted: leaderboard/ beside dataset/ in the project checkout.
PROJECT_LEADERBOARD = "../leaderboard/LEADERBOARD.md"
# Data instances: longer strings and lists are cut, marked by an ELLIPSIS item or suffix; a URL is
# an identifier and stays whole.
INSTANCE_CHARS = 160
INSTANCE_ITEMS = 3
UNCUT_FIELDS = frozenset({"url"})
ELLIPSIS = "…"
JSON_WIDTH = 100

CONFIG_DOCS = {
    "documents": "The clean article text with sentence and paragraph spans, its split and fold.",
    "entities": f"Entity mentions ({len(schema.ENTITY_TYPES)} types, with cross-document "
    "canonical ids) and a character-level BIO token-classification view.",
    "relations": "Directed document-level relations between entity mentions, with evidence "
    "sentences.",
    "numeric_claims": "Numeric claims: the quantity span, its normalised value, unit, type, "
    "measured property, modality, subject and time anchor.",
}
FIELD_DOCS = {
    "id": "Document id (`ktn-` + 16 hex digits); the key that joins the configs.",
    "source_file": "File name of the raw file the text was cleaned from.",
    "url": "The page the text was taken from (Wikinews article URL); null for the seed scrapes.",
    "license": "Licence of the article text: `CC BY 2.5` (Wikinews) or research-only (seeds).",
    "source": "`wikinews` (Korean Wikinews, CC BY 2.5) or `seed_scrape` (news-page scrapes, "
    "text copyrighted by the outlet).",
    "outlet": "News outlet.",
    "date": "Publication date as given by the article.",
    "title": "Headline.",
    "text": "Clean article text; every offset is a code-point offset into it.",
    "sentences": "Sentence spans (Kiwi), never crossing a paragraph; `evidence` indexes them.",
    "paragraphs": "Newline-separated paragraph spans.",
    "split": "train, validation or test (see Splits).",
    "fold": "Cross-validation fold (0-4) of a train/validation document; -1 for test.",
    "entities": "Mentions: `id` (unique in the document), `start`, `end`, `text`, `type`, "
    "`canonical_id` (one id per real-world entity across the corpus; null for TITLE "
    "and DATE).",
    "tokens": "Every non-whitespace character of `text`, in order.",
    "token_offsets": "`start`/`end` of each token in `text`.",
    "ner_tags": "BIO tag of each token.",
    "relations": "`head` and `tail` entity ids (with their canonical ids), `type`, `evidence` "
    "sentence indices.",
    "claims": "`id`, span (`start`, `end`, `text`) and the claim fields below.",
}


@dataclass(frozen=True)
class SplitFile:
    config: str
    split: str
    path: str  # relative to the dataset root
    num_examples: int
    num_bytes: int


@dataclass(frozen=True)
class CardSettings:
    """What the card says that the gold does not determine.

    ``contact``: an http(s) URL or an e-mail address for problems and corrections; None means the
    Community tab of the Hub repo, which every Hub repo has. ``authors``: the names cited; empty
    means "KoTechNews contributors". ``leaderboard_url``: a hosted leaderboard; None means the
    leaderboard files of the project repository. ``release_date``: the date cited; None means the
    date of the version's CHANGELOG.md entry.
    """

    contact: str | None = None
    authors: tuple[str, ...] = ()
    leaderboard_url: str | None = None
    release_date: date | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> CardSettings:
        authors = tuple(
            name.strip() for name in environ.get(AUTHORS_ENV, "").split(";") if name.strip()
        )
        return cls(
            contact=environ.get(CONTACT_ENV) or None,
            authors=authors,
            leaderboard_url=environ.get(LEADERBOARD_ENV) or None,
        )


HTTP_URL = re.compile(r"https?://[^\s<>]+")
EMAIL = re.compile(r"[^@\s<>()]+@[^@\s<>()]+\.[A-Za-z]{2,}")


def card_settings_problems(settings: CardSettings) -> list[str]:
    """What is wrong with the settings, each naming the setting and its environment variable."""
    problems = []
    if settings.contact is not None and not (
        HTTP_URL.fullmatch(settings.contact) or EMAIL.fullmatch(settings.contact)
    ):
        problems.append(
            f"contact ({CONTACT_ENV}) {settings.contact!r} is neither an http(s) URL "
            "nor an e-mail address"
        )
    if settings.leaderboard_url is not None and not HTTP_URL.fullmatch(settings.leaderboard_url):
        problems.append(
            f"leaderboard URL ({LEADERBOARD_ENV}) {settings.leaderboard_url!r} is not "
            "an http(s) URL"
        )
    for name in settings.authors:
        if not name.strip() or set(name) & set("{}\\\n"):
            problems.append(
                f"author ({AUTHORS_ENV}) {name!r} is empty or has a character BibTeX "
                "cannot take ({, }, \\, newline)"
            )
    return problems


def hub_url(repo_id: str) -> str:
    return f"https://huggingface.co/datasets/{repo_id}"


def contact_link(settings: CardSettings, repo_id: str) -> str:
    if settings.contact is None:
        discussions = f"{hub_url(repo_id)}/discussions"
        return f"the Community tab of this dataset's Hub repository, <{discussions}>"
    if EMAIL.fullmatch(settings.contact):
        return f"<mailto:{settings.contact}>"
    return f"<{settings.contact}>"


def data_path(config: str, split: str) -> str:
    return f"data/{config}/{split}.parquet"


def card_metadata(
    version: str, files: Sequence[SplitFile], public: bool = False
) -> DatasetCardData:
    licence = (
        {"license": PUBLIC_LICENSES}
        if public
        else {
            "license": "other",
            "license_name": LICENSE_NAME,
            "license_link": "LICENSE.md",
            "extra_gated_prompt": GATED_PROMPT,
        }
    )
    card = DatasetCardData(
        pretty_name="KoTechNews" + (" (open part)" if public else ""),
        version=version,
        **licence,
        language=["ko"],
        multilinguality=["monolingual"],
        # the annotators were language-model agents (see the datasheet)
        annotations_creators=["machine-generated"],
        language_creators=["found"],
        source_datasets=["original"],
        task_categories=["token-classification", "text-classification"],
        task_ids=["named-entity-recognition", "multi-class-classification"],
        size_categories=["n<1K"],
        tags=[
            "information-extraction",
            "relation-extraction",
            "numeric-claims",
            "news",
            "technology",
        ],
    )
    MetadataConfigs(
        {
            config: {
                "data_files": [
                    {"split": f.split, "path": f.path} for f in files if f.config == config
                ],
                **({"default": True} if config == DEFAULT_CONFIG else {}),
            }
            for config in CONFIG_NAMES
        }
    ).to_dataset_card_data(card)
    infos = {}
    for config in CONFIG_NAMES:
        split_dict = SplitDict()
        for f in files:
            if f.config == config:
                split_dict.add(
                    SplitInfo(name=f.split, num_bytes=f.num_bytes, num_examples=f.num_examples)
                )
        infos[config] = DatasetInfo(
            features=FEATURES[config],
            splits=split_dict,
            dataset_size=sum(s.num_bytes for s in split_dict.values()),
        )
    DatasetInfosDict(infos).to_dataset_card_data(card)
    return card


def feature_type(feature) -> str:
    """A short human-readable type: ``list<struct>``, ``ClassLabel(8)``, ``int32``."""
    if isinstance(feature, List):
        return f"list<{feature_type(feature.feature)}>"
    if isinstance(feature, dict):
        return "struct{" + ", ".join(feature) + "}"
    if isinstance(feature, ClassLabel):
        return f"ClassLabel({feature.num_classes})"
    if isinstance(feature, Value):
        return feature.dtype
    return type(feature).__name__


def fields_section() -> str:
    parts = []
    for config in CONFIG_NAMES:
        rows = [
            f"| `{name}` | {feature_type(feature)} | {FIELD_DOCS[name]} |"
            for name, feature in FEATURES[config].items()
        ]
        parts.append(
            f"### `{config}`\n\n{CONFIG_DOCS[config]}\n\n| field | type | meaning |\n"
            "|---|---|---|\n" + "\n".join(rows)
        )
    claim_rows = [
        f"| `{f.name}` | {f.kind} | {'yes' if f.required else 'no'} | {f.en} |"
        for f in schema.CLAIM_FIELDS
    ]
    parts.append(
        "Claim fields (from `kotechnews.schema.CLAIM_FIELDS`; a link field gives the "
        "entity id, plus `<field>_canonical_id` and `<field>_text`):\n\n"
        "| field | kind | required | meaning |\n|---|---|---|---|\n" + "\n".join(claim_rows)
    )
    return "\n\n".join(parts)


def labels_section() -> str:
    def table(title: str, labels) -> str:
        rows = "\n".join(f"| `{label.name}` | {label.en} | {label.ko} |" for label in labels)
        return f"**{title}**\n\n| label | meaning | 한국어 |\n|---|---|---|\n{rows}"

    relation_rows = "\n".join(
        f"| `{r.name}` | {'/'.join(r.head)} | {'/'.join(r.tail)} | {'yes' if r.symmetric else 'no'} "
        f"| {r.en} |"
        for r in schema.RELATION_TYPES
    )
    return "\n\n".join(
        [
            table("Entity types", schema.ENTITY_TYPES),
            "**Relation types**\n\n| label | head | tail | symmetric | meaning |\n|---|---|---|---|---|\n"
            + relation_rows,
            table("Quantity types (`quantity_type`)", schema.QUANTITY_TYPES),
            table("Modalities (`modality`)", schema.MODALITIES),
        ]
    )


def sources_table(records: Sequence[AnnotatedDocument], splits: Mapping[str, str]) -> str:
    """Documents per source and split, with the licence of their text."""
    rows = []
    for source in sorted({doc.document.source or "unknown" for doc in records}):
        docs = [doc for doc in records if (doc.document.source or "unknown") == source]
        licences = ", ".join(sorted({doc.document.license or "unknown" for doc in docs}))
        counts = " | ".join(
            str(sum(splits[doc.id] == name for doc in docs)) for name in SPLIT_NAMES
        )
        chars = sum(len(doc.text or "") for doc in docs)
        rows.append(f"| `{source}` | {len(docs)} | {counts} | {chars:,} | {licences} |")
    head = " | ".join(SPLIT_NAMES)
    return (
        f"| source | documents | {head} | characters | text licence |\n"
        f"|---|---:|{'---:|' * len(SPLIT_NAMES)}---:|---|\n" + "\n".join(rows)
    )


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def markdown_text(text: str) -> str:
    """Text shown literally in Markdown (and in a table cell)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def link_target(url: str) -> str:
    """The URL as a Markdown link destination: characters that would end it percent-encoded."""
    return quote(url, safe=":/?#@!$&'*+,;=%~[]-._")


def date_cell(doc: AnnotatedDocument) -> str:
    return markdown_text(doc.document.date or "") or "–"


def article_cell(doc: AnnotatedDocument) -> str:
    """The title linked to the article's page."""
    url = doc.document.url
    title = markdown_text(doc.document.title or url or doc.id)
    return f"[{title}]({link_target(url)})" if url else f"{title} (no URL recorded)"


def dates_note(docs: Sequence[AnnotatedDocument]) -> str:
    """'2010-2023', or how many are dated when some are not: '1 of 5 dated: 2021'."""
    dates = [doc.document.date for doc in docs if doc.document.date]
    years = sorted({d[:4] for d in dates})
    span = "" if not years else years[0] if years[0] == years[-1] else f"{years[0]}-{years[-1]}"
    if len(dates) == len(docs):
        return span
    return f"{len(dates)} of {len(docs)} dated" + (f": {span}" if span else "")


def attribution_section(records: Sequence[AnnotatedDocument], splits: Mapping[str, str]) -> str:
    """Every source text with its attribution: each Wikinews article (title, URL, authors, licence
    as CC BY 2.5 requires) and each seed article's outlet."""
    wikinews = [doc for doc in records if doc.document.source == "wikinews"]
    seeds = [doc for doc in records if doc.document.source == "seed_scrape"]
    others = [doc for doc in records if doc not in wikinews and doc not in seeds]
    parts = []
    if wikinews:
        rows = "\n".join(
            f"| `{doc.id}` | {splits[doc.id]} | {date_cell(doc)} | {article_cell(doc)} |"
            for doc in wikinews
        )
        parts.append(f"""### Wikinews articles (CC BY 2.5)

The texts of the {len(wikinews)} documents with `source` = `wikinews` are technology articles of
Korean Wikinews ({dates_note(wikinews)}), text as collected in 2023, title and date from the page.
Authors: {WIKINEWS_ATTRIBUTION}. Licence: [CC BY 2.5]({CC_BY_25}). Changes: wiki markup and
footnote markers removed, nothing else (`annotation/CLEANING.md` in the project repository). Each
article, linked to its source page (also in every config's `url` field):

| document | split | date | article |
|---|---|---|---|
{rows}""")
    if seeds:
        outlets = sorted({doc.document.outlet or "unknown outlet" for doc in seeds})
        rows = "\n".join(
            f"| `{doc.id}` | {splits[doc.id]} | {date_cell(doc)} | "
            f"{markdown_text(doc.document.outlet or 'unknown outlet')} |"
            for doc in seeds
        )
        parts.append(f"""### Seed articles (research use only)

The texts of the {len(seeds)} documents with `source` = `seed_scrape` are news pages
({dates_note(seeds)}) about KT's "AI 원팀" and hyperscale AI from {len(outlets)} outlets
({", ".join(markdown_text(o) for o in outlets)}), cleaned from page scrapes
(`annotation/CLEANING.md` in the project repository). Their texts are © the outlets and are
included for non-commercial research only (see [LICENSE.md](LICENSE.md)); they have no `url`.

| document | split | date | outlet |
|---|---|---|---|
{rows}""")
    if others:
        sources = sorted({doc.document.source or "unknown" for doc in others})
        parts.append(
            f"{len(others)} documents of other sources ({', '.join(sources)}): see each "
            "document's `license` and `url`."
        )
    return "\n\n".join(parts)


def example_document(
    records: Sequence[AnnotatedDocument], splits: Mapping[str, str]
) -> AnnotatedDocument:
    """The document whose rows the card shows: the shortest openly licensed test document with an
    entity, a relation and a claim (falling back in that order), so both editions show the same."""
    return min(
        records,
        key=lambda doc: (
            not is_openly_licensed(doc),
            splits[doc.id] != "test",
            not (doc.entities and doc.relations and doc.claims),
            len(doc.text or ""),
            doc.id,
        ),
    )


def shortened(value, path: str, cuts: list[str]):
    """The value with strings over INSTANCE_CHARS characters and lists over INSTANCE_ITEMS items
    cut and marked by ELLIPSIS; each cut is listed in cuts."""
    if isinstance(value, str) and len(value) > INSTANCE_CHARS and path not in UNCUT_FIELDS:
        cuts.append(f"`{path}`: first {INSTANCE_CHARS} of {len(value):,} characters")
        return value[:INSTANCE_CHARS] + ELLIPSIS
    if isinstance(value, list):
        items = [
            shortened(item, f"{path}[{i}]", cuts) for i, item in enumerate(value[:INSTANCE_ITEMS])
        ]
        if len(value) > INSTANCE_ITEMS:
            cuts.append(f"`{path}`: first {INSTANCE_ITEMS} of {len(value):,} items")
            items.append(ELLIPSIS)
        return items
    if isinstance(value, dict):
        return {
            key: shortened(item, f"{path}.{key}" if path else key, cuts)
            for key, item in value.items()
        }
    return value


def compact_json(value, indent: int = 0) -> str:
    """JSON with every value that fits in JSON_WIDTH columns on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if indent + len(flat) <= JSON_WIDTH or not isinstance(value, (dict, list)) or not value:
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        items = [
            f"{inner}{json.dumps(key, ensure_ascii=False)}: {compact_json(item, indent + 2)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [inner + compact_json(item, indent + 2) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def instances_section(
    example: AnnotatedDocument,
    rows: Mapping[str, Mapping],
    records: Sequence[AnnotatedDocument],
    splits: Mapping[str, str],
) -> str:
    """One row of every config, rows[config] being the example document's row as written."""
    split = splits[example.id]
    index = [doc.id for doc in records if splits[doc.id] == split].index(example.id)
    chosen = " ".join(
        word
        for word, applies in (
            ("openly licensed", is_openly_licensed(example)),
            ("test", split == "test"),
            ("document", True),
            (
                "with an entity, a relation and a claim",
                bool(example.entities and example.relations and example.claims),
            ),
        )
        if applies
    )
    uncut = ", ".join(f"`{name}`" for name in sorted(UNCUT_FIELDS))
    parts = [
        f"""The row of one document in every config: `{example.id}`, row {index} of the `{split}`
split (the shortest {chosen}), as `load_dataset(...)["{split}"][{index}]` returns it. Labels are
`ClassLabel` integers (`features[...].int2str` gives their names). The values are those of the real
row, shortened for this card: strings over {INSTANCE_CHARS} characters (except {uncut}) and lists
over {INSTANCE_ITEMS} items are cut, each cut is marked by `"{ELLIPSIS}"`, and the cuts are listed
under each example."""
    ]
    for config in CONFIG_NAMES:
        cuts: list[str] = []
        shown = shortened(dict(rows[config]), "", cuts)
        listed = ("Truncated: " + "; ".join(cuts) + ".") if cuts else "Not truncated."
        parts.append(f"### `{config}` example\n\n```json\n{compact_json(shown)}\n```\n\n{listed}")
    return "\n\n".join(parts)


def leaderboard_section(settings: CardSettings, repo_id: str, version: str) -> str:
    if settings.leaderboard_url:
        where = f"Systems are compared on the KoTechNews leaderboard: <{settings.leaderboard_url}>."
    else:
        where = (
            f"Systems are compared on the KoTechNews leaderboard, which is not hosted: it is "
            "kept with the scorer in the KoTechNews project repository as "
            "`leaderboard/LEADERBOARD.md` (and a sortable `leaderboard/index.html`), "
            "regenerated from the stored results. In a checkout of the project this card is "
            f"`dataset/README.md`, and the leaderboard is [{PROJECT_LEADERBOARD}]"
            f"({PROJECT_LEADERBOARD})."
        )
    return f"""{where}

Scores are x100 with 95% bootstrap confidence intervals over documents, per task (entities,
relations, numeric claims) and evaluation protocol (`test` or `cross-validation`, see
[Splits](#splits-and-evaluation-protocol)). Predictions are JSONL, one document per line, in the
record format of the project's scorer; to score them on this version and add them, with the
project's `kotechnews` command:

```bash
hf download {repo_id} --repo-type dataset --revision v{version} --local-dir kotechnews-v{version}
kotechnews score --pred preds.jsonl --split test --dataset kotechnews-v{version}
kotechnews leaderboard add preds.jsonl --protocol test --name "my system" --dataset kotechnews-v{version}
```

Scores of different dataset versions are not comparable: the leaderboard records the gold and the
dataset version each entry was scored on."""


def citation_section(settings: CardSettings, version: str, repo_id: str) -> str:
    release_date = settings.release_date
    authors = (
        " and ".join(settings.authors) if settings.authors else "{" + DEFAULT_AUTHOR + "}"
    )  # braces: a corporate name, not "contributors, K."
    lines = [
        f"  author       = {{{authors}}},",
        "  title        = {{KoTechNews}: an information-extraction benchmark for {K}orean "
        "technology news},",
    ]
    if release_date is not None:
        lines.append(f"  year         = {{{release_date.year}}},")
        note = f"Version {version}"
        intro = (
            f"Cite the version you used; this is version {version} of {release_date.isoformat()}:"
        )
    else:
        note = f"Version {version}, not yet released"
        intro = (
            f"Version {version} has no release date in CHANGELOG.md yet, so the entry below has "
            "no year; the card of a released version has its year. Cite the version you used:"
        )
    lines += [f"  note         = {{{note}}},", f"  howpublished = {{\\url{{{hub_url(repo_id)}}}}}"]
    return f"{intro}\n\n```bibtex\n@misc{{kotechnews,\n" + "\n".join(lines) + "\n}\n```"


def licence_notice(public: bool) -> str:
    if public:
        return (
            f"> **Licence.** Every article text here is from Korean Wikinews, CC BY 2.5, by "
            f"{WIKINEWS_ATTRIBUTION}; each document's `url` is its source page. The annotations "
            "are CC BY 4.0. This is the openly licensed part of KoTechNews; the full dataset "
            "adds research-only seed articles and is gated."
        )
    return (
        "> **Licence per document.** Wikinews texts (`source` = `wikinews`) are CC BY 2.5 by "
        f"{WIKINEWS_ATTRIBUTION}, each with its `url`; the seed texts (`source` = "
        "`seed_scrape`) are copyrighted by their outlets and included for non-commercial "
        "research only. The annotations are CC BY 4.0. See [LICENSE.md](LICENSE.md) and the "
        "datasheet ([DATASHEET.md](DATASHEET.md))."
    )


def render_card(
    version: str,
    guidelines_version: str,
    repo_id: str,
    records: Sequence[AnnotatedDocument],
    stats: statistics.Statistics,
    files: Sequence[SplitFile],
    splits: Mapping[str, str],
    example_rows: Mapping[str, Mapping],
    settings: CardSettings = CardSettings(),
    public: bool = False,
) -> str:
    """The card; example_rows[config] is the row written for example_document(records, splits)."""
    example = next(doc for doc in records if doc.id == example_rows["documents"]["id"])
    yaml = card_metadata(version, files, public).to_yaml()
    shares = ", ".join(f"{name} {share:.0%}" for name, share in REST_SHARES.items())
    minimum = ", ".join(f"{count} {what}" for what, count in TEST_MINIMUM.items())
    total = sum(stats.per_split[name]["documents"] for name in SPLIT_NAMES)
    test = stats.per_split["test"]
    return f"""---
{yaml}
---

# KoTechNews

**Version {version}** (annotation guidelines {guidelines_version}, schema {schema.SCHEMA_VERSION}).
An open, versioned benchmark for information extraction from Korean technology news: entities,
document-level relations and numeric claims, annotated by published guidelines on {total} news
articles.

> **Annotators.** The annotations were made by language-model agents following the guidelines
> (`annotations_creators: machine-generated`), with a second, independent annotation of part of the
> corpus and adjudication; no human has reviewed every label. The datasheet says how they worked and
> reports their agreement.

> **Small corpus.** {total} articles is still a small benchmark: report confidence intervals. The
> test split ({test["documents"]} openly licensed documents, {test["entities"]} entity mentions,
> {test["claims"]} numeric claims) is for comparing systems; cross-validation over the `fold` field
> of train and validation gives a second estimate (see [Splits](#splits-and-evaluation-protocol)).

{licence_notice(public)}

- **Leaderboard:** see [Leaderboard](#leaderboard).
- **Contact:** {contact_link(settings, repo_id)}.
- **Citation:** see [Citation](#citation).

## Loading

```python
from datasets import load_dataset

documents = load_dataset("{repo_id}", "documents", revision="v{version}")
entities = load_dataset("{repo_id}", "entities", revision="v{version}")
relations = load_dataset("{repo_id}", "relations", revision="v{version}")
claims = load_dataset("{repo_id}", "numeric_claims", revision="v{version}")
entities["train"].features["ner_tags"].feature.names  # label names come with the data
```

Pin `revision` to a release tag: every release is a git tag `vX.Y.Z` of this repository.
The data are Parquet files under `data/<config>/<split>.parquet`; there is no loading script.
`CHECKSUMS.sha256` lists the SHA-256 of every file (`sha256sum -c CHECKSUMS.sha256`).

## Configs and fields

Every config has one row per document, in the same order, keyed by the document `id`. Entity ids
are unique within a document: (document `id`, entity `id`) links the mentions of `entities` to the
`head`/`tail` of `relations` and the `subject`/`time` of `numeric_claims`. Offsets are Python
code-point offsets into `documents.text`, end exclusive.

{fields_section()}

### Token-classification view

`entities.tokens` are the non-whitespace characters of the text, one token per character (like
KLUE-NER, but whitespace is left out instead of being a token), with their offsets in
`token_offsets`. Characters are used rather than morphemes because entity boundaries follow the
guidelines' character rules (a particle after a name is outside the span) and every span boundary
is a character boundary, while morpheme analyses can merge or overlap characters. `ner_tags` are BIO
tags over the entity types: the first character of a mention is `B-TYPE`, the rest `I-TYPE`.
QUANTITY spans are not NER tags; they are the `numeric_claims` config.

## Data instances

{instances_section(example, example_rows, records, splits)}

## Sources and attribution

{sources_table(records, splits)}

{attribution_section(records, splits)}

## Labels

{labels_section()}

## Splits and evaluation protocol

Splits are by document and deterministic. Articles rewritten from the same press release share
near-identical sentences, so documents are first grouped: two documents are in the same *leakage
group* when they share a sentence, where sentences are compared after normalisation (NFKC, lower
case, letters and digits only) and count as shared when equal or when at least
{NEAR_DUPLICATE_CONTAINMENT:.0%} of the character {SHINGLE}-grams of the shorter one (at least
{MIN_SHINGLES} of them) occur in the other. Groups are the connected components. A group never
straddles two splits, so no sentence or paragraph of one split occurs in another.

The test split holds only openly licensed texts (Wikinews, CC BY 2.5), so it can be published and
reproduced by anyone: the groups whose texts are all open, in the order of the SHA-256 of their
smallest document id (a fixed shuffle that no annotation influences), are taken one by one until the
test split holds at least {minimum} (never more than {TEST_MAX_SHARE:.0%} of all documents). The
other groups are assigned largest first (ties by the same hash) to train or validation, whichever is
furthest below its share of them ({shares}), and dealt in the same order to the {stats.folds}
cross-validation folds (`fold`, each to the fold with the fewest documents so far); test documents
have `fold` = -1.

**Protocol.** Train on train (+ validation, if nothing is tuned on it) and report the test split with
its bootstrap confidence interval; that is the leaderboard's `split:test`. For a second estimate,
cross-validate over the folds of train and validation (the test split is never seen).

## Statistics

{statistics.split_table(stats)}

### Entity types

{statistics.entity_type_table(stats)}

![Entity mentions per type and split](images/entity_types.png)

### Per article

{statistics.article_table(records)}

![Entity mentions per article and type](images/entities_per_article.png)

### Relations

{statistics.relation_table(stats)}

![Relations per type](images/relation_types.png)

### Numeric claims

{statistics.claim_table(stats)}

![Numeric claims per quantity type and modality](images/claim_types.png)

## Versioning

Releases follow semantic versioning: MAJOR for a change of the label set, the features or the
split of an existing document; MINOR for added documents or fields; PATCH for corrected
annotations. Each version is a git tag `vX.Y.Z`; the changes are in [CHANGELOG.md](CHANGELOG.md).

## Leaderboard

{leaderboard_section(settings, repo_id, version)}

## Contact

Report a problem (a wrong or missing label, a broken file, a text that should be removed), ask a
question or propose a correction at {contact_link(settings, repo_id)}. Corrections are released as
new versions (see [Versioning](#versioning)); a released version never changes.

## Datasheet and licence

The datasheet ([DATASHEET.md](DATASHEET.md)) covers motivation, composition, collection,
annotation, uses, distribution and maintenance, and reports inter-annotator agreement. What each
label means, with boundary rules and the decision log, is in the annotation guidelines
([GUIDELINES.md](GUIDELINES.md)).
Annotations: CC BY 4.0. Article texts: {"CC BY 2.5, " + WIKINEWS_ATTRIBUTION if public else "Wikinews texts CC BY 2.5 (" + WIKINEWS_ATTRIBUTION + "), seed texts © their outlets, research use only"} ([LICENSE.md](LICENSE.md)); the attribution of every text is in [Sources and attribution](#sources-and-attribution).

## Citation

{citation_section(settings, version, repo_id)}
"""


def render_license(
    records: Sequence[AnnotatedDocument], repo_id: str, settings: CardSettings = CardSettings()
) -> str:
    seeds = [doc for doc in records if doc.document.source != "wikinews"]
    wikinews = len(records) - len(seeds)
    parts = [
        f"""# Licence

KoTechNews has parts under different terms; every document's `license` field names the terms of
its text.

## Annotations: CC BY 4.0

The annotations (entity spans and types, canonical ids, relations, numeric claims and their
normalised values, sentence and paragraph spans, splits and folds) are licensed under the Creative
Commons Attribution 4.0 International licence (https://creativecommons.org/licenses/by/4.0/).

## Wikinews article texts: CC BY 2.5

The texts of the {wikinews} documents with `source` = `wikinews` are articles of Korean Wikinews,
licensed under the Creative Commons Attribution 2.5 licence
(https://creativecommons.org/licenses/by/2.5/). Attribution: {WIKINEWS_ATTRIBUTION}; each
document's `url` is the article it comes from. The text was cleaned (wiki markup and footnote
markers removed), not otherwise changed.
"""
    ]
    if seeds:
        outlets = sorted({doc.document.outlet or "unknown outlet" for doc in seeds})
        parts.append(f"""
## Seed article texts: copyrighted by the outlets, research use only

The texts of the {len(seeds)} documents with `source` = `seed_scrape` (`documents.text`, `title`,
and the `text` and `tokens` fields that quote them) are news articles copyrighted by their outlets
({", ".join(outlets)}). The KoTechNews maintainers hold **no licence** from these outlets. The
texts are included only so that the annotations can be used for non-commercial research, on the
assumption that such use is permitted as fair use; this assumption has not been confirmed by the
rights holders or by a lawyer. Do not redistribute the texts or use them commercially. Rights
holders who object can ask for removal at {contact_link(settings, repo_id)}; the text will be
removed in the next release.
""")
    return "".join(parts)
