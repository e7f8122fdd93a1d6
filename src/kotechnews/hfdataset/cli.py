"""CLI: `kotechnews build` and `kotechnews release` (thin wrappers over build and release).

The library modules are imported inside the commands: they load ``datasets`` and matplotlib, which
would slow down every other ``kotechnews`` command.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kotechnews.cli_paths import layout_of, project_path
from kotechnews.hfdataset import DEFAULT_REPO_ID

console = Console()


def build_command(
    ctx: typer.Context,
    gold: Path = project_path("gold", help="Gold Label Studio exports"),
    out: Path = project_path("dataset", help="Dataset repository to (re)write"),
    version: str = typer.Option(None, help="Version; default: newest in CHANGELOG.md"),
    repo_id: str = typer.Option(DEFAULT_REPO_ID, help="Hub repo named in the card"),
    public: bool = typer.Option(
        False, "--public", help="Only the openly licensed documents (Wikinews)"
    ),
):
    """Build the Hub-ready dataset repository (card, Parquet, plots, checksums) from the gold."""
    from kotechnews.hfdataset.build import build_from_gold

    with console.status("building") as status:
        result = build_from_gold(
            gold,
            out,
            version,
            repo_id,
            public=public,
            progress=lambda step: status.update(step),
            layout=layout_of(ctx),
        )
    table = Table(
        "config", "split", "rows", title=f"KoTechNews {result.version} -> {result.out_dir}"
    )
    for f in result.files:
        table.add_row(f.config, f.split, str(f.num_examples))
    console.print(table)


def release_command(
    ctx: typer.Context,
    version: str = typer.Option(..., help="Semantic version X.Y.Z"),
    repo_id: str = typer.Option(..., help="Hub dataset repo ORG/NAME"),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Build and list the files; no tag, no upload"
    ),
    public: bool = typer.Option(
        False,
        "--public",
        help="Release only the openly licensed documents (Wikinews, CC BY 2.5) as a public repo",
    ),
    gold: Path = project_path("gold", help="Gold Label Studio exports"),
    out: Path = typer.Option(
        None,
        help="Folder the release is built in; default: build/release/full or build/release/public",
    ),
    release_repo: Path = typer.Option(
        None, help="Local git repo of releases; default: build/release-repo-full or -public"
    ),
):
    """Validate, rebuild reproducibly, checksum, tag vX.Y.Z in git and upload (HF_TOKEN)."""
    from kotechnews.hfdataset.release import release

    layout = layout_of(ctx)
    default_out, default_repo = layout.release_locations(public)
    with console.status("releasing") as status:
        result = release(
            version,
            repo_id,
            dry_run=dry_run,
            gold_dir=gold,
            dataset_dir=out or default_out,
            release_repo=release_repo or default_repo,
            public=public,
            progress=lambda step: status.update(step),
            layout=layout,
        )
    title = f"{'would upload' if result.dry_run else 'uploaded'} {result.tag} to {result.repo_id}"
    table = Table("file", "bytes", "sha256", title=title)
    for f in result.files:
        table.add_row(f.path, str(f.size), f.sha256)
    console.print(table)
    console.print(f"{len(result.files)} files, {sum(f.size for f in result.files)} bytes")
    if not result.dry_run:
        console.print(
            f"git commit {result.git_commit} tagged {result.tag}; {result.hub_commit_url}"
        )
