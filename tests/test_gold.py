"""The shipped gold: valid, complete, in sync with its worksheets and with the ingested text, and the
figures the README reports are the ones the commands compute."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import PROJECT
from kotechnews import annotation
from kotechnews.document import Document
from kotechnews.gold import load_gold
from kotechnews.ingest import ingest_directory
from kotechnews.jsonio import read_jsonl
from kotechnews.labelstudio.validate import validate_paths

GOLD_DIR = PROJECT.gold
WORKSHEETS = PROJECT.worksheets
EXCLUSIONS = PROJECT.number_exclusions
README = PROJECT.root / "README.md"


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Document]:
    out = tmp_path_factory.mktemp("ingested")
    ingest_directory(PROJECT.raw, out)
    return annotation.documents_by_source(out / "documents.jsonl")


def test_gold_validates_and_covers_every_raw_article(documents):
    files, problems = validate_paths([GOLD_DIR])
    assert problems == []
    assert sorted(f.stem for f in files) == sorted(Path(name).stem for name in documents)


def test_gold_annotates_the_text_ingest_produces(documents):
    by_id = {doc.id: doc for doc in documents.values()}
    for doc in load_gold():
        assert doc.document == by_id[doc.id]  # text, spans and metadata as ingest made them
        for item in doc.entities + doc.claims:
            assert doc.text[item.start : item.end] == item.text


def test_the_main_jobs_gold_step_refuses_gold_that_ingest_does_not_make(documents, tmp_path):
    from dataclasses import replace

    from kotechnews.gold import GoldError
    from kotechnews.pipeline import RunState, gold_step

    ingested = {doc.id: doc for doc in documents.values()}
    layout = replace(PROJECT, build_dir=tmp_path)
    first = sorted(ingested)[0]
    changed = {**ingested, first: replace(ingested[first], text=ingested[first].text + ".")}
    with pytest.raises(GoldError, match=f"document {first}: gold text differs from the ingested"):
        gold_step(RunState(layout, documents=changed))
    missing = {key: doc for key, doc in ingested.items() if key != first}
    with pytest.raises(GoldError, match=f"document {first} is not produced by ingest"):
        gold_step(RunState(layout, documents=missing))
    assert "no completeness gaps" in gold_step(RunState(layout, documents=ingested)).summary


def test_worksheets_compile_to_the_committed_gold(documents, tmp_path):
    annotation.compile_gold(WORKSHEETS, documents, tmp_path / "gold", tmp_path / "excl.jsonl")
    for committed in sorted(GOLD_DIR.glob("*.json")):
        assert (tmp_path / "gold" / committed.name).read_bytes() == committed.read_bytes(), (
            committed
        )
    assert (tmp_path / "excl.jsonl").read_bytes() == EXCLUSIONS.read_bytes()


def test_no_unexplained_number_and_no_unannotated_repeat():
    exclusions = list(read_jsonl(EXCLUSIONS))
    gaps = [str(g) for doc in load_gold() for g in annotation.completeness_gaps(doc, exclusions)]
    assert gaps == []


def test_every_exclusion_names_a_guideline_rule():
    guidelines = PROJECT.guidelines.read_text(encoding="utf-8")
    rules = set(re.findall(r"- ([A-Z]\d+)(?: —|:)", guidelines))
    for row in read_jsonl(EXCLUSIONS):
        assert row["rule"] in rules, row


def _readme_table(heading: str, path: Path = README) -> str:
    text = path.read_text(encoding="utf-8")
    block = text[text.index(heading) :]
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return "\n".join(lines[start:end])


def test_readme_counts_are_the_computed_counts():
    assert _readme_table("### Label counts") == annotation.counts_markdown(load_gold())


@pytest.mark.parametrize(
    "path, heading",
    [(README, "### Inter-annotator agreement"), (PROJECT.datasheet, "## Agreement")],
)
def test_reported_agreement_is_the_computed_agreement(documents, path, heading):
    comparisons = annotation.agreement_comparisons(PROJECT.agreement, WORKSHEETS, documents)
    doubled = len(list((PROJECT.agreement / "annotator-b").glob("*.json")))
    assert doubled >= 14  # 2 seeds and 12 Wikinews articles
    assert all(len(rows) == doubled + 2 for rows in comparisons.values())  # + mean, pooled
    assert _readme_table(heading, path) == annotation.agreement_markdown(comparisons)
    assert json.loads(json.dumps(comparisons))  # plain numbers only


def test_committed_dataset_is_the_build_of_the_committed_gold(tmp_path):
    from kotechnews.hfdataset.build import build_from_gold, dataset_files

    build_from_gold(GOLD_DIR, tmp_path / "dataset")
    fresh = {
        rel: (tmp_path / "dataset" / rel).read_bytes()
        for rel in dataset_files(tmp_path / "dataset")
    }
    committed = {
        rel: (PROJECT.dataset / rel).read_bytes() for rel in dataset_files(PROJECT.dataset)
    }
    assert sorted(map(str, fresh)) == sorted(map(str, committed))
    stale = [str(name) for name in fresh if fresh[name] != committed[name]]
    assert stale == [], "dataset/ is stale: run `kotechnews build`"


def test_released_splits_meet_the_test_minimum_and_the_public_build_is_open_only(tmp_path):
    from datasets import load_dataset

    from kotechnews.hfdataset.build import build_from_gold
    from kotechnews.licences import OPEN_TEXT_LICENSES
    from kotechnews.splits import TEST_MINIMUM

    full = {
        config: load_dataset(str(PROJECT.dataset), config)
        for config in ("documents", "entities", "numeric_claims")
    }
    test_docs = full["documents"]["test"]
    assert len(test_docs) >= TEST_MINIMUM["documents"]
    assert sum(len(row["entities"]) for row in full["entities"]["test"]) >= TEST_MINIMUM["entities"]
    assert (
        sum(len(row["claims"]) for row in full["numeric_claims"]["test"]) >= TEST_MINIMUM["claims"]
    )
    assert set(test_docs["license"]) <= OPEN_TEXT_LICENSES
    assert sum(len(part) for part in full["documents"].values()) == len(load_gold())

    build_from_gold(GOLD_DIR, tmp_path / "public", public=True)
    public = load_dataset(str(tmp_path / "public"), "documents")
    licences = {licence for part in public.values() for licence in part["license"]}
    assert licences <= OPEN_TEXT_LICENSES
    public_split = {row["id"]: split for split, part in public.items() for row in part}
    full_split = {row["id"]: split for split, part in full["documents"].items() for row in part}
    open_ids = {
        row["id"]
        for part in full["documents"].values()
        for row in part
        if row["license"] in OPEN_TEXT_LICENSES
    }
    assert set(public_split) == open_ids and len(open_ids) == 43
    assert all(public_split[i] == full_split[i] for i in public_split)
