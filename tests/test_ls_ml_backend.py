"""The ML backend (`kotechnews ls backend`) against a real Label Studio server: connected to a
project, opening a task fetches its scored predictions; the HTTP endpoints answer Label Studio's
requests, and bad requests get a 400 naming the task and field."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import TEST_RETRY
from kotechnews.baselines import prelabel
from kotechnews.baselines.scored_predictions import SklearnPredictor
from kotechnews.baselines.sklearn_baseline import SklearnBaseline
from kotechnews.cli import app
from kotechnews.labelstudio import convert, ml_backend, workflow
from kotechnews.labelstudio.client import LabelStudioClient, LabelStudioError
from kotechnews.labelstudio.config import ServerSettings, label_config
from test_baseline_sklearn import make_document

pytestmark = pytest.mark.labelstudio


@pytest.fixture(scope="module")
def ml_label_studio(tmp_path_factory):
    """A server of its own: Label Studio 1.23 refuses an ML backend on a loopback address unless
    ML_BLOCK_LOCAL_IP=false (the backend URL) and SSRF_PROTECTION_ENABLED=false (the webhook it
    adds for the backend), and the session server is started without them."""
    from labelstudio_server import LabelStudioUnavailable, start_server

    with pytest.MonkeyPatch.context() as patch:
        for variable in ml_backend.LOCAL_BACKEND_SETTINGS:
            patch.setenv(variable, "false")
        try:
            server = start_server(tmp_path_factory.mktemp("label-studio-ml"))
        except LabelStudioUnavailable as exc:
            pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def client(ml_label_studio) -> LabelStudioClient:
    return LabelStudioClient(
        ServerSettings(url=ml_label_studio.url, api_key=ml_label_studio.token), TEST_RETRY
    )


@pytest.fixture
def project(client) -> int:
    return workflow.setup_project(client, f"test-ml-{uuid.uuid4().hex[:10]}").project_id


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    rng = random.Random(11)
    path = tmp_path_factory.mktemp("model") / "sklearn.skops"
    return (
        SklearnBaseline(seed=0).fit([make_document(f"doc-{n}", rng) for n in range(6)]).save(path)
    )


@contextmanager
def running(predictor):
    server = ml_backend.BackendServer(predictor, "127.0.0.1", 0, log_requests=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def call(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def post(url: str, payload) -> tuple[int, dict]:
    return call(url, "POST", json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def predictions_of(client: LabelStudioClient, task_id: int) -> list:
    return list(client._sdk.predictions.list(task=task_id))


def region_mean(result: list[dict]) -> float:
    """The prediction score the backend documents: mean over span regions and relations."""
    regions = {item["id"]: item["score"] for item in result if item["type"] != "relation"}
    relations = [item["score"] for item in result if item["type"] == "relation"]
    scores = list(regions.values()) + relations
    return sum(scores) / len(scores)


def test_opening_a_task_fetches_scored_quantity_predictions(
    ml_label_studio, client, project, ingested_documents
):
    docs = ingested_documents[:2]
    opened, other = workflow.push_documents(client, project, docs).created_task_ids
    title = client.get_project(project)["title"]
    env = {"LABEL_STUDIO_URL": ml_label_studio.url, "LABEL_STUDIO_API_KEY": ml_label_studio.token}
    with running(ml_backend.QuantityPredictor()) as backend:
        connect = ["ls", "connect-backend", backend.url, "--title", title]
        first = CliRunner().invoke(app, connect, env=env)
        # Label Studio's health and setup calls succeeded: the backend is Connected.
        assert first.exit_code == 0 and "Connected" in first.output, first.output
        again = client.connect_ml_backend(project, backend.url, "again")
        assert CliRunner().invoke(app, connect, env=env).output == first.output
        assert again["title"] == workflow.QUANTITY_MODEL_VERSION
        assert len(list(client._sdk.ml.list(project=project))) == 1
        assert predictions_of(client, opened) == []

        task = client._sdk.tasks.get(opened)  # what the labeling page loads when it opens a task

    [prediction] = predictions_of(client, opened)
    assert predictions_of(client, other) == []  # only the opened task was predicted
    assert prediction.model_version == workflow.QUANTITY_MODEL_VERSION
    assert prediction.result and {item["score"] for item in prediction.result} == {
        ml_backend.QUANTITY_FINDER_SCORE
    }
    assert prediction.score == pytest.approx(ml_backend.QUANTITY_FINDER_SCORE)
    task = {"id": task.id, "data": task.data}
    assert ml_backend.prediction_problems(task, {"result": prediction.result}, "test") == []
    back = convert.record_from_result(task["data"], prediction.result)
    [expected] = workflow.quantity_records([docs[0]])
    assert [(c.start, c.end, c.value, c.unit) for c in back.claims] == [
        (c.start, c.end, c.value, c.unit) for c in expected.claims
    ]


def test_sklearn_backend_predicts_every_task_with_scores(
    client, project, ingested_documents, model_path
):
    docs = ingested_documents[:3]
    task_ids = workflow.push_documents(client, project, docs).created_task_ids
    with running(SklearnPredictor(model_path)) as backend:
        client.connect_ml_backend(project, backend.url, backend.predictor.model_version)
        # The Data Manager's "Retrieve predictions" on all tasks, to sort them by score.
        client._sdk.actions.create(
            id="retrieve_tasks_predictions", project=project, selected_items={"all": True}
        )

    offline = prelabel.sklearn_predictions(docs, model_path)  # what `ls push --predictions` sends
    scores = []
    for doc, task_id in zip(docs, task_ids):
        [prediction] = predictions_of(client, task_id)
        assert prediction.model_version == prelabel.model_version(model_path)
        result = prediction.result
        assert result and all(0.0 <= item["score"] <= 1.0 for item in result)
        assert prediction.score == pytest.approx(region_mean(result), abs=1e-3)
        task = {"id": task_id, "data": doc.task_data()}
        assert ml_backend.prediction_problems(task, {"result": result}, "test") == []
        # The baseline's own predictions, less the spans that overlapped a better-scored one.
        wanted = offline[doc.id]["result"]
        stripped = [{k: v for k, v in item.items() if k != "score"} for item in result]
        assert all(item in wanted for item in stripped)
        kept = [i["value"] for i in stripped if i.get("from_name") == convert.SPAN_CONTROL]
        for item in wanted:
            if item.get("from_name") == convert.SPAN_CONTROL and item not in stripped:
                assert any(
                    item["value"]["start"] < k["end"] and k["start"] < item["value"]["end"]
                    for k in kept
                )
        scores.append(prediction.score)
    assert len(set(scores)) == len(scores)  # the tasks have an order by score
    # The Data Manager sorted by its "prediction score" column: least confident first.
    ordered = client._sdk.tasks.list(
        project=project, fields="all", query=json.dumps({"ordering": ["tasks:predictions_score"]})
    )
    assert [t.id for t in ordered] == [t for _, t in sorted(zip(scores, task_ids))]


def test_overlapping_spans_keep_the_better_scored_one():
    from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation

    text = "2000억 파라미터 모델을 가온전자가 만들었다"
    record = AnnotatedDocument(
        id="d",
        text=text,
        entities=[Entity("e1", 8, 11, "ORG", "라미터"), Entity("e2", 17, 21, "ORG", "가온전자")],
        relations=[Relation("e1", "e2", "partner_of", [0])],
        claims=[Claim(id="q1", start=0, end=11, text=text[:11], subject="e1")],
    )
    scores = ml_backend.RegionScores({"e1": 0.6, "e2": 0.9, "q1": 0.8})
    kept = ml_backend.without_overlaps(record, scores)
    assert [e.id for e in kept.entities] == ["e2"] and kept.relations == []
    assert [(c.id, c.subject) for c in kept.claims] == [("q1", None)]
    scores.regions["e1"] = 0.95
    kept = ml_backend.without_overlaps(record, scores)
    assert [e.id for e in kept.entities] == ["e1", "e2"] and kept.claims == []


def test_endpoints_answer_label_studio_and_refuse_bad_requests(ingested_documents):
    doc = ingested_documents[0]
    with running(ml_backend.QuantityPredictor()) as backend:
        url = backend.url
        assert call(f"{url}/health") == (
            200,
            {
                "status": "UP",
                "model_class": "quantity",
                "model_version": workflow.QUANTITY_MODEL_VERSION,
            },
        )
        assert post(f"{url}/setup", {"project": "1.0", "schema": label_config()}) == (
            200,
            {"model_version": workflow.QUANTITY_MODEL_VERSION},
        )
        status, answer = post(f"{url}/setup", {"project": "7.0", "schema": "<View></View>"})
        assert status == 400 and "'schema'" in answer["error"] and "'7.0'" in answer["error"]

        good = {"id": 5, "data": doc.task_data()}
        status, answer = post(f"{url}/predict", {"tasks": [good]})
        assert status == 200 and len(answer["results"]) == 1
        assert answer["results"][0]["model_version"] == workflow.QUANTITY_MODEL_VERSION

        no_text = {"id": 6, "data": {k: v for k, v in good["data"].items() if k != "text"}}
        status, answer = post(f"{url}/predict", {"tasks": [good, no_text]})
        assert status == 400
        assert answer["error"].startswith(
            f"POST /predict tasks[1]: task {doc.id}: data.text: missing"
        )
        assert "Traceback" not in answer["error"]
        bad_sentences = {"id": 7, "data": {**good["data"], "sentences": [[0, 10**6]]}}
        status, answer = post(f"{url}/predict", {"tasks": [bad_sentences]})
        assert status == 400 and f"task {doc.id}: data.sentences[0]" in answer["error"]
        status, answer = post(f"{url}/predict", {"task": [good]})
        assert status == 400 and "field 'tasks'" in answer["error"]
        status, answer = call(f"{url}/predict", "POST", b"{not json")
        assert status == 400 and "not JSON" in answer["error"]

        assert post(f"{url}/webhook", {"action": "ANNOTATION_CREATED"})[0] == 200
        assert post(f"{url}/train", {})[0] == 501
        status, answer = call(f"{url}/nowhere")
        assert status == 404 and "/health" in answer["error"]


def test_prediction_problems_keep_real_errors():
    text = "총 10개 기관"
    task = {"id": 1, "data": {"text": text, "doc_id": "d1", "sentences": [[0, len(text)]]}}
    incomplete = [
        {
            "id": "e1",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 6, "end": 8, "text": "기관", "labels": ["ORG"]},
        }
    ]
    assert ml_backend.prediction_problems(task, {"result": incomplete}, "t") == []
    outside = [
        {**incomplete[0], "value": {"start": 6, "end": 99, "text": "기관", "labels": ["ORG"]}}
    ]
    [problem] = ml_backend.prediction_problems(task, {"result": outside}, "t")
    assert problem.field == "value.start/end"
    blank_id = incomplete + [
        {
            "id": "e1",
            "from_name": "canonical_id",
            "to_name": "text",
            "type": "textarea",
            "value": {"start": 6, "end": 8, "text": [" "]},
        }
    ]
    [problem] = ml_backend.prediction_problems(task, {"result": blank_id}, "t")
    assert problem.field == "canonical_id"


class OutOfTextPredictor:
    """A model with a bug: its one region ends past the text."""

    name, model_version = "broken", "broken-1"

    def predict(self, documents):
        return [
            {
                "model_version": self.model_version,
                "score": 1.0,
                "result": [
                    {
                        "id": "r1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {
                            "start": 0,
                            "end": len(d.text) + 5,
                            "text": d.text,
                            "labels": ["ORG"],
                        },
                    }
                ],
            }
            for d in documents
        ]


def test_an_invalid_prediction_is_never_sent(ingested_documents):
    doc = ingested_documents[0]
    with pytest.raises(ml_backend.BackendError) as caught:
        ml_backend.predict_response(
            OutOfTextPredictor(), {"tasks": [{"id": 1, "data": doc.task_data()}]}
        )
    assert caught.value.status == 500
    assert f"broken prediction for tasks[0]: task {doc.id}: result r1: value.start/end" in str(
        caught.value
    )


def test_connecting_a_backend_that_is_down_is_refused(client, project):
    from labelstudio_server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(LabelStudioError) as caught:
        client.connect_ml_backend(project, url, "down")
    assert "health check failed" in str(caught.value)
    with pytest.raises(ml_backend.BackendError, match="not a KoTechNews ML backend"):
        ml_backend.backend_model_version(url)


@pytest.mark.browser
def test_labeling_page_shows_the_backend_predictions(
    ml_label_studio, client, project, ingested_documents
):
    """A contributor opens a task without predictions in headless Chromium: the page's request
    makes Label Studio fetch the backend's prediction, and its QUANTITY regions are selectable."""
    from test_ls_browser import CHROMIUM, CHROMIUM_ARGS, labeling_page

    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/install-test-deps.sh", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    doc = ingested_documents[0]
    [task_id] = workflow.push_documents(client, project, [doc]).created_task_ids
    [expected] = workflow.quantity_records([doc])
    server = ml_label_studio
    with running(ml_backend.QuantityPredictor()) as backend, sync_playwright() as playwright:
        client.connect_ml_backend(project, backend.url, backend.predictor.model_version)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = labeling_page(browser, server, project, task_id)
            page.locator(".lsf-htx-richtext").first.wait_for(timeout=60_000)
            # The region list: one predicted QUANTITY region per claim, each showing its score.
            scores = page.locator(".lsf-outliner-item__control_type_score")
            expect(scores).to_have_count(len(expected.claims), timeout=30_000)
            assert set(scores.all_inner_texts()) == {f"{ml_backend.QUANTITY_FINDER_SCORE:.2f}"}
            claim_header = page.get_by_text("quantity_type: 수치 유형", exact=False)
            assert not claim_header.is_visible()
            page.locator(".lsf-outliner-item").first.click()  # select the first region
            claim_header.wait_for(state="visible", timeout=30_000)
        finally:
            browser.close()
    [prediction] = predictions_of(client, task_id)
    assert prediction.model_version == workflow.QUANTITY_MODEL_VERSION
    assert len({item["id"] for item in prediction.result}) == len(expected.claims)


def test_one_command_starts_the_backend():
    """`kotechnews ls backend` serves until stopped; the line it prints names its URL."""
    command = [
        str(Path(sys.executable).with_name("kotechnews")),
        "ls",
        "backend",
        "--model",
        "quantity",
        "--port",
        "0",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
    )
    try:
        first_line = process.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+);", first_line)
        assert found, first_line
        assert call(f"{found.group(1)}/health")[1]["model_version"] == (
            workflow.QUANTITY_MODEL_VERSION
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
