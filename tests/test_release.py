"""kotechnews release: dry run, token handling, immutable tags, and tagged releases served as a Hub
dataset repo (olah on 127.0.0.1 serving the release git repo) loaded by revision."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import PROJECT
from kotechnews.hfdataset.build import CHECKSUMS
from kotechnews.hfdataset.release import ReleaseError, commit_release, prepare_release, release
from test_dataset_synthetic import write_changelog, write_synthetic_gold

KOTECHNEWS = str(Path(sys.executable).with_name("kotechnews"))
OLAH = Path(sys.executable).with_name("olah-cli")
ORG, NAME = "kotechnews-test", "ktn"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def gold_and_changelog(tmp_path):
    write_synthetic_gold(tmp_path / "gold")
    return tmp_path / "gold", write_changelog(tmp_path / "CHANGELOG.md", ["0.2.0", "0.1.0"])


def test_dry_run_lists_every_file_with_size_and_checksum(tmp_path, gold_and_changelog, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)  # a dry run needs no token
    gold_dir, changelog = gold_and_changelog
    result = release(
        "0.1.0",
        f"{ORG}/{NAME}",
        dry_run=True,
        gold_dir=gold_dir,
        dataset_dir=tmp_path / "dataset",
        release_repo=tmp_path / "repo",
        changelog=changelog,
    )
    dataset = tmp_path / "dataset"
    on_disk = sorted(p.relative_to(dataset).as_posix() for p in dataset.rglob("*") if p.is_file())
    assert sorted(f.path for f in result.files) == on_disk
    checksums = dict(
        reversed(line.split("  "))
        for line in (dataset / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    )
    for f in result.files:
        assert f.size == (dataset / f.path).stat().st_size
        if f.path != CHECKSUMS:
            assert checksums[f.path] == f.sha256
    assert result.dry_run and result.tag == "v0.1.0" and result.git_commit is None
    assert not (tmp_path / "repo").exists()


def test_release_command_dry_run_prints_the_upload_plan(tmp_path, gold_and_changelog):
    gold_dir, _ = gold_and_changelog
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"} | {"COLUMNS": "200"}
    done = subprocess.run(
        [
            KOTECHNEWS,
            "release",
            "--version",
            "0.1.0",
            "--repo-id",
            f"{ORG}/{NAME}",
            "--dry-run",
            "--gold",
            str(gold_dir),
            "--out",
            str(tmp_path / "dataset"),
            "--release-repo",
            str(tmp_path / "repo"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert f"would upload v0.1.0 to {ORG}/{NAME}" in done.stdout
    for name in ("README.md", "data/entities/test.parquet", "CHECKSUMS.sha256"):
        assert name in done.stdout


def test_missing_token_is_a_clear_error_before_anything_is_built(
    tmp_path, gold_and_changelog, monkeypatch
):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    gold_dir, changelog = gold_and_changelog
    with pytest.raises(ReleaseError, match="HF_TOKEN is not set"):
        release(
            "0.1.0",
            f"{ORG}/{NAME}",
            gold_dir=gold_dir,
            dataset_dir=tmp_path / "dataset",
            release_repo=tmp_path / "repo",
            changelog=changelog,
        )
    assert not (tmp_path / "dataset").exists() and not (tmp_path / "repo").exists()


def test_a_version_needs_a_changelog_entry(tmp_path, gold_and_changelog):
    gold_dir, changelog = gold_and_changelog
    with pytest.raises(ReleaseError, match=r"no entry '## \[0.9.0\]'"):
        prepare_release(
            "0.9.0",
            f"{ORG}/{NAME}",
            gold_dir=gold_dir,
            dataset_dir=tmp_path / "dataset",
            changelog=changelog,
        )


def test_failed_upload_keeps_the_token_secret_and_can_be_retried(tmp_path, gold_and_changelog):
    """The upload goes to an endpoint where nothing listens: the error names the step, never the
    token; the local tag is made once and a retry reuses it."""
    gold_dir, _ = gold_and_changelog
    secret = "hf_kotechnews_test_secret_0123456789"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env |= {
        "HF_TOKEN": secret,
        "HF_ENDPOINT": f"http://127.0.0.1:{closed_port}",
        "HF_HOME": str(tmp_path / "hf"),
        "COLUMNS": "200",
    }
    command = [
        KOTECHNEWS,
        "release",
        "--version",
        "0.1.0",
        "--repo-id",
        f"{ORG}/{NAME}",
        "--gold",
        str(gold_dir),
        "--out",
        str(tmp_path / "dataset"),
        "--release-repo",
        str(tmp_path / "repo"),
    ]
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        assert done.returncode == 1, done.stderr
        assert f"upload of v0.1.0 to {ORG}/{NAME} failed" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert secret not in done.stdout + done.stderr
        assert git(tmp_path / "repo", "tag", "--list") == "v0.1.0"
    assert git(tmp_path / "repo", "rev-list", "--count", "HEAD") == "1"


def test_a_released_tag_never_changes(tmp_path, gold_and_changelog):
    gold_dir, changelog = gold_and_changelog
    dataset, repo = tmp_path / "dataset", tmp_path / "repo"
    prepare_release(
        "0.1.0", f"{ORG}/{NAME}", gold_dir=gold_dir, dataset_dir=dataset, changelog=changelog
    )
    first = commit_release(dataset, repo, "v0.1.0")
    assert commit_release(dataset, repo, "v0.1.0") == first  # same content: retry is a no-op
    (dataset / "README.md").write_text("changed", encoding="utf-8")
    with pytest.raises(ReleaseError, match="already exists with other content"):
        commit_release(dataset, repo, "v0.1.0")
    assert git(repo, "rev-parse", "v0.1.0^{commit}") == first


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def olah_hub(tmp_path):
    """olah serving tmp/mirrors/datasets/ORG/NAME (a git repo) as the Hub dataset ORG/NAME."""
    if not OLAH.exists():
        pytest.skip("olah is not installed (pip install -e '.[test]')")
    port = free_port()
    config = tmp_path / "olah.toml"
    config.write_text(
        f"""[basic]
host = "127.0.0.1"
port = {port}
repos-path = "{tmp_path / "olah-cache"}"
mirrors-path = ["{tmp_path / "mirrors"}"]
[accessibility]
offline = true
""",
        encoding="utf-8",
    )
    repo = tmp_path / "mirrors" / "datasets" / ORG / NAME
    server = subprocess.Popen(
        [str(OLAH), "-c", str(config)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield repo, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for_revision(endpoint: str, revision: str, name: str = NAME) -> None:
    url = f"{endpoint}/api/datasets/{ORG}/{name}/revision/{revision}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"olah did not serve {url}")
        time.sleep(0.3)


def test_public_edition_holds_only_open_documents_with_the_full_builds_splits(tmp_path, olah_hub):
    repo, endpoint = olah_hub
    changelog = write_changelog(tmp_path / "CHANGELOG.md", ["0.2.0"])
    gold_dir = tmp_path / "gold"
    documents = write_synthetic_gold(gold_dir, open_keys="bcdf")
    open_ids = {d.id for d in documents if d.license == "CC BY 2.5"}
    public_repo = repo.with_name(f"{NAME}-public")
    for public, target in ((False, repo), (True, public_repo)):
        out = tmp_path / ("public" if public else "full")
        prepare_release(
            "0.2.0",
            f"{ORG}/{NAME}",
            gold_dir=gold_dir,
            dataset_dir=out,
            changelog=changelog,
            public=public,
        )
        commit_release(out, target, "v0.2.0")
    card = (tmp_path / "public" / "README.md").read_text(encoding="utf-8")
    assert "- cc-by-4.0" in card and "- cc-by-2.5" in card and "extra_gated_prompt" not in card
    assert "extra_gated_prompt" in (tmp_path / "full" / "README.md").read_text(encoding="utf-8")
    assert "machine-generated" in card
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env |= {"HF_ENDPOINT": endpoint, "HF_HOME": str(tmp_path / "hf-home")}
    loaded = {}
    for name in (NAME, f"{NAME}-public"):
        wait_for_revision(endpoint, "v0.2.0", name)
        done = subprocess.run(
            [sys.executable, "-c", SPLITS_SCRIPT, f"{ORG}/{name}", "v0.2.0"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        loaded[name] = json.loads(done.stdout)
    full, public = loaded[NAME], loaded[f"{NAME}-public"]
    assert set(public) == open_ids and len(full) == len(documents)
    assert all(public[doc_id] == full[doc_id] for doc_id in public)  # same split, licence
    assert {row[1] for row in public.values()} == {"CC BY 2.5"}


SPLITS_SCRIPT = """
import json, sys
from datasets import load_dataset
loaded = load_dataset(sys.argv[1], "documents", revision=sys.argv[2])
json.dump({row["id"]: [split, row["license"], row["fold"]] for split, part in loaded.items()
           for row in part}, sys.stdout)
"""


LOAD_SCRIPT = """
import json, sys
from datasets import load_dataset
repo, revisions = sys.argv[1], sys.argv[2:]
out = {}
for revision in revisions:
    out[revision] = {}
    for config in ("documents", "entities", "relations", "numeric_claims"):
        loaded = load_dataset(repo, config, revision=revision)
        out[revision][config] = {split: list(part["id"]) for split, part in loaded.items()}
    out[revision]["label_names"] = loaded["train"].features["claims"].feature["modality"].names
json.dump(out, sys.stdout)
"""


def test_tagged_releases_load_from_the_hub_by_revision(tmp_path, olah_hub):
    repo, endpoint = olah_hub
    changelog = write_changelog(tmp_path / "CHANGELOG.md", ["0.2.0", "0.1.0"])
    counts = {}
    for version, keys in (("0.1.0", "abcdef"), ("0.2.0", "abcde")):  # 0.2.0 drops one article
        gold_dir = tmp_path / f"gold-{version}"
        write_synthetic_gold(gold_dir, keys)
        prepare_release(
            version,
            f"{ORG}/{NAME}",
            gold_dir=gold_dir,
            dataset_dir=tmp_path / "dataset",
            changelog=changelog,
        )
        commit_release(tmp_path / "dataset", repo, f"v{version}")
        counts[f"v{version}"] = len(keys)
    shutil.rmtree(tmp_path / "dataset")  # only the Hub copy is left to load from
    wait_for_revision(endpoint, "v0.2.0")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env |= {"HF_ENDPOINT": endpoint, "HF_HOME": str(tmp_path / "hf-home")}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, f"{ORG}/{NAME}", "v0.1.0", "v0.2.0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout)
    from kotechnews import schema

    for revision, expected in counts.items():
        per_config = [
            sorted(i for ids in loaded[revision][c].values() for i in ids)
            for c in ("documents", "entities", "relations", "numeric_claims")
        ]
        assert len(per_config[0]) == expected
        assert all(ids == per_config[0] for ids in per_config)
        assert loaded[revision]["label_names"] == schema.MODALITY_NAMES
    v1 = {i for ids in loaded["v0.1.0"]["documents"].values() for i in ids}
    v2 = {i for ids in loaded["v0.2.0"]["documents"].values() for i in ids}
    assert v2 < v1 and len(v1 - v2) == 1


def test_release_dry_run_with_default_folders_changes_nothing_under_dataset(gold_and_changelog):
    dataset = PROJECT.dataset
    before = {p: p.read_bytes() for p in sorted(dataset.rglob("*")) if p.is_file()}
    out, repo = PROJECT.release_locations(False)
    assert not out.is_relative_to(dataset) and not repo.is_relative_to(dataset)
    gold_dir, changelog = gold_and_changelog
    result = release("0.1.0", f"{ORG}/{NAME}", dry_run=True, gold_dir=gold_dir, changelog=changelog)
    assert result.dry_run and (out / "README.md").is_file()
    assert {p: p.read_bytes() for p in sorted(dataset.rglob("*")) if p.is_file()} == before
