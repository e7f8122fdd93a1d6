"""Baseline pre-annotations on a real Label Studio server: `ls push --predictions sklearn`."""

from __future__ import annotations

import random

import pytest

from kotechnews.baselines import label_studio, prelabel  # noqa: F401 (label_studio registers)
from kotechnews.baselines.sklearn_baseline import SklearnBaseline
from kotechnews.labelstudio import convert, workflow
from kotechnews.layout import Layout
from test_baseline_sklearn import make_document

pytestmark = pytest.mark.labelstudio


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Layout:
    """A project whose saved scikit-learn baseline is a small model."""
    rng = random.Random(11)
    project = Layout(tmp_path_factory.mktemp("project"))
    model = SklearnBaseline(seed=0).fit([make_document(f"doc-{n}", rng) for n in range(6)])
    model.save(prelabel.sklearn_model(project))
    return project


def test_sklearn_predictions_arrive_as_label_studio_predictions(
    ls_client, ls_project, ingested_documents, project
):
    model_path = prelabel.sklearn_model(project)
    docs = ingested_documents
    predictions = workflow.PREDICTION_SOURCES["sklearn"](docs, project)
    workflow.push_documents(ls_client, ls_project, docs, predictions)
    expected = {
        d.id: d for d in SklearnBaseline.load(model_path).predict(prelabel.input_records(docs))
    }
    exported = ls_client.export_tasks(ls_project)
    assert sorted(t["data"]["doc_id"] for t in exported) == sorted(expected)
    for task in exported:
        [prediction] = task["predictions"]
        assert prediction["model_version"] == prelabel.model_version(model_path)
        back = convert.record_from_result(task["data"], prediction["result"])
        want = expected[task["data"]["doc_id"]]
        assert [(e.start, e.end, e.type) for e in back.entities] == [
            (e.start, e.end, e.type) for e in want.entities
        ]
        assert {(r.head, r.type, r.tail) for r in back.relations} == {
            (r.head, r.type, r.tail) for r in want.relations
        }
        assert [(c.start, c.end, c.value, c.unit, c.subject) for c in back.claims] == [
            (c.start, c.end, c.value, c.unit, c.subject) for c in want.claims
        ]
    assert sum(len(d.entities) for d in expected.values()) > 0
