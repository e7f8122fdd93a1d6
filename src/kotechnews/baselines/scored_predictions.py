"""The scikit-learn baseline served by the Label Studio ML backend (`kotechnews ls backend
--model sklearn`): its predictions with a score per region, from the models' own outputs.

This reads the fitted models' internals (SVM margins, classifier probabilities), so it lives with
the baselines; ``kotechnews.baselines.label_studio`` registers it with the backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kotechnews.document import Document
from kotechnews.labelstudio.ml_backend import (
    LINK_NAME_BY_FIELD,
    QUANTITY_FINDER_SCORE,
    BackendError,
    RegionScores,
    scored_prediction,
    without_overlaps,
)
from kotechnews.records import AnnotatedDocument


class SklearnPredictor:
    """The saved scikit-learn baseline end to end (the predictions of ``ls push --predictions
    sklearn``), scored from the models' own outputs:

    - entity: the logistic sigmoid of the lead of the predicted tag's SVM margin over the
      runner-up tag's, per character (0.5 is a tie, near 1 a clear lead), lowest over the span's
      characters (a span is as sure as its least sure character);
    - relation: the relation classifier's probability of the predicted type for the pair;
    - claim: the lowest of ``QUANTITY_FINDER_SCORE`` (the span is the finder's), the probability
      of the predicted quantity type and that of the predicted modality; its ``claim:subject``
      link: the subject ranker's probability for the chosen mention. A classifier trained on a
      single label scores 1.0.
    """

    name = "sklearn"

    def __init__(self, model_path: Path | None = None):
        from kotechnews.baselines import prelabel
        from kotechnews.baselines.sklearn_baseline import ModelFileError, SklearnBaseline

        self.model_path = Path(model_path or prelabel.sklearn_model())
        try:
            self.model = SklearnBaseline.load(self.model_path)
        except ModelFileError as exc:
            raise BackendError(str(exc)) from None
        self.model_version = prelabel.model_version(self.model_path)

    def predict(self, documents: Sequence[Document]) -> list[dict[str, Any]]:
        from kotechnews.baselines.prelabel import input_records
        from kotechnews.baselines.sklearn_baseline import joined_record  # imports skops

        out = []
        for doc in input_records(documents):
            tagged, entity_scores = self._entities(doc)
            related = self.model.relations.predict([tagged])[0]
            claimed = self.model.claims.predict([tagged])[0]
            record = joined_record(tagged, related, claimed)
            scores = RegionScores(dict(entity_scores))
            self._relation_scores(tagged, related, scores)
            self._claim_scores(tagged, claimed, scores)
            out.append(
                scored_prediction(without_overlaps(record, scores), self.model_version, scores)
            )
        return out

    def _entities(self, doc: AnnotatedDocument) -> tuple[AnnotatedDocument, dict[str, float]]:
        # EntityTagger.predict, with the margins kept: LinearSVC predicts the argmax margin.
        import numpy as np
        from scipy.special import expit

        from kotechnews.baselines.context import vectorize
        from kotechnews.baselines.entity_tagger import char_features, entities_from_tags

        tagger = self.model.entities
        if not doc.text:
            return doc.with_annotations(), {}
        margins = tagger.model_.decision_function(
            vectorize(tagger.vectorizer_, char_features(doc.text))
        )
        if margins.ndim == 1:  # two tags: one margin, positive for classes_[1]
            margins = np.column_stack([-margins, margins])
        best = margins.argmax(axis=1)
        ranked = np.sort(margins, axis=1)
        lead = expit(ranked[:, -1] - ranked[:, -2])  # 0.5: a tie with the runner-up tag
        entities = entities_from_tags(doc.text, list(tagger.model_.classes_[best]))
        scores = {e.id: float(lead[e.start : e.end].min()) for e in entities}
        return doc.with_annotations(entities=entities), scores

    def _relation_scores(
        self, tagged: AnnotatedDocument, related: AnnotatedDocument, scores: RegionScores
    ) -> None:
        from kotechnews.baselines.context import vectorize
        from kotechnews.baselines.relation_classifier import pair_features

        if not related.relations:
            return
        classifier = self.model.relations
        mentions = {e.id: e for e in tagged.entities}
        rows = [
            pair_features(tagged, mentions[r.head], mentions[r.tail]) for r in related.relations
        ]
        probabilities = classifier.model_.predict_proba(vectorize(classifier.vectorizer_, rows))
        classes = list(classifier.model_.classes_)
        for relation, row in zip(related.relations, probabilities):
            scores.relations[(relation.head, relation.type, relation.tail)] = float(
                row[classes.index(relation.type)]
            )

    def _claim_scores(
        self, tagged: AnnotatedDocument, claimed: AnnotatedDocument, scores: RegionScores
    ) -> None:
        from kotechnews.baselines.claim_extractor import claim_features, subject_features

        extractor = self.model.claims
        mentions = {e.id: e for e in tagged.entities}
        for claim in claimed.claims:
            row = claim_features(tagged, claim.start, claim.end, claim.unit)
            claim_score = min(
                QUANTITY_FINDER_SCORE,
                _label_probability(extractor.type_model_, row, claim.quantity_type),
                _label_probability(extractor.modality_model_, row, claim.modality),
            )
            scores.regions[claim.id] = claim_score
            if claim.time is not None:  # the baseline predicts no time; a link scores as its claim
                scores.relations[(claim.id, LINK_NAME_BY_FIELD["time"], claim.time)] = claim_score
            if claim.subject is not None:
                [subject_score] = extractor.subject_model_.positive_scores(
                    [subject_features(tagged, claim.start, mentions[claim.subject])]
                )
                scores.relations[(claim.id, LINK_NAME_BY_FIELD["subject"], claim.subject)] = float(
                    subject_score
                )


def _label_probability(classifier: Any, row: list[str], label: Any) -> float:
    """Probability the claim extractor's classifier gives label for one feature row."""
    from kotechnews.baselines.context import vectorize

    if classifier.constant is not None:
        return 1.0
    [probabilities] = classifier.model.predict_proba(vectorize(classifier.vectorizer, [row]))
    return float(probabilities[list(classifier.model.classes_).index(label)])
