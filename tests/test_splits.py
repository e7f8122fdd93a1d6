"""Document splits: deterministic, grouped by shared sentences, leakage-free, with LOGO folds."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PROJECT
from kotechnews import gold
from kotechnews.document import Document
from kotechnews.records import AnnotatedDocument, Claim, Entity
from kotechnews.splits import (
    N_FOLDS,
    NO_FOLD,
    REST_SHARES,
    SPLIT_NAMES,
    TEST_MAX_SHARE,
    TEST_MINIMUM,
    SplitError,
    assign_splits,
    document_sentences,
    leakage_groups,
    linked_documents,
    normalise_sentence,
    records_in_split,
)
from test_dataset_synthetic import SHARED, synthetic_document, write_synthetic_gold

REAL_GOLD = sorted(PROJECT.gold.glob("*.json")) if PROJECT.gold.is_dir() else []


@pytest.fixture(scope="module")
def synthetic_records(tmp_path_factory):
    directory = tmp_path_factory.mktemp("gold")
    write_synthetic_gold(directory)
    return gold.load_gold(directory)


def corpora(synthetic_records):
    yield "synthetic", synthetic_records
    if REAL_GOLD:
        yield "real gold", gold.load_gold()


def assert_leakage_free(records: list[AnnotatedDocument]) -> None:
    """No normalised sentence or paragraph, and no near-duplicate sentence pair, in two splits."""
    assignments = assign_splits(records)
    splits_of: dict[str, set[str]] = defaultdict(set)
    for doc in records:
        text = doc.text or ""
        passages = document_sentences(doc) + [
            text[start:end] for start, end in doc.document.paragraphs
        ]
        for passage in passages:
            splits_of[normalise_sentence(passage)].add(assignments[doc.id].split)
    shared = {key: splits for key, splits in splits_of.items() if key and len(splits) > 1}
    assert not shared, f"passages in several splits: {shared}"
    for a, b in linked_documents({doc.id: document_sentences(doc) for doc in records}):
        assert assignments[a].split == assignments[b].split


def test_normalise_sentence_ignores_spacing_quotes_and_case():
    assert normalise_sentence("KT는 ‘AI 원팀’을  출범했다.") == normalise_sentence(
        "kt는 'AI원팀'을 출범했다"
    )
    assert normalise_sentence("ＫＴ ２０００억") == "kt2000억"  # NFKC folds full-width forms
    assert normalise_sentence(" …· ") == ""


def test_near_identical_sentences_group_their_documents(synthetic_records):
    ids = {key: synthetic_document(key).id for key in "abcdef"}
    groups = leakage_groups(synthetic_records)
    assert sorted([ids["a"], ids["b"]]) in groups
    assert sorted(len(g) for g in groups) == [1, 1, 1, 1, 2]
    # the shared sentence differs by a clause, so only the near-duplicate rule links them
    a_sentences = {
        normalise_sentence(s)
        for s in document_sentences(next(r for r in synthetic_records if r.id == ids["a"]))
    }
    b_sentences = {
        normalise_sentence(s)
        for s in document_sentences(next(r for r in synthetic_records if r.id == ids["b"]))
    }
    assert not a_sentences & b_sentences
    assert any(normalise_sentence(SHARED) in s for s in b_sentences)


def test_topical_overlap_alone_does_not_link_documents():
    sentences = {
        "x": ["한빛랩은 부산에 새 연구소를 세웠다."],
        "y": ["누리소프트는 대구에 새 연구소를 세웠다."],
    }
    assert linked_documents(sentences) == set()


def test_assignment_is_deterministic_and_independent_of_input_order(synthetic_records):
    expected = assign_splits(synthetic_records)
    shuffled = list(synthetic_records)
    random.Random(7).shuffle(shuffled)
    assert assign_splits(shuffled) == expected
    assert {a.split for a in expected.values()} == set(SPLIT_NAMES)


def test_groups_stay_together_and_folds_cover_train_and_validation(synthetic_records):
    assignments = assign_splits(synthetic_records)
    groups = leakage_groups(synthetic_records)
    for group in groups:
        assert len({assignments[d].split for d in group}) == 1
        assert len({assignments[d].fold for d in group}) == 1
    for assignment in assignments.values():
        assert (assignment.fold == NO_FOLD) == (assignment.split == "test")
    folds = {a.fold for a in assignments.values() if a.split != "test"}
    assert folds == set(range(min(N_FOLDS, len(folds))))


def licensed(doc: AnnotatedDocument, licence: str) -> AnnotatedDocument:
    return AnnotatedDocument(
        id=doc.id, text=doc.text, document=replace(doc.document, license=licence)
    )


def test_only_openly_licensed_groups_go_to_test(synthetic_records):
    records = [
        licensed(doc, "CC BY 2.5" if number % 2 else "research-only")
        for number, doc in enumerate(synthetic_records)
    ]
    assignments = assign_splits(records)
    tested = [doc for doc in records if assignments[doc.id].split == "test"]
    assert tested and all(doc.document.license == "CC BY 2.5" for doc in tested)
    # the same corpus without any open text may test on any document
    closed = [licensed(doc, "research-only") for doc in synthetic_records]
    assert any(a.split == "test" for a in assign_splits(closed).values())


def test_folds_balance_documents_of_train_and_validation():
    records = []
    for number in range(23):
        text = (
            "".join(chr(0xAC00 + 397 * number + 11 * k) for k in range(20)) + "."
        )  # no shared shingle
        records.append(
            AnnotatedDocument(
                id=f"d{number:02d}",
                text=text,
                document=Document(f"d{number:02d}", text, sentences=[(0, len(text))]),
            )
        )
    assignments = assign_splits(records)
    sizes = [sum(a.fold == fold for a in assignments.values()) for fold in range(N_FOLDS)]
    assert sum(sizes) == sum(a.split != "test" for a in assignments.values())
    assert max(sizes) - min(sizes) <= 1


def test_every_corpus_is_leakage_free(synthetic_records):
    for _, records in corpora(synthetic_records):
        assert_leakage_free(records)


def test_fewer_groups_than_splits_is_an_error(synthetic_records):
    with pytest.raises(SplitError, match="at least 3 groups"):
        assign_splits(synthetic_records[:2])


def test_unknown_split_is_a_clear_error(tmp_path):
    with pytest.raises(SplitError, match="unknown split 'dev'.*train, validation, test"):
        gold.load_split("dev", tmp_path)


def test_load_split_partitions_the_gold(tmp_path):
    write_synthetic_gold(tmp_path)
    records = gold.load_gold(tmp_path)
    parts = {name: gold.load_split(name, tmp_path) for name in SPLIT_NAMES}
    assert sorted(d.id for part in parts.values() for d in part) == [d.id for d in records]
    assert all(parts.values())
    assert [d.id for d in parts["test"]] == [d.id for d in records_in_split(records, "test")]


@pytest.mark.skipif(not REAL_GOLD, reason="annotation/gold has no exports yet")
def test_real_gold_splits_cover_every_document():
    records = gold.load_gold()
    assert sorted(d.id for name in SPLIT_NAMES for d in gold.load_split(name)) == [
        d.id for d in records
    ]


# Random corpora: documents made of sentences drawn from a pool, so some documents share sentences.
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
POOL = st.lists(st.text(HANGUL, min_size=12, max_size=30), min_size=8, max_size=14, unique=True)


@settings(max_examples=60, deadline=None)
@given(POOL, st.data())
def test_random_corpora_are_split_without_leakage(pool, data):
    documents = data.draw(
        st.lists(
            st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=4), min_size=3, max_size=10
        )
    )
    records = []
    for number, picks in enumerate(documents):
        text = "\n".join(pool[i] + "." for i in picks)
        offsets, sentences = 0, []
        for i in picks:
            sentences.append([offsets, offsets + len(pool[i]) + 1])
            offsets += len(pool[i]) + 2
        records.append(
            AnnotatedDocument(
                id=f"ktn-{number:016x}",
                text=text,
                # one sentence a line: each sentence is a paragraph too
                document=Document(
                    f"ktn-{number:016x}", text, sentences=sentences, paragraphs=sentences
                ),
            )
        )
    try:
        assign_splits(records)
    except SplitError:
        assert len(leakage_groups(records)) < len(SPLIT_NAMES)
        return
    assert_leakage_free(records)


def counted_corpus(documents: int, entities: int, claims: int) -> list[AnnotatedDocument]:
    """Open documents with distinct texts and the given number of entities and claims each."""
    records = []
    for number in range(documents):
        text = "".join(chr(0xAC00 + 397 * number + 11 * k) for k in range(60)) + "."
        records.append(
            AnnotatedDocument(
                id=f"d{number:02d}",
                text=text,
                document=Document(
                    f"d{number:02d}", text, sentences=[(0, len(text))], license="CC BY 2.5"
                ),
                entities=[Entity(f"e{k}", k, k + 1, "ORG", text[k]) for k in range(entities)],
                claims=[Claim(f"c{k}", 50 + k, 51 + k, text[50 + k]) for k in range(claims)],
            )
        )
    return records


@pytest.mark.parametrize(
    ("entities", "claims", "expected"),
    [
        (40, 10, TEST_MINIMUM["documents"]),  # ten documents already hold enough mentions
        (20, 2, 30),  # 60 claims need 30 documents
        (5, 1, int(TEST_MAX_SHARE * 80)),  # the minimum is out of reach: half the corpus
    ],
)
def test_test_split_grows_until_its_minimum_and_no_further(entities, claims, expected):
    records = counted_corpus(80, entities, claims)
    assignments = assign_splits(records)
    tested = [doc for doc in records if assignments[doc.id].split == "test"]
    assert len(tested) == expected
    rest = Counter(a.split for a in assignments.values() if a.split != "test")
    assert rest["validation"] == round(REST_SHARES["validation"] * (80 - expected))
