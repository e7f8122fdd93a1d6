"""Release a dataset version: validate, rebuild twice, checksum, tag in git, upload to the Hub.

``release`` validates the gold, builds ``dataset/``, builds a second time into a temporary
directory and requires byte-identical output, then (unless it is a dry run) commits the dataset
folder into a local git repository with the tag ``vX.Y.Z`` and uploads the folder to the Hub with
``HfApi.upload_folder`` followed by ``create_tag``. The Hub token is read from ``HF_TOKEN`` only
and never printed. A first upload creates the Hub repo private: the maintainer makes it public (or
gated) after the checks in DATASHEET.md. ``public`` releases the openly licensed part only (the
Wikinews documents, with the splits of the full build) as a second repository. The card cites the
date of the version's CHANGELOG.md entry, or, while the entry has no date, the day of the release.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from kotechnews.errors import KoTechNewsError
from kotechnews.gold import load_gold
from kotechnews.hfdataset.build import (
    CHECKSUMS,
    build_dataset,
    changelog_date,
    changelog_versions,
    check_card_settings,
    check_repo_id,
    check_version,
    checksums_text,
    dataset_files,
    file_sha256,
)
from kotechnews.hfdataset.card import CardSettings
from kotechnews.layout import Layout

TOKEN_ENV = "HF_TOKEN"
GIT_IDENTITY = ("-c", "user.name=KoTechNews release", "-c", "user.email=release@kotechnews.invalid")


class ReleaseError(KoTechNewsError, RuntimeError):
    """A release step failed; the message says which and what to do."""


@dataclass(frozen=True)
class ReleaseFile:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ReleaseResult:
    version: str
    repo_id: str
    tag: str
    files: tuple[ReleaseFile, ...]
    dry_run: bool
    git_commit: str | None = None
    hub_commit_url: str | None = None


def release_files(dataset_dir: Path) -> tuple[ReleaseFile, ...]:
    """Every file of the dataset folder (the checksum list included), with size and SHA-256."""
    paths = [*dataset_files(dataset_dir), Path(CHECKSUMS)]
    return tuple(
        ReleaseFile(p.as_posix(), (dataset_dir / p).stat().st_size, file_sha256(dataset_dir / p))
        for p in paths
    )


def check_reproducible(first: Path, second: Path) -> None:
    """Two builds of the same gold must have the same files with the same bytes."""
    a, b = dataset_files(first), dataset_files(second)
    if a != b:
        raise ReleaseError(f"two builds differ in their files: {sorted(set(a) ^ set(b))}")
    differing = [p.as_posix() for p in a if (first / p).read_bytes() != (second / p).read_bytes()]
    if differing:
        raise ReleaseError(f"two builds of the same gold are not byte-identical: {differing}")
    if (first / CHECKSUMS).read_text(encoding="utf-8") != checksums_text(first):
        raise ReleaseError(f"{first / CHECKSUMS} does not match the files")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_IDENTITY, "-C", str(repo), *args], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} in {repo} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _tag_tree(repo: Path, tag: str) -> str | None:
    done = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{tree}}"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def commit_release(dataset_dir: Path, repo: Path, tag: str) -> str:
    """Commit the dataset folder as the whole tree of the release repo and tag it; the commit id.

    Re-running a release whose tag already holds exactly this tree is a no-op (so an upload that
    failed can be retried); a tag with other content is an error, as released versions never change.
    """
    if not (repo / ".git").is_dir():
        repo.mkdir(parents=True, exist_ok=True)
        _git(repo, "init", "--quiet", "--initial-branch=main")
    for entry in repo.iterdir():  # the tree is exactly the dataset folder
        if entry.name == ".git":
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    shutil.copytree(dataset_dir, repo, dirs_exist_ok=True)
    _git(repo, "add", "--all")
    tree = _git(repo, "write-tree")
    tagged = _tag_tree(repo, tag)
    if tagged is not None:
        if tagged != tree:
            raise ReleaseError(
                f"{repo}: tag {tag} already exists with other content; a released "
                "version never changes: bump the version"
            )
        _git(repo, "reset", "--quiet", "--hard", tag)
        return _git(repo, "rev-parse", f"{tag}^{{commit}}")
    _git(repo, "commit", "--quiet", "--allow-empty", "-m", f"KoTechNews {tag}")
    _git(repo, "tag", "-a", tag, "-m", f"KoTechNews {tag}")
    return _git(repo, "rev-parse", "HEAD")


def upload(dataset_dir: Path, repo_id: str, tag: str, token: str) -> str:
    """Upload the folder as one Hub commit (removing files no longer in it), tag it; the commit URL."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=True, exist_ok=True)
        info = api.upload_folder(
            repo_id=repo_id,
            repo_type="dataset",
            folder_path=dataset_dir,
            commit_message=f"KoTechNews {tag}",
            delete_patterns="*",
        )
        api.create_tag(
            repo_id,
            tag=tag,
            tag_message=f"KoTechNews {tag}",
            revision=info.oid,
            repo_type="dataset",
        )
    except Exception as exc:  # network, HTTP and Hub errors all stop the release the same way
        raise ReleaseError(
            f"upload of {tag} to {repo_id} failed: {type(exc).__name__}: {exc}"
        ) from exc
    return info.commit_url


def prepare_release(
    version: str,
    repo_id: str,
    *,
    gold_dir: Path | None = None,
    dataset_dir: Path | None = None,
    changelog: Path | None = None,
    datasheet: Path | None = None,
    public: bool = False,
    card: CardSettings = CardSettings(),
    progress: Callable[[str], None] = lambda step: None,
    layout: Layout | None = None,
) -> tuple[ReleaseFile, ...]:
    """The local part of a release: validate, build, rebuild and compare; the release files.
    Paths left out are those of ``layout`` (default: discovered); the dataset is built in the
    full edition's release folder."""
    check_version(version)
    check_repo_id(repo_id)
    layout = layout or Layout.discover()
    changelog = changelog or layout.changelog
    if version not in changelog_versions(changelog):
        raise ReleaseError(
            f"{changelog}: no entry '## [{version}]'; describe the release there first"
        )
    progress("validating the gold")
    records = load_gold(gold_dir or layout.gold)
    dataset_dir = Path(dataset_dir or layout.release_locations(False)[0]).resolve()

    def build(out: Path) -> None:
        build_dataset(
            records, out, version, repo_id, changelog, datasheet, public, card, progress, layout
        )

    build(dataset_dir)
    with tempfile.TemporaryDirectory(dir=dataset_dir.parent, prefix=".release-check-") as second:
        progress("rebuilding to check that the build is reproducible")
        build(Path(second) / "dataset")
        check_reproducible(dataset_dir, Path(second) / "dataset")
    return release_files(dataset_dir)


def release(
    version: str,
    repo_id: str,
    *,
    dry_run: bool = False,
    gold_dir: Path | None = None,
    dataset_dir: Path | None = None,
    release_repo: Path | None = None,
    changelog: Path | None = None,
    datasheet: Path | None = None,
    public: bool = False,
    card: CardSettings | None = None,
    progress: Callable[[str], None] = lambda step: None,
    layout: Layout | None = None,
) -> ReleaseResult:
    """Prepare the release, then (unless dry_run) tag it in the release repo and upload it.

    The card settings default to the environment (KOTECHNEWS_CONTACT, _AUTHORS, _LEADERBOARD_URL),
    the paths to those of ``layout`` (default: discovered; the full edition's release folders).
    """
    tag = f"v{check_version(version)}"
    layout = layout or Layout.discover()
    changelog = changelog or layout.changelog
    full_build, full_repo = layout.release_locations(False)
    dataset_dir, release_repo = dataset_dir or full_build, release_repo or full_repo
    card = card or CardSettings.from_environment()
    check_card_settings(card)
    undated = changelog.is_file() and changelog_date(version, changelog) is None
    if card.release_date is None and undated:  # the release is today
        card = replace(card, release_date=datetime.now(timezone.utc).date())
    token = None
    if not dry_run:
        token = os.environ.get(TOKEN_ENV)
        if not token:
            raise ReleaseError(
                f"{TOKEN_ENV} is not set: export a Hugging Face write token as "
                f"{TOKEN_ENV} (or use --dry-run)"
            )
    files = prepare_release(
        version,
        repo_id,
        gold_dir=gold_dir,
        dataset_dir=dataset_dir,
        changelog=changelog,
        datasheet=datasheet,
        public=public,
        card=card,
        progress=progress,
        layout=layout,
    )
    if dry_run:
        return ReleaseResult(version, repo_id, tag, files, dry_run=True)
    progress(f"committing {tag} to {release_repo}")
    commit = commit_release(Path(dataset_dir).resolve(), Path(release_repo), tag)
    progress(f"uploading {tag} to {repo_id}")
    url = upload(Path(dataset_dir).resolve(), repo_id, tag, token)
    return ReleaseResult(
        version, repo_id, tag, files, dry_run=False, git_commit=commit, hub_commit_url=url
    )
