"""scikit-learn baselines: the three estimators on code-made records, BIO round trips, skops
persistence, and Label Studio pre-annotations from a saved model."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kotechnews import schema
from kotechnews.baselines.claim_extractor import ClaimExtractor
from kotechnews.baselines.entity_tagger import (
    EntityTagger,
    bio_tags,
    entities_from_tags,
    spans_from_tags,
)
from kotechnews.baselines.prelabel import input_records, model_version, sklearn_predictions
from kotechnews.baselines.relation_classifier import (
    NO_RELATION,
    RelationClassifier,
    candidate_pairs,
    candidate_recall,
)
from kotechnews.baselines.sklearn_baseline import ModelFileError, SklearnBaseline
from kotechnews.document import Document
from kotechnews.labelstudio import convert
from kotechnews.labelstudio.workflow import WorkflowError
from kotechnews.quantity import find_quantities
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation

# Fictional names only (gold data is sacred: nothing here is from an article).
ORGS = [
    "한빛랩",
    "누리소프트",
    "바다전자",
    "푸른데이터",
    "별빛대학교",
    "미래로봇협회",
    "새벽통신",
    "초록에너지",
]
PEOPLE = ["김도윤", "박서연", "이하준", "최민서", "정우진", "강지아"]
TITLES = ["소장", "대표", "교수", "상무"]
TECHS = ["음성인식", "기계번역", "자율주행", "영상분석"]
PLACES = ["부산", "대전", "광주", "울산"]


class DocumentBuilder:
    """Appends text pieces and records entity spans while the text grows."""

    def __init__(self, doc_id: str):
        self.doc_id, self.text, self.entities, self.sentences = doc_id, "", [], []
        self.relations: list[Relation] = []
        self.claim_plans: list[tuple[str, str, str, str]] = []  # (surface, type, modality, subj)
        self._sentence_start = 0

    def plain(self, piece: str) -> None:
        self.text += piece

    def entity(self, surface: str, label: str) -> str:
        entity_id = f"e{len(self.entities) + 1}"
        self.entities.append(
            Entity(
                entity_id,
                len(self.text),
                len(self.text) + len(surface),
                label,
                surface,
                canonical_id=f"{label}:{surface}",
            )
        )
        self.text += surface
        return entity_id

    def end_sentence(self) -> None:
        self.sentences.append([self._sentence_start, len(self.text)])
        self.text += " "
        self._sentence_start = len(self.text)

    def build(self) -> AnnotatedDocument:
        text = self.text.rstrip()
        claims = []
        found = find_quantities(text)
        assert [q.text for q in found] == [plan[0] for plan in self.claim_plans]
        for q, plan in zip(found, self.claim_plans):
            claims.append(
                Claim(
                    f"q{len(claims) + 1}",
                    q.start,
                    q.end,
                    q.text,
                    q.value,
                    q.low,
                    q.high,
                    q.unit,
                    q.approximate,
                    plan[1],
                    "투자 금액",
                    plan[2],
                    plan[3],
                )
            )
        document = Document(self.doc_id, text, sentences=self.sentences)
        return AnnotatedDocument(self.doc_id, text, self.entities, self.relations, claims, document)


def make_document(doc_id: str, rng: random.Random, sentences: int = 6) -> AnnotatedDocument:
    builder = DocumentBuilder(doc_id)
    for _ in range(sentences):
        org, person, title = rng.choice(ORGS), rng.choice(PEOPLE), rng.choice(TITLES)
        kind = rng.randrange(3)
        if kind == 0:
            o = builder.entity(org, "ORG")
            builder.plain("의 ")
            p = builder.entity(person, "PER")
            builder.plain(" ")
            t = builder.entity(title, "TITLE")
            builder.plain("은 ")
            tech = builder.entity(rng.choice(TECHS), "TECH")
            builder.plain(" 기술을 소개했다.")
            builder.relations += [
                Relation(p, t, "per:title"),
                Relation(p, o, "per:employee_of"),
                Relation(o, tech, "org:develops"),
            ]
        elif kind == 1:
            o = builder.entity(org, "ORG")
            builder.plain("는 ")
            loc = builder.entity(rng.choice(PLACES), "LOC")
            builder.plain("에 새 연구소를 열었다.")
            builder.relations.append(Relation(o, loc, "org:located_in"))
        else:
            o = builder.entity(org, "ORG")
            amount = f"{rng.randrange(2, 90)}억원"
            builder.plain(f"는 {amount}을 투자할 계획이다.")
            builder.claim_plans.append((amount, "MONEY", "PLANNED", o))
        builder.end_sentence()
    return builder.build()


@pytest.fixture(scope="module")
def corpus() -> list[AnnotatedDocument]:
    rng = random.Random(7)
    return [make_document(f"doc-{n}", rng) for n in range(8)]


def strict_f1(gold: set, predicted: set) -> float:
    correct = len(gold & predicted)
    return 2 * correct / (len(gold) + len(predicted)) if gold or predicted else 1.0


def test_code_made_corpus_is_consistent(corpus):
    for doc in corpus:
        assert all(doc.text[e.start : e.end] == e.text for e in doc.entities)
        assert doc.claims and all(c.subject for c in doc.claims)


# --- BIO -----------------------------------------------------------------------------------


@st.composite
def text_with_spans(draw):
    """A text and non-overlapping typed spans that neither start nor end on whitespace."""
    text = draw(st.text(alphabet="가나다 KT1-", min_size=1, max_size=60))
    spans, position = [], 0
    while position < len(text):
        start = draw(st.integers(position, len(text)))
        if start >= len(text):
            break
        end = draw(st.integers(start + 1, min(len(text), start + 8)))
        if not text[start].isspace() and not text[end - 1].isspace():
            spans.append((start, end, draw(st.sampled_from(schema.ENTITY_TYPE_NAMES))))
        position = end
    return text, spans


@given(text_with_spans())
@settings(max_examples=200, deadline=None)
def test_bio_round_trip_spans_to_tags_to_spans(case):
    text, spans = case
    doc = AnnotatedDocument(
        "d", text, [Entity(f"e{i}", s, e, t, text[s:e]) for i, (s, e, t) in enumerate(spans)]
    )
    tags = bio_tags(doc)
    assert len(tags) == len(text) and set(tags) <= set(schema.bio_labels())
    assert spans_from_tags(tags) == spans
    assert [(e.start, e.end, e.type) for e in entities_from_tags(text, tags)] == spans


def test_ill_formed_tags_are_chunked_as_conlleval_does():
    assert spans_from_tags(["O", "I-ORG", "I-ORG", "B-PER", "I-ORG", "O"]) == [
        (1, 3, "ORG"),
        (3, 4, "PER"),
        (4, 5, "ORG"),
    ]
    assert entities_from_tags(" KT ", ["B-ORG", "I-ORG", "I-ORG", "I-ORG"])[0].text == "KT"


# --- estimators ----------------------------------------------------------------------------


def test_entity_tagger_learns_the_training_mentions_and_is_seeded(corpus):
    train, held_out = corpus[:6], corpus[6:]
    tagger = EntityTagger(random_state=0).fit(train)
    predicted = tagger.predict([d.with_annotations() for d in train])
    gold = {(d.id, e.start, e.end, e.type) for d in train for e in d.entities}
    found = {(p.id, e.start, e.end, e.type) for p in predicted for e in p.entities}
    assert strict_f1(gold, found) > 0.95
    for doc in predicted:
        assert all(
            doc.text[e.start : e.end] == e.text and not e.text[0].isspace() for e in doc.entities
        )
    again = EntityTagger(random_state=0).fit(train).predict(held_out)
    assert [d.to_dict() for d in again] == [d.to_dict() for d in tagger.predict(held_out)]


def test_entity_tagger_refuses_training_without_entities():
    with pytest.raises(ValueError, match="at least one entity"):
        EntityTagger().fit([AnnotatedDocument("d", "아무 이름도 없는 문장이다.")])


def test_relation_classifier_predicts_allowed_relations_between_given_mentions(corpus):
    model = RelationClassifier(random_state=0).fit(corpus[:6])
    held_out = corpus[6:]
    inputs = [d.with_annotations(entities=d.entities) for d in held_out]
    predicted = model.predict(inputs)
    gold, found = set(), set()
    for doc, pred in zip(held_out, predicted):
        ids = {e.id: e for e in doc.entities}
        gold |= {(doc.id, r.head, r.type, r.tail) for r in doc.relations}
        for rel in pred.relations:
            head, tail = ids[rel.head], ids[rel.tail]
            assert schema.relation_allowed(rel.type, head.type, tail.type)
            found.add((doc.id, rel.head, rel.type, rel.tail))
    assert strict_f1(gold, found) > 0.8
    assert candidate_recall(corpus) == 1.0  # every relation of the templates is in-sentence


def test_relation_candidates_are_same_sentence_pairs_the_schema_allows(corpus):
    doc = corpus[0]
    for head, tail in candidate_pairs(doc):
        assert any(
            schema.relation_allowed(r, head.type, tail.type) for r in schema.RELATION_TYPE_NAMES
        )
        same = [s for s in doc.sentences if s[0] <= head.start < s[1]]
        assert same and same[0][0] <= tail.start < same[0][1]
    assert NO_RELATION not in schema.RELATION_TYPE_NAMES


def test_claim_extractor_finds_values_types_and_subjects(corpus):
    model = ClaimExtractor(random_state=0).fit(corpus[:6])
    held_out = corpus[6:]
    predicted = model.predict([d.with_annotations(entities=d.entities) for d in held_out])
    for doc, pred in zip(held_out, predicted):
        assert [(c.start, c.end, c.value, c.unit) for c in pred.claims] == [
            (c.start, c.end, c.value, c.unit) for c in doc.claims
        ]
        assert [(c.quantity_type, c.modality, c.subject, c.property) for c in pred.claims] == [
            (c.quantity_type, c.modality, c.subject, c.property) for c in doc.claims
        ]


# --- the bundle, persistence, pre-annotation -----------------------------------------------


@pytest.fixture(scope="module")
def saved_model(corpus, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "sklearn.skops"
    model = SklearnBaseline(seed=0).fit(corpus[:6])
    model.save(path)
    return model, path


def test_saved_model_loads_and_predicts_the_same(saved_model, corpus):
    model, path = saved_model
    inputs = [d.with_annotations() for d in corpus[6:]]
    loaded = SklearnBaseline.load(path)
    assert [d.to_dict() for d in loaded.predict(inputs)] == [
        d.to_dict() for d in model.predict(inputs)
    ]
    end_to_end = model.predict(inputs)
    for doc in end_to_end:
        ids = {e.id for e in doc.entities}
        assert all(r.head in ids and r.tail in ids for r in doc.relations)
        assert all(c.subject is None or c.subject in ids for c in doc.claims)


def test_missing_or_foreign_model_files_are_named(tmp_path):
    with pytest.raises(ModelFileError, match="no saved model"):
        SklearnBaseline.load(tmp_path / "absent.skops")
    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(ModelFileError, match="broken.skops: not a saved"):
        SklearnBaseline.load(broken)


def test_predictions_for_label_studio_convert_back_to_the_predicted_records(saved_model, corpus):
    model, path = saved_model
    documents = [d.document for d in corpus[6:]]
    predictions = sklearn_predictions(documents, path)
    expected = {d.id: d for d in model.predict(input_records(documents))}
    assert set(predictions) == set(expected)
    for document in documents:
        prediction = predictions[document.id]
        assert prediction["model_version"] == model_version(path)
        back = convert.record_from_result(document.task_data(), prediction["result"])
        want = expected[document.id]
        assert [(e.start, e.end, e.type) for e in back.entities] == [
            (e.start, e.end, e.type) for e in want.entities
        ]
        assert {(r.head, r.type, r.tail) for r in back.relations} == {
            (r.head, r.type, r.tail) for r in want.relations
        }
        assert [(c.start, c.end, c.value, c.quantity_type, c.subject) for c in back.claims] == [
            (c.start, c.end, c.value, c.quantity_type, c.subject) for c in want.claims
        ]
        assert back.entities or back.claims


def test_pushing_predictions_without_a_saved_model_is_a_workflow_error(tmp_path, corpus):
    with pytest.raises(WorkflowError, match="absent.skops: no saved model"):
        sklearn_predictions([corpus[0].document], tmp_path / "absent.skops")


def test_push_command_names_the_missing_model_before_contacting_a_server(tmp_path, corpus):
    from typer.testing import CliRunner

    from kotechnews.cli import app
    from kotechnews.jsonio import write_jsonl

    documents = tmp_path / "documents.jsonl"
    write_jsonl(documents, [d.document.row() for d in corpus[:2]])
    result = CliRunner().invoke(
        app, ["--root", str(tmp_path), "ls", "push", str(documents), "--predictions", "sklearn"]
    )
    assert result.exit_code == 1
    missing = tmp_path / "build" / "models" / "sklearn.skops"  # the project of --root has none
    said = "".join(result.output.split())  # rich wraps lines, long paths anywhere
    assert "".join(f"{missing}: no saved model".split()) in said
