"""Build the Hub-ready dataset repository (card, Parquet data, plots, checksums) from the gold.

The build writes everything into a temporary directory next to the target and swaps it in only
after every file was written, so a failed build leaves the previous dataset untouched. Output bytes
depend only on the gold, the version and the repo id: rows are in document-id order and neither
Parquet nor PNG files carry timestamps, so two builds are byte-identical. The card also states what
the card settings say (contact, authors, leaderboard URL; kotechnews.hfdataset.card.CardSettings),
which `build_from_gold` reads from the environment.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kotechnews.errors import KoTechNewsError
from kotechnews.gold import load_gold
from kotechnews.hfdataset import DEFAULT_REPO_ID
from kotechnews.hfdataset import card as dataset_card
from kotechnews.hfdataset.features import CONFIG_NAMES, FEATURES
from kotechnews.hfdataset.plots import render_plots
from kotechnews.hfdataset.rows import ROW_BUILDERS
from kotechnews.hfdataset.stats import article_label, compute_statistics, plot_label
from kotechnews.jsonio import atomic_directory
from kotechnews.layout import Layout
from kotechnews.licences import is_openly_licensed
from kotechnews.records import AnnotatedDocument
from kotechnews.splits import SPLIT_NAMES, assign_splits

GUIDELINES_VERSION = re.compile(r"^Version \*\*(\d+\.\d+\.\d+)\*\*", re.MULTILINE)
CHECKSUMS = "CHECKSUMS.sha256"
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
CHANGELOG_ENTRY = re.compile(r"^## \[([^\]]+)\]", re.MULTILINE)
# the release date of an entry: ## [X.Y.Z] - YYYY-MM-DD
CHANGELOG_DATE = r"^## \[{version}\] - (\d{{4}}-\d{{2}}-\d{{2}})\b"
REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")


class BuildError(KoTechNewsError, ValueError):
    """The dataset cannot be built from the given input; the message says which input."""


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    version: str
    files: tuple[dataset_card.SplitFile, ...]

    def num_examples(self, config: str, split: str) -> int:
        return next(f.num_examples for f in self.files if (f.config, f.split) == (config, split))


def check_version(version: str) -> str:
    if not SEMVER.fullmatch(version):
        raise BuildError(f"version {version!r} is not a semantic version MAJOR.MINOR.PATCH")
    return version


def check_repo_id(repo_id: str) -> str:
    if not REPO_ID.fullmatch(repo_id):
        raise BuildError(f"repo id {repo_id!r} is not of the form ORG/NAME")
    return repo_id


def changelog_versions(changelog: Path | None = None) -> list[str]:
    """Versions with an entry (``## [X.Y.Z] ...``) in the changelog (default: the project's
    CHANGELOG.md), newest first."""
    changelog = changelog or Layout.discover().changelog
    if not changelog.is_file():
        raise BuildError(f"{changelog}: no changelog")
    return [
        v
        for v in CHANGELOG_ENTRY.findall(changelog.read_text(encoding="utf-8"))
        if SEMVER.fullmatch(v)
    ]


def latest_version(changelog: Path | None = None) -> str:
    changelog = changelog or Layout.discover().changelog
    versions = changelog_versions(changelog)
    if not versions:
        raise BuildError(f"{changelog}: no '## [X.Y.Z]' entry; add one for this version")
    return versions[0]


def changelog_date(version: str, changelog: Path | None = None) -> date | None:
    """The date of the version's entry (``## [X.Y.Z] - YYYY-MM-DD``); None while it has none."""
    changelog = changelog or Layout.discover().changelog
    pattern = CHANGELOG_DATE.format(version=re.escape(version))
    found = re.search(pattern, changelog.read_text(encoding="utf-8"), re.MULTILINE)
    if not found:
        return None
    try:
        return date.fromisoformat(found.group(1))
    except ValueError:
        raise BuildError(
            f"{changelog}: entry [{version}] has the date {found.group(1)!r}, which is "
            "not a calendar date YYYY-MM-DD"
        ) from None


def check_card_settings(settings: dataset_card.CardSettings) -> None:
    problems = dataset_card.card_settings_problems(settings)
    if problems:
        raise BuildError("card settings: " + "; ".join(problems))


def guidelines_version(guidelines: Path | None = None) -> str:
    """The version the annotation guidelines state on their 'Version **X.Y.Z**' line."""
    guidelines = guidelines or Layout.discover().guidelines
    found = GUIDELINES_VERSION.search(guidelines.read_text(encoding="utf-8"))
    if not found:
        raise BuildError(f"{guidelines}: no 'Version **X.Y.Z**' line")
    return found.group(1)


def parquet_bytes(config: str, rows: Sequence[dict]) -> tuple[bytes, int]:
    """Parquet file bytes of typed rows (HF features in the schema metadata) and the table size."""
    features = FEATURES[config]
    table = pa.Table.from_pylist(
        [features.encode_example(row) for row in rows], schema=features.arrow_schema
    )
    buffer = io.BytesIO()
    # No column statistics: for the text columns they would store each text twice more (min, max).
    pq.write_table(table, buffer, compression="zstd", write_statistics=False)
    return buffer.getvalue(), table.nbytes


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dataset_files(root: Path) -> list[Path]:
    """Relative paths of every file of a built dataset except the checksum list, sorted."""
    return sorted(
        p.relative_to(root) for p in root.rglob("*") if p.is_file() and p.name != CHECKSUMS
    )


def checksums_text(root: Path) -> str:
    """``sha256sum`` format, so ``sha256sum -c CHECKSUMS.sha256`` verifies a download."""
    return "".join(f"{file_sha256(root / rel)}  {rel.as_posix()}\n" for rel in dataset_files(root))


def _write(root: Path, relative: str, data: bytes | str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def build_dataset(
    records: Sequence[AnnotatedDocument],
    out_dir: Path,
    version: str,
    repo_id: str = DEFAULT_REPO_ID,
    changelog: Path | None = None,
    datasheet: Path | None = None,
    public: bool = False,
    card: dataset_card.CardSettings = dataset_card.CardSettings(),
    progress: Callable[[str], None] = lambda step: None,
    layout: Layout | None = None,
) -> BuildResult:
    """Write the dataset repository for the validated gold records into out_dir.

    With ``public``, only the documents whose text is openly licensed go in, with the splits they
    have in the full build (the splits are assigned over all records first). The card cites the
    release date of ``card`` or else that of the version's changelog entry. The changelog, the
    datasheet and the guidelines default to those of ``layout`` (default: discovered).
    """
    check_version(version)
    check_repo_id(repo_id)
    check_card_settings(card)
    layout = layout or Layout.discover()
    changelog, datasheet = changelog or layout.changelog, datasheet or layout.datasheet
    guidelines = layout.guidelines
    for required in (changelog, datasheet, guidelines):
        if not required.is_file():
            raise BuildError(f"{required}: missing; the dataset repository ships a copy of it")
    card = replace(card, release_date=card.release_date or changelog_date(version, changelog))
    if not records:
        raise BuildError("no gold records to build a dataset from")
    without = [doc.id for doc in records if doc.document is None or doc.document.paragraphs is None]
    if without:
        raise BuildError(
            f"{len(without)} gold record(s) without their document's paragraphs (task data made "
            f"before ingest's paragraphs travelled with it: make the task again with `kotechnews "
            f"ls push` into a project that does not hold it, and export it from there), first "
            f"{without[0]!r}"
        )
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    progress("assigning splits")
    assignments = assign_splits(records)
    if public:
        records = [doc for doc in records if is_openly_licensed(doc)]
        if not records:
            raise BuildError("no openly licensed document for the public build")
    splits = {doc.id: assignments[doc.id].split for doc in records}
    example = dataset_card.example_document(records, splits)
    example_rows = {}  # the rows the card shows, as written
    with atomic_directory(out_dir) as staging:
        files = []
        for config in CONFIG_NAMES:
            progress(f"writing {config}")
            for split in SPLIT_NAMES:
                docs = [doc for doc in records if assignments[doc.id].split == split]
                rows = [ROW_BUILDERS[config](doc, assignments[doc.id]) for doc in docs]
                if not rows:  # a public edition may have no open document in a split
                    continue
                if example in docs:
                    example_row = rows[docs.index(example)]
                    example_rows[config] = FEATURES[config].encode_example(example_row)
                data, num_bytes = parquet_bytes(config, rows)
                path = dataset_card.data_path(config, split)
                _write(staging, path, data)
                files.append(dataset_card.SplitFile(config, split, path, len(rows), num_bytes))
        progress("plotting statistics")
        stats = compute_statistics(records, assignments)
        names = {article_label(doc): plot_label(doc) for doc in records}
        for name, png in render_plots(stats, names).items():
            _write(staging, f"images/{name}", png)
        progress("writing the card")
        readme = dataset_card.render_card(
            version,
            guidelines_version(guidelines),
            repo_id,
            records,
            stats,
            files,
            splits,
            example_rows,
            card,
            public,
        )
        _write(staging, "README.md", readme)
        _write(staging, "LICENSE.md", dataset_card.render_license(records, repo_id, card))
        _write(staging, "DATASHEET.md", datasheet.read_bytes())
        _write(staging, "CHANGELOG.md", changelog.read_bytes())
        _write(staging, "GUIDELINES.md", guidelines.read_bytes())
        _write(staging, CHECKSUMS, checksums_text(staging))
    return BuildResult(out_dir, version, tuple(files))


def build_from_gold(
    gold_dir: Path | None = None,
    out_dir: Path | None = None,
    version: str | None = None,
    repo_id: str = DEFAULT_REPO_ID,
    changelog: Path | None = None,
    datasheet: Path | None = None,
    public: bool = False,
    card: dataset_card.CardSettings | None = None,
    progress: Callable[[str], None] = lambda step: None,
    gold: Sequence[AnnotatedDocument] | None = None,
    layout: Layout | None = None,
) -> BuildResult:
    """Validate and load the gold (unless ``gold`` gives the records load_gold returned), then
    build; the version defaults to the changelog's newest, the card settings to those of the
    environment (KOTECHNEWS_CONTACT, _AUTHORS, _LEADERBOARD_URL), the paths to those of
    ``layout`` (default: discovered)."""
    layout = layout or Layout.discover()
    changelog = changelog or layout.changelog
    card = card or dataset_card.CardSettings.from_environment()
    check_card_settings(card)
    if gold is None:
        progress("validating the gold")
    records = load_gold(gold_dir or layout.gold) if gold is None else gold
    return build_dataset(
        records,
        out_dir or layout.dataset,
        version or latest_version(changelog),
        repo_id,
        changelog,
        datasheet,
        public,
        card,
        progress,
        layout,
    )
