"""kotechnews build: a Hub-ready dataset repo that datasets.load_dataset reads back as the gold."""

from __future__ import annotations

import subprocess
from pathlib import Path

import datasets
import pytest
import yaml
from typer.testing import CliRunner

from conftest import PROJECT
from kotechnews import gold, schema
from kotechnews.cli import app
from kotechnews.hfdataset.build import (
    CHECKSUMS,
    BuildError,
    build_dataset,
    dataset_files,
    guidelines_version,
    latest_version,
)
from kotechnews.hfdataset.features import CONFIG_NAMES, FEATURES
from kotechnews.records import Entity
from kotechnews.splits import SPLIT_NAMES, assign_splits
from test_dataset_synthetic import write_changelog, write_synthetic_gold

REAL_GOLD = sorted(PROJECT.gold.glob("*.json")) if PROJECT.gold.is_dir() else []
VERSION = "0.3.1"


def front_matter(readme: Path) -> dict:
    _, block, _ = readme.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(block)


@pytest.fixture(scope="module", params=["synthetic", "real gold"])
def built(request, tmp_path_factory):
    """(records, dataset dir, cache dir) for the synthetic gold and, once it exists, the real one."""
    tmp = tmp_path_factory.mktemp(request.param.replace(" ", "_"))
    if request.param == "synthetic":
        write_synthetic_gold(tmp / "gold")
        records = gold.load_gold(tmp / "gold")
    elif REAL_GOLD:
        records = gold.load_gold()
    else:
        pytest.skip("annotation/gold has no exports yet")
    changelog = write_changelog(tmp / "CHANGELOG.md", [VERSION, "0.3.0"])
    build_dataset(records, tmp / "dataset", VERSION, "test-org/ktn", changelog=changelog)
    return records, tmp / "dataset", tmp / "cache"


def load(built, config):
    _, dataset_dir, cache = built
    return datasets.load_dataset(str(dataset_dir), config, cache_dir=str(cache))


def rows_by_id(built, config):
    loaded = load(built, config)
    return {row["id"]: (split, row) for split in SPLIT_NAMES for row in loaded[split]}


@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_every_config_and_split_loads_with_declared_features_and_gold_counts(built, config):
    records, _, _ = built
    assignments = assign_splits(records)
    loaded = load(built, config)
    assert set(loaded) == set(SPLIT_NAMES)
    for split in SPLIT_NAMES:
        assert loaded[split].features == FEATURES[config]
        expected = [d.id for d in records if assignments[d.id].split == split]
        assert list(loaded[split]["id"]) == expected


def test_label_names_come_from_the_schema(built):
    entities = load(built, "entities")["train"].features
    assert entities["entities"].feature["type"].names == schema.ENTITY_TYPE_NAMES
    assert entities["ner_tags"].feature.names == schema.bio_labels()
    relations = load(built, "relations")["train"].features
    assert relations["relations"].feature["type"].names == schema.RELATION_TYPE_NAMES
    claims = load(built, "numeric_claims")["train"].features["claims"].feature
    assert claims["quantity_type"].names == schema.QUANTITY_TYPE_NAMES
    assert claims["modality"].names == schema.MODALITY_NAMES
    for claim_field in schema.CLAIM_FIELDS:
        assert claim_field.name in claims


def test_documents_carry_text_spans_split_and_fold(built):
    records, _, _ = built
    assignments = assign_splits(records)
    rows = rows_by_id(built, "documents")
    for doc in records:
        split, row = rows[doc.id]
        assert row["text"] == doc.text
        assert [(s["start"], s["end"]) for s in row["sentences"]] == list(doc.sentences)
        assert (split, row["split"], row["fold"]) == (
            assignments[doc.id].split,
            assignments[doc.id].split,
            assignments[doc.id].fold,
        )
        assert row["source_file"] == doc.document.source_file
        paragraphs = [doc.text[p["start"] : p["end"]] for p in row["paragraphs"]]
        assert paragraphs == [line.strip() for line in doc.text.split("\n") if line.strip()]


def decode_bio(row, names) -> set[tuple[int, int, str]]:
    """Entity spans read back from the BIO tags and the token offsets."""
    spans, current = [], None
    for offset, tag in zip(row["token_offsets"], (names[t] for t in row["ner_tags"])):
        if tag.startswith("B-") or tag == "O" or (current and tag[2:] != current[2]):
            current = None
        if tag.startswith("B-"):
            current = [offset["start"], offset["end"], tag[2:]]
            spans.append(current)
        elif tag.startswith("I-") and current:
            current[1] = offset["end"]
    return {tuple(span) for span in spans}


def test_entities_and_the_token_view_reproduce_the_gold(built):
    records, _, _ = built
    rows = rows_by_id(built, "entities")
    names = schema.bio_labels()
    type_names = schema.ENTITY_TYPE_NAMES
    for doc in records:
        _, row = rows[doc.id]
        gold_entities = [
            (e.id, e.start, e.end, e.text, e.type, e.canonical_id) for e in doc.entities
        ]
        assert [
            (e["id"], e["start"], e["end"], e["text"], type_names[e["type"]], e["canonical_id"])
            for e in row["entities"]
        ] == gold_entities
        assert row["tokens"] == [ch for ch in doc.text if not ch.isspace()]
        assert all(
            doc.text[o["start"] : o["end"]] == t
            for o, t in zip(row["token_offsets"], row["tokens"])
        )
        assert decode_bio(row, names) == {(e.start, e.end, e.type) for e in doc.entities}


def test_relations_and_claims_reproduce_the_gold_and_link_to_entities(built):
    records, _, _ = built
    relation_rows = rows_by_id(built, "relations")
    claim_rows = rows_by_id(built, "numeric_claims")
    relation_names = schema.RELATION_TYPE_NAMES
    for doc in records:
        entity = {e.id: e for e in doc.entities}
        _, row = relation_rows[doc.id]
        assert [
            (r["head"], r["tail"], relation_names[r["type"]], r["evidence"])
            for r in row["relations"]
        ] == [(r.head, r.tail, r.type, r.evidence) for r in doc.relations]
        for r in row["relations"]:
            assert r["head_canonical_id"] == entity[r["head"]].canonical_id
            assert r["tail_canonical_id"] == entity[r["tail"]].canonical_id
        _, row = claim_rows[doc.id]
        assert len(row["claims"]) == len(doc.claims)
        for loaded, claim in zip(row["claims"], doc.claims):
            assert (loaded["start"], loaded["end"], loaded["text"]) == (
                claim.start,
                claim.end,
                claim.text,
            )
            for name in (
                "value",
                "low",
                "high",
                "unit",
                "approximate",
                "property",
                "subject",
                "time",
                "override_reason",
            ):
                assert loaded[name] == getattr(claim, name), name
            assert schema.QUANTITY_TYPE_NAMES[loaded["quantity_type"]] == claim.quantity_type
            assert schema.MODALITY_NAMES[loaded["modality"]] == claim.modality
            assert loaded["subject_canonical_id"] == entity[claim.subject].canonical_id
            if claim.time:
                assert loaded["time_text"] == entity[claim.time].text


def test_total_counts_equal_the_gold(built):
    records, _, _ = built
    totals = {
        config: {split: load(built, config)[split] for split in SPLIT_NAMES}
        for config in ("entities", "relations", "numeric_claims")
    }

    def count(config, column):
        return sum(len(items) for part in totals[config].values() for items in part[column])

    assert count("entities", "entities") == sum(len(d.entities) for d in records)
    assert count("relations", "relations") == sum(len(d.relations) for d in records)
    assert count("numeric_claims", "claims") == sum(len(d.claims) for d in records)


def test_card_declares_version_configs_license_and_statistics(built):
    records, dataset_dir, _ = built
    meta = front_matter(dataset_dir / "README.md")
    body = (dataset_dir / "README.md").read_text(encoding="utf-8")
    assert meta["version"] == VERSION and f"**Version {VERSION}**" in body
    assert meta["language"] == ["ko"] and meta["size_categories"] == ["n<1K"]
    assert "named-entity-recognition" in meta["task_ids"]
    assert [c["config_name"] for c in meta["configs"]] == sorted(CONFIG_NAMES)
    for config in meta["configs"]:
        assert [f["split"] for f in config["data_files"]] == list(SPLIT_NAMES)
        for data_file in config["data_files"]:
            assert (dataset_dir / data_file["path"]).is_file()
    assert meta["license_link"] == "LICENSE.md" and (dataset_dir / "LICENSE.md").is_file()
    assert 'revision="v0.3.1"' in body and '"test-org/ktn"' in body
    for image in ("entity_types", "entities_per_article", "relation_types", "claim_types"):
        png = dataset_dir / "images" / f"{image}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"(images/{image}.png)" in body
    total_entities = sum(len(d.entities) for d in records)
    assert f"**{total_entities}**" in body  # totals row of the statistics tables
    datasheet = PROJECT.datasheet
    assert (dataset_dir / "DATASHEET.md").read_bytes() == datasheet.read_bytes()
    guidelines = PROJECT.guidelines
    assert (dataset_dir / "GUIDELINES.md").read_bytes() == guidelines.read_bytes()
    assert f"annotation guidelines {guidelines_version(guidelines)}" in body


def test_checksums_verify_with_sha256sum(built):
    _, dataset_dir, _ = built
    listed = [
        line.split("  ", 1)[1]
        for line in (dataset_dir / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    ]
    assert listed == [p.as_posix() for p in dataset_files(dataset_dir)]
    done = subprocess.run(
        ["sha256sum", "--check", "--strict", CHECKSUMS],
        cwd=dataset_dir,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_two_builds_are_byte_identical(built, tmp_path):
    records, dataset_dir, _ = built
    build_dataset(
        records,
        tmp_path / "again",
        VERSION,
        "test-org/ktn",
        changelog=dataset_dir.parent / "CHANGELOG.md",
    )
    files = dataset_files(dataset_dir)
    assert files == dataset_files(tmp_path / "again") and len(files) > 10
    for rel in files:
        assert (dataset_dir / rel).read_bytes() == (tmp_path / "again" / rel).read_bytes(), rel


def test_a_failed_build_leaves_the_previous_dataset_untouched(tmp_path):
    write_synthetic_gold(tmp_path / "gold")
    records = gold.load_gold(tmp_path / "gold")
    changelog = write_changelog(tmp_path / "CHANGELOG.md", ["1.0.0"])
    out = tmp_path / "dataset"
    build_dataset(records, out, "1.0.0", changelog=changelog)
    before = {rel: (out / rel).read_bytes() for rel in dataset_files(out)}
    records[-1].entities.append(Entity(id="bad", start=0, end=1, type="NOT_A_TYPE", text="x"))
    with pytest.raises(ValueError):
        build_dataset(records, out, "1.0.1", changelog=changelog)
    assert {rel: (out / rel).read_bytes() for rel in dataset_files(out)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CHANGELOG.md", "dataset", "gold"]


def test_version_and_repo_id_are_checked(tmp_path):
    write_synthetic_gold(tmp_path / "gold")
    records = gold.load_gold(tmp_path / "gold")
    changelog = write_changelog(tmp_path / "CHANGELOG.md", ["1.0.0"])
    with pytest.raises(BuildError, match="not a semantic version"):
        build_dataset(records, tmp_path / "d", "1.0", changelog=changelog)
    with pytest.raises(BuildError, match="ORG/NAME"):
        build_dataset(records, tmp_path / "d", "1.0.0", repo_id="no-slash", changelog=changelog)
    assert not (tmp_path / "d").exists()


def test_version_defaults_to_the_newest_changelog_entry(tmp_path):
    changelog = write_changelog(tmp_path / "CHANGELOG.md", ["2.1.0", "2.0.0"])
    assert latest_version(changelog) == "2.1.0"
    (tmp_path / "empty.md").write_text("# Changelog\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"no '## \[X.Y.Z\]' entry"):
        latest_version(tmp_path / "empty.md")
    assert latest_version() in PROJECT.changelog.read_text(encoding="utf-8")


def test_build_command_writes_the_dataset(tmp_path):
    write_synthetic_gold(tmp_path / "gold")
    result = CliRunner().invoke(
        app, ["build", "--gold", str(tmp_path / "gold"), "--out", str(tmp_path / "dataset")]
    )
    assert result.exit_code == 0, result.output
    assert front_matter(tmp_path / "dataset" / "README.md")["version"] == latest_version()
    assert "numeric_claims" in result.output


def test_build_command_reports_bad_gold_without_a_traceback(tmp_path):
    write_synthetic_gold(tmp_path / "gold")
    broken = next((tmp_path / "gold").glob("*.json"))
    broken.write_text(
        broken.read_text(encoding="utf-8").replace('"ORG"', '"ORGANISATION"', 1), encoding="utf-8"
    )
    result = CliRunner().invoke(
        app, ["build", "--gold", str(tmp_path / "gold"), "--out", str(tmp_path / "dataset")]
    )
    assert result.exit_code == 1
    assert broken.name in result.output and "unknown label 'ORGANISATION'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "dataset").exists()


def test_plots_use_the_packaged_font_and_the_pinned_matplotlib():
    """The card's PNGs (and so the checksums) must be the same bytes on any machine: the font
    comes from a PyPI package, not from the system, and matplotlib is the pinned version."""
    import tomllib
    from importlib.metadata import version

    from kotechnews.hfdataset.plots import KOREAN_FONT

    assert KOREAN_FONT.is_file() and "koreanize_matplotlib" in KOREAN_FONT.parts
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    pins = dict(dep.split("==") for dep in project["project"]["dependencies"] if "==" in dep)
    assert pins["matplotlib"] == version("matplotlib")
    assert pins["koreanize-matplotlib"] == version("koreanize-matplotlib")
