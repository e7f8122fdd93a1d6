"""DocRED JSON: document-level relations between entity clusters, as DocRED ships them.

The file is one JSON array of documents::

    {"title": "<document id>",
     "sents": [["대", "한", "민", "국", ...], ...],
     "vertexSet": [[{"name": "나로호", "sent_id": 0, "pos": [4, 7], "type": "PRODUCT"}], ...],
     "labels": [{"h": 0, "t": 3, "r": "org:develops", "evidence": [2]}]}

Tokenisation: a token is one non-whitespace character (as in the dataset's ``entities`` config),
so every entity boundary is a token boundary; Korean words carry particles (나로호가), so
whitespace tokens would cut through entities. ``sents`` are the document's sentences
(``meta["sentences"]``), all of them, so ``sent_id`` and ``evidence`` are the sentence indices
used everywhere else. ``pos`` is [first token, last token + 1] within the sentence, ``name`` the
mention's text (whitespace included). ``title`` is the document id: DocRED identifies documents
by title, and the reader needs the id to find the text.

A vertex is an entity cluster: the mentions with one ``canonical_id``; a mention without one is a
vertex of its own. ``r`` is a KoTechNews relation type (``schema.RELATION_TYPE_NAMES``), not a
Wikidata property as in DocRED. Relations between the same two clusters with the same type are
one label with the union of their evidence; for a symmetric type either direction is one label
(as the scorer counts them, ``kotechnews.scoring.relations``).

Carried: every entity mention (span, type), which mentions corefer, the relation triples between
clusters with their evidence. Lost: entity ids (read back as e1, e2, ... in text order), the
canonical id strings (read back as ``<document id>#<vertex index>``), which mention pair of two
clusters a relation was annotated on (read back on the first mention of each cluster in an
evidence sentence, else its first mention), claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kotechnews import schema
from kotechnews.formats.common import (
    FormatError,
    dumps,
    expect,
    read_json,
    reference_for,
    references_by_id,
    require_sentence,
    sentence_index,
)
from kotechnews.formats.conll import sentence_tokens
from kotechnews.jsonio import atomic_write_text
from kotechnews.records import AnnotatedDocument, Entity, Relation

ENTITY_TYPES = frozenset(schema.ENTITY_TYPE_NAMES)
RELATION_TYPES = frozenset(schema.RELATION_TYPE_NAMES)


def vertices(doc: AnnotatedDocument) -> list[list[Entity]]:
    """Entity clusters in order of their first mention, mentions in text order."""
    clusters: dict[str, list[Entity]] = {}
    for entity in sorted(doc.entities, key=lambda e: (e.start, e.end, e.type)):
        key = f"canonical:{entity.canonical_id}" if entity.canonical_id else f"id:{entity.id}"
        clusters.setdefault(key, []).append(entity)
    return list(clusters.values())


def docred_document(doc: AnnotatedDocument, source: str | Path = "<records>") -> dict[str, Any]:
    tokens = sentence_tokens(doc)
    index_in_sentence = {
        p: (sent, i) for sent, positions in enumerate(tokens) for i, p in enumerate(positions)
    }
    vertex_set, vertex_of = [], {}
    for number, cluster in enumerate(vertices(doc)):
        mentions = []
        for entity in cluster:
            sentence = require_sentence(doc, entity, "entity", source)
            first, last = index_in_sentence[entity.start], index_in_sentence[entity.end - 1]
            mentions.append(
                {
                    "name": doc.text[entity.start : entity.end],
                    "sent_id": sentence,
                    "pos": [first[1], last[1] + 1],
                    "type": entity.type,
                }
            )
            vertex_of[entity.id] = number
        vertex_set.append(mentions)
    labels: dict[tuple[int, str, int], set[int]] = {}
    for relation in doc.relations:
        h, t = vertex_of[relation.head], vertex_of[relation.tail]
        if schema.RELATIONS_BY_NAME[relation.type].symmetric and (t, relation.type, h) in labels:
            h, t = t, h
        labels.setdefault((h, relation.type, t), set()).update(relation.evidence)
    return {
        "title": doc.id,
        "sents": [[doc.text[p] for p in positions] for positions in tokens],
        "vertexSet": vertex_set,
        "labels": [
            {"h": h, "t": t, "r": r, "evidence": sorted(evidence)}
            for (h, r, t), evidence in labels.items()
        ],
    }


def write_docred(records: Iterable[AnnotatedDocument], path: str | Path) -> None:
    atomic_write_text(path, dumps([docred_document(doc, path) for doc in records]))


def _index(value: Any, bound: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < bound


def _mention(
    mention: Any, doc: AnnotatedDocument, tokens: list[list[int]], path, item: str
) -> tuple[int, int, str]:
    expect(isinstance(mention, dict), path, "expected an object", item=item)
    for name in ("name", "sent_id", "pos", "type"):
        expect(name in mention, path, "required field is missing", item=item, field=name)
    sentence = mention["sent_id"]
    expect(
        _index(sentence, len(tokens)),
        path,
        f"expected a sentence index (0..{len(tokens) - 1}), got {sentence!r}",
        item=item,
        field="sent_id",
    )
    pos, count = mention["pos"], len(tokens[sentence])
    expect(
        isinstance(pos, list)
        and len(pos) == 2
        and _index(pos[0], count)
        and _index(pos[1], count + 1)
        and pos[0] < pos[1],
        path,
        f"expected [first token, last token + 1] within the sentence's {count} tokens, got {pos!r}",
        item=item,
        field="pos",
    )
    start, end = tokens[sentence][pos[0]], tokens[sentence][pos[1] - 1] + 1
    expect(
        mention["name"] == doc.text[start:end],
        path,
        f"name {mention['name']!r} differs from the text of its tokens {doc.text[start:end]!r}",
        item=item,
        field="name",
    )
    expect(
        mention["type"] in ENTITY_TYPES,
        path,
        f"unknown entity type {mention['type']!r}; allowed: {', '.join(schema.ENTITY_TYPE_NAMES)}",
        item=item,
        field="type",
    )
    return start, end, mention["type"]


def _document(data: Any, references, path, position: int) -> AnnotatedDocument:
    item = f"[{position}]"
    expect(isinstance(data, dict), path, "expected an object", item=item)
    for name in ("title", "sents", "vertexSet"):
        expect(name in data, path, "required field is missing", item=item, field=name)
    expect(isinstance(data["title"], str), path, "expected a string", item=item, field="title")
    item = f"[{position}] (title {data['title']!r})"
    doc = reference_for(references, data["title"], path, item=item, field="title")
    tokens = sentence_tokens(doc)
    expect(
        data["sents"] == [[doc.text[p] for p in positions] for positions in tokens],
        path,
        f"differ from the non-whitespace characters of the {len(tokens)} sentences of "
        f"document {doc.id!r}",
        item=item,
        field="sents",
    )
    expect(
        isinstance(data["vertexSet"], list),
        path,
        "expected a list of vertices",
        item=item,
        field="vertexSet",
    )
    mentions: list[tuple[int, int, int, str]] = []  # (start, end, vertex, type)
    for v, vertex in enumerate(data["vertexSet"]):
        expect(
            isinstance(vertex, list) and vertex,
            path,
            "expected a non-empty list of mentions",
            item=item,
            field=f"vertexSet[{v}]",
        )
        for m, mention in enumerate(vertex):
            start, end, entity_type = _mention(
                mention, doc, tokens, path, f"{item}.vertexSet[{v}][{m}]"
            )
            mentions.append((start, end, v, entity_type))
    mentions.sort()
    entities = [
        Entity(
            id=f"e{number}",
            start=start,
            end=end,
            type=entity_type,
            text=doc.text[start:end],
            canonical_id=f"{doc.id}#{v}",
        )
        for number, (start, end, v, entity_type) in enumerate(mentions, start=1)
    ]
    by_vertex: dict[int, list[Entity]] = {}
    for entity, (_, _, v, _) in zip(entities, mentions):
        by_vertex.setdefault(v, []).append(entity)
    read = AnnotatedDocument(id=doc.id, text=doc.text, entities=entities)
    labels = data.get("labels", [])
    expect(isinstance(labels, list), path, "expected a list", item=item, field="labels")
    sentence_count = len(tokens)
    for number, label in enumerate(labels):
        where = dict(item=f"{item}.labels[{number}]")
        expect(isinstance(label, dict), path, "expected an object", **where)
        for name in ("h", "t", "r"):
            expect(name in label, path, "required field is missing", field=name, **where)
        for name in ("h", "t"):
            expect(
                _index(label[name], len(by_vertex)),
                path,
                f"expected a vertex index (0..{len(by_vertex) - 1}), got {label[name]!r}",
                field=name,
                **where,
            )
        expect(
            label["h"] != label["t"], path, "head and tail are the same vertex", field="t", **where
        )
        expect(
            label["r"] in RELATION_TYPES,
            path,
            f"unknown relation type {label['r']!r}; allowed: "
            f"{', '.join(schema.RELATION_TYPE_NAMES)}",
            field="r",
            **where,
        )
        evidence = label.get("evidence", [])
        expect(
            isinstance(evidence, list) and all(_index(i, sentence_count) for i in evidence),
            path,
            f"expected sentence indices (0..{sentence_count - 1}), got {evidence!r}",
            field="evidence",
            **where,
        )
        head = _anchor(by_vertex[label["h"]], evidence, doc)
        tail = _anchor(by_vertex[label["t"]], evidence, doc)
        read.relations.append(
            Relation(head=head.id, tail=tail.id, type=label["r"], evidence=list(evidence))
        )
    return read


def _anchor(cluster: list[Entity], evidence: list[int], doc: AnnotatedDocument) -> Entity:
    """The mention a cluster-level relation is put on: first in an evidence sentence, else first."""
    return next((e for e in cluster if sentence_index(doc, e.start, e.end) in evidence), cluster[0])


def read_docred(
    path: str | Path, reference: Iterable[AnnotatedDocument]
) -> list[AnnotatedDocument]:
    """Documents with the entities, clusters and relations of a DocRED file."""
    references = references_by_id(reference)
    data = read_json(path)
    expect(isinstance(data, list), path, "expected a JSON array of documents")
    out, seen = [], {}
    for position, document in enumerate(data):
        read = _document(document, references, path, position)
        if read.id in seen:
            raise FormatError(
                path,
                f"document {read.id!r} again (first at [{seen[read.id]}])",
                item=f"[{position}]",
                field="title",
            )
        seen[read.id] = position
        out.append(read)
    return out
