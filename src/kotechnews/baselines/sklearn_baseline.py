"""The scikit-learn baseline for all three tasks, saved and loaded with skops.

``SklearnBaseline`` bundles the character BIO tagger, the mention-pair relation classifier and the
claim extractor. ``predict_task`` follows the evaluation protocol (entities from the text alone;
relations and claim subjects given the entity mentions of the input); ``predict`` chains the three
end to end from text (entities predicted first), which is what pre-annotation needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import skops.io

from kotechnews import schema
from kotechnews.baselines.claim_extractor import ClaimExtractor
from kotechnews.baselines.entity_tagger import EntityTagger
from kotechnews.baselines.relation_classifier import RelationClassifier
from kotechnews.errors import KoTechNewsError
from kotechnews.jsonio import atomic_write_bytes
from kotechnews.records import AnnotatedDocument

TASKS = schema.TASK_NAMES
# Types inside a saved model that skops may rebuild: the package's own estimator classes.
TRUSTED_TYPES = [
    "kotechnews.baselines.sklearn_baseline.SklearnBaseline",
    "kotechnews.baselines.entity_tagger.EntityTagger",
    "kotechnews.baselines.relation_classifier.RelationClassifier",
    "kotechnews.baselines.claim_extractor.ClaimExtractor",
    "kotechnews.baselines.claim_extractor._Classifier",
]


class ModelFileError(KoTechNewsError, ValueError):
    """A saved model that cannot be read; names the file."""


@dataclass
class SklearnBaseline:
    seed: int = 0
    entities: EntityTagger = field(init=False)
    relations: RelationClassifier = field(init=False)
    claims: ClaimExtractor = field(init=False)

    def __post_init__(self) -> None:
        self.entities = EntityTagger(random_state=self.seed)
        self.relations = RelationClassifier(random_state=self.seed)
        self.claims = ClaimExtractor(random_state=self.seed)

    def hyperparameters(self) -> dict[str, dict]:
        return {task: getattr(self, task).get_params() for task in TASKS}

    def fit(self, docs: Sequence[AnnotatedDocument]) -> "SklearnBaseline":
        for task in TASKS:
            getattr(self, task).fit(docs)
        return self

    def predict_task(self, task: str, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        return getattr(self, task).predict(docs)

    def predict(self, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        """End to end from text: entities, then relations and claims over those entities."""
        tagged = self.entities.predict(docs)
        related = self.relations.predict(tagged)
        claimed = self.claims.predict(tagged)
        return [joined_record(*parts) for parts in zip(tagged, related, claimed)]

    def save(self, path: str | Path) -> Path:
        atomic_write_bytes(path, skops.io.dumps(self))
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> "SklearnBaseline":
        path = Path(path)
        if not path.is_file():
            raise ModelFileError(
                f"{path}: no saved model; run `kotechnews baseline run sklearn` "
                "(or `kotechnews run`) first"
            )
        try:
            model = skops.io.loads(path.read_bytes(), trusted=TRUSTED_TYPES)
        except Exception as exc:  # skops raises many kinds on a corrupt or foreign file
            raise ModelFileError(f"{path}: not a saved scikit-learn baseline: {exc}") from None
        if not isinstance(model, cls):
            raise ModelFileError(f"{path}: holds {type(model).__name__}, not a SklearnBaseline")
        return model


def joined_record(
    tagged: AnnotatedDocument, related: AnnotatedDocument, claimed: AnnotatedDocument
) -> AnnotatedDocument:
    """One document's end-to-end prediction: the tagger's entities, with the relations and
    claims predicted over them."""
    return tagged.with_annotations(
        entities=tagged.entities, relations=related.relations, claims=claimed.claims
    )
