"""Raw scrape ingestion: curated metadata + cleaning rules -> clean, segmented documents.

`kotechnews ingest RAW_DIR --out DIR` reads RAW_DIR/*.txt and the curated RAW_DIR/metadata.jsonl
and writes DIR/documents.jsonl (one clean document per raw file, sorted by source_file) and
DIR/removed.jsonl (every dropped line or fragment, with its raw line, column and `Reason`).
Decisions behind the rules: annotation/CLEANING.md.
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kotechnews.cleaning import (
    CLEANING_VERSION,
    NOT_IN_ONE_LINE,
    Reason,
    clean_article,
    normalise_for_comparison,
    without_control_characters,
)
from kotechnews.document import METADATA as DOCUMENT_METADATA
from kotechnews.document import Document
from kotechnews.errors import KoTechNewsError
from kotechnews.jsonio import JsonlError, read_jsonl, write_jsonl
from kotechnews.segment import split_sentences

__all__ = [
    "REASONS",
    "ArticleMetadata",
    "IngestError",
    "IngestedArticle",
    "Reason",
    "document_id",
    "ingest_article",
    "ingest_directory",
    "load_metadata",
]

REASONS: tuple[str, ...] = tuple(reason.value for reason in Reason)
METADATA_FILE = "metadata.jsonl"
METADATA_FIELDS = (
    "source_file",
    "outlet",
    "date",
    "date_note",
    "title",
    "byline",
    "url",
    "license",
    "source",
)
_REQUIRED_FIELDS = ("source_file", "outlet", "date", "title", "byline", "license", "source")
_NON_NULL_FIELDS = ("source_file", "outlet", "license", "source")
# Where a document comes from; a source with a page URL takes outlet and date from that page.
SOURCES = ("seed_scrape", "wikinews")
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# Not in a curated value either: lone surrogates (JSON "\ud800"), which no UTF-8 output can hold.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_HANGUL = re.compile(r"[가-힣]")


class IngestError(KoTechNewsError, ValueError):
    """Bad raw input or metadata; the message names the file, record and field."""


@dataclass(frozen=True)
class ArticleMetadata:
    """One curated row of metadata.jsonl: what the article states about itself."""

    source_file: str
    outlet: str
    date: str | None  # ISO year, year-month or full date, as stated; None if not stated
    date_note: str | None  # required when date is None: what the scrape says instead
    title: str | None  # the headline as it appears in the scrape
    byline: str | None  # as stated in the scrape
    url: str | None  # the page the text was taken from, when known
    license: str  # of the article text
    source: str  # one of SOURCES


@dataclass(frozen=True)
class IngestedArticle:
    document: Document
    byline: str | None  # stated in the scrape; kept in documents.jsonl, not carried further
    date_note: str | None
    removed: list[dict[str, Any]]

    def row(self) -> dict[str, Any]:
        """The documents.jsonl row: the document and what only ingest keeps."""
        return {
            **self.document.row(),
            "date_note": self.date_note,
            "byline": self.byline,
            "cleaning_version": CLEANING_VERSION,
        }


def document_id(raw: bytes) -> str:
    """Stable id from the raw file's bytes, independent of the cleaning rules."""
    return "ktn-" + hashlib.sha256(raw).hexdigest()[:16]


def _check_date(value: str, where: str) -> None:
    parts = _ISO_DATE.fullmatch(value)
    if not parts:
        raise IngestError(f"{where}: field 'date': {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(p) if p else 1 for p in parts.groups())
    try:
        datetime.date(year, month, day)
    except ValueError as exc:
        raise IngestError(f"{where}: field 'date': {value!r} is not a real date ({exc})") from exc


def _metadata_row(row: Any, where: str) -> ArticleMetadata:
    if not isinstance(row, dict):
        raise IngestError(f"{where}: expected a JSON object, got {type(row).__name__}")
    unknown = sorted(set(row) - set(METADATA_FIELDS))
    if unknown:
        raise IngestError(
            f"{where}: unknown field {unknown[0]!r} (allowed: {', '.join(METADATA_FIELDS)})"
        )
    missing = [name for name in _REQUIRED_FIELDS if name not in row]
    if missing:
        raise IngestError(f"{where}: missing field(s) {', '.join(map(repr, missing))}")
    for name in METADATA_FIELDS:
        value = row.get(name)
        nullable = name not in _NON_NULL_FIELDS
        if value is None and nullable:
            continue
        if not isinstance(value, str) or not value.strip():
            expected = "a non-empty string or null" if nullable else "a non-empty string"
            raise IngestError(f"{where}: field {name!r} must be {expected}, got {value!r}")
        bad = _LONE_SURROGATE.search(value) or NOT_IN_ONE_LINE.search(value)
        if bad:
            kind = (
                "a lone surrogate"
                if "\ud800" <= bad.group() <= "\udfff"
                else "a control character or line separator"
            )
            raise IngestError(
                f"{where}: field {name!r} contains {kind} (U+{ord(bad.group()):04X}): {value!r}"
            )
    if "/" in row["source_file"] or "\\" in row["source_file"]:
        raise IngestError(
            f"{where}: field 'source_file' must be a file name, got {row['source_file']!r}"
        )
    if row["source"] not in SOURCES:
        raise IngestError(
            f"{where}: field 'source' must be one of {', '.join(SOURCES)}, got {row['source']!r}"
        )
    if row["date"] is None and not row.get("date_note"):
        raise IngestError(f"{where}: field 'date_note' is required when 'date' is null")
    if row["date"] is not None:
        _check_date(row["date"], where)
    return ArticleMetadata(**{name: row.get(name) for name in METADATA_FIELDS})


def load_metadata(path: Path) -> dict[str, ArticleMetadata]:
    """Curated metadata rows keyed by source_file; malformed rows raise IngestError."""
    if not path.is_file():
        raise IngestError(
            f"{path}: metadata file not found" if not path.exists() else f"{path}: not a file"
        )
    rows: dict[str, ArticleMetadata] = {}
    try:
        for number, row in enumerate(read_jsonl(path), start=1):
            source = row.get("source_file") if isinstance(row, dict) else None
            where = f"{path}: record {number}" + (
                f" (source_file {source!r})" if isinstance(source, str) else ""
            )
            metadata = _metadata_row(row, where)
            if metadata.source_file in rows:
                raise IngestError(f"{where}: field 'source_file': duplicate row for {source!r}")
            rows[metadata.source_file] = metadata
    except JsonlError as exc:
        raise IngestError(str(exc)) from exc
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror}") from exc
    return rows


def _check_metadata_against_raw(metadata: ArticleMetadata, raw_text: str, where: str) -> None:
    """Metadata must be stated in the scrape, or for a file taken from a page with a URL, the title
    must be its first line (outlet and date then come from that page): nothing invented."""
    raw_text = without_control_characters(raw_text)  # as the cleaning rules read it
    raw_key = normalise_for_comparison(raw_text)
    line_keys = {normalise_for_comparison(line) for line in raw_text.split("\n")}
    if metadata.title is not None and normalise_for_comparison(metadata.title) not in line_keys:
        raise IngestError(
            f"{where}: field 'title': {metadata.title!r} is not a line of the raw file"
        )
    if metadata.url is not None:
        return
    for name in ("outlet", "byline"):
        value = getattr(metadata, name)
        if value is not None and normalise_for_comparison(value) not in raw_key:
            raise IngestError(f"{where}: field {name!r}: {value!r} does not occur in the raw file")
    if metadata.date is not None:
        year, *rest = metadata.date.split("-")
        separators = iter([r"\s*[-./년]\s*", r"\s*[-./월]\s*"])
        stated = re.escape(year) + "".join(
            next(separators) + "0?" + str(int(part)) for part in rest
        )
        if not re.search(stated + r"(?!\d)", raw_text):
            raise IngestError(
                f"{where}: field 'date': {metadata.date!r} is not stated in the raw file"
            )


def _codec(encoding: str) -> str:
    """Python's name for ``encoding``; IngestError if it has none."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise IngestError(f"--encoding {encoding!r}: unknown encoding") from None


def _decode(raw: bytes, encoding: str, where: str) -> str:
    codec = _codec(encoding)
    try:
        return raw.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as exc:
        message = f"{where}: not {'UTF-8' if codec == 'utf-8' else encoding} text (bad byte at offset {exc.start})"
        if codec == "utf-8":
            try:
                looks_korean = bool(_HANGUL.search(raw.decode("cp949")))
            except UnicodeDecodeError:
                looks_korean = False
            if looks_korean:
                message += "; it looks like CP949/EUC-KR; re-run with --encoding cp949"
        raise IngestError(message) from exc


def ingest_article(
    raw: bytes, metadata: ArticleMetadata, where: str, encoding: str = "utf-8"
) -> IngestedArticle:
    """Clean one raw scrape (bytes in ``encoding``) into a document row and its removed.jsonl rows."""
    raw_text = _decode(raw, encoding, where)
    if not raw_text.strip():
        raise IngestError(
            f"{where}: the raw file is {'empty' if not raw_text else 'only whitespace'}"
        )
    _check_metadata_against_raw(metadata, raw_text, where)
    cleaned = clean_article(raw_text, title=metadata.title, outlet=metadata.outlet)
    removed = [
        {
            "source_file": metadata.source_file,
            "line": piece.line,
            "column": piece.column,
            "text": piece.text,
            "reason": piece.reason.value,
        }
        for piece in cleaned.pieces
        if piece.reason is not None
    ]
    if metadata.title is not None and not any(row["reason"] == Reason.HEADLINE for row in removed):
        raise IngestError(
            f"{where}: field 'title': no headline line left to match it after cleaning"
        )
    if not cleaned.paragraphs:
        raise IngestError(f"{where}: no article text left after cleaning")
    text = "\n".join(cleaned.paragraphs)
    paragraphs, position = [], 0
    for paragraph in cleaned.paragraphs:
        paragraphs.append((position, position + len(paragraph)))
        position += len(paragraph) + 1
    document = Document(
        id=document_id(raw),
        text=text,
        sentences=tuple(split_sentences(text)),
        paragraphs=tuple(paragraphs),
        **{key: getattr(metadata, key) for key in DOCUMENT_METADATA},
    )
    return IngestedArticle(
        document=document, byline=metadata.byline, date_note=metadata.date_note, removed=removed
    )


def ingest_directory(
    raw_dir: Path,
    out_dir: Path,
    metadata_path: Path | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    encoding: str = "utf-8",
) -> list[IngestedArticle]:
    """Ingest RAW_DIR/*.txt (in ``encoding``; metadata is UTF-8) into OUT_DIR/documents.jsonl and
    OUT_DIR/removed.jsonl (atomic). progress(1) is called after each raw file."""
    if not raw_dir.is_dir():
        raise IngestError(f"{raw_dir}: not a directory")
    _codec(encoding)
    metadata_path = metadata_path or raw_dir / METADATA_FILE
    metadata = load_metadata(metadata_path)
    raw_files = sorted(raw_dir.glob("*.txt"))
    if not raw_files:
        raise IngestError(f"{raw_dir}: no raw .txt files")
    names = {path.name for path in raw_files}
    orphans = sorted(set(metadata) - names)
    if orphans:
        raise IngestError(
            f"{metadata_path}: field 'source_file': {orphans[0]!r} has no raw file in {raw_dir}"
        )
    articles, files_by_id = [], {}
    for path in raw_files:
        if path.name not in metadata:
            raise IngestError(
                f"{path}: no row in {metadata_path} (field 'source_file' = {path.name!r})"
            )
        where = f"{path} (metadata {metadata_path}, source_file {path.name!r})"
        if not path.is_file():
            raise IngestError(f"{where}: not a regular file")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise IngestError(f"{where}: cannot read: {exc.strerror}") from exc
        same = files_by_id.setdefault(document_id(raw), path)
        if same != path:
            raise IngestError(
                f"{where}: same bytes as {same}: both would get id {document_id(raw)!r}; keep one copy"
            )
        articles.append(ingest_article(raw, metadata[path.name], where, encoding))
        if progress:
            progress(1)
    try:
        write_jsonl(out_dir / "documents.jsonl", (article.row() for article in articles))
        write_jsonl(
            out_dir / "removed.jsonl", (row for article in articles for row in article.removed)
        )
    except OSError as exc:
        raise IngestError(f"{out_dir}: cannot write the output: {exc.strerror or exc}") from exc
    return articles
