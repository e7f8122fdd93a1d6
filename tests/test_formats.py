"""Exporters and importers (kotechnews.formats) on the real gold of dataset/ (read-only).

Each format is written, read back, and compared with the gold on exactly what the format carries
(the module docstrings list what is lost); seqeval decodes the BIO files as a third party; the
scorer reads each exported gold file back with ``kotechnews score --format`` and gives a perfect
score on what the file carries.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from seqeval.metrics.sequence_labeling import get_entities
from typer.testing import CliRunner

from conftest import PROJECT
from kotechnews import schema
from kotechnews.cli import app
from kotechnews.formats import FORMATS, FormatError, conll, docred, klue_ner, klue_re, measeval
from kotechnews.formats.common import sentence_index
from kotechnews.hfdataset.records import records_from_dataset
from kotechnews.records import AnnotatedDocument, Entity
from kotechnews.scoring.clusters import gold_clusters, predicted_clusters
from kotechnews.scoring.relations import triples
from kotechnews.splits import SPLIT_NAMES

DATASET = PROJECT.dataset
runner = CliRunner()


@pytest.fixture(scope="module")
def gold_splits() -> dict[str, list[AnnotatedDocument]]:
    return {split: records_from_dataset(DATASET, split) for split in SPLIT_NAMES}


@pytest.fixture(scope="module")
def gold(gold_splits) -> list[AnnotatedDocument]:
    return [doc for split in SPLIT_NAMES for doc in gold_splits[split]]


def spans(items) -> list[tuple[int, int, str]]:
    return sorted((item.start, item.end, item.type) for item in items)


def round_trip(name: str, records, tmp_path) -> tuple[Path, list[AnnotatedDocument]]:
    path = tmp_path / f"out{FORMATS[name].suffix}"
    FORMATS[name].write(records, path)
    return path, FORMATS[name].read(path, records)


def test_gold_exercises_the_formats(gold):
    """The round trips below test something: the gold has what each format carries or loses."""
    assert sum(len(d.entities) for d in gold) > 1000
    assert {e.type for d in gold for e in d.entities} == set(schema.ENTITY_TYPE_NAMES)
    assert any(e.canonical_id for d in gold for e in d.entities)
    assert any(
        sentence_index(d, *_span(d, r.head)) != sentence_index(d, *_span(d, r.tail))
        for d in gold
        for r in d.relations
    )  # cross-sentence relations exist
    assert any(r.type == "org:partner_of" for d in gold for r in d.relations)
    claims = [c for d in gold for c in d.claims]
    assert any(c.approximate for c in claims) and any(c.time for c in claims)
    assert any(c.value is None and c.low is not None and c.high is not None for c in claims)
    assert any(" " in d.text[e.start : e.end] for d in gold for e in d.entities)


def _span(doc, entity_id):
    entity = doc.entity(entity_id)
    return entity.start, entity.end


# --- CoNLL character BIO ---------------------------------------------------------------------


def test_conll_round_trip(gold, tmp_path):
    _, back = round_trip("conll", gold, tmp_path)
    assert [d.id for d in back] == [d.id for d in gold]
    for original, read in zip(gold, back):
        assert read.text == original.text
        assert spans(read.entities) == spans(original.entities)
        assert [e.id for e in read.entities] == [f"e{i}" for i in range(1, len(read.entities) + 1)]
        assert all(
            e.text == original.text[e.start : e.end] and e.canonical_id is None
            for e in read.entities
        )
        assert read.relations == [] and read.claims == []


def _columns(path: Path, separator: str | None):
    """Sentences of (char, tag) as a plain column reader sees them, with the document ids."""
    docs, sentence = [], []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith(conll.DOCSTART) or line.startswith("## "):
            if sentence:
                docs[-1][1].append(sentence)
            doc_id = (
                line.split()[1]
                if line.startswith(conll.DOCSTART)
                else line[3:].split("\t")[0].rpartition("/")[0]
            )
            if not docs or docs[-1][0] != doc_id:
                docs.append((doc_id, []))
            sentence = []
        elif line == "":
            if sentence:
                docs[-1][1].append(sentence)
            sentence = []
        else:
            sentence.append(tuple(line.split(separator)))
    return docs


def test_seqeval_reads_the_conll_tags(gold, tmp_path):
    """seqeval's chunker, given the file's tag column, finds exactly the gold entities."""
    path = tmp_path / "gold.conll"
    conll.write_conll(gold, path)
    by_id = {d.id: d for d in gold}
    docs = _columns(path, None)
    assert [doc_id for doc_id, _ in docs] == [d.id for d in gold]
    for doc_id, sentences in docs:
        doc = by_id[doc_id]
        positions = [p for p in range(len(doc.text)) if not doc.text[p].isspace()]
        found, offset = [], 0
        for sentence in sentences:
            assert all(len(fields) == 2 for fields in sentence)
            for entity_type, first, last in get_entities([tag for _, tag in sentence]):
                found.append((positions[offset + first], positions[offset + last] + 1, entity_type))
            offset += len(sentence)
        assert "".join(char for s in sentences for char, _ in s) == "".join(
            doc.text[p] for p in positions
        )
        assert sorted(found) == spans(doc.entities)


def test_conll_refuses_overlap_and_keeps_the_old_file(gold, tmp_path):
    path = tmp_path / "a.conll"
    conll.write_conll(gold[:1], path)
    before = path.read_bytes()
    doc = gold[0]
    first = doc.entities[0]
    nested = Entity(id="x", start=first.start, end=first.end - 1, type="ORG")
    broken = doc.with_annotations(entities=[first, nested])
    with pytest.raises(FormatError, match=rf"document '{doc.id}'.*overlap"):
        conll.write_conll([broken], path)
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda lines, i: lines.__setitem__(i, lines[i].split()[0] + " B-NOPE"),
            r":(\d+): tag: unknown tag 'B-NOPE'",
        ),
        (lambda lines, i: lines.__setitem__(i, "@ O"), r":(\d+): char: character '@' differs"),
        (
            lambda lines, i: lines.__setitem__(i, lines[i] + " extra"),
            r":(\d+): expected '<char> <tag>', got 3 column",
        ),
        (lambda lines, i: lines.insert(i, "가 O"), r":(\d+): char: character '가' differs"),
    ],
)
def test_conll_bad_lines_name_file_line_field(gold, tmp_path, edit, message):
    path = tmp_path / "bad.conll"
    conll.write_conll(gold[:2], path)
    lines = path.read_text(encoding="utf-8").split("\n")
    target = 10
    edit(lines, target)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        conll.read_conll(path, gold)
    found = re.search(message, str(caught.value))
    assert str(caught.value).startswith(str(path)) and found, str(caught.value)
    assert int(found.group(1)) == target + 1


def test_conll_unknown_document_and_short_document(gold, tmp_path):
    path = tmp_path / "bad.conll"
    path.write_text(f"{conll.DOCSTART} nope\n\n가 O\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r":1: document id: unknown document id 'nope'"):
        conll.read_conll(path, gold)
    path.write_text(f"{conll.DOCSTART} {gold[0].id}\n\n{gold[0].text[0]} O\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"ends after 1 characters"):
        conll.read_conll(path, gold)


# --- KLUE-NER ----------------------------------------------------------------------------------


def test_klue_mapping_is_computed_from_the_schema():
    assert klue_ner.UNMAPPED_TYPES == [
        t for t in schema.ENTITY_TYPE_NAMES if t not in klue_ner.TO_KLUE
    ]
    assert set(klue_ner.UNMAPPED_TYPES) == {"TITLE", "PRODUCT", "TECH", "EVENT"}
    assert klue_ner.TO_KLUE[schema.QUANTITY.name] == "QT"
    assert klue_ner.FROM_KLUE["TI"] == klue_ner.FROM_KLUE["DT"] == "DATE"


def test_klue_ner_round_trip(gold, tmp_path):
    path, back = round_trip("klue-ner", gold, tmp_path)
    assert [d.id for d in back] == [d.id for d in gold]
    for original, read in zip(gold, back):
        carried = [e for e in original.entities if e.type in klue_ner.TO_KLUE]
        assert spans(read.entities) == spans(carried)
        assert sorted((c.start, c.end) for c in read.claims) == sorted(
            (c.start, c.end) for c in original.claims
        )
        assert all(
            c.text == original.text[c.start : c.end]
            and c.value is None
            and c.unit is None
            and c.subject is None
            for c in read.claims
        )
        assert read.relations == []
    tags = {fields[1] for _, sentences in _columns(path, "\t") for s in sentences for fields in s}
    assert tags <= klue_ner.TAGS and "B-QT" in tags and "B-OG" in tags
    assert not any(t.endswith(("-TITLE", "-PRODUCT", "-TECH", "-EVENT", "-TI")) for t in tags)


def test_klue_ner_layout_and_seqeval(gold, tmp_path):
    """KLUE's layout: '## id' line, every character (spaces too) tab its tag; seqeval finds the
    mapped gold spans."""
    path = tmp_path / "k.tsv"
    klue_ner.write_klue_ner(gold[:3], path)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0].startswith(f"## {gold[0].id}/0\t")
    assert " \tO" in lines or any(line.startswith(" \tI-") for line in lines)
    by_id = {d.id: d for d in gold}
    for doc_id, sentences in _columns(path, "\t"):
        doc = by_id[doc_id]
        positions = [p for sentence in klue_ner.sentence_characters(doc) for p in sentence]
        found, offset = [], 0
        for sentence in sentences:
            for klue_type, first, last in get_entities([tag for _, tag in sentence]):
                found.append(
                    (
                        positions[offset + first],
                        positions[offset + last] + 1,
                        klue_ner.FROM_KLUE[klue_type],
                    )
                )
            offset += len(sentence)
        expected = [(e.start, e.end, e.type) for e in doc.entities if e.type in klue_ner.TO_KLUE]
        expected += [(c.start, c.end, schema.QUANTITY.name) for c in doc.claims]
        assert sorted(found) == sorted(expected)


def test_klue_ner_bad_guid_and_tag(gold, tmp_path):
    path = tmp_path / "k.tsv"
    path.write_text(f"## {gold[0].id}\tx\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r":1: guid: expected '## <document id>/<sentence"):
        klue_ner.read_klue_ner(path, gold)
    path.write_text(f"## {gold[0].id}/0\tx\n{gold[0].text[0]}\tB-ORG\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r":2: tag: unknown tag 'B-ORG'"):
        klue_ner.read_klue_ner(path, gold)


# --- KLUE-RE -----------------------------------------------------------------------------------


def _relation_facts(doc, relations, entities):
    by_id = {e.id: e for e in entities}
    facts = set()
    for r in relations:
        head, tail = by_id[r.head], by_id[r.tail]
        ends = [(head.start, head.end, head.type), (tail.start, tail.end, tail.type)]
        if schema.RELATIONS_BY_NAME[r.type].symmetric:
            ends.sort()
        facts.add((ends[0], r.type, ends[1], tuple(r.evidence)))
    return facts


def test_klue_re_round_trip(gold, tmp_path):
    path, back = round_trip("klue-re", gold, tmp_path)
    read = {d.id: d for d in back}
    for original in gold:
        doc = read.get(original.id, AnnotatedDocument(id=original.id))
        same_sentence = [
            r
            for r in original.relations
            if sentence_index(original, *_span(original, r.head))
            == sentence_index(original, *_span(original, r.tail))
        ]
        as_klue = [
            type(r)(
                head=r.head,
                tail=r.tail,
                type=r.type,
                evidence=[sentence_index(original, *_span(original, r.head))],
            )
            for r in same_sentence
        ]
        assert _relation_facts(doc, doc.relations, doc.entities) == _relation_facts(
            original, as_klue, original.entities
        )
        in_pairs = {
            (e.start, e.end, e.type)
            for e in original.entities
            if any(
                o is not e
                and sentence_index(original, e.start, e.end)
                == sentence_index(original, o.start, o.end)
                and (
                    klue_re.candidate_pair(e.type, o.type) or klue_re.candidate_pair(o.type, e.type)
                )
                for o in original.entities
            )
        }
        assert set(spans(doc.entities)) == in_pairs
    examples = json.loads(path.read_text(encoding="utf-8"))
    assert {e["label"] for e in examples} >= {klue_re.NO_RELATION, "org:partner_of"}
    for example in examples:
        for key in ("subject_entity", "object_entity"):
            entity = example[key]
            # KLUE's inclusive end: the last character of the word is at end_idx
            assert (
                example["sentence"][entity["start_idx"] : entity["end_idx"] + 1] == entity["word"]
            )
            assert entity["end_idx"] == entity["start_idx"] + len(entity["word"]) - 1
        assert klue_re.candidate_pair(
            example["subject_entity"]["type"], example["object_entity"]["type"]
        )


def test_klue_re_symmetric_relation_both_directions_read_once(gold, tmp_path):
    doc = next(d for d in gold if any(r.type == "org:partner_of" for r in d.relations))
    path, (read,) = round_trip("klue-re", [doc], tmp_path)
    examples = json.loads(path.read_text(encoding="utf-8"))
    partner = [e for e in examples if e["label"] == "org:partner_of"]
    pairs = {(e["subject_entity"]["start_idx"], e["object_entity"]["start_idx"]) for e in partner}
    assert all((b, a) in pairs for a, b in pairs)
    assert len([r for r in read.relations if r.type == "org:partner_of"]) == len(partner) // 2


def test_klue_re_exclusive_end_is_an_error(gold, tmp_path):
    path = tmp_path / "re.json"
    klue_re.write_klue_re(gold[:1], path)
    examples = json.loads(path.read_text(encoding="utf-8"))
    examples[3]["object_entity"]["end_idx"] += 1  # exclusive, as Python slices
    path.write_text(json.dumps(examples, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(
        FormatError,
        match=rf"\[3\] \(guid '{examples[3]['guid']}'\)"
        rf"\.object_entity\.word: word .* differs",
    ):
        klue_re.read_klue_re(path, gold)
    examples[3]["object_entity"]["end_idx"] -= 1
    examples[3]["label"] = "per:spouse"
    path.write_text(json.dumps(examples, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(FormatError, match=r"\.label: unknown label 'per:spouse'"):
        klue_re.read_klue_re(path, gold)


# --- DocRED ------------------------------------------------------------------------------------


def _partition(doc):
    clusters = gold_clusters(doc)
    groups = {}
    for e in doc.entities:
        groups.setdefault(clusters[e.id], set()).add((e.start, e.end, e.type))
    return {frozenset(group) for group in groups.values()}


def test_docred_round_trip(gold, tmp_path):
    path, back = round_trip("docred", gold, tmp_path)
    assert [d.id for d in back] == [d.id for d in gold]
    for original, read in zip(gold, back):
        assert spans(read.entities) == spans(original.entities)
        assert _partition(read) == _partition(original)
        assert triples(read.relations, predicted_clusters(original, read)) == triples(
            original.relations, gold_clusters(original)
        )
        assert read.claims == []
    documents = json.loads(path.read_text(encoding="utf-8"))
    for document, original in zip(documents, gold):
        assert document["title"] == original.id
        assert len(document["sents"]) == len(original.sentences)
        for vertex in document["vertexSet"]:
            for mention in vertex:
                start, end = original.sentences[mention["sent_id"]]
                tokens = [p for p in range(start, end) if not original.text[p].isspace()]
                first, last = tokens[mention["pos"][0]], tokens[mention["pos"][1] - 1]
                assert original.text[first : last + 1] == mention["name"]


def test_docred_bad_label(gold, tmp_path):
    path = tmp_path / "d.json"
    docred.write_docred(gold[:1], path)
    documents = json.loads(path.read_text(encoding="utf-8"))
    documents[0]["labels"][0]["t"] = documents[0]["labels"][0]["h"]
    path.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(
        FormatError,
        match=rf"\[0\] \(title '{gold[0].id}'\)\.labels\[0\]\.t: "
        r"head and tail are the same vertex",
    ):
        docred.read_docred(path, gold)
    documents[0]["vertexSet"][0][0]["pos"] = [0, 999]
    path.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(FormatError, match=r"vertexSet\[0\]\[0\]\.pos: expected \[first token"):
        docred.read_docred(path, gold)


# --- MeasEval ----------------------------------------------------------------------------------

CLAIM_CARRIED = [
    f.name for f in schema.CLAIM_FIELDS if f.kind != "link" and f.name != "override_reason"
]


def _link(doc, entity_id):
    entity = doc.entity(entity_id) if entity_id else None
    return (entity.start, entity.end, entity.type) if entity else None


def test_measeval_round_trip(gold, tmp_path):
    path, back = round_trip("measeval", gold, tmp_path)
    read = {d.id: d for d in back}
    assert set(read) == {d.id for d in gold if d.claims}
    for original in gold:
        doc = read.get(original.id, AnnotatedDocument(id=original.id))
        expected = sorted(
            (
                c.start,
                c.end,
                c.text,
                *(getattr(c, f) for f in CLAIM_CARRIED),
                _link(original, c.subject),
                _link(original, c.time),
            )
            for c in original.claims
        )
        got = sorted(
            (
                c.start,
                c.end,
                c.text,
                *(getattr(c, f) for f in CLAIM_CARRIED),
                _link(doc, c.subject),
                _link(doc, c.time),
            )
            for c in doc.claims
        )
        assert got == expected
        linked = {_link(original, i) for c in original.claims for i in (c.subject, c.time) if i}
        assert set(spans(doc.entities)) == linked
        assert all(c.override_reason is None for c in doc.claims)
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").split("\n")[1:] if line]
    kinds = {row[2] for row in rows}
    assert kinds == set(measeval.ANNOT_TYPES)
    mods = {m for row in rows if row[2] == "Quantity" for m in json.loads(row[7]).get("mods", [])}
    assert mods == {"IsApproximate", "IsCount", "IsRange"}


def test_measeval_without_extension_reads_what_measeval_has(gold, tmp_path):
    """A MeasEval system's output has no "kotechnews" key: unit, mods, spans and links only;
    entity types come from the reference entity on the span."""
    doc = next(d for d in gold if any(c.approximate and c.time for c in d.claims))
    path = tmp_path / "m.tsv"
    measeval.write_measeval([doc], path)
    lines = path.read_text(encoding="utf-8").split("\n")
    plain = []
    for line in lines[1:]:
        if line:
            cells = line.split("\t")
            other = json.loads(cells[7])
            other.pop(measeval.EXTENSION, None)
            cells[7] = json.dumps(other, ensure_ascii=False)
            line = "\t".join(cells)
        plain.append(line)
    path.write_text("\n".join([lines[0], *plain]), encoding="utf-8")
    (read,) = measeval.read_measeval(path, [doc])
    for original, claim in zip(sorted(doc.claims, key=lambda c: c.start), read.claims):
        assert (claim.start, claim.end, claim.unit, claim.approximate) == (
            original.start,
            original.end,
            original.unit,
            original.approximate,
        )
        assert claim.value is None and claim.modality is None
        assert claim.quantity_type == ("COUNT" if original.quantity_type == "COUNT" else None)
        assert _link(read, claim.subject) == _link(doc, original.subject)
        assert _link(read, claim.time) == _link(doc, original.time)


def test_measeval_bad_rows(gold, tmp_path):
    doc = next(d for d in gold if d.claims)
    path = tmp_path / "m.tsv"
    measeval.write_measeval([doc], path)
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[1].split("\t")
    cells[4] = str(int(cells[4]) + 1)
    path.write_text("\n".join([lines[0], "\t".join(cells), *lines[2:]]), encoding="utf-8")
    with pytest.raises(FormatError, match=r":2: text: text .* differs from the document text"):
        measeval.read_measeval(path, gold)
    cells[4], cells[7] = str(int(cells[4]) - 1), '{"mods": ["IsFuzzy"]}'
    path.write_text("\n".join([lines[0], "\t".join(cells), *lines[2:]]), encoding="utf-8")
    with pytest.raises(FormatError, match=r":2: other\.mods: expected a list of MeasEval"):
        measeval.read_measeval(path, gold)
    path.write_text("docId\ttext\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r":1: expected the header line"):
        measeval.read_measeval(path, gold)


# --- kotechnews export and kotechnews score --format ---------------------------------------


def test_export_command_writes_one_file_per_split(gold_splits, tmp_path):
    result = runner.invoke(
        app, ["export", "--format", "docred", "--out", str(tmp_path), "--dataset", str(DATASET)]
    )
    assert result.exit_code == 0, result.output
    for split in SPLIT_NAMES:
        expected = tmp_path / "expected.json"
        docred.write_docred(gold_splits[split], expected)
        assert (tmp_path / f"{split}.docred.json").read_bytes() == expected.read_bytes()
    result = runner.invoke(
        app, ["export", "--format", "conll", "--out", str(tmp_path / "c"), "--split", "test"]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "c").iterdir()] == ["test.conll"]


def test_export_command_missing_dataset(tmp_path):
    result = runner.invoke(
        app,
        [
            "export",
            "--format",
            "conll",
            "--out",
            str(tmp_path),
            "--dataset",
            str(tmp_path / "none"),
            "--split",
            "test",
        ],
    )
    assert result.exit_code == 1
    assert "cannot load split 'test'" in result.output
    assert not list(tmp_path.iterdir())


def _score(path: Path, name: str) -> dict:
    result = runner.invoke(
        app,
        [
            "score",
            "--pred",
            str(path),
            "--format",
            name,
            "--split",
            "test",
            "--dataset",
            str(DATASET),
            "--json",
            "--bootstrap",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {
        task: {key: value["value"] for key, value in data["tasks"][task]["metrics"].items()}
        | {"per_type": data["tasks"][task].get("per_type")}
        for task in data["tasks"]
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory, gold_splits) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exported")
    paths = {}
    for name, fmt in FORMATS.items():
        paths[name] = out / f"test{fmt.suffix}"
        fmt.write(gold_splits["test"], paths[name])
    return paths


def test_score_reads_exported_gold_back_perfectly(exported, gold_splits):
    scores = _score(exported["conll"], "conll")
    assert set(scores) == {"entities"}
    assert scores["entities"]["strict_f1"] == scores["entities"]["char_f1"] == 1.0
    scores = _score(exported["docred"], "docred")
    assert set(scores) == {"entities", "relations"}
    assert scores["entities"]["strict_f1"] == 1.0
    assert scores["relations"]["f1"] == scores["relations"]["evidence_f1"] == 1.0
    scores = _score(exported["measeval"], "measeval")
    assert set(scores) == {"claims"}
    assert all(
        scores["claims"][key] == 1.0
        for key in (
            "span_f1",
            "value_accuracy",
            "unit_accuracy",
            "quantity_type_accuracy",
            "modality_accuracy",
            "subject_f1",
        )
    )


def test_score_of_lossy_formats_is_perfect_on_what_they_carry(exported, gold_splits):
    test = gold_splits["test"]
    scores = _score(exported["klue-ner"], "klue-ner")
    entities = scores["entities"]
    assert entities["strict_precision"] == 1.0
    carried = sum(e.type in klue_ner.TO_KLUE for d in test for e in d.entities)
    assert entities["strict_recall"] == pytest.approx(carried / sum(len(d.entities) for d in test))
    assert all(
        entities["per_type"][t]["f1"] == 1.0 for t in klue_ner.TO_KLUE if t in entities["per_type"]
    )
    assert all(entities["per_type"][t]["predicted"] == 0 for t in klue_ner.UNMAPPED_TYPES)
    assert scores["claims"]["span_f1"] == 1.0
    relations = _score(exported["klue-re"], "klue-re")["relations"]
    assert relations["precision"] == 1.0
    same = sum(
        sentence_index(d, *_span(d, r.head)) == sentence_index(d, *_span(d, r.tail))
        for d in test
        for r in d.relations
    )
    assert 0 < same < sum(len(d.relations) for d in test)
    assert relations["recall"] == pytest.approx(same / sum(len(d.relations) for d in test))


def test_score_format_errors_are_listed_like_jsonl_errors(exported, tmp_path):
    bad = tmp_path / "bad.conll"
    lines = exported["conll"].read_text(encoding="utf-8").split("\n")
    lines[4] = lines[4].split()[0] + " B-WHAT"
    bad.write_text("\n".join(lines), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "score",
            "--pred",
            str(bad),
            "--format",
            "conll",
            "--split",
            "test",
            "--dataset",
            str(DATASET),
            "--bootstrap",
            "0",
        ],
    )
    assert result.exit_code == 2
    assert f"{bad}:5: tag: unknown tag 'B-WHAT'" in result.output
    # a record the format reads but the submission validator refuses: PER -> TITLE relation
    # reversed is not allowed by the schema
    records = json.loads(exported["docred"].read_text(encoding="utf-8"))
    label = next(label for doc in records for label in doc["labels"] if label["r"] == "per:title")
    label["h"], label["t"] = label["t"], label["h"]
    reversed_path = tmp_path / "reversed.docred.json"
    reversed_path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "score",
            "--pred",
            str(reversed_path),
            "--format",
            "docred",
            "--split",
            "test",
            "--dataset",
            str(DATASET),
            "--bootstrap",
            "0",
        ],
    )
    assert result.exit_code == 2
    assert "per:title does not allow TITLE -> PER" in result.output
    assert str(reversed_path) in result.output


# --- limits shared by the formats ------------------------------------------------------------


@pytest.mark.parametrize("name", ["conll", "klue-ner", "klue-re", "docred"])
def test_sentence_formats_refuse_an_entity_across_sentences(gold, tmp_path, name):
    doc = next(d for d in gold if len(d.sentences) > 1)
    boundary = doc.sentences[0][1]
    across = Entity(id="x", start=boundary - 2, end=boundary + 3, type="ORG")
    broken = doc.with_annotations(entities=[across])
    path = tmp_path / f"out{FORMATS[name].suffix}"
    with pytest.raises(FormatError, match=r"entity 'x' .* crosses a sentence boundary"):
        FORMATS[name].write([broken], path)
    assert not path.exists()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_readers_refuse_what_is_not_a_regular_file(gold, tmp_path, name):
    with pytest.raises(FormatError, match="not a regular file"):
        FORMATS[name].read(tmp_path, gold)
    with pytest.raises(FormatError, match="cannot read"):
        FORMATS[name].read(tmp_path / "missing", gold)


def test_klue_ner_reads_time_as_date(gold, tmp_path):
    doc = next(d for d in gold if any(e.type == "DATE" for e in d.entities))
    path = tmp_path / "k.tsv"
    klue_ner.write_klue_ner([doc], path)
    path.write_text(path.read_text(encoding="utf-8").replace("-DT", "-TI"), encoding="utf-8")
    (read,) = klue_ner.read_klue_ner(path, gold)
    assert spans(e for e in read.entities if e.type == "DATE") == spans(
        e for e in doc.entities if e.type == "DATE"
    )


def test_docred_puts_a_relation_on_mentions_in_its_evidence(gold, tmp_path):
    _, back = round_trip("docred", gold, tmp_path)
    checked = 0
    for original, read in zip(gold, back):
        clusters = {}
        for e in read.entities:
            clusters.setdefault(e.canonical_id, []).append(e)
        for relation in read.relations:
            for end in (relation.head, relation.tail):
                mention = read.entity(end)
                in_evidence = [
                    m
                    for m in clusters[mention.canonical_id]
                    if sentence_index(original, m.start, m.end) in relation.evidence
                ]
                if in_evidence:
                    assert mention is in_evidence[0]
                    checked += len(clusters[mention.canonical_id]) > 1
    assert checked > 0
