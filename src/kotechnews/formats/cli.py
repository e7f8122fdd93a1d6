"""`kotechnews export`: the dataset's splits in another benchmark's format (thin wrapper)."""

from __future__ import annotations

import enum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kotechnews.cli_paths import project_path
from kotechnews.formats import FORMATS
from kotechnews.splits import SPLIT_NAMES

FormatName = enum.Enum("FormatName", {name: name for name in FORMATS}, type=str)
SplitChoice = enum.Enum("SplitChoice", {name: name for name in (*SPLIT_NAMES, "all")}, type=str)


def export_command(
    format_name: FormatName = typer.Option(..., "--format", help="Format to write."),
    out: Path = typer.Option(..., "--out", help="Folder for the files: <split><suffix>."),
    dataset: str = project_path(
        "dataset",
        "--dataset",
        help="Dataset folder or Hub repo id (default: this project's dataset/).",
        text=True,
    ),
    split: SplitChoice = typer.Option(SplitChoice.all, "--split", help="Split to export."),
) -> None:
    """Write the gold of the dataset as CoNLL BIO, KLUE-NER, KLUE-RE, DocRED or MeasEval."""
    from kotechnews.formats.export import export_dataset

    splits = SPLIT_NAMES if split.value == "all" else (split.value,)
    console = Console()
    with console.status("exporting") as status:
        written = export_dataset(
            format_name.value, dataset, splits, out, progress=lambda step: status.update(step)
        )
    table = Table("split", "documents", "file", title=f"{format_name.value} export")
    for name, path, count in written:
        table.add_row(name, str(count), str(path))
    console.print(table)
