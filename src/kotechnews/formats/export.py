"""Export the dataset's splits in one of the formats: one file per split."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kotechnews.errors import KoTechNewsError
from kotechnews.formats import FORMATS


class ExportError(KoTechNewsError, ValueError):
    """A dataset or split that cannot be loaded."""


def export_dataset(
    format_name: str,
    dataset: str | Path,
    splits: Sequence[str],
    out_dir: str | Path,
    progress: Callable[[str], None] = lambda step: None,
) -> list[tuple[str, Path, int]]:
    """Write ``<out_dir>/<split><suffix>`` for each split; (split, path, documents) per file.

    The gold is read with ``records_from_dataset`` (a dataset folder or a Hub repo id).
    """
    from kotechnews.hfdataset.records import records_from_dataset

    fmt = FORMATS[format_name]
    written = []
    for split in splits:
        progress(f"reading {split}")
        try:
            records = records_from_dataset(dataset, split)
        except Exception as exc:  # a missing folder, an unknown repo or split: all one message
            raise ExportError(
                f"cannot load split {split!r} of the dataset {dataset}: {exc}"
            ) from None
        path = Path(out_dir) / f"{split}{fmt.suffix}"
        progress(f"writing {path}")
        fmt.write(records, path)
        written.append((split, path, len(records)))
    return written
