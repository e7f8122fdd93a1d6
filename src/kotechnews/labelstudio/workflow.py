"""Contributor workflow on a Label Studio server: set up, push, pull and adjudicate.

- ``setup_project``: create the KoTechNews project, or bring its labeling config up to date.
- ``push_documents``: ingested documents become tasks (``Document.task_data``), optionally with
  pre-annotations as predictions; a task is identified by its ``doc_id``, so pushing twice
  creates nothing new. ``push_export`` re-imports an exported file (tasks with annotations).
- ``pull``: the full JSON export is downloaded to a file, then read task by task: each task is
  validated annotation by annotation, adjudicated and its outputs written as it goes, into a
  staging directory that replaces the previous outputs only once everything succeeded. Memory
  holds one task and the per-task summaries (outcomes, agreement, annotator progress), never the
  export. ``pull_export`` does the same for an export file already on disk.

Adjudication (``kotechnews.labelstudio.adjudication``) is the one rule the gold loader applies
too, so an article file that pull writes is accepted as gold as it is.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import shutil
import tempfile
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from kotechnews import __version__
from kotechnews.document import DOC_ID, Document
from kotechnews.errors import KoTechNewsError
from kotechnews.jsonio import (
    JsonArrayError,
    JsonlError,
    dumps_indented,
    dumps_line,
    iter_json_array,
    loads_noting_floats,
    read_jsonl,
)
from kotechnews.labelstudio import convert
from kotechnews.labelstudio.adjudication import (
    Adjudication,
    AnnotatorProgress,
    Outcome,
    TaskAdjudication,
    adjudicate_task,
)
from kotechnews.labelstudio.client import LabelStudioClient, batches
from kotechnews.labelstudio.config import DEFAULT_PROJECT_TITLE, label_config
from kotechnews.labelstudio.validate import validate_tasks
from kotechnews.layout import Layout
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation

PUSH_BATCH_SIZE = 250
QUANTITY_MODEL_VERSION = f"kotechnews-quantity-finder-{__version__}"
EXPORT_FILE, GOLD_FILE, CONFLICTS_FILE, REPORT_FILE = (
    "export.json",
    "gold.jsonl",
    "conflicts.json",
    "report.json",
)
ARTICLES_DIR = "articles"  # one export file per annotated task: what goes to annotation/gold/
DOWNLOAD_FILE = "download.json"  # the export as the server sent it, inside the staging directory
OUTCOME_LINES = (
    "outcomes.jsonl"  # report.json's outcomes as they come, inside the staging directory
)
STAGING_PREFIX = ".pull-"
T = TypeVar("T")

Progress = Callable[[int], None]  # called with the number of items just finished


class WorkflowError(KoTechNewsError, ValueError):
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
        created = client.create_project(
            title,
            config,
            description="KoTechNews: entities, relations and numeric "
            "claims in Korean technology news",
        )
        return SetupResult(created["id"], title, "created")
    if (project.get("label_config") or "").strip() == config.strip():  # the server strips it
        return SetupResult(project["id"], title, "unchanged")
    client.update_label_config(project["id"], config)
    return SetupResult(project["id"], title, "updated")


def project_id(client: LabelStudioClient, title: str = DEFAULT_PROJECT_TITLE) -> int:
    project = client.find_project(title)
    if project is None:
        raise WorkflowError(
            f"Label Studio at {client.url} has no project titled {title!r}: "
            "run `kotechnews ls setup` first"
        )
    return project["id"]


# Push


def load_documents(path: str | Path) -> list[Document]:
    """Ingested documents (``kotechnews ingest`` output), checked for what a task needs."""
    documents: list[Document] = []
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
            raise WorkflowError(
                f"{where}: field 'text': not NFC-normalised (run kotechnews ingest)"
            )
        for name in ("sentences", "paragraphs"):  # paragraphs: rows of older ingests have none
            spans = row.get(name, [] if name == "paragraphs" else None)
            if not isinstance(spans, list) or not all(
                isinstance(s, dict)
                and isinstance(s.get("start"), int)
                and isinstance(s.get("end"), int)
                and 0 <= s["start"] <= s["end"] <= len(text)
                for s in spans
            ):
                raise WorkflowError(
                    f"{where}: field {name!r}: expected a list of {{start, end}} offsets "
                    "inside the text"
                )
        if row["id"] in seen:
            raise WorkflowError(f"{where}: field 'id': duplicate of record {seen[row['id']]}")
        seen[row["id"]] = number
        documents.append(Document.from_row(row))
    if not documents:
        raise WorkflowError(f"{path}: no documents")
    return documents


def predictions_from_records(
    records: Iterable[AnnotatedDocument], model_version: str
) -> dict[str, dict[str, Any]]:
    """Label Studio predictions keyed by document id, one per record (e.g. a baseline's output)."""
    return {
        record.id: {"model_version": model_version, "result": convert.result_from_record(record)}
        for record in records
    }


def quantity_records(documents: Iterable[Document]) -> list[AnnotatedDocument]:
    """QUANTITY claims found by the quantity normaliser, with value/low/high/unit/approximate."""
    from kotechnews.quantity import find_quantities

    records = []
    for doc in documents:
        claims = [
            Claim(
                id=f"qty{n}",
                start=q.start,
                end=q.end,
                text=q.text,
                value=q.value,
                low=q.low,
                high=q.high,
                unit=q.unit,
                approximate=q.approximate,
            )
            for n, q in enumerate(find_quantities(doc.text), start=1)
        ]
        records.append(AnnotatedDocument(id=doc.id, text=doc.text, claims=claims))
    return records


def quantity_predictions(documents: Sequence[Document]) -> dict[str, dict[str, Any]]:
    return predictions_from_records(quantity_records(documents), QUANTITY_MODEL_VERSION)


# Name -> pre-annotations for documents, keyed by document id; a trained model is the one saved
# in the project of the layout. The baselines add theirs (kotechnews.baselines.label_studio):
# this layer does not import them.
PREDICTION_SOURCES: dict[str, Callable[[Sequence[Document], Layout], dict[str, dict[str, Any]]]] = {
    "quantity": lambda documents, layout: quantity_predictions(documents),
}


@dataclass(frozen=True)
class PushResult:
    created_task_ids: list[int]
    already_present: list[str]  # doc_ids that were in the project before


def push_tasks(
    client: LabelStudioClient,
    project: int,
    tasks: Sequence[dict[str, Any]],
    batch_size: int = PUSH_BATCH_SIZE,
    progress: Progress | None = None,
) -> PushResult:
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
    return PushResult(
        created, sorted(str(t["data"][DOC_ID]) for t in tasks if str(t["data"][DOC_ID]) in present)
    )


def push_documents(
    client: LabelStudioClient,
    project: int,
    documents: Sequence[Document],
    predictions: Mapping[str, dict[str, Any]] | None = None,
    batch_size: int = PUSH_BATCH_SIZE,
    progress: Progress | None = None,
) -> PushResult:
    """Ingested documents as tasks, each with its prediction when one is given for its id."""
    tasks = []
    for doc in documents:
        task: dict[str, Any] = {"data": doc.task_data()}
        if predictions and doc.id in predictions:
            task["predictions"] = [predictions[doc.id]]
        tasks.append(task)
    return push_tasks(client, project, tasks, batch_size, progress)


def _importable_annotation(annotation: Mapping[str, Any]) -> dict[str, Any]:
    # Annotator ids belong to the server that made the export: the importing user takes them.
    # Flags are always sent: an imported annotation without ground_truth becomes ground truth.
    return {
        "result": annotation.get("result") or [],
        "ground_truth": bool(annotation.get("ground_truth")),
        "was_cancelled": bool(annotation.get("was_cancelled")),
        **({"lead_time": annotation["lead_time"]} if annotation.get("lead_time") else {}),
    }


def push_export(
    client: LabelStudioClient,
    project: int,
    export: Sequence[Mapping[str, Any]],
    source: str,
    batch_size: int = PUSH_BATCH_SIZE,
    progress: Progress | None = None,
) -> PushResult:
    """Re-import a Label Studio JSON export (e.g. a file of annotation/gold/) for review."""
    problems = validate_tasks(list(export), source)
    if problems:
        raise WorkflowError("\n".join(map(str, problems)))
    tasks = [
        {
            "data": dict(task["data"]),
            "annotations": [_importable_annotation(a) for a in task.get("annotations", [])],
        }
        for task in export
    ]
    return push_tasks(client, project, tasks, batch_size, progress)


# Pull


@dataclass(frozen=True)
class PullResult:
    files: list[Path]
    tasks: int
    adjudication: Adjudication
    outcome_counts: Counter[str]  # annotations by outcome (gold, conflict, invalid, ...)


class RowsOnFile(Sequence[T]):
    """Rows a pull wrote to a file (gold records, annotation outcomes), read from it when asked
    for: the pull keeps only their number in memory."""

    def __init__(self, read: Callable[[], Iterator[T]], count: int):
        self._read, self._count = read, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[T]:
        return self._read()

    def __getitem__(self, index):  # a Sequence must index; the rows are read in order
        return list(self)[index]


def _gold_records(path: Path) -> Iterator[AnnotatedDocument]:
    return (AnnotatedDocument.from_dict(row) for row in read_jsonl(path))


def _report_outcomes(path: Path) -> Iterator[Outcome]:
    return (Outcome(**row) for row in json.loads(path.read_text(encoding="utf-8"))["outcomes"])


def _write_report(path: Path, report: dict[str, Any], outcome_lines: Path) -> None:
    """``_json(report)`` with its empty "outcomes" list filled line by line from outcome_lines
    (JSON Lines), the way json.dumps indents a list of objects one level down."""
    head, tail = _json(report).split('"outcomes": [],\n', 1)
    with open(path, "w", encoding="utf-8") as out, open(outcome_lines, encoding="utf-8") as rows:
        out.write(head + '"outcomes": [')
        count = 0
        for line in rows:
            # "\n" is the only line break json.dumps writes (textwrap would break at U+2028)
            indented = json.dumps(json.loads(line), ensure_ascii=False, indent=2)
            out.write(("," if count else "") + "\n    " + indented.replace("\n", "\n    "))
            count += 1
        out.write(("\n  ]" if count else "]") + ",\n" + tail)


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


_RECORD_PARTS = (Entity, Relation, Claim)


def _record_part_fields(obj: Any) -> dict[str, Any]:
    if type(obj) not in _RECORD_PARTS:
        raise TypeError(f"{type(obj).__name__} is not JSON serializable")
    return vars(obj)  # a dataclass's fields, in order, as asdict would list them


def gold_line(record: AnnotatedDocument) -> str:
    """``dumps_line(record.to_dict())`` and its newline, without the deep copy that
    ``dataclasses.asdict`` makes first (which takes longer than all the rest of a task's pull)."""
    top: dict[str, Any] = {}
    for key, value in vars(record).items():
        if key == "document":
            if value is not None:
                top["meta"] = value.record_meta()
            continue
        # the entity, relation and claim lists as lists of dicts: json's default hook, called
        # for each of them, would take twice as long
        if type(value) is list and value and type(value[0]) in _RECORD_PARTS:
            value = [vars(part) if type(part) in _RECORD_PARTS else part for part in value]
        top[key] = value
    return dumps_line(top, default=_record_part_fields) + "\n"


def article_name(data: Mapping[str, Any], taken: set[str]) -> str:
    """The article file of a gold task with this task data: named after its source file, or
    after its doc_id when it has none or the name is taken; the name is added to taken."""
    name = f"{Path(str(data.get('source_file') or data.get(DOC_ID))).stem}.json"
    if name in taken:
        name = f"{data.get(DOC_ID)}.json"
    taken.add(name)
    return name


def article_exports(
    tasks: Sequence[Mapping[str, Any]], adjudication: Adjudication
) -> dict[str, list[Mapping[str, Any]]]:
    """File name -> a one-task export, for every task the adjudication made gold (the file the
    gold loader accepts); named by ``article_name``."""
    gold_ids = {doc.id for doc in adjudication.gold}
    files: dict[str, list[Mapping[str, Any]]] = {}
    taken: set[str] = set()
    for task in tasks:
        if (task.get("data") or {}).get(DOC_ID) in gold_ids:
            files[article_name(task.get("data") or {}, taken)] = [task]
    return files


def _write_new_file(path: Path, data: bytes) -> None:
    # os.open: a staged file needs none of the buffering a file object sets up
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


@contextmanager
def _staging(out_dir: Path) -> Iterator[Path]:
    """A new directory inside out_dir for the outputs being made; removed at the end, with
    out_dir itself when the pull created it and failed."""
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=STAGING_PREFIX))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)


def pull(
    client: LabelStudioClient,
    project: int,
    out_dir: str | Path,
    progress: Progress | None = None,
    workers: int | None = None,
) -> PullResult:
    """Export, validate, adjudicate and write OUT_DIR/{export.json, gold.jsonl, conflicts.json,
    report.json} and OUT_DIR/articles/NAME.json (one file per gold task, the format of
    annotation/gold/). The export is downloaded to a file in a staging directory inside OUT_DIR
    and read task by task (``pull_export``); the outputs replace the previous ones only when the
    download and every task succeeded. progress(1) is called after each task."""
    out_dir = Path(out_dir)
    with _staging(out_dir) as staging:
        download = staging / DOWNLOAD_FILE
        client.export_to_file(project, download)
        return _pull_from_file(download, staging, out_dir, client.url, project, progress, workers)


def pull_export(
    export_file: str | Path,
    out_dir: str | Path,
    progress: Progress | None = None,
    workers: int | None = None,
) -> PullResult:
    """What ``pull`` does after the download, for a Label Studio JSON export already on disk
    (e.g. exported from the web interface): the same outputs, the same all-or-nothing writes.

    workers: processes that validate and adjudicate (``pull_workers`` picks them by default);
    with 1 the pull runs in this process. The outputs are the same for any number."""
    out_dir = Path(out_dir)
    with _staging(out_dir) as staging:
        return _pull_from_file(Path(export_file), staging, out_dir, None, None, progress, workers)


# Below this size an export is pulled in-process: starting workers costs more than they save
# (the 48-article gold export is under 1 MB; 1,000 generated tasks are 23 MiB).
PARALLEL_PULL_MIN_BYTES = 4 << 20
MAX_PULL_WORKERS = 4
BATCH_TASKS = 32  # tasks sent to a worker at once: few messages, little held in flight


def pull_workers(export_file: Path) -> int:
    """Worker processes for pulling export_file: one per CPU this process may use (at most
    MAX_PULL_WORKERS) for a big export, none (1: in-process) for a small one or a single CPU."""
    if export_file.stat().st_size < PARALLEL_PULL_MIN_BYTES:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_PULL_WORKERS, cpus or 1))


@dataclass
class TaskOutput:
    """What one exported task adds to a pull's outputs."""

    adjudication: TaskAdjudication  # without its gold record, which gold_line holds
    gold_line: str | None
    article_data: dict[str, Any] | None  # when it is gold: the task data naming its article file


def task_output(text: str, source: str, article: Path) -> TaskOutput:
    """One task of an export, from its JSON text, validated and adjudicated; if it is gold, the
    task is written to the file article as a one-task export (the pull renames it)."""
    task, odd_floats = loads_noting_floats(text)  # reads a text as the export reader did
    found = adjudicate_task(task, source)
    gold, found.gold, found.records = found.gold, None, []  # kept on file, not in memory
    if gold is None:
        return TaskOutput(found, None, None)
    _write_new_file(article, dumps_indented([task], odd_floats))
    data = task.get("data") or {}
    names = {key: data.get(key) for key in ("source_file", DOC_ID)}
    return TaskOutput(found, gold_line(gold), names)


def _staged_article(articles: Path, number: int) -> Path:
    """Where the article file of task number is written before it gets its name (names depend
    on the tasks before it; creating a file costs more than renaming it)."""
    return articles / f".task-{number}.json"


def _outputs_of_texts(
    first: int, texts: list[str], source: str, articles: Path
) -> list[TaskOutput]:
    """task_output of tasks first, first + 1, ...: what a worker process runs."""
    return [
        task_output(text, source, _staged_article(articles, first + n))
        for n, text in enumerate(texts)
    ]


def _parallel_outputs(
    texts: Iterator[str], source: str, articles: Path, workers: int
) -> Iterator[TaskOutput]:
    """task_output of every task text, computed by worker processes and yielded in export
    order; at most 2 batches per worker are in flight, so memory stays flat."""
    from concurrent.futures import Future, ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers)
    pending: deque[Future[list[TaskOutput]]] = deque()
    first = 0
    try:
        while batch := list(itertools.islice(texts, BATCH_TASKS)):
            pending.append(pool.submit(_outputs_of_texts, first, batch, source, articles))
            first += len(batch)
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


def _pull_from_file(
    export_file: Path,
    staging: Path,
    out_dir: Path,
    server: str | None,
    project: int | None,
    progress: Progress | None,
    workers: int | None,
) -> PullResult:
    export_path = out_dir / EXPORT_FILE  # what problems name: the file the user will open
    source = str(export_path)
    workers = workers or pull_workers(export_file)
    adjudication = Adjudication()
    annotators = AnnotatorProgress()
    (staging / ARTICLES_DIR).mkdir()
    articles: dict[str, int] = {}  # article file name -> number of the task it holds
    taken: set[str] = set()
    tasks = gold = 0
    counts: Counter[str] = Counter()
    kept_outcomes: list[Outcome] = []  # the cancelled and invalid ones, which conflicts.json lists
    try:
        with (
            open(staging / EXPORT_FILE, "w", encoding="utf-8") as export_out,
            open(staging / GOLD_FILE, "w", encoding="utf-8") as gold_out,
            open(staging / OUTCOME_LINES, "w", encoding="utf-8") as outcomes_out,
        ):
            export_out.write("[\n")

            def read() -> Iterator[tuple[Mapping[str, Any], str]]:
                """The export's tasks, each written to export.json as it is read: one task a
                line, as the server wrote it (json.dumps's form)."""
                for number, (task, text) in enumerate(iter_json_array(export_file)):
                    export_out.write(",\n" if number else "")
                    export_out.write(
                        text if "\n" not in text else json.dumps(task, ensure_ascii=False)
                    )
                    annotators.add(task)
                    yield task, text

            staged = staging / ARTICLES_DIR
            texts = (text for _, text in read())
            outputs = (
                _parallel_outputs(texts, source, staged, workers)
                if workers > 1
                else (
                    task_output(text, source, _staged_article(staged, number))
                    for number, text in enumerate(texts)
                )
            )
            for output in outputs:
                for outcome in output.adjudication.outcomes:
                    outcomes_out.write(dumps_line(asdict(outcome)) + "\n")
                    counts[outcome.outcome] += 1
                    if outcome.outcome in ("cancelled", "invalid"):
                        kept_outcomes.append(outcome)
                output.adjudication.outcomes = []
                adjudication.add(output.adjudication)
                if output.gold_line is not None:
                    gold_out.write(output.gold_line)
                    # a name given twice (a repeated doc_id) holds the last of its tasks
                    articles[article_name(output.article_data, taken)] = tasks
                    gold += 1
                tasks += 1
                if progress:
                    progress(1)
            export_out.write("\n]\n")
    except JsonArrayError as exc:
        raise WorkflowError(f"the Label Studio export cannot be read: {exc}") from None
    adjudication.annotators = annotators.rows()
    report = {
        "server": server,
        "project": project,
        "pulled_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "tasks": tasks,
        "gold": gold,
        "annotators": adjudication.annotators,
        "agreement": adjudication.agreement,
        "outcomes": [],  # _write_report writes them from the outcome lines
        "unannotated": adjudication.unannotated,
        "problems": [str(p) for p in adjudication.problems],
    }
    conflicts = {
        "conflicts": adjudication.conflicts,
        **{
            kind: [asdict(o) for o in kept_outcomes if o.outcome == kind]
            for kind in ("cancelled", "invalid")
        },
    }
    (staging / CONFLICTS_FILE).write_text(_json(conflicts), encoding="utf-8")
    _write_report(staging / REPORT_FILE, report, staging / OUTCOME_LINES)
    # One sync for all the staged files (an fsync each costs more than a task's processing),
    # then renames: articles first, report.json last.
    os.sync()
    files = [out_dir / ARTICLES_DIR / name for name in articles]
    if files:  # no articles directory for a pull without gold, as before
        (out_dir / ARTICLES_DIR).mkdir(exist_ok=True)
    for path in files:
        os.replace(_staged_article(staging / ARTICLES_DIR, articles[path.name]), path)
    outputs = [out_dir / name for name in (EXPORT_FILE, GOLD_FILE, CONFLICTS_FILE, REPORT_FILE)]
    for path in outputs:
        os.replace(staging / path.name, path)
    adjudication.gold = RowsOnFile(lambda: _gold_records(out_dir / GOLD_FILE), gold)
    adjudication.outcomes = RowsOnFile(
        lambda: _report_outcomes(out_dir / REPORT_FILE), sum(counts.values())
    )
    return PullResult(outputs + files, tasks, adjudication, counts)
