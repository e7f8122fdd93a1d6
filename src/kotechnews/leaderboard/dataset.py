"""The gold each leaderboard protocol is scored on, and the dataset version the board names.

- **test split**: the ``test`` split of the dataset; train + validation are the training gold
  (relation Ign F1 leaves out facts seen there).
- **cross-validation**: train + validation (documents in id order), folds from the ``fold`` column
  of the ``documents`` config. Predictions for a document must come from a model not trained on
  that document's fold: the scorer cannot check this, the submitter states it by the protocol.

The gold comes from the dataset (a folder or a Hub repo id) through ``datasets.load_dataset``, as
``kotechnews score --split`` reads it, so a fingerprint here is the fingerprint of what a
researcher with only the dataset scores against.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kotechnews.layout import Layout
from kotechnews.leaderboard.entries import PROTOCOLS, LeaderboardError
from kotechnews.records import AnnotatedDocument
from kotechnews.scoring.evaluate import Corpus, fingerprint
from kotechnews.scoring.submission import SubmissionError, load_split_gold

TEST, CROSS_VALIDATION = PROTOCOLS["test"], PROTOCOLS["cross-validation"]
POOLED_SPLITS = ("train", "validation")  # the cross-validation pool


@dataclass(frozen=True)
class ProtocolGold:
    protocol: str
    gold: Corpus
    train: Corpus | None  # training gold for relation Ign F1 (test split only)
    folds: dict[str, int]  # document id -> cross-validation fold (cross-validation only)


def is_local(dataset: str | Path) -> bool:
    return Path(dataset).is_dir()


def dataset_label(dataset: str | Path, layout: Layout | None = None) -> str:
    """The dataset as a result records it: a Hub repo id, or a folder (relative to the project
    of ``layout``, default: discovered, when inside it)."""
    if not is_local(dataset):
        return str(dataset)
    return (layout or Layout.discover()).shown(dataset)


def _split_gold(split: str, dataset: str | Path) -> list[AnnotatedDocument]:
    try:
        return load_split_gold(split, dataset)
    except SubmissionError as exc:
        raise LeaderboardError([str(issue) for issue in exc.issues]) from None


def document_folds(dataset: str | Path) -> dict[str, int]:
    """The ``fold`` of every train and validation document."""
    from datasets import load_dataset

    folds: dict[str, int] = {}
    for split in POOLED_SPLITS:
        try:
            part = load_dataset(str(dataset), "documents", split=split)
            folds.update(zip(part["id"], part["fold"]))
        except Exception as exc:  # a dataset without the fold column: one message naming it
            raise LeaderboardError(
                [f"{dataset}: cannot read the fold column of the {split} documents: {exc}"]
            ) from None
    return folds


def _gold_by_protocol(dataset: str | Path) -> dict[str, Corpus]:
    pooled = sorted(
        (d for split in POOLED_SPLITS for d in _split_gold(split, dataset)), key=lambda d: d.id
    )
    return {
        TEST: Corpus(_split_gold("test", dataset), "split:test"),
        CROSS_VALIDATION: Corpus(pooled, "split:" + "+".join(POOLED_SPLITS)),
    }


def protocol_gold(dataset: str | Path, protocol: str) -> ProtocolGold:
    """The gold a submission under ``protocol`` (a value of PROTOCOLS) is scored against."""
    if protocol not in PROTOCOLS.values():
        raise ValueError(
            f"unknown protocol {protocol!r}; choose from {', '.join(PROTOCOLS.values())}"
        )
    golds = _gold_by_protocol(dataset)
    if protocol == TEST:
        return ProtocolGold(protocol, golds[TEST], golds[CROSS_VALIDATION], {})
    return ProtocolGold(protocol, golds[CROSS_VALIDATION], None, document_folds(dataset))


def dataset_version(dataset: str | Path) -> str:
    """The ``version`` of the dataset card (README.md of the folder or Hub repo)."""
    from huggingface_hub import DatasetCard

    card = Path(dataset) / "README.md" if is_local(dataset) else str(dataset)
    try:
        version = DatasetCard.load(card).data.to_dict().get("version")
    except Exception as exc:  # a missing file or repo, bad YAML: one message naming the card
        raise LeaderboardError([f"{card}: cannot read the dataset card: {exc}"]) from None
    if not isinstance(version, str) or not version:
        raise LeaderboardError([f"{card}: the dataset card states no version"])
    return version


@dataclass(frozen=True)
class DatasetReference:
    """The dataset a board is rendered against: its version, its card, and the fingerprint and
    size of the gold of each protocol (entries on other gold are shown apart)."""

    label: str
    version: str
    card: str  # path of the local README.md, or the Hub page
    fingerprints: dict[str, str]
    documents: dict[str, int]

    def card_href(self, out_dir: str | Path) -> str:
        """A link to the card from a page written into out_dir."""
        if self.card.startswith("https://"):
            return self.card
        return Path(os.path.relpath(self.card, Path(out_dir).resolve())).as_posix()


def dataset_reference(
    dataset: str | Path,
    progress: Callable[[str], None] = lambda message: None,
    layout: Layout | None = None,
) -> DatasetReference:
    version = dataset_version(dataset)
    label = dataset_label(dataset, layout)
    progress(f"loading the gold of {label}")
    golds = _gold_by_protocol(dataset)
    fingerprints = {protocol: fingerprint(gold.documents) for protocol, gold in golds.items()}
    documents = {protocol: len(gold.documents) for protocol, gold in golds.items()}
    card = (
        str((Path(dataset) / "README.md").resolve())
        if is_local(dataset)
        else f"https://huggingface.co/datasets/{dataset}"
    )
    return DatasetReference(label, version, card, fingerprints, documents)
