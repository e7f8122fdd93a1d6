"""`kotechnews ingest`: argument parsing and printing over ``kotechnews.ingest``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from kotechnews.ingest import ingest_directory


def ingest_command(
    raw_dir: Path = typer.Argument(..., help="Directory of raw scrapes (*.txt) and metadata.jsonl"),
    out: Path = typer.Option(
        ..., "--out", help="Output directory for documents.jsonl and removed.jsonl"
    ),
    metadata: Path | None = typer.Option(
        None, "--metadata", help="Metadata file (default: RAW_DIR/metadata.jsonl)"
    ),
    encoding: str = typer.Option(
        "utf-8",
        "--encoding",
        help="Encoding of the raw files, e.g. cp949 (metadata.jsonl is always UTF-8)",
    ),
) -> None:
    """Clean raw news scrapes into segmented documents; list every dropped line with its reason."""
    console = Console()
    with Progress(transient=True) as bar:
        task = bar.add_task("ingesting", total=None)
        articles = ingest_directory(
            raw_dir, out, metadata, progress=lambda n: bar.advance(task, n), encoding=encoding
        )
    table = Table("source_file", "paragraphs", "sentences", "chars", "removed by reason")
    for article in articles:
        doc = article.document
        reasons = Counter(row["reason"] for row in article.removed)
        table.add_row(
            doc.source_file,
            str(len(doc.paragraphs)),
            str(len(doc.sentences)),
            str(len(doc.text)),
            "\n".join(f"{reason} {count}" for reason, count in sorted(reasons.items())),
        )
    console.print(table)
    console.print(f"wrote {out / 'documents.jsonl'} and {out / 'removed.jsonl'}", highlight=False)
