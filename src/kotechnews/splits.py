"""Document-level, deterministic, leakage-free splits and cross-validation folds.

Two articles rewritten from the same press release share (near-)identical sentences. Documents that
share one are put in the same *leakage group* (connected components of the "shares a sentence"
graph); a group never straddles two splits and is one cross-validation fold.

Two sentences are the same sentence when their normalised forms (NFKC, lower case, letters and
digits only) are equal, or when at least ``NEAR_DUPLICATE_CONTAINMENT`` of the character
``SHINGLE``-grams of the shorter one occur in the other (the shorter needs ``MIN_SHINGLES`` of them,
so short stock phrases only link documents when they are equal).

Assignment rule. **Test**: the leakage groups whose texts are all openly licensed
(``kotechnews.licences``), in the order of the SHA-256 of their smallest document id (a seeded
shuffle that no annotation influences), are taken into test one by one until test holds at least
``TEST_MINIMUM`` (documents, entity mentions, numeric claims), but never more than
``TEST_MAX_SHARE`` of all documents. So the test split can be published and reported on by anyone,
and is large enough for its scores to mean something. (A corpus without any open text tests on
any group.) **Train and validation**: the other groups, largest first (ties by the same hash), each
to the split whose document count is the smallest fraction of its target (``REST_SHARES`` of the
remaining documents), ties in the order train, validation; with three or more groups no split is
empty.

Cross-validation folds: the train and validation groups, in the same order, each go to the fold
with the fewest documents so far (ties: the lower number), ``N_FOLDS`` folds; test documents are in
no fold (``fold`` = -1): cross-validation never sees the test split.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from kotechnews.errors import KoTechNewsError
from kotechnews.licences import is_openly_licensed
from kotechnews.records import AnnotatedDocument

SPLIT_NAMES: tuple[str, ...] = ("train", "validation", "test")
TEST_MINIMUM: dict[str, int] = {"documents": 10, "entities": 300, "claims": 60}
TEST_MAX_SHARE = 0.5
REST_SHARES: dict[str, float] = {"train": 0.8, "validation": 0.2}
N_FOLDS = 5
NO_FOLD = -1  # test documents
SHINGLE = 4
MIN_SHINGLES = 8
NEAR_DUPLICATE_CONTAINMENT = 0.8


class SplitError(KoTechNewsError, ValueError):
    """The documents cannot be split as the rule requires, or an unknown split was asked for."""


@dataclass(frozen=True)
class Assignment:
    split: str
    fold: int  # cross-validation fold of a train/validation document (groups never split); NO_FOLD for test


def normalise_sentence(text: str) -> str:
    """NFKC, lower case, letters and digits only: spacing, quotes and punctuation do not count."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def document_sentences(doc: AnnotatedDocument) -> list[str]:
    """The document's sentences as text, from the sentence spans the gold carries."""
    text = doc.text or ""
    return [text[start:end] for start, end in doc.sentences or [(0, len(text))]]


def _shingles(normalised: str) -> set[str]:
    return {normalised[i : i + SHINGLE] for i in range(len(normalised) - SHINGLE + 1)}


def linked_documents(sentences_by_doc: dict[str, Sequence[str]]) -> set[tuple[str, str]]:
    """Pairs (a, b), a < b, of documents that share a sentence (equal or near-duplicate)."""
    entries: list[tuple[str, str, set[str]]] = []  # (doc id, normalised, shingles)
    for doc_id, sentences in sentences_by_doc.items():
        for sentence in sentences:
            normalised = normalise_sentence(sentence)
            if normalised:
                entries.append((doc_id, normalised, _shingles(normalised)))
    links: set[tuple[str, str]] = set()
    by_text: dict[str, set[str]] = defaultdict(set)
    by_shingle: dict[str, list[int]] = defaultdict(list)
    for index, (doc_id, normalised, shingles) in enumerate(entries):
        by_text[normalised].add(doc_id)
        for shingle in shingles:
            by_shingle[shingle].append(index)
    for docs in by_text.values():
        ordered = sorted(docs)
        links.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :])
    for doc_id, _, shingles in entries:
        shared: Counter = Counter(
            other
            for shingle in shingles
            for other in by_shingle[shingle]
            if entries[other][0] != doc_id
        )
        for other, count in shared.items():
            smaller = min(len(shingles), len(entries[other][2]))
            if smaller >= MIN_SHINGLES and count >= NEAR_DUPLICATE_CONTAINMENT * smaller:
                links.add(tuple(sorted((doc_id, entries[other][0]))))
    return links


def leakage_groups(records: Sequence[AnnotatedDocument]) -> list[list[str]]:
    """Connected components of the shared-sentence graph: sorted ids, groups by smallest id."""
    parent = {doc.id: doc.id for doc in records}

    def root(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    for a, b in linked_documents({doc.id: document_sentences(doc) for doc in records}):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in sorted(parent):
        groups[root(doc_id)].append(doc_id)
    return sorted(groups.values())


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _test_groups(records: Sequence[AnnotatedDocument], groups: list[list[str]]) -> list[list[str]]:
    by_id = {doc.id: doc for doc in records}
    open_ids = {doc.id for doc in records if is_openly_licensed(doc)}
    # a corpus without open texts (synthetic, or a contributor's private set) can test on any
    open_ids = open_ids or set(by_id)
    candidates = sorted(
        (g for g in groups if all(doc_id in open_ids for doc_id in g)), key=lambda g: _hash(g[0])
    )
    chosen: list[list[str]] = []
    held = dict.fromkeys(TEST_MINIMUM, 0)
    for group in candidates:
        if all(held[key] >= TEST_MINIMUM[key] for key in TEST_MINIMUM):
            break
        if chosen and held["documents"] + len(group) > TEST_MAX_SHARE * len(records):
            break
        chosen.append(group)
        held["documents"] += len(group)
        held["entities"] += sum(len(by_id[doc_id].entities) for doc_id in group)
        held["claims"] += sum(len(by_id[doc_id].claims) for doc_id in group)
    return chosen


def assign_splits(records: Sequence[AnnotatedDocument]) -> dict[str, Assignment]:
    """Split and fold of every document, by the rule in the module docstring."""
    groups = leakage_groups(records)
    if len(groups) < len(SPLIT_NAMES):
        raise SplitError(
            f"{len(records)} document(s) form {len(groups)} leakage group(s); "
            f"{len(SPLIT_NAMES)} splits need at least {len(SPLIT_NAMES)} groups"
        )
    test = _test_groups(records, groups)
    assignments = {doc_id: Assignment("test", NO_FOLD) for group in test for doc_id in group}
    rest = sorted((g for g in groups if g not in test), key=lambda g: (-len(g), _hash(g[0])))
    total = sum(len(g) for g in rest)
    targets = {name: share * total for name, share in REST_SHARES.items()}
    sizes = dict.fromkeys(REST_SHARES, 0)
    fold_sizes = [0] * N_FOLDS
    for group in rest:
        split = min(
            REST_SHARES, key=lambda name: (sizes[name] / targets[name], SPLIT_NAMES.index(name))
        )
        sizes[split] += len(group)
        fold = min(range(N_FOLDS), key=lambda number: (fold_sizes[number], number))
        fold_sizes[fold] += len(group)
        for doc_id in group:
            assignments[doc_id] = Assignment(split, fold)
    return assignments


def check_split_name(name: str) -> str:
    if name not in SPLIT_NAMES:
        raise SplitError(f"unknown split {name!r}; the splits are {', '.join(SPLIT_NAMES)}")
    return name


def records_in_split(records: Sequence[AnnotatedDocument], name: str) -> list[AnnotatedDocument]:
    """The records of one split, in the given order."""
    check_split_name(name)
    assignments = assign_splits(records)
    return [doc for doc in records if assignments[doc.id].split == name]
