"""The dataset card (README.md with YAML metadata) and the licence notice of the Hub repo."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from datasets import ClassLabel, DatasetInfo, List, SplitDict, SplitInfo, Value
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData

from kotechnews import schema
from kotechnews.hfdataset import stats as statistics
from kotechnews.hfdataset.features import CONFIG_NAMES, FEATURES
from kotechnews.records import AnnotatedDocument
from kotechnews.splits import (MIN_SHINGLES, NEAR_DUPLICATE_CONTAINMENT, REST_SHARES, SHINGLE,
                               SPLIT_NAMES, TEST_MAX_SHARE, TEST_MINIMUM)

DEFAULT_CONFIG = "documents"
LICENSE_NAME = "kotechnews-annotations-cc-by-4.0-text-per-document"
GATED_PROMPT = (
    "Some article texts in KoTechNews (source seed_scrape) are copyrighted by their news outlets "
    "and are shared for non-commercial research only; the Wikinews texts are CC BY 2.5 and the "
    "annotations CC BY 4.0. By requesting access you agree to use the seed texts for research "
    "only and not to redistribute them.")
# Hub licence ids of the public build: annotations, and the Wikinews texts
PUBLIC_LICENSES = ["cc-by-4.0", "cc-by-2.5"]
WIKINEWS_ATTRIBUTION = "Korean Wikinews contributors (ko.wikinews.org)"

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
    "outlet": "News outlet.", "date": "Publication date as given by the article.",
    "title": "Headline.", "text": "Clean article text; every offset is a code-point offset into it.",
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


def data_path(config: str, split: str) -> str:
    return f"data/{config}/{split}.parquet"


def card_metadata(version: str, files: Sequence[SplitFile], public: bool = False) -> DatasetCardData:
    licence = ({"license": PUBLIC_LICENSES} if public else
               {"license": "other", "license_name": LICENSE_NAME, "license_link": "LICENSE.md",
                "extra_gated_prompt": GATED_PROMPT})
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
        tags=["information-extraction", "relation-extraction", "numeric-claims", "news",
              "technology"],
    )
    MetadataConfigs({
        config: {"data_files": [{"split": f.split, "path": f.path}
                                for f in files if f.config == config],
                 **({"default": True} if config == DEFAULT_CONFIG else {})}
        for config in CONFIG_NAMES
    }).to_dataset_card_data(card)
    infos = {}
    for config in CONFIG_NAMES:
        split_dict = SplitDict()
        for f in files:
            if f.config == config:
                split_dict.add(SplitInfo(name=f.split, num_bytes=f.num_bytes,
                                         num_examples=f.num_examples))
        infos[config] = DatasetInfo(features=FEATURES[config], splits=split_dict,
                                    dataset_size=sum(s.num_bytes for s in split_dict.values()))
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
        rows = [f"| `{name}` | {feature_type(feature)} | {FIELD_DOCS[name]} |"
                for name, feature in FEATURES[config].items()]
        parts.append(f"### `{config}`\n\n{CONFIG_DOCS[config]}\n\n| field | type | meaning |\n"
                     "|---|---|---|\n" + "\n".join(rows))
    claim_rows = [f"| `{f.name}` | {f.kind} | {'yes' if f.required else 'no'} | {f.en} |"
                  for f in schema.CLAIM_FIELDS]
    parts.append("Claim fields (from `kotechnews.schema.CLAIM_FIELDS`; a link field gives the "
                 "entity id, plus `<field>_canonical_id` and `<field>_text`):\n\n"
                 "| field | kind | required | meaning |\n|---|---|---|---|\n" + "\n".join(claim_rows))
    return "\n\n".join(parts)


def labels_section() -> str:
    def table(title: str, labels) -> str:
        rows = "\n".join(f"| `{label.name}` | {label.en} | {label.ko} |" for label in labels)
        return f"**{title}**\n\n| label | meaning | 한국어 |\n|---|---|---|\n{rows}"

    relation_rows = "\n".join(
        f"| `{r.name}` | {'/'.join(r.head)} | {'/'.join(r.tail)} | {'yes' if r.symmetric else 'no'} "
        f"| {r.en} |" for r in schema.RELATION_TYPES)
    return "\n\n".join([
        table("Entity types", schema.ENTITY_TYPES),
        "**Relation types**\n\n| label | head | tail | symmetric | meaning |\n|---|---|---|---|---|\n"
        + relation_rows,
        table("Quantity types (`quantity_type`)", schema.QUANTITY_TYPES),
        table("Modalities (`modality`)", schema.MODALITIES),
    ])


def sources_table(records: Sequence[AnnotatedDocument], splits: Mapping[str, str]) -> str:
    """Documents per source and split, with the licence of their text."""
    rows = []
    for source in sorted({doc.meta.get("source") or "unknown" for doc in records}):
        docs = [doc for doc in records if (doc.meta.get("source") or "unknown") == source]
        licences = ", ".join(sorted({doc.meta.get("license") or "unknown" for doc in docs}))
        counts = " | ".join(str(sum(splits[doc.id] == name for doc in docs)) for name in SPLIT_NAMES)
        chars = sum(len(doc.text or "") for doc in docs)
        rows.append(f"| `{source}` | {len(docs)} | {counts} | {chars:,} | {licences} |")
    head = " | ".join(SPLIT_NAMES)
    return (f"| source | documents | {head} | characters | text licence |\n"
            f"|---|---:|{'---:|' * len(SPLIT_NAMES)}---:|---|\n" + "\n".join(rows))


def sources_notes(records: Sequence[AnnotatedDocument]) -> str:
    counts = {source: sum(doc.meta.get("source") == source for doc in records)
              for source in ("wikinews", "seed_scrape")}
    notes = []
    if counts["wikinews"]:
        notes.append(f"Wikinews articles: {counts['wikinews']} technology articles of Korean "
                     "Wikinews (2010-2023), text as collected in 2023, title and date from the page; "
                     f"attribution: {WIKINEWS_ATTRIBUTION}, with each article's URL in `url`.")
    if counts["seed_scrape"]:
        notes.append(f"Seed articles: {counts['seed_scrape']} 2021-2022 news pages about KT's "
                     "\"AI 원팀\" and hyperscale AI, cleaned from page scrapes "
                     "(`annotation/CLEANING.md` in the project repository).")
    return "\n".join(notes)


def licence_notice(public: bool) -> str:
    if public:
        return (f"> **Licence.** Every article text here is from Korean Wikinews, CC BY 2.5, by "
                f"{WIKINEWS_ATTRIBUTION}; each document's `url` is its source page. The annotations "
                "are CC BY 4.0. This is the openly licensed part of KoTechNews; the full dataset "
                "adds research-only seed articles and is gated.")
    return ("> **Licence per document.** Wikinews texts (`source` = `wikinews`) are CC BY 2.5 by "
            f"{WIKINEWS_ATTRIBUTION}, each with its `url`; the seed texts (`source` = "
            "`seed_scrape`) are copyrighted by their outlets and included for non-commercial "
            "research only. The annotations are CC BY 4.0. See [LICENSE.md](LICENSE.md) and the "
            "datasheet ([DATASHEET.md](DATASHEET.md)).")


def render_card(version: str, guidelines_version: str, repo_id: str, records: Sequence[AnnotatedDocument],
                stats: statistics.Statistics, files: Sequence[SplitFile],
                splits: Mapping[str, str], public: bool = False) -> str:
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

## Sources

{sources_table(records, splits)}

{sources_notes(records)}

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

## Datasheet, licence and citation

The datasheet ([DATASHEET.md](DATASHEET.md)) covers motivation, composition, collection,
annotation, uses, distribution and maintenance, and reports inter-annotator agreement. What each
label means, with boundary rules and the decision log, is in the annotation guidelines
([GUIDELINES.md](GUIDELINES.md)).
Annotations: CC BY 4.0. Article texts: {"CC BY 2.5, " + WIKINEWS_ATTRIBUTION if public else "Wikinews texts CC BY 2.5 (" + WIKINEWS_ATTRIBUTION + "), seed texts © their outlets, research use only"} ([LICENSE.md](LICENSE.md)).

```bibtex
@misc{{kotechnews,
  title  = {{KoTechNews: an information-extraction benchmark for Korean technology news}},
  note   = {{Version {version}}},
  howpublished = {{\\url{{https://huggingface.co/datasets/{repo_id}}}}}
}}
```
"""


def render_license(records: Sequence[AnnotatedDocument]) -> str:
    seeds = [doc for doc in records if doc.meta.get("source") != "wikinews"]
    wikinews = len(records) - len(seeds)
    parts = [f"""# Licence

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
"""]
    if seeds:
        outlets = sorted({doc.meta.get("outlet") or "unknown outlet" for doc in seeds})
        parts.append(f"""
## Seed article texts: copyrighted by the outlets, research use only

The texts of the {len(seeds)} documents with `source` = `seed_scrape` (`documents.text`, `title`,
and the `text` and `tokens` fields that quote them) are news articles copyrighted by their outlets
({", ".join(outlets)}). The KoTechNews maintainers hold **no licence** from these outlets. The
texts are included only so that the annotations can be used for non-commercial research, on the
assumption that such use is permitted as fair use; this assumption has not been confirmed by the
rights holders or by a lawyer. Do not redistribute the texts or use them commercially. Rights
holders who object can ask for removal through the repository's discussion page; the text will be
removed in the next release.
""")
    return "".join(parts)
