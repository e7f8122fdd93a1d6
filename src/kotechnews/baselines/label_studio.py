"""The scikit-learn baseline in the Label Studio workflow: `kotechnews ls push --predictions
sklearn` and `kotechnews ls backend --model sklearn`.

Dependencies point one way: the Label Studio layer does not import the baselines, so importing
this module adds the baseline to its prediction sources and to the models its ML backend serves.
The command line imports it before the `ls` commands.
"""

from __future__ import annotations

from kotechnews.baselines.prelabel import sklearn_model, sklearn_predictions
from kotechnews.baselines.scored_predictions import SklearnPredictor
from kotechnews.labelstudio import ml_backend, workflow

workflow.PREDICTION_SOURCES["sklearn"] = lambda documents, layout: sklearn_predictions(
    documents, sklearn_model(layout)
)
ml_backend.PREDICTORS["sklearn"] = lambda model_file, layout: SklearnPredictor(
    model_file or sklearn_model(layout)
)
