"""KLUE-RE JSON: sentence-level relation examples, as KLUE ships ``klue-re-v1.1_*.json``.

The file is one JSON array of objects::

    {"guid": "<document id>/<sentence index>/<n>", "sentence": "...",
     "subject_entity": {"word": "...", "start_idx": 3, "end_idx": 5, "type": "ORG"},
     "object_entity": {...}, "label": "org:develops", "source": "<document source>"}

``start_idx`` and ``end_idx`` are code-point offsets into ``sentence``, the end **inclusive** as
in KLUE (``sentence[start_idx:end_idx + 1] == word``). There is one example per ordered pair of
entities in the same sentence whose types some relation type of the schema allows (subject as
head, object as tail; ``schema.relation_allowed``), labelled with the relation, or ``no_relation``
when the gold has none; a pair with two relations gives two examples. A symmetric relation
(org:partner_of) is labelled in both directions and read back once, head = the subject of the
first example.

Labels are the KoTechNews relation types (``schema.RELATION_TYPE_NAMES``) and ``no_relation``;
entity types are the KoTechNews entity types. KLUE-RE's own label set (30 labels such as
org:top_members/employees, per:date_of_birth) and entity types (PER, ORG, LOC, DAT, POH, NOH)
differ, so a KLUE-RE model's output has to be relabelled before it is scored.

Carried: relations whose head and tail are in one sentence, with their types; the entities of
every candidate pair (span, type). Lost: relations across sentences, evidence (read back as the
example's sentence), entity ids (read back as e1, e2, ... in text order) and canonical ids,
entities in no candidate pair, claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kotechnews import schema
from kotechnews.formats.common import (
    dumps,
    expect,
    numbered_entities,
    read_json,
    reference_for,
    references_by_id,
    require_sentence,
    sentence_spans,
)
from kotechnews.jsonio import atomic_write_text
from kotechnews.records import AnnotatedDocument, Relation

NO_RELATION = "no_relation"
LABELS = frozenset([NO_RELATION, *schema.RELATION_TYPE_NAMES])
ENTITY_TYPES = frozenset(schema.ENTITY_TYPE_NAMES)
ENTITY_FIELDS = ("word", "start_idx", "end_idx", "type")


def candidate_pair(head_type: str, tail_type: str) -> bool:
    return any(
        schema.relation_allowed(name, head_type, tail_type) for name in schema.RELATION_TYPE_NAMES
    )


def _entity_object(entity, text: str, sentence_start: int) -> dict[str, Any]:
    return {
        "word": text[entity.start : entity.end],
        "start_idx": entity.start - sentence_start,
        "end_idx": entity.end - 1 - sentence_start,
        "type": entity.type,
    }


def klue_re_examples(
    records: Iterable[AnnotatedDocument], source: str | Path = "<records>"
) -> list[dict[str, Any]]:
    examples = []
    for doc in records:
        spans = sentence_spans(doc)
        by_sentence: dict[int, list] = {}
        for entity in doc.entities:
            by_sentence.setdefault(require_sentence(doc, entity, "entity", source), []).append(
                entity
            )
        labels: dict[tuple[str, str], list[str]] = {}
        for relation in doc.relations:
            labels.setdefault((relation.head, relation.tail), []).append(relation.type)
            if schema.RELATIONS_BY_NAME[relation.type].symmetric:
                labels.setdefault((relation.tail, relation.head), []).append(relation.type)
        for index in sorted(by_sentence):
            start, end = spans[index]
            entities = sorted(by_sentence[index], key=lambda e: (e.start, e.end))
            number = 0
            for subject in entities:
                for obj in entities:
                    if obj is subject or not candidate_pair(subject.type, obj.type):
                        continue
                    for label in labels.get((subject.id, obj.id)) or [NO_RELATION]:
                        examples.append(
                            {
                                "guid": f"{doc.id}/{index}/{number}",
                                "sentence": doc.text[start:end],
                                "subject_entity": _entity_object(subject, doc.text, start),
                                "object_entity": _entity_object(obj, doc.text, start),
                                "label": label,
                                "source": doc.document.source,
                            }
                        )
                        number += 1
    return examples


def write_klue_re(records: Iterable[AnnotatedDocument], path: str | Path) -> None:
    atomic_write_text(path, dumps(klue_re_examples(records, path)))


def _span(
    example: dict, key: str, sentence_start: int, sentence: str, path, item: str
) -> tuple[int, int, str]:
    entity = example.get(key)
    expect(isinstance(entity, dict), path, "expected an object", item=item, field=key)
    for name in ENTITY_FIELDS:
        expect(name in entity, path, "required field is missing", item=item, field=f"{key}.{name}")
    start, end = entity["start_idx"], entity["end_idx"]
    for name, value in (("start_idx", start), ("end_idx", end)):
        expect(
            isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(sentence),
            path,
            f"expected an offset into the sentence (0..{len(sentence) - 1}), got {value!r}",
            item=item,
            field=f"{key}.{name}",
        )
    expect(
        start <= end,
        path,
        f"start_idx {start} is after end_idx {end} (end_idx is inclusive)",
        item=item,
        field=f"{key}.end_idx",
    )
    expect(
        entity["word"] == sentence[start : end + 1],
        path,
        f"word {entity['word']!r} differs from the sentence at [{start}:{end}] (inclusive): "
        f"{sentence[start : end + 1]!r}",
        item=item,
        field=f"{key}.word",
    )
    expect(
        entity["type"] in ENTITY_TYPES,
        path,
        f"unknown entity type {entity['type']!r}; allowed: {', '.join(schema.ENTITY_TYPE_NAMES)}",
        item=item,
        field=f"{key}.type",
    )
    return sentence_start + start, sentence_start + end + 1, entity["type"]


def read_klue_re(
    path: str | Path, reference: Iterable[AnnotatedDocument]
) -> list[AnnotatedDocument]:
    """Documents with the entities and same-sentence relations of a KLUE-RE file."""
    references = references_by_id(reference)
    data = read_json(path)
    expect(isinstance(data, list), path, "expected a JSON array of examples")
    spans: dict[str, set[tuple[int, int, str]]] = {}
    relations: dict[str, list[tuple[tuple, tuple, str, int]]] = {}
    for position, example in enumerate(data):
        item = f"[{position}]"
        expect(isinstance(example, dict), path, "expected an object", item=item)
        guid = example.get("guid")
        expect(isinstance(guid, str), path, "expected a string", item=item, field="guid")
        item = f"[{position}] (guid {guid!r})"
        doc_id, sentence, _ = guid.rsplit("/", 2) if guid.count("/") >= 2 else ("", "", "")
        expect(
            bool(doc_id) and sentence.isascii() and sentence.isdigit(),
            path,
            "expected '<document id>/<sentence index>/<n>'",
            item=item,
            field="guid",
        )
        doc = reference_for(references, doc_id, path, item=item, field="guid")
        sentences = sentence_spans(doc)
        expect(
            int(sentence) < len(sentences),
            path,
            f"document {doc_id!r} has {len(sentences)} sentences",
            item=item,
            field="guid",
        )
        start, end = sentences[int(sentence)]
        expect(
            example.get("sentence") == doc.text[start:end],
            path,
            f"differs from sentence {sentence} of document {doc_id!r}",
            item=item,
            field="sentence",
        )
        subject = _span(example, "subject_entity", start, doc.text[start:end], path, item)
        obj = _span(example, "object_entity", start, doc.text[start:end], path, item)
        label = example.get("label")
        expect(
            label in LABELS,
            path,
            f"unknown label {label!r}; allowed: {NO_RELATION}, "
            f"{', '.join(schema.RELATION_TYPE_NAMES)}",
            item=item,
            field="label",
        )
        spans.setdefault(doc_id, set()).update((subject, obj))
        if label != NO_RELATION:
            relations.setdefault(doc_id, []).append((subject, obj, label, int(sentence)))
    out = []
    for doc_id, found in spans.items():
        text = references[doc_id].text
        entities = numbered_entities(found, text)
        ids = {(e.start, e.end, e.type): e.id for e in entities}
        doc = AnnotatedDocument(id=doc_id, text=text, entities=entities)
        written: set[tuple[str, str, str]] = set()
        for subject, obj, label, sentence in relations.get(doc_id, []):
            head, tail = ids[subject], ids[obj]
            if schema.RELATIONS_BY_NAME[label].symmetric and (tail, label, head) in written:
                continue  # the other direction of a symmetric relation already read
            written.add((head, label, tail))
            doc.relations.append(Relation(head=head, tail=tail, type=label, evidence=[sentence]))
        out.append(doc)
    return out
