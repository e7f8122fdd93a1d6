"""The dataset card is complete in both editions (full and --public): data instances that are real
rows of the built Parquet, attribution of every source, contact, citation with authors and year,
a link to the leaderboard; and its metadata passes the checks of the Hub that can run offline.

The Hub's own validator (``huggingface_hub.DatasetCard.validate``, which POSTs the card to
``/api/validate-yaml``) needs the network, and the local Hub of the release tests (olah) does not
serve that endpoint; test_card_metadata_passes_the_offline_hub_checks checks what can be checked
locally instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import unquote

import datasets
import pytest
import yaml
from huggingface_hub import DatasetCard, DatasetCardData
from packaging.licenses import canonicalize_license_expression
from typer.testing import CliRunner

from conftest import PROJECT
from kotechnews import gold
from kotechnews.cli import app
from kotechnews.hfdataset.build import BuildError, build_dataset
from kotechnews.hfdataset.card import (
    CONTACT_ENV,
    DEFAULT_AUTHOR,
    ELLIPSIS,
    INSTANCE_CHARS,
    INSTANCE_ITEMS,
    PROJECT_LEADERBOARD,
    UNCUT_FIELDS,
    CardSettings,
)
from kotechnews.hfdataset.features import CONFIG_NAMES, FEATURES
from kotechnews.hfdataset.release import release
from kotechnews.licences import is_openly_licensed
from kotechnews.splits import SPLIT_NAMES, assign_splits
from test_dataset_synthetic import write_changelog, write_synthetic_gold

REAL_GOLD = sorted(PROJECT.gold.glob("*.json")) if PROJECT.gold.is_dir() else []
VERSION = "0.4.0"
RELEASED = date(2026, 11, 30)
REPO_ID = "test-org/ktn"
REQUIRED_SECTIONS = (
    "Loading",
    "Configs and fields",
    "Data instances",
    "Sources and attribution",
    "Labels",
    "Splits and evaluation protocol",
    "Statistics",
    "Versioning",
    "Leaderboard",
    "Contact",
    "Datasheet and licence",
    "Citation",
)
RESOURCES = Path(datasets.__file__).parent / "utils" / "resources"


def dated_changelog(path: Path, day: date = RELEASED) -> Path:
    path.write_text(
        f"# Changelog\n\n## [{VERSION}] - {day.isoformat()}\n\n- a release\n\n"
        "## [0.3.0] - 2025-01-02\n\n- an older one\n",
        encoding="utf-8",
    )
    return path


def sections(text: str, level: str = "##") -> dict[str, str]:
    """Heading -> body of every section of that level (up to the next heading of that level); a
    card's YAML front matter is left out."""
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    parts = re.split(rf"^{level} (.+)$", text, flags=re.MULTILINE)
    return {heading.strip(): text.strip() for heading, text in zip(parts[1::2], parts[2::2])}


def built_edition(tmp, records, public: bool, card: CardSettings = CardSettings()) -> dict:
    out = tmp / ("public" if public else "full")
    changelog = dated_changelog(tmp / "CHANGELOG.md")
    build_dataset(records, out, VERSION, REPO_ID, changelog=changelog, public=public, card=card)
    return {
        "records": [d for d in records if is_openly_licensed(d)] if public else list(records),
        "all_records": list(records),
        "dir": out,
        "public": public,
        "card": (out / "README.md").read_text(encoding="utf-8"),
        "licence": (out / "LICENSE.md").read_text(encoding="utf-8"),
        "cache": tmp / f"cache-{out.name}",
    }


@pytest.fixture(scope="module", params=["synthetic", "real gold"])
def gold_records(request, tmp_path_factory):
    """(records, tmp dir): a synthetic gold with open and research-only texts, and the real one."""
    tmp = tmp_path_factory.mktemp(request.param.replace(" ", "_"))
    if request.param == "synthetic":
        write_synthetic_gold(tmp / "gold", open_keys="bcdf")
        return gold.load_gold(tmp / "gold"), tmp
    if not REAL_GOLD:
        pytest.skip("annotation/gold has no exports yet")
    return gold.load_gold(), tmp


@pytest.fixture(scope="module")
def editions(gold_records):
    records, tmp = gold_records
    return {public: built_edition(tmp, records, public) for public in (False, True)}


@pytest.fixture(scope="module", params=["full", "public"])
def edition(request, editions):
    return editions[request.param == "public"]


def test_every_required_section_exists_and_is_not_empty(edition):
    found = sections(edition["card"])
    for heading in REQUIRED_SECTIONS:
        assert heading in found, f"no '## {heading}' section"
        assert len(found[heading]) > 40, f"'## {heading}' is (nearly) empty"
    assert [f"`{config}` example" for config in CONFIG_NAMES] == [
        h for h in sections(found["Data instances"], "###")
    ]


def json_examples(card: str) -> dict[str, tuple[dict, str]]:
    """config -> (the example's JSON, the text under it) of the Data instances section."""
    examples = {}
    for heading, text in sections(sections(card)["Data instances"], "###").items():
        config = heading.split("`")[1]
        block = re.fullmatch(r"```json\n(.*?)\n```\n\n(.+)", text, flags=re.DOTALL)
        assert block, f"{heading}: no JSON block followed by its truncation note"
        examples[config] = json.loads(block.group(1)), block.group(2)
    return examples


def shows(shown, real, path: str = "") -> bool:
    """The shown value is the real one, or the real one cut exactly as the card says it cuts."""
    if shown == real and type(shown) is type(real):
        return True
    if isinstance(shown, str) and isinstance(real, str):
        return (
            path not in UNCUT_FIELDS
            and len(real) > INSTANCE_CHARS
            and shown == real[:INSTANCE_CHARS] + ELLIPSIS
        )
    if isinstance(shown, list) and isinstance(real, list):
        if len(real) > INSTANCE_ITEMS:
            return (
                len(shown) == INSTANCE_ITEMS + 1
                and shown[-1] == ELLIPSIS
                and all(
                    shows(a, b, f"{path}[{i}]")
                    for i, (a, b) in enumerate(zip(shown, real[:INSTANCE_ITEMS]))
                )
            )
        return len(shown) == len(real) and all(
            shows(a, b, f"{path}[{i}]") for i, (a, b) in enumerate(zip(shown, real))
        )
    if isinstance(shown, dict) and isinstance(real, dict):
        return list(shown) == list(real) and all(
            shows(shown[k], real[k], f"{path}.{k}" if path else k) for k in real
        )
    return isinstance(shown, float) and shown == real  # JSON has no int/float distinction


def test_instances_are_real_rows_of_the_built_parquet(edition):
    examples = json_examples(edition["card"])
    assert list(examples) == list(CONFIG_NAMES)
    doc_id = examples["documents"][0]["id"]
    row_number = re.search(
        r"row (\d+) of the `(\w+)`\s+split", sections(edition["card"])["Data instances"]
    )
    index, split = int(row_number.group(1)), row_number.group(2)
    for config, (shown, note) in examples.items():
        loaded = datasets.load_dataset(
            str(edition["dir"]), config, cache_dir=str(edition["cache"])
        )[split]
        real = loaded[index]
        assert real["id"] == doc_id and loaded.features == FEATURES[config]
        assert shows(shown, real), f"{config}: the example is not the real row {index} of {split}"
        cut = ELLIPSIS in json.dumps(shown, ensure_ascii=False) and shown != real
        assert note.startswith("Truncated: `") if cut else note == "Not truncated."
    example = next(d for d in edition["records"] if d.id == doc_id)
    assert is_openly_licensed(example) and example.entities and example.relations and example.claims
    if split == "test":
        assert len(example.text) == min(
            len(d.text)
            for d in edition["records"]
            if is_openly_licensed(d)
            and d.entities
            and d.relations
            and d.claims
            and assign_splits(edition["all_records"])[d.id].split == "test"
        )


def test_both_editions_show_the_same_document(editions):
    full, public = (json_examples(editions[p]["card"]) for p in (False, True))
    assert full["documents"][0]["id"] == public["documents"][0]["id"]
    assert full == public


def bibtex(card: str) -> dict[str, str]:
    entry = re.search(
        r"```bibtex\n@misc\{kotechnews,\n(.*?)\n\}\n```",
        sections(card)["Citation"],
        flags=re.DOTALL,
    )
    assert entry, "no BibTeX entry in the Citation section"
    fields = dict(re.findall(r"^\s+(\w+)\s+= \{(.*)\},?$", entry.group(1), flags=re.MULTILINE))
    for value in fields.values():
        depth = 0
        for char in value:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, value
        assert depth == 0, value
    return fields


def test_citation_has_the_authors_and_the_year_of_the_changelog_entry(edition):
    fields = bibtex(edition["card"])
    assert fields["author"] == "{" + DEFAULT_AUTHOR + "}"
    assert fields["year"] == str(RELEASED.year)
    assert fields["note"] == f"Version {VERSION}"
    assert REPO_ID in fields["howpublished"] and "KoTechNews" in fields["title"]


def test_configured_authors_and_an_undated_version(tmp_path):
    write_synthetic_gold(tmp_path / "gold")
    records = gold.load_gold(tmp_path / "gold")
    changelog = write_changelog(tmp_path / "CHANGELOG.md", [VERSION])  # "## [0.4.0] - test"
    card = CardSettings.from_environment({"KOTECHNEWS_AUTHORS": "Hong Gildong; Kim Cheolsu"})
    build_dataset(records, tmp_path / "d", VERSION, REPO_ID, changelog=changelog, card=card)
    text = (tmp_path / "d" / "README.md").read_text(encoding="utf-8")
    fields = bibtex(text)
    assert fields["author"] == "Hong Gildong and Kim Cheolsu"
    assert "year" not in fields and fields["note"] == f"Version {VERSION}, not yet released"
    assert "has no release date in CHANGELOG.md" in sections(text)["Citation"]
    with pytest.raises(BuildError, match=r"KOTECHNEWS_AUTHORS.*'Kim \{C\}'"):
        build_dataset(
            records,
            tmp_path / "e",
            VERSION,
            REPO_ID,
            changelog=changelog,
            card=CardSettings(authors=("Kim {C}",)),
        )
    (tmp_path / "bad.md").write_text(f"## [{VERSION}] - 2026-13-40\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"bad.md: entry \[0.4.0\] has the date '2026-13-40'"):
        build_dataset(records, tmp_path / "e", VERSION, REPO_ID, changelog=tmp_path / "bad.md")
    assert not (tmp_path / "e").exists()


def test_a_release_of_an_undated_version_cites_the_release_day(tmp_path):
    write_synthetic_gold(tmp_path / "gold")
    changelog = write_changelog(tmp_path / "CHANGELOG.md", [VERSION])
    before = datetime.now(timezone.utc).date()
    release(
        VERSION,
        REPO_ID,
        dry_run=True,
        gold_dir=tmp_path / "gold",
        dataset_dir=tmp_path / "dataset",
        release_repo=tmp_path / "repo",
        changelog=changelog,
        card=CardSettings(),
    )
    after = datetime.now(timezone.utc).date()
    year = bibtex((tmp_path / "dataset" / "README.md").read_text(encoding="utf-8"))["year"]
    assert year in {str(before.year), str(after.year)}
    dated = dated_changelog(tmp_path / "DATED.md", date(2024, 3, 1))
    release(
        VERSION,
        REPO_ID,
        dry_run=True,
        gold_dir=tmp_path / "gold",
        dataset_dir=tmp_path / "dataset",
        release_repo=tmp_path / "repo",
        changelog=dated,
        card=CardSettings(),
    )
    card = (tmp_path / "dataset" / "README.md").read_text(encoding="utf-8")
    assert bibtex(card)["year"] == "2024" and "of 2024-03-01" in sections(card)["Citation"]


def test_attribution_lists_every_source(edition):
    found = sections(edition["card"])["Sources and attribution"]
    parts = sections(found, "###")
    wikinews = [d for d in edition["records"] if d.document.source == "wikinews"]
    seeds = [d for d in edition["records"] if d.document.source == "seed_scrape"]
    if wikinews:
        table = parts["Wikinews articles (CC BY 2.5)"]
        assert "Korean Wikinews contributors" in table
        assert "(https://creativecommons.org/licenses/by/2.5/)" in table
        links = {unquote(url) for url in re.findall(r"\]\((\S+?)\) \|$", table, re.MULTILINE)}
        assert links == {unquote(d.document.url) for d in wikinews if d.document.url}
        for doc in wikinews:
            assert f"| `{doc.id}` |" in table
    if seeds:
        table = parts["Seed articles (research use only)"]
        assert "non-commercial research only" in table
        for doc in seeds:
            assert f"| `{doc.id}` |" in table and doc.document.outlet in table
    else:
        assert "Seed articles (research use only)" not in parts
    assert edition["public"] == (not seeds)


def test_the_public_edition_holds_no_seed_text(editions):
    public = editions[True]
    seeds = [d for d in public["all_records"] if not is_openly_licensed(d)]
    assert seeds, "the gold has no research-only document to leave out"
    published = [public["card"], public["licence"]]
    for doc in seeds:
        for start, end in doc.sentences:
            sentence = doc.text[start:end].strip()
            if len(sentence) >= 8:
                assert all(sentence not in text for text in published), sentence
        for value in (
            doc.id,
            doc.document.outlet,
            doc.document.title,
            doc.document.source_file,
        ):
            if value:
                assert all(value not in text for text in published), value


def test_contact_defaults_to_the_hub_discussions_and_can_be_configured(edition, tmp_path):
    discussions = f"https://huggingface.co/datasets/{REPO_ID}/discussions"
    assert discussions in sections(edition["card"])["Contact"]
    if not edition["public"]:  # the takedown route for the outlets' texts
        assert discussions in edition["licence"]
    records = edition["all_records"]
    card = CardSettings.from_environment({CONTACT_ENV: "ktn-data@example.org"})
    configured = built_edition(tmp_path, records, edition["public"], card)
    assert "<mailto:ktn-data@example.org>" in sections(configured["card"])["Contact"]
    assert discussions not in configured["card"]
    with pytest.raises(BuildError, match=rf"{CONTACT_ENV}.*'see the forum'"):
        build_dataset(
            records,
            tmp_path / "bad",
            VERSION,
            REPO_ID,
            changelog=tmp_path / "CHANGELOG.md",
            card=CardSettings(contact="see the forum"),
        )
    assert not (tmp_path / "bad").exists()


def test_leaderboard_section_links_the_project_leaderboard(edition, tmp_path):
    section = sections(edition["card"])["Leaderboard"]
    assert f"]({PROJECT_LEADERBOARD})" in section
    # the card is dataset/README.md in the project checkout: the link resolves there
    assert (
        PROJECT.dataset / PROJECT_LEADERBOARD
    ).resolve() == PROJECT.leaderboard / "LEADERBOARD.md"
    assert "paperswithcode_id" not in edition["card"]  # no such entry exists
    hosted = "https://example.org/ktn-leaderboard"
    card = CardSettings(leaderboard_url=hosted)
    configured = built_edition(tmp_path, edition["all_records"], edition["public"], card)
    assert f"<{hosted}>" in sections(configured["card"])["Leaderboard"]


def test_the_leaderboard_commands_of_the_card_exist(edition):
    """Every command line of the Leaderboard section names options its command has."""
    section = sections(edition["card"])["Leaderboard"]
    commands = re.findall(r"^kotechnews (.+)$", section, re.MULTILINE)
    assert {line.split()[0] for line in commands} == {"score", "leaderboard"}
    for line in commands:
        words = line.split()
        path = words[:2] if words[0] == "leaderboard" else words[:1]
        shown = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert shown.exit_code == 0, shown.output
        for option in (w for w in words if w.startswith("--")):
            assert option in shown.output, f"`kotechnews {' '.join(path)}` has no {option}"
    (download,) = re.findall(r"^hf download (.+)$", section, re.MULTILINE)
    shown = subprocess.run(
        [str(Path(sys.executable).with_name("hf")), "download", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert shown.returncode == 0, shown.stderr
    for option in (w for w in download.split() if w.startswith("--")):
        assert option in shown.stdout, f"`hf download` has no {option}"


def test_card_metadata_passes_the_offline_hub_checks(edition):
    path = edition["dir"] / "README.md"
    card = DatasetCard.load(path)
    front = yaml.safe_load(edition["card"].split("---\n", 2)[1])
    assert card.data.to_dict() == front
    assert DatasetCardData(**front).to_dict() == front  # round trip through the Hub's dataclass
    languages = json.loads((RESOURCES / "languages.json").read_text(encoding="utf-8"))
    creators = json.loads((RESOURCES / "creators.json").read_text(encoding="utf-8"))
    multilingualities = json.loads((RESOURCES / "multilingualities.json").read_text("utf-8"))
    size_categories = json.loads((RESOURCES / "size_categories.json").read_text(encoding="utf-8"))
    assert set(front["language"]) <= set(languages)
    assert set(front["annotations_creators"]) <= set(creators["annotations"])
    assert set(front["language_creators"]) <= set(creators["language"])
    assert set(front["multilinguality"]) <= set(multilingualities)
    assert front["size_categories"] == ["n<1K"] and len(edition["records"]) < 1000
    assert front["size_categories"][0] in size_categories
    licences = front["license"] if isinstance(front["license"], list) else [front["license"]]
    if edition["public"]:
        for licence in licences:  # Hub licence ids of the CC licences are the SPDX ids
            assert canonicalize_license_expression(licence).lower() == licence
    else:
        assert licences == ["other"] and re.fullmatch(r"[a-z0-9.-]+", front["license_name"])
        assert (edition["dir"] / front["license_link"]).is_file()
    configs = datasets.utils.metadata.MetadataConfigs.from_dataset_card_data(card.data)
    assert sorted(configs) == sorted(CONFIG_NAMES)
    assert [name for name, c in configs.items() if c.get("default")] == ["documents"]
    for config in configs.values():
        for data_file in config["data_files"]:
            assert data_file["split"] in SPLIT_NAMES
            assert (edition["dir"] / data_file["path"]).is_file()
    infos = datasets.info.DatasetInfosDict.from_dataset_card_data(card.data)
    assert {name: info.features for name, info in infos.items()} == dict(FEATURES)
