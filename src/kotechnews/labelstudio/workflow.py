"""Contributor workflow on a Label Studio server: set up, push, pull and adjudicate.

- ``setup_project``: create the KoTechNews project, or bring its labeling config up to date.
- ``push_documents``: ingested documents become tasks (``convert.task_data``), optionally with
  pre-annotations as predictions; a task is identified by its ``doc_id``, so pushing twice
  creates nothing new. ``push_export`` re-imports an exported file (tasks with annotations).
- ``pull``: the full JSON export is fetched, validated annotation by annotation, adjudicated into
  gold records and reported (annotator progress, agreement, conflicts); every output is written
  atomically and only after the export is complete.

Adjudication (``kotechnews.labelstudio.adjudication``) is the one rule the gold loader applies
too, so an article file that pull writes is accepted as gold as it is.
"""

from __future__ import annotations

import datetime
import json
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kotechnews import __version__
from kotechnews.labelstudio.adjudication import Adjudication, adjudicate
from kotechnews.jsonio import JsonlError, atomic_write_text, dumps_line, read_jsonl
from kotechnews.labelstudio import convert
from kotechnews.labelstudio.client import LabelStudioClient, batches
from kotechnews.labelstudio.convert import DOC_ID
from kotechnews.labelstudio.config import DEFAULT_PROJECT_TITLE, label_config
from kotechnews.records import AnnotatedDocument, Claim
from kotechnews.validate import validate_tasks

PUSH_BATCH_SIZE = 250
QUANTITY_MODEL_VERSION = f"kotechnews-quantity-finder-{__version__}"
EXPORT_FILE, GOLD_FILE, CONFLICTS_FILE, REPORT_FILE = (
    "export.json", "gold.jsonl", "conflicts.json", "report.json")
ARTICLES_DIR = "articles"  # one export file per annotated task: what goes to annotation/gold/

Progress = Callable[[int], None]  # called with the number of items just finished


class WorkflowError(ValueError):
    """Bad input or a missing project; the message names the file, record and field."""


# Project


@dataclass(frozen=True)
class SetupResult:
    project_id: int
    title: str
    action: str  # created, updated, unchanged


def setup_project(client: LabelStudioClient, title: str = DEFAULT_PROJECT_TITLE) -> SetupResult:
    """Create the project, or update its labeling config when the schema has changed."""
    config = label_config()
    project = client.find_project(title)
    if project is None:
        created = client.create_project(title, config,
                                        description="KoTechNews: entities, relations and numeric "
                                                    "claims in Korean technology news")
        return SetupResult(created["id"], title, "created")
    if (project.get("label_config") or "").strip() == config.strip():  # the server strips it
        return SetupResult(project["id"], title, "unchanged")
    client.update_label_config(project["id"], config)
    return SetupResult(project["id"], title, "updated")


def project_id(client: LabelStudioClient, title: str = DEFAULT_PROJECT_TITLE) -> int:
    project = client.find_project(title)
    if project is None:
        raise WorkflowError(f"Label Studio at {client.url} has no project titled {title!r}: "
                            "run `kotechnews ls setup` first")
    return project["id"]


# Push


def load_documents(path: str | Path) -> list[dict[str, Any]]:
    """Ingested documents (``kotechnews ingest`` output), checked for what a task needs."""
    documents: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    try:
        rows = list(read_jsonl(path))
    except (OSError, JsonlError, UnicodeDecodeError) as exc:
        raise WorkflowError(f"{path}: cannot read documents: {exc}") from None
    for number, row in enumerate(rows, start=1):
        where = f"{path}: record {number}"
        if not isinstance(row, dict):
            raise WorkflowError(f"{where}: expected a JSON object")
        if not isinstance(row.get("id"), str) or not row["id"]:
            raise WorkflowError(f"{where}: field 'id': missing or not a non-empty string")
        where += f" (id {row['id']!r})"
        text = row.get("text")
        if not isinstance(text, str) or not text:
            raise WorkflowError(f"{where}: field 'text': missing or not a non-empty string")
        if unicodedata.normalize("NFC", text) != text:
            raise WorkflowError(f"{where}: field 'text': not NFC-normalised (run kotechnews ingest)")
        sentences = row.get("sentences")
        if not isinstance(sentences, list) or not all(
                isinstance(s, dict) and isinstance(s.get("start"), int)
                and isinstance(s.get("end"), int) and 0 <= s["start"] <= s["end"] <= len(text)
                for s in sentences):
            raise WorkflowError(f"{where}: field 'sentences': expected a list of "
                                "{start, end} offsets inside the text")
        if row["id"] in seen:
            raise WorkflowError(f"{where}: field 'id': duplicate of record {seen[row['id']]}")
        seen[row["id"]] = number
        documents.append(row)
    if not documents:
        raise WorkflowError(f"{path}: no documents")
    return documents


def predictions_from_records(records: Iterable[AnnotatedDocument],
                             model_version: str) -> dict[str, dict[str, Any]]:
    """Label Studio predictions keyed by document id, one per record (e.g. a baseline's output)."""
    return {record.id: {"model_version": model_version,
                        "result": convert.result_from_record(record)}
            for record in records}


def quantity_records(documents: Iterable[Mapping[str, Any]]) -> list[AnnotatedDocument]:
    """QUANTITY claims found by the quantity normaliser, with value/low/high/unit/approximate."""
    from kotechnews.quantity import find_quantities

    records = []
    for doc in documents:
        claims = [Claim(id=f"qty{n}", start=q.start, end=q.end, text=q.text, value=q.value,
                        low=q.low, high=q.high, unit=q.unit, approximate=q.approximate)
                  for n, q in enumerate(find_quantities(doc["text"]), start=1)]
        records.append(AnnotatedDocument(id=doc["id"], text=doc["text"], claims=claims))
    return records


def quantity_predictions(documents: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return predictions_from_records(quantity_records(documents), QUANTITY_MODEL_VERSION)


def sklearn_predictions(documents: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The scikit-learn baseline's predictions (saved by `kotechnews baseline run sklearn`)."""
    from kotechnews.baselines.prelabel import sklearn_predictions as predict  # imports sklearn

    return predict(documents)


PREDICTION_SOURCES: dict[str, Callable[[Sequence[Mapping[str, Any]]], dict[str, dict[str, Any]]]] = {
    "quantity": quantity_predictions,
    "sklearn": sklearn_predictions,
}


@dataclass(frozen=True)
class PushResult:
    created_task_ids: list[int]
    already_present: list[str]  # doc_ids that were in the project before


def push_tasks(client: LabelStudioClient, project: int, tasks: Sequence[dict[str, Any]],
               batch_size: int = PUSH_BATCH_SIZE, progress: Progress | None = None) -> PushResult:
    """Import tasks (Label Studio import format, data with a doc_id) not yet in the project."""
    counts = defaultdict(int)
    for task in tasks:
        counts[str(task["data"][DOC_ID])] += 1
    duplicates = sorted(doc_id for doc_id, n in counts.items() if n > 1)
    if duplicates:
        raise WorkflowError(f"doc_id {duplicates[0]!r} appears in {counts[duplicates[0]]} tasks")
    present = client.task_ids_by_doc_id(project)
    new = [t for t in tasks if str(t["data"][DOC_ID]) not in present]
    if progress:
        progress(len(tasks) - len(new))
    created: list[int] = []
    for batch in batches(new, batch_size):
        created += client.import_new_tasks(project, batch)
        if progress:
            progress(len(batch))
    return PushResult(created, sorted(str(t["data"][DOC_ID]) for t in tasks
                                      if str(t["data"][DOC_ID]) in present))


def push_documents(client: LabelStudioClient, project: int, documents: Sequence[Mapping[str, Any]],
                   predictions: Mapping[str, dict[str, Any]] | None = None,
                   batch_size: int = PUSH_BATCH_SIZE, progress: Progress | None = None) -> PushResult:
    """Ingested documents as tasks, each with its prediction when one is given for its id."""
    tasks = []
    for doc in documents:
        task: dict[str, Any] = {"data": convert.task_data(dict(doc))}
        if predictions and doc["id"] in predictions:
            task["predictions"] = [predictions[doc["id"]]]
        tasks.append(task)
    return push_tasks(client, project, tasks, batch_size, progress)


def _importable_annotation(annotation: Mapping[str, Any]) -> dict[str, Any]:
    # Annotator ids belong to the server that made the export: the importing user takes them.
    # Flags are always sent: an imported annotation without ground_truth becomes ground truth.
    return {"result": annotation.get("result") or [],
            "ground_truth": bool(annotation.get("ground_truth")),
            "was_cancelled": bool(annotation.get("was_cancelled")),
            **({"lead_time": annotation["lead_time"]} if annotation.get("lead_time") else {})}


def push_export(client: LabelStudioClient, project: int, export: Sequence[Mapping[str, Any]],
                source: str, batch_size: int = PUSH_BATCH_SIZE,
                progress: Progress | None = None) -> PushResult:
    """Re-import a Label Studio JSON export (e.g. a file of annotation/gold/) for review."""
    problems = validate_tasks(list(export), source)
    if problems:
        raise WorkflowError("\n".join(map(str, problems)))
    tasks = [{"data": dict(task["data"]),
              "annotations": [_importable_annotation(a) for a in task.get("annotations", [])]}
             for task in export]
    return push_tasks(client, project, tasks, batch_size, progress)


# Adjudication


# Pull


@dataclass(frozen=True)
class PullResult:
    files: list[Path]
    tasks: int
    adjudication: Adjudication


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def _json_task_per_line(tasks: Sequence[Any]) -> str:
    # Indented output goes through the pure-Python encoder, several times slower on a big export.
    return "[\n" + ",\n".join(json.dumps(t, ensure_ascii=False) for t in tasks) + "\n]\n"


def article_exports(tasks: Sequence[Mapping[str, Any]], adjudication: Adjudication
                    ) -> dict[str, list[Mapping[str, Any]]]:
    """File name -> a one-task export, for every task the adjudication made gold (the file the
    gold loader accepts); named after the task's source file (its doc_id when it has none or
    shares it)."""
    gold_ids = {doc.id for doc in adjudication.gold}
    files: dict[str, list[Mapping[str, Any]]] = {}
    for task in tasks:
        if (task.get("data") or {}).get(DOC_ID) not in gold_ids:
            continue
        data = task.get("data") or {}
        name = f"{Path(str(data.get('source_file') or data.get(DOC_ID))).stem}.json"
        if name in files:
            name = f"{data.get(DOC_ID)}.json"
        files[name] = [task]
    return files


def pull(client: LabelStudioClient, project: int, out_dir: str | Path) -> PullResult:
    """Export, validate, adjudicate and write OUT_DIR/{export.json, gold.jsonl, conflicts.json,
    report.json} and OUT_DIR/articles/NAME.json (one file per annotated task, the format of
    annotation/gold/). Nothing is written unless the export and every computation succeeded."""
    out_dir = Path(out_dir)
    tasks = client.export_tasks(project)
    export_path = out_dir / EXPORT_FILE
    adjudication = adjudicate(tasks, str(export_path))
    outcomes = [asdict(o) for o in adjudication.outcomes]
    report = {
        "server": client.url, "project": project,
        "pulled_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "tasks": len(tasks), "gold": len(adjudication.gold),
        "annotators": adjudication.annotators, "agreement": adjudication.agreement,
        "outcomes": outcomes, "unannotated": adjudication.unannotated,
        "problems": [str(p) for p in adjudication.problems],
    }
    conflicts = {
        "conflicts": adjudication.conflicts,
        "cancelled": [o for o in outcomes if o["outcome"] == "cancelled"],
        "invalid": [o for o in outcomes if o["outcome"] == "invalid"],
    }
    # Everything is computed; each file is rendered just before it is written, one at a time.
    renderers: dict[Path, Callable[[], str]] = {
        export_path: lambda: _json_task_per_line(tasks),
        out_dir / GOLD_FILE: lambda: "".join(dumps_line(r.to_dict()) + "\n" for r in adjudication.gold),
        out_dir / CONFLICTS_FILE: lambda: _json(conflicts),
        out_dir / REPORT_FILE: lambda: _json(report),
        **{out_dir / ARTICLES_DIR / name: (lambda task_list=task_list: _json(task_list))
           for name, task_list in article_exports(tasks, adjudication).items()},
    }
    for path, render in renderers.items():
        atomic_write_text(path, render())
    return PullResult(list(renderers), len(tasks), adjudication)
