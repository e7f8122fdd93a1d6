"""A Label Studio ML backend serving KoTechNews pre-annotations with a confidence per region.

Label Studio (1.23) calls a connected backend over HTTP: ``GET /health`` and ``POST /setup`` when
it is connected and before every prediction round, ``POST /predict`` with ``{"tasks": [...]}``
when a task without predictions is opened (or the Data Manager action "Retrieve predictions"
runs), and ``POST /webhook`` for project events. ``/predict`` answers ``{"results": [...]}``, one
prediction per task in order, each ``{"model_version", "score", "result"}``; every result item
carries a ``score`` too. The PyPI package ``label-studio-ml`` (1.0.9) is not used: it pins
Flask 1.1.2, Jinja2 3.0.3 and the unrelated ``attr`` package, and does not import without ``rq``.

Scores (see ``QUANTITY_FINDER_SCORE`` and ``kotechnews.baselines.scored_predictions``) rank
regions for review; they are not calibrated probabilities. The prediction's ``score`` is the mean
over its regions (span regions and relations), so sorting the Data Manager by "prediction score"
puts the tasks the model is least sure of first; a prediction without regions has no score (null).
``PREDICTORS`` names the models served; the baselines register theirs.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

from kotechnews import jsonio
from kotechnews.document import Document
from kotechnews.errors import KoTechNewsError
from kotechnews.labelstudio import convert
from kotechnews.labelstudio.config import label_config
from kotechnews.labelstudio.validate import (
    REQUIRED_CLAIM_FIELDS,
    Problem,
    max_export_bytes,
    validate_annotation,
    validate_tasks,
)
from kotechnews.labelstudio.workflow import QUANTITY_MODEL_VERSION, quantity_records
from kotechnews.layout import Layout
from kotechnews.records import AnnotatedDocument

# Label Studio 1.23 connects a backend on a loopback or private address only when started with
# these set to false: the backend's URL, and the /webhook it registers, are refused otherwise.
LOCAL_BACKEND_SETTINGS = ("ML_BLOCK_LOCAL_IP", "SSRF_PROTECTION_ENABLED")
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 9090
# Span precision of the quantity finder on the 48 annotated articles, 135 of its 149 proposals
# (README, `python bench/bench_quantity_realtext.py`): every finder span gets this score, so the
# quantity model gives every task the same score and sorting by it orders nothing.
QUANTITY_FINDER_SCORE = 0.906
SCORE_DIGITS = 4
LINK_NAME_BY_FIELD = {claim_field: name for name, claim_field in convert.LINK_FIELDS.items()}
# Loads the model's lazy parts (Kiwi, the vectorisers) before Label Studio's first request,
# which would otherwise wait for them against its 1 s health-check timeout.
WARM_UP_TEXT = "가온전자는 100억 원을 투자했다."
WARM_UP_DOCUMENT = Document(id="warm-up", text=WARM_UP_TEXT, sentences=((0, len(WARM_UP_TEXT)),))


class BackendError(KoTechNewsError, ValueError):
    """A request the backend refuses (status 400 unless given); the message names task and field."""

    def __init__(self, message: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST):
        super().__init__(message)
        self.status = status


class Predictor(Protocol):
    name: str
    model_version: str

    def predict(self, documents: Sequence[Document]) -> list[dict[str, Any]]:
        """One Label Studio prediction per document, in order."""


@dataclass(frozen=True)
class RegionScores:
    regions: dict[str, float] = field(default_factory=dict)  # region id -> score
    relations: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (from, label, to)


def scored_prediction(
    record: AnnotatedDocument, model_version: str, scores: RegionScores
) -> dict[str, Any]:
    """The record as a Label Studio prediction: every result item has its region's score (a
    relation its own), and the prediction the mean of the region and relation scores."""
    result = convert.result_from_record(record)
    relation_scores = []
    for item in result:
        if item["type"] == "relation":
            score = scores.relations[(item["from_id"], item["labels"][0], item["to_id"])]
            relation_scores.append(score)
        else:
            score = scores.regions[item["id"]]
        item["score"] = round(score, SCORE_DIGITS)
    overall = [scores.regions[rid] for rid in {i["id"] for i in result if "id" in i}]
    overall += relation_scores
    return {
        "model_version": model_version,
        "score": round(sum(overall) / len(overall), SCORE_DIGITS) if overall else None,
        "result": result,
    }


def without_overlaps(record: AnnotatedDocument, scores: RegionScores) -> AnnotatedDocument:
    """The record with no two spans overlapping (the validator's rule; the tagger and the
    quantity finder work independently, e.g. an entity '라미터' inside the claim '2000억
    파라미터'): the higher-scored span is kept (a tie keeps the earlier, then the claim), and the
    relations and claim links of a dropped span go with it."""
    spans = [(scores.regions[c.id], 1, c) for c in record.claims]
    spans += [(scores.regions[e.id], 0, e) for e in record.entities]
    kept: list[Any] = []
    for _, _, span in sorted(spans, key=lambda s: (-s[0], s[2].start, -s[1], s[2].end)):
        if all(span.end <= other.start or other.end <= span.start for other in kept):
            kept.append(span)
    kept_ids = {span.id for span in kept}
    claims = []
    for claim in record.claims:
        if claim.id in kept_ids:
            for link_field in LINK_NAME_BY_FIELD:
                target = getattr(claim, link_field)
                if target is not None and target not in kept_ids:
                    claim = replace(claim, **{link_field: None})
            claims.append(claim)
    return record.with_annotations(
        claims=claims,
        entities=[e for e in record.entities if e.id in kept_ids],
        relations=[r for r in record.relations if {r.head, r.tail} <= kept_ids],
    )


class QuantityPredictor:
    """QUANTITY claims of the quantity finder, each scored ``QUANTITY_FINDER_SCORE``."""

    name = "quantity"

    model_version = QUANTITY_MODEL_VERSION

    def predict(self, documents: Sequence[Document]) -> list[dict[str, Any]]:
        return [
            scored_prediction(
                record,
                self.model_version,
                RegionScores({c.id: QUANTITY_FINDER_SCORE for c in record.claims}),
            )
            for record in quantity_records(documents)
        ]


def _quantity_predictor(model_file: Path | None) -> Predictor:
    if model_file is not None:
        raise BackendError("--model-file is for a trained model; the quantity finder has none")
    return QuantityPredictor()


# Model name -> predictor from an optional model file, or else the project's saved model. The
# baselines add theirs (kotechnews.baselines.label_studio): this layer does not import them.
PREDICTORS: dict[str, Callable[[Path | None, Layout], Predictor]] = {
    "quantity": lambda model_file, layout: _quantity_predictor(model_file)
}


def make_predictor(
    model: str, model_file: Path | None = None, layout: Layout | None = None
) -> Predictor:
    factory = PREDICTORS.get(model)
    if factory is None:
        raise BackendError(f"model {model!r}: choose one of {', '.join(PREDICTORS)}")
    return factory(model_file, layout or Layout.discover())


def backend_model_version(url: str, timeout: float = 10.0) -> str:
    """The model version a running backend reports on /health. Label Studio names a project's
    predictions by the connected backend's title and sorts tasks by the scores of the
    predictions carrying that name, so the backend is connected under its model version."""
    import urllib.error
    import urllib.request

    health = f"{url.rstrip('/')}/health"
    try:
        with urllib.request.urlopen(health, timeout=timeout) as response:
            version = jsonio.loads(response.read().decode("utf-8")).get("model_version")
    except (OSError, ValueError, AttributeError) as exc:  # unreachable, HTTP error, not JSON
        raise BackendError(
            f"GET {health}: not a KoTechNews ML backend ({exc}); start one with "
            "`kotechnews ls backend`"
        ) from None
    if not isinstance(version, str) or not version:
        raise BackendError(f"GET {health}: the answer has no model_version")
    return version


# Requests


def documents_from_tasks(body: Any) -> list[Document]:
    """The documents of the tasks of a /predict request; a task whose data is not KoTechNews
    task data (``Document.task_data``) is refused with every problem, naming task and field."""
    if not isinstance(body, dict):
        raise BackendError(
            f"POST /predict: the body is a JSON object with 'tasks', got {type(body).__name__}"
        )
    tasks = body.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise BackendError("POST /predict: field 'tasks': missing or not a non-empty list")
    documents, problems = [], []
    for index, task in enumerate(tasks):
        source = f"POST /predict tasks[{index}]"
        if not isinstance(task, dict):
            problems.append(Problem(source, f"#{index}", None, "task", "not a JSON object"))
            continue
        found = validate_tasks([{k: task[k] for k in ("id", "data") if k in task}], source)
        if found:
            problems += found
            continue
        documents.append(Document.from_task_data(task["data"]))
    if problems:
        raise BackendError("\n".join(map(str, problems)))
    return documents


def prediction_problems(
    task: Mapping[str, Any], prediction: Mapping[str, Any], source: str
) -> list[Problem]:
    """What the validator finds wrong with a prediction's result, except what a pre-annotation
    leaves to the annotator: a canonical id, a required claim field or a claim link that the
    model did not give at all (given but wrong is still a problem)."""
    result = prediction["result"]
    given = {
        (item.get("id"), item.get("from_name"))
        for item in result
        if isinstance(item, dict) and item.get("type") != "relation"
    }
    linked = {
        (item.get("from_id"), (item.get("labels") or [None])[0])
        for item in result
        if isinstance(item, dict) and item.get("type") == "relation"
    }

    def left_to_annotator(problem: Problem) -> bool:
        if problem.field == convert.CANONICAL_ID or problem.field in REQUIRED_CLAIM_FIELDS:
            return (problem.result_id, problem.field) not in given
        if problem.field in LINK_NAME_BY_FIELD:
            return (problem.result_id, LINK_NAME_BY_FIELD[problem.field]) not in linked
        return False

    return [
        p
        for p in validate_annotation(dict(task), {"result": result}, source)
        if not left_to_annotator(p)
    ]


def predict_response(predictor: Predictor, body: Any) -> dict[str, Any]:
    """The /predict answer: ``{"results": [prediction per task]}``, each checked by the
    validator (a problem there is a bug of this backend: status 500, naming it)."""
    documents = documents_from_tasks(body)
    predictions = predictor.predict(documents)
    problems = []
    for index, (task, prediction) in enumerate(zip(body["tasks"], predictions)):
        problems += prediction_problems(
            task, prediction, f"{predictor.name} prediction for tasks[{index}]"
        )
    if problems:
        raise BackendError(
            "the backend made an invalid prediction:\n" + "\n".join(map(str, problems)),
            HTTPStatus.INTERNAL_SERVER_ERROR,
        )
    return {"results": predictions}


def setup_response(predictor: Predictor, body: Any) -> dict[str, Any]:
    """/setup: accepted for a project whose labeling config is this version's KoTechNews config
    (the predictions use its control names and labels)."""
    if not isinstance(body, dict) or not isinstance(body.get("schema"), str):
        raise BackendError("POST /setup: field 'schema': missing or not the labeling config")
    if body["schema"].strip() != label_config().strip():  # the server strips it
        raise BackendError(
            f"POST /setup: project {body.get('project')!r}: field 'schema': not "
            "the KoTechNews labeling config of this version; run "
            "`kotechnews ls setup` to bring the project up to date"
        )
    return {"model_version": predictor.model_version}


# Server


class _Handler(BaseHTTPRequestHandler):
    server: "BackendServer"
    protocol_version = "HTTP/1.1"

    def _send(self, status: HTTPStatus, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> Any:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise BackendError("header Content-Length is not a number") from None
        if length > max_export_bytes():
            self.close_connection = True  # the unread body would be taken for the next request
            raise BackendError(
                f"request body of {length} bytes is above the limit of {max_export_bytes()}",
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
        raw = self.rfile.read(length)
        try:
            return jsonio.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError, jsonio.InvalidJSON) as exc:
            raise BackendError(f"{self.command} {self.path}: the body is not JSON: {exc}") from None

    def _answer(self, routes: Mapping[str, Any]) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        try:
            body = self._body() if self.command == "POST" else None
            if path not in routes:
                raise BackendError(
                    f"{self.command} {self.path}: no such endpoint; this backend "
                    f"answers {', '.join(sorted(routes))}",
                    HTTPStatus.NOT_FOUND,
                )
            self._send(HTTPStatus.OK, routes[path](body))
        except BackendError as exc:
            # Label Studio shows the 'error' field of a failed backend call.
            self._send(exc.status, {"error": str(exc)})
        except Exception as exc:  # a bug: still answer, and leave the traceback on the console
            self.log_error("%s", traceback.format_exc())
            self._send(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                {
                    "error": f"{self.command} {self.path}: internal error of the backend: "
                    f"{type(exc).__name__}: {exc}"
                },
            )

    def do_GET(self) -> None:
        predictor = self.server.predictor
        self._answer(
            {
                "/health": lambda _: {
                    "status": "UP",
                    "model_class": predictor.name,
                    "model_version": predictor.model_version,
                },
                "/versions": lambda _: {"versions": [predictor.model_version]},
            }
        )

    def do_POST(self) -> None:
        server = self.server

        def predict(body: Any) -> dict[str, Any]:
            with server.predict_lock:  # one model, one prediction at a time
                return predict_response(server.predictor, body)

        def train(_: Any) -> dict[str, Any]:
            raise BackendError(
                f"the {server.predictor.name} backend does not train: fit the "
                "baseline with `kotechnews baseline run sklearn` and restart it",
                HTTPStatus.NOT_IMPLEMENTED,
            )

        self._answer(
            {
                "/setup": lambda body: setup_response(server.predictor, body),
                "/predict": predict,
                # Label Studio sends every project event here; training on them is not supported.
                "/webhook": lambda _: {
                    "status": "ignored",
                    "reason": "this backend does not train",
                },
                "/train": train,
            }
        )

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)


class BackendServer(ThreadingHTTPServer):
    """The ML backend's HTTP server; ``serve_forever()`` runs it, ``shutdown()`` stops it."""

    daemon_threads = True

    def __init__(
        self,
        predictor: Predictor,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        log_requests: bool = True,
    ):
        self.predictor = predictor
        self.predict_lock = threading.Lock()
        self.log_requests = log_requests
        predictor.predict([WARM_UP_DOCUMENT])
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"
