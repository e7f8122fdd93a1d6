"""Where a KoTechNews project keeps its files: one `Layout` names every project path once.

The project root is, in this order:

1. the root given (``kotechnews --root DIR``, or ``Layout.discover(DIR)``);
2. the environment variable ``KOTECHNEWS_ROOT``;
3. the working directory's nearest ancestor (itself included) holding
   ``annotation/GUIDELINES.md``, so commands work from any subdirectory of a checkout;
   outside any project, the working directory itself.

Nothing is located from where the package is installed: an installed ``kotechnews`` works on any
checkout, and library functions resolve their default paths when they are called, not imported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT_ENV = "KOTECHNEWS_ROOT"
MARKER = Path("annotation", "GUIDELINES.md")  # what makes a directory a KoTechNews project


@dataclass(frozen=True)
class Layout:
    root: Path
    build_dir: Path | None = None  # `kotechnews run --build-dir`; default: root/build

    @classmethod
    def discover(cls, root: Path | str | None = None) -> Layout:
        chosen = root or os.environ.get(ROOT_ENV)
        if chosen:
            return cls(Path(chosen).resolve())
        cwd = Path.cwd()
        return cls(next((d for d in (cwd, *cwd.parents) if (d / MARKER).is_file()), cwd))

    def shown(self, path: Path | str) -> str:
        """A path as stored results record it: relative to the root when inside it, so they do
        not name the machine they were made on."""
        resolved = Path(path).resolve()
        inside = resolved.is_relative_to(self.root)
        return str(resolved.relative_to(self.root) if inside else resolved)

    # annotation/: what annotators and curators commit
    @property
    def annotation(self) -> Path:
        return self.root / "annotation"

    @property
    def raw(self) -> Path:
        return self.annotation / "raw"

    @property
    def gold(self) -> Path:
        return self.annotation / "gold"

    @property
    def worksheets(self) -> Path:
        return self.annotation / "worksheets"

    @property
    def number_exclusions(self) -> Path:
        return self.annotation / "number_exclusions.jsonl"

    @property
    def preannotations(self) -> Path:
        return self.annotation / "preannotations" / "wikinews.json"

    @property
    def agreement(self) -> Path:
        return self.annotation / "agreement"

    @property
    def guidelines(self) -> Path:
        return self.root / MARKER

    # build/: regenerated, never committed
    @property
    def build(self) -> Path:
        return self.build_dir if self.build_dir is not None else self.root / "build"

    @property
    def ingested(self) -> Path:
        return self.build / "ingested"

    @property
    def documents(self) -> Path:
        return self.ingested / "documents.jsonl"

    @property
    def baselines_work(self) -> Path:
        return self.build / "baselines"

    @property
    def models(self) -> Path:
        return self.build / "models"

    def release_locations(self, public: bool) -> tuple[Path, Path]:
        """(build folder, local release git repo) of the full or the public edition: outside
        dataset/, so that a dry run changes nothing that is committed."""
        edition = "public" if public else "full"
        return self.build / "release" / edition, self.build / f"release-repo-{edition}"

    # the released dataset, its documentation and the leaderboard
    @property
    def dataset(self) -> Path:
        return self.root / "dataset"

    @property
    def changelog(self) -> Path:
        return self.root / "CHANGELOG.md"

    @property
    def datasheet(self) -> Path:
        return self.root / "DATASHEET.md"

    @property
    def baseline_results(self) -> Path:
        return self.root / "baselines" / "results"

    @property
    def leaderboard(self) -> Path:
        return self.root / "leaderboard"

    @property
    def leaderboard_results(self) -> Path:
        return self.leaderboard / "results"


# Every path relative to the root, as --help shows defaults (annotation/gold, not /home/...).
RELATIVE = Layout(Path())
