"""Baseline predictions as Label Studio pre-annotations (`kotechnews ls push --predictions sklearn`).

Contributors get entities, relations and numeric claims predicted end to end from the text by
the scikit-learn baseline fitted on all gold (saved by `kotechnews run` or
`kotechnews baseline run sklearn`); annotators correct them instead of starting from nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kotechnews import __version__
from kotechnews.baselines.registry import SKLEARN
from kotechnews.document import Document
from kotechnews.layout import Layout
from kotechnews.records import AnnotatedDocument


def sklearn_model(layout: Layout | None = None) -> Path:
    """Where the project of ``layout`` (default: discovered) keeps the saved scikit-learn
    baseline."""
    return (layout or Layout.discover()).models / SKLEARN.model_file


def input_records(documents: Sequence[Document]) -> list[AnnotatedDocument]:
    """Documents as unannotated records."""
    return [AnnotatedDocument(id=doc.id, text=doc.text, document=doc) for doc in documents]


def model_version(path: Path) -> str:
    """Names the exact model file, so Label Studio tells predictions of two models apart."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    return f"kotechnews-sklearn-baseline-{__version__}-{digest}"


def sklearn_predictions(
    documents: Sequence[Document], model_path: Path | None = None
) -> dict[str, dict[str, Any]]:
    """Label Studio predictions keyed by document id, from the saved scikit-learn baseline
    (the project's ``sklearn_model()`` unless model_path is given)."""
    from kotechnews.baselines.sklearn_baseline import ModelFileError, SklearnBaseline
    from kotechnews.labelstudio.workflow import WorkflowError, predictions_from_records

    model_path = model_path or sklearn_model()
    try:
        model = SklearnBaseline.load(model_path)
    except ModelFileError as exc:
        raise WorkflowError(str(exc)) from None
    return predictions_from_records(
        model.predict(input_records(documents)), model_version(model_path)
    )
