"""CoNLL-style character BIO: the entities as one character and its tag per line.

Layout (UTF-8)::

    -DOCSTART- <document id>
    <blank>
    <char> <tag>        one line per non-whitespace character of a sentence, space-separated
    ...
    <blank>             after every sentence

Tokens are the non-whitespace characters, as in the dataset's ``entities`` config
(``kotechnews.hfdataset.rows.char_tokens``); tags are ``O``, ``B-TYPE``, ``I-TYPE`` with the
entity types of ``kotechnews.schema`` (``schema.bio_labels()``). A chunk is read as conlleval and
seqeval read it: ``B-`` starts a chunk, ``I-`` continues one of its type and otherwise starts one;
a sentence break ends it.

Carried: entity spans and types. Lost: entity ids (read back as e1, e2, ... in text order), entity
canonical ids, relations, claims, the whitespace (the reader takes the text from the reference
documents). Not writable: overlapping or nested entities, an entity across a sentence boundary.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kotechnews import schema
from kotechnews.formats.common import (
    FormatError,
    char_and_tag,
    numbered_entities,
    read_text,
    reference_for,
    references_by_id,
    require_no_overlap,
    require_sentence,
    sentence_spans,
)
from kotechnews.jsonio import atomic_write_text
from kotechnews.records import AnnotatedDocument

DOCSTART = "-DOCSTART-"
TAGS = frozenset(schema.bio_labels())


def sentence_tokens(doc: AnnotatedDocument) -> list[list[int]]:
    """Code-point positions of the non-whitespace characters, per sentence."""
    text = doc.text or ""
    return [
        [p for p in range(start, end) if not text[p].isspace()]
        for start, end in sentence_spans(doc)
    ]


def bio_tags(doc: AnnotatedDocument) -> dict[int, str]:
    """Tag of each position inside an entity: B- on its first token, I- on the rest."""
    tags: dict[int, str] = {}
    for entity in doc.entities:
        inside = [p for p in range(entity.start, entity.end) if not doc.text[p].isspace()]
        for number, position in enumerate(inside):
            tags[position] = f"{'B' if number == 0 else 'I'}-{entity.type}"
    return tags


def _check_id(doc: AnnotatedDocument, source) -> None:
    if not doc.id or any(ch.isspace() for ch in doc.id):
        raise FormatError(
            source,
            f"a document id with whitespace cannot stand on the {DOCSTART} line",
            item=f"document {doc.id!r}",
        )


def conll_text(records: Iterable[AnnotatedDocument], source: str | Path = "<records>") -> str:
    lines: list[str] = []
    for doc in records:
        _check_id(doc, source)
        require_no_overlap(doc, doc.entities, source, "character BIO")
        for entity in doc.entities:
            require_sentence(doc, entity, "entity", source)
        tags = bio_tags(doc)
        lines += [f"{DOCSTART} {doc.id}", ""]
        for positions in sentence_tokens(doc):
            if positions:
                lines += [f"{doc.text[p]} {tags.get(p, 'O')}" for p in positions] + [""]
    return "".join(line + "\n" for line in lines)


def write_conll(records: Iterable[AnnotatedDocument], path: str | Path) -> None:
    atomic_write_text(path, conll_text(records, path))


class _Chunker:
    """conlleval chunking of one document's (position, tag) stream into entity spans."""

    def __init__(self):
        self.spans: list[tuple[int, int, str]] = []
        self.open: tuple[int, int, str] | None = None

    def tag(self, position: int, tag: str) -> None:
        prefix, _, entity_type = tag.partition("-")
        if prefix == "I" and self.open and self.open[2] == entity_type:
            self.open = (self.open[0], position + 1, entity_type)
            return
        self.close()
        if prefix in ("B", "I"):
            self.open = (position, position + 1, entity_type)

    def close(self) -> None:
        if self.open:
            self.spans.append(self.open)
        self.open = None


def read_conll(path: str | Path, reference: Iterable[AnnotatedDocument]) -> list[AnnotatedDocument]:
    """Documents with the entities of a character BIO file; texts from ``reference``."""
    references = references_by_id(reference)
    out: list[AnnotatedDocument] = []
    doc: AnnotatedDocument | None = None
    positions: list[int] = []
    chunker, consumed = _Chunker(), 0
    seen: dict[str, int] = {}

    def finish(line: int) -> None:
        if doc is None:
            return
        chunker.close()
        if consumed != len(positions):
            raise FormatError(
                path,
                f"document {doc.id!r} ends after {consumed} characters; "
                f"its text has {len(positions)} non-whitespace characters",
                line=line,
            )
        out.append(
            AnnotatedDocument(
                id=doc.id, text=doc.text, entities=numbered_entities(chunker.spans, doc.text)
            )
        )

    lines = read_text(path).split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            chunker.close()
            continue
        fields = line.split()
        if fields[0] == DOCSTART:
            finish(number)
            if len(fields) != 2:
                raise FormatError(
                    path, f"expected '{DOCSTART} <document id>'", line=number, field="document id"
                )
            if fields[1] in seen:
                raise FormatError(
                    path,
                    f"document {fields[1]!r} again (first on line {seen[fields[1]]})",
                    line=number,
                    field="document id",
                )
            seen[fields[1]] = number
            doc = reference_for(references, fields[1], path, line=number, field="document id")
            positions = [p for sentence in sentence_tokens(doc) for p in sentence]
            chunker, consumed = _Chunker(), 0
            continue
        if doc is None:
            raise FormatError(path, f"a token before the first {DOCSTART} line", line=number)
        char, tag = char_and_tag(
            fields, "<char> <tag>", TAGS, schema.ENTITY_TYPE_NAMES, path, number
        )
        if consumed >= len(positions):
            raise FormatError(
                path,
                f"more characters than the text of document {doc.id!r} has ({len(positions)})",
                line=number,
                field="char",
            )
        position = positions[consumed]
        if char != doc.text[position]:
            raise FormatError(
                path,
                f"character {char!r} differs from the text of document "
                f"{doc.id!r} at offset {position} ({doc.text[position]!r})",
                line=number,
                field="char",
            )
        consumed += 1
        chunker.tag(position, tag)
    finish(len(lines))
    return out
