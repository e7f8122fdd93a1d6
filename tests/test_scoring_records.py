"""Records from code are validated and scored without a JSON round trip: the same errors, with
the same messages, as the same records written to a submission file, and the same scores."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest

from kotechnews.baselines import evaluation
from kotechnews.document import Document
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation
from kotechnews.scoring import evaluate
from kotechnews.scoring.evaluate import Corpus, score
from kotechnews.scoring.submission import (
    SubmissionError,
    gold_from_documents,
    load_gold,
    load_submission,
    submission_from_documents,
)

TEXT = "alpha beta gamma. delta 3 epsilon."  # alpha 0-5, beta 6-10, gamma 11-16, 3 at 24-25


def _document(doc_id: str = "d1", **changes) -> AnnotatedDocument:
    document = AnnotatedDocument(
        id=doc_id,
        text=TEXT,
        entities=[
            Entity("e1", 0, 5, "ORG", "alpha"),
            Entity("e2", 6, 10, "PER"),
            Entity("e3", 11, 16, "DATE"),
        ],
        relations=[Relation("e2", "e1", "per:employee_of", [0])],
        claims=[Claim("q1", 24, 25, value=3.0, subject="e1", time="e3")],
    )
    return dataclasses.replace(document, **changes)


def _with_sentences(doc_id: str, sentences: list[tuple[int, int]], **changes) -> AnnotatedDocument:
    return _document(doc_id, document=Document(doc_id, TEXT, sentences=sentences), **changes)


GOLD = [_with_sentences(doc_id, [(0, 17), (18, 34)]) for doc_id in ("d1", "d2", "d3")]


def _write(path: Path, documents) -> Path:
    path.write_text(
        "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in documents),
        encoding="utf-8",
    )
    return path


def _located(issues) -> list[tuple]:
    """An issue without its source, which differs between a file and records."""
    return [(i.severity, i.line, i.document, i.item, i.field, i.message) for i in issues]


def _issues_of_file(tmp_path, documents) -> list[tuple]:
    with pytest.raises(SubmissionError) as caught:
        load_submission(_write(tmp_path / "pred.jsonl", documents), GOLD)
    return _located(caught.value.issues)


def _issues_of_records(documents) -> list[tuple]:
    with pytest.raises(SubmissionError) as caught:
        submission_from_documents(documents, "records", GOLD)
    return _located(caught.value.issues)


def _entity(index: int, **changes):
    return lambda d: d.entities.__setitem__(
        index, dataclasses.replace(d.entities[index], **changes)
    )


def _relation(**changes):
    return lambda d: d.relations.__setitem__(0, dataclasses.replace(d.relations[0], **changes))


def _claim(**changes):
    return lambda d: d.claims.__setitem__(0, dataclasses.replace(d.claims[0], **changes))


CASES = {
    "offset out of text": (_entity(1, end=99), "offset 99 is outside the text (length 34)"),
    "unknown relation head": (
        _relation(head="e9"),
        "refers to entity 'e9', which is not in this document's entities",
    ),
    "evidence past the sentences": (
        _relation(evidence=[0, 2]),
        "sentence 2 is past the document's last sentence (2 sentences)",
    ),
    "relation type not allowed": (
        _relation(head="e3"),
        "per:employee_of does not allow DATE -> ORG",
    ),
    "claim bounds": (_claim(low=5.0, high=1.0), "low 5.0 is greater than high 1.0"),
    "unknown label": (_entity(0, type="FOO"), 'unknown label "FOO"; allowed: '),
    "negative offset": (_entity(2, start=-1), "must be >= 0, got -1"),
    "not a finite number": (_claim(value=float("nan")), "not a finite number (got NaN;"),
    "wrong type": (_entity(1, start="6"), 'expected integer, got string "6"'),
    "text differs": (
        lambda d: setattr(d, "text", TEXT.upper()),
        "text differs from the gold text of this document",
    ),
    "unknown document": (lambda d: setattr(d, "id", "zz"), "unknown document id (not in the gold)"),
}


@pytest.mark.parametrize("case", CASES)
def test_records_get_the_errors_of_the_same_file(tmp_path, case):
    spoil, message = CASES[case]
    documents = [_document("d1"), _document("d2")]
    spoil(documents[1])
    from_records = _issues_of_records(documents)
    assert from_records == _issues_of_file(tmp_path, documents)
    assert len(from_records) == 1 and from_records[0][-1].startswith(message), from_records
    assert from_records[0][1] == 2  # records are numbered like the lines of their file


def test_an_item_with_a_wrong_value_is_reported_once_and_left_out(tmp_path):
    """The relation and claim pointing at the entity with an unknown label are not also
    reported as pointing at an unknown entity."""
    document = _document()
    _entity(0, type="FOO")(document)
    assert _issues_of_records([document]) == _issues_of_file(tmp_path, [document])
    assert len(_issues_of_records([document])) == 1


def test_duplicate_document_ids_in_records(tmp_path):
    documents = [_document("d1"), _document("d2"), _document("d1")]
    issues = _issues_of_records(documents)
    assert issues == _issues_of_file(tmp_path, documents)
    assert issues == [("error", 3, "d1", None, "id", "duplicate document id (first on line 1)")]


def test_unnumbered_records_are_named_by_document_and_item():
    document = _document("d2")
    _entity(1, end=99)(document)
    with pytest.raises(SubmissionError) as caught:
        submission_from_documents([document], "converted.conll", GOLD, numbered=False)
    assert [str(issue) for issue in caught.value.issues] == [
        "converted.conll: document 'd2': entities[1] (id 'e2').end: offset 99 is outside the "
        "text (length 34)"
    ]


def test_gold_records_get_the_errors_of_the_same_gold_file(tmp_path):
    documents = [
        _with_sentences("d1", [(0, 17)], relations=[Relation("e2", "e1", "per:employee_of", [1])]),
        _document("d1", text=None),
    ]
    with pytest.raises(SubmissionError) as from_file:
        load_gold(_write(tmp_path / "gold.jsonl", documents))
    with pytest.raises(SubmissionError) as from_records:
        gold_from_documents(documents, "split:test")
    assert _located(from_records.value.issues) == _located(from_file.value.issues)
    assert [issue.message for issue in from_records.value.issues] == [
        "sentence 1 is past the document's last sentence (1 sentences)",
        "duplicate document id (first on line 1)",
    ]


def test_valid_records_are_kept_as_given():
    predictions = [_document("d2"), _document("d1")]
    submission = submission_from_documents(predictions, "records", GOLD)
    assert [d.id for d in submission.documents] == ["d1", "d2", "d3"]
    assert submission.documents[0] is predictions[1]
    assert [str(w) for w in submission.warnings] == [
        "records: document 'd3': gold document missing from the submission; scored as an "
        "empty prediction"
    ]


def _gold_and_predictions(seed: int) -> tuple[list[AnnotatedDocument], list[AnnotatedDocument]]:
    """Twelve gold documents and a noisy prediction of eleven of them."""
    rng = random.Random(seed)
    gold = [_with_sentences(f"g{i}", [(0, 17), (18, 34)]) for i in range(12)]
    predictions = []
    for document in gold[1:]:
        entities = [
            dataclasses.replace(e, type=rng.choice(["ORG", "PER"])) if rng.random() < 0.3 else e
            for e in document.entities
            if rng.random() < 0.8
        ]
        unchanged = {e.id for e in entities if e in document.entities}
        relations = [r for r in document.relations if {r.head, r.tail} <= unchanged]
        claims = [
            dataclasses.replace(c, value=rng.choice([3.0, 4.0]), subject=None, time=None)
            for c in document.claims
        ]
        predictions.append(
            dataclasses.replace(document, entities=entities, relations=relations, claims=claims)
        )
    return gold, predictions


def test_records_and_their_file_score_the_same(tmp_path):
    gold, predictions = _gold_and_predictions(seed=3)
    corpus = Corpus(gold_from_documents(gold, "split:test"), "split:test")
    path = _write(tmp_path / "pred.jsonl", predictions)
    from_file = score(corpus, load_submission(path, corpus.documents), n_bootstrap=50, seed=1)
    from_records = score(
        corpus,
        submission_from_documents(predictions, str(path), corpus.documents),
        n_bootstrap=50,
        seed=1,
    )
    from_records["date"] = from_file["date"]
    assert from_records["warnings"]  # the missing document is warned about in both
    assert from_records == from_file
    assert from_records["submission"]["fingerprint"] == evaluate.fingerprint(
        load_submission(path, corpus.documents).documents
    )


def test_baselines_score_their_predictions_without_a_dict_round_trip(monkeypatch):
    gold, predictions = _gold_and_predictions(seed=4)
    # the result fingerprints hash canonical JSON on purpose; everything else stays on records
    for module in (evaluate, evaluation):
        monkeypatch.setattr(module, "fingerprint", lambda documents: "not computed")

    def refuse(document):
        raise AssertionError(f"{document.id} converted to a dict")

    monkeypatch.setattr(AnnotatedDocument, "to_dict", refuse)
    result = evaluation.score_tasks(
        ["entities", "claims"],
        {"entities": predictions, "claims": predictions},
        Corpus(gold_from_documents(gold, "fold"), "fold"),
        None,
        0,
        0,
        "fold",
    )
    assert set(result["tasks"]) == {"entities", "claims"}
