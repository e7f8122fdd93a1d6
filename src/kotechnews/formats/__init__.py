"""Exporters and importers for the formats of other IE benchmarks.

Each module writes ``AnnotatedDocument`` records in one format (``write_*(records, path)``,
atomic) and reads them back (``read_*(path, reference)``), taking the document texts from the
reference records; its docstring says what the format carries and what it loses. ``FORMATS``
names them for ``kotechnews export`` and ``kotechnews score --format``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kotechnews.formats import conll, docred, klue_ner, klue_re, measeval
from kotechnews.formats.common import FormatError
from kotechnews.records import AnnotatedDocument

__all__ = ["FORMATS", "Format", "FormatError"]


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # of an exported file: <split><suffix>
    tasks: tuple[str, ...]  # the scored tasks (kotechnews.scoring.defaults.TASK_NAMES) it carries
    write: Callable[[Iterable[AnnotatedDocument], str | Path], None]
    read: Callable[[str | Path, Iterable[AnnotatedDocument]], list[AnnotatedDocument]]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("conll", ".conll", ("entities",), conll.write_conll, conll.read_conll),
        Format(
            "klue-ner",
            ".klue-ner.tsv",
            ("entities", "claims"),
            klue_ner.write_klue_ner,
            klue_ner.read_klue_ner,
        ),
        Format(
            "klue-re", ".klue-re.json", ("relations",), klue_re.write_klue_re, klue_re.read_klue_re
        ),
        Format(
            "docred",
            ".docred.json",
            ("entities", "relations"),
            docred.write_docred,
            docred.read_docred,
        ),
        Format(
            "measeval",
            ".measeval.tsv",
            ("claims",),
            measeval.write_measeval,
            measeval.read_measeval,
        ),
    )
}
