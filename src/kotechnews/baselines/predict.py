"""Run a baseline over ingested documents: `kotechnews predict MODEL DOCUMENTS --out FILE`.

Documents come from ``kotechnews ingest`` (``documents.jsonl``) or from Parquet with the same
columns (the dataset's ``documents`` config: a file or a directory of ``*.parquet``). Models:
``sklearn`` (the saved scikit-learn baseline), ``quantity`` (the quantity finder, nothing to
train) or the path of a saved scikit-learn baseline file.

``predict_batch`` is the one per-batch function: a batch of columns (``id``, ``text``,
``sentences``) in, one submission record (JSON) per document out. ``predict_documents`` runs it
through ``datasets.Dataset.map(batched=True, num_proc=N)``; ``predict_parquet_with_ray`` runs the
same function through Ray Data's ``map_batches`` over Parquet files. A model is loaded once per
process (``_MODELS``): forked workers inherit the model the parent loaded when it checked the
model, and a fresh worker loads it on its first batch, never once per batch.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kotechnews.baselines.prelabel import input_records, model_version, sklearn_model
from kotechnews.cleaning import NOT_IN_CLEAN_TEXT
from kotechnews.document import METADATA as DOCUMENT_METADATA
from kotechnews.document import Document
from kotechnews.errors import KoTechNewsError
from kotechnews.jsonio import JsonlError, read_jsonl, write_json, write_jsonl
from kotechnews.labelstudio.validate import valid_doc_id
from kotechnews.layout import Layout
from kotechnews.records import AnnotatedDocument

MODEL_NAMES = ("sklearn", "quantity")
FORMATS = ("submission", "labelstudio")
COLUMNS = ("id", "text", "sentences")  # what a model reads of a document
RECORD = "record"  # the output column: one submission record as JSON
PROBLEMS = "problems"  # Ray's output column: what is wrong with a row ("" for none)
DEFAULT_BATCH_SIZE = 64


class PredictError(KoTechNewsError, ValueError):
    """Bad documents or a bad model; each line names the file, the record and the field."""


@dataclass(frozen=True)
class ModelRef:
    """What names a model across processes (pickled to workers instead of the model itself)."""

    kind: str  # "sklearn" or "quantity"
    path: Path | None  # the saved model file of a sklearn model
    version: str  # Label Studio model_version; for a file it holds the file's content hash


def resolve_model(
    model: str, model_file: Path | None = None, layout: Layout | None = None
) -> ModelRef:
    """MODEL as given on the command line, checked (a model file is loaded, which also caches
    it for this process and for workers forked from it); MODEL sklearn without a model file is
    the one saved in the project of ``layout`` (default: discovered)."""
    if model == "quantity":
        if model_file is not None:
            raise PredictError("--model-file: the quantity finder has no model file")
        from kotechnews.labelstudio.workflow import QUANTITY_MODEL_VERSION

        return ModelRef("quantity", None, QUANTITY_MODEL_VERSION)
    if model == "sklearn":
        path = Path(model_file or sklearn_model(layout))
    elif model_file is not None:
        raise PredictError(f"--model-file: give it with MODEL 'sklearn', not {model!r}")
    elif Path(model).is_file():
        path = Path(model)
    else:
        raise PredictError(
            f"MODEL {model!r}: not one of {', '.join(MODEL_NAMES)} and not an existing model file"
        )
    from kotechnews.baselines.sklearn_baseline import ModelFileError

    if not path.is_file():  # model_version reads the file: name what is missing first
        raise PredictError(
            f"{path}: no saved model; run `kotechnews baseline run sklearn` "
            "(or `kotechnews run`) first, or give --model-file"
        )
    ref = ModelRef("sklearn", path.resolve(), model_version(path))
    try:
        _loaded_model(ref)
    except ModelFileError as exc:
        raise PredictError(str(exc)) from None
    return ref


_MODELS: dict[ModelRef, Any] = {}  # per process: a model is loaded once, not once per batch


def _loaded_model(ref: ModelRef):
    if ref not in _MODELS:
        from kotechnews.baselines.sklearn_baseline import SklearnBaseline

        _MODELS[ref] = SklearnBaseline.load(ref.path)
    return _MODELS[ref]


def predict_batch(batch: Mapping[str, Sequence[Any]], model: ModelRef) -> dict[str, list[str]]:
    """The per-batch function of every engine: columns id, text, sentences (lists of
    {start, end}) in; column ``record`` (one submission record as JSON per document) out."""
    documents = [
        Document(id=doc_id, text=text, sentences=sentences)
        for doc_id, text, sentences in zip(batch["id"], batch["text"], batch["sentences"])
    ]
    if model.kind == "quantity":
        from kotechnews.labelstudio.workflow import quantity_records

        records = quantity_records(documents)
    else:
        records = _loaded_model(model).predict(input_records(documents))
    return {RECORD: [json.dumps(record.to_dict(), ensure_ascii=False) for record in records]}


# Reading documents


def document_problems(row: Any, where: str) -> list[str]:
    """Every problem of one document row (``where`` names file and record)."""
    if not isinstance(row, dict):
        return [f"{where}: expected a JSON object with id, text and sentences"]
    problems = []
    if not valid_doc_id(row.get("id")):
        problems.append(
            f"{where}: field 'id': {row.get('id')!r} is not a document id (letters, "
            "digits, '.', '_' and '-', starting with a letter or digit, at most 128 "
            "characters)"
        )
    else:
        where += f" (id {row['id']!r})"
    text = row.get("text")
    if not isinstance(text, str) or not text:
        problems.append(f"{where}: field 'text': missing or not a non-empty string")
        return problems
    if unicodedata.normalize("NFC", text) != text:
        problems.append(f"{where}: field 'text': not NFC-normalised (run kotechnews ingest)")
    bad = NOT_IN_CLEAN_TEXT.search(text)
    if bad:
        problems.append(
            f"{where}: field 'text': control character {bad.group()!r} at offset "
            f"{bad.start()} (run kotechnews ingest)"
        )
    for key in DOCUMENT_METADATA:  # carried into Label Studio task data, which wants strings
        if row.get(key) is not None and not isinstance(row[key], str):
            problems.append(f"{where}: field {key!r}: a string or null, got {row[key]!r}")
    # paragraphs, carried into Label Studio task data, are optional (older ingests have none)
    for name in ("sentences", "paragraphs"):
        spans = row.get(name)
        if spans is None and name == "paragraphs":
            continue
        if not isinstance(spans, list) or not spans:
            problems.append(
                f"{where}: field {name!r}: missing or not a non-empty list of {{start, end}} offsets"
            )
            continue
        previous_end = 0
        for number, span in enumerate(spans):
            start = span.get("start") if isinstance(span, dict) else None
            end = span.get("end") if isinstance(span, dict) else None
            if not (
                type(start) is int
                and type(end) is int
                and previous_end <= start <= end <= len(text)
            ):
                problems.append(
                    f"{where}: field '{name}[{number}]': {span!r} is not "
                    f"{{start, end}} inside the text (length {len(text)}), in order"
                )
                break
            previous_end = end
    return problems


def document_files(path: Path) -> list[Path]:
    """The input files named by path: a JSONL file, a Parquet file or a folder of Parquet."""
    if path.is_dir():
        files = sorted(path.glob("*.parquet"))
        if not files:
            raise PredictError(f"{path}: a folder with no *.parquet files")
        return files
    if not path.is_file():
        raise PredictError(f"{path}: no such file or folder")
    if path.suffix not in (".jsonl", ".parquet"):
        raise PredictError(
            f"{path}: expected documents.jsonl (JSON Lines), a .parquet file or "
            "a folder of Parquet files"
        )
    return [path]


def _rows(path: Path) -> list[Any]:
    if path.suffix == ".jsonl":
        try:
            return list(read_jsonl(path))
        except JsonlError as exc:
            raise PredictError(str(exc)) from None
        except OSError as exc:
            raise PredictError(f"{path}: cannot read: {exc}") from None
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise PredictError(f"{path}: not a readable Parquet file: {exc}") from None
    missing = [column for column in COLUMNS if column not in table.column_names]
    if missing:
        raise PredictError(
            f"{path}: field {missing[0]!r}: no such column (columns: "
            f"{', '.join(table.column_names)})"
        )
    return table.to_pylist()


def read_documents(path: str | Path) -> list[dict[str, Any]]:
    """Documents from JSONL or Parquet, checked: every problem of every record is listed
    (an empty input and one id in two records are problems too)."""
    documents, problems = [], []
    seen: dict[str, tuple[Path, int]] = {}
    for file in document_files(Path(path)):
        rows = _rows(file)
        if not rows:
            problems.append(f"{file}: no documents")
        for number, row in enumerate(rows, start=1):
            where = f"{file}: record {number}"
            found = document_problems(row, where)
            if not found and row["id"] in seen:
                first_file, first = seen[row["id"]]
                found = [
                    f"{where} (id {row['id']!r}): field 'id': duplicate of record {first}"
                    + ("" if first_file == file else f" of {first_file}")
                ]
            problems += found
            if not found:
                seen[row["id"]] = (file, number)
                documents.append(row)
    if problems:
        raise PredictError("\n".join(problems))
    return documents


# Predicting


def _columns(documents: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    rows = list(documents)
    return {
        "id": [d["id"] for d in rows],
        "text": [d["text"] for d in rows],
        "sentences": [
            [{"start": s["start"], "end": s["end"]} for s in d["sentences"]] for d in rows
        ],
    }


def predict_documents(
    model: ModelRef,
    documents: Sequence[Mapping[str, Any]],
    *,
    num_proc: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = True,
) -> list[AnnotatedDocument]:
    """Predictions for checked documents, in their order, through ``datasets.Dataset.map``
    (``num_proc`` worker processes, ``batch_size`` documents per call of ``predict_batch``);
    ``progress`` shows datasets' progress bar on stderr."""
    import datasets

    dataset = datasets.Dataset.from_dict(_columns(documents))
    bars_were_off = datasets.are_progress_bars_disabled()
    (datasets.enable_progress_bars if progress else datasets.disable_progress_bars)()
    try:
        out = dataset.map(
            predict_batch,
            batched=True,
            batch_size=batch_size,
            num_proc=num_proc if num_proc > 1 else None,
            fn_kwargs={"model": model},
            remove_columns=dataset.column_names,
            desc=f"predicting ({model.kind})",
            load_from_cache_file=False,
        )
    finally:
        (datasets.disable_progress_bars if bars_were_off else datasets.enable_progress_bars)()
    return [AnnotatedDocument.from_dict(json.loads(line)) for line in out[RECORD]]


def start_local_ray(num_cpus: int = 2) -> bool:
    """Start Ray on this machine only (127.0.0.1, no dashboard, no usage report) unless Ray is
    running already; True when it was started here (and is the caller's to shut down)."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no report to the Ray project
    import ray

    if ray.is_initialized():
        return False
    ray.init(
        num_cpus=num_cpus,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        configure_logging=False,
    )
    return True


def predict_parquet_with_ray(
    model: ModelRef, path: str | Path, *, batch_size: int = DEFAULT_BATCH_SIZE, num_cpus: int = 2
) -> list[AnnotatedDocument]:
    """The same ``predict_batch`` through Ray Data: ``read_parquet(...).map_batches(...)``.

    Starts a local Ray (``num_cpus`` CPUs, on 127.0.0.1, no dashboard, no usage report) unless
    one is running; on a cluster, call it after ``ray.init(address=...)``. The ids of every file
    are checked here; each batch checks its rows' text and sentences before predicting. The
    records come back in the order of the files and their rows."""
    import pyarrow.parquet as pq

    files = document_files(Path(path))
    if any(file.suffix != ".parquet" for file in files):
        raise PredictError(f"{path}: Ray Data reads Parquet here; give .parquet files")
    order: list[str] = []
    seen: dict[str, tuple[Path, int]] = {}
    problems = []
    for file in files:
        try:
            ids = pq.read_table(file, columns=["id"]).column("id").to_pylist()
        except Exception as exc:  # pyarrow raises several kinds for a missing column or bad file
            raise PredictError(f"{file}: cannot read the 'id' column: {exc}") from None
        for number, doc_id in enumerate(ids, start=1):
            where = f"{file}: record {number}"
            if not valid_doc_id(doc_id):
                problems.append(f"{where}: field 'id': {doc_id!r} is not a document id")
            elif doc_id in seen:
                first_file, first = seen[doc_id]
                problems.append(
                    f"{where} (id {doc_id!r}): field 'id': duplicate of record "
                    f"{first}" + ("" if first_file == file else f" of {first_file}")
                )
            else:
                seen[doc_id] = (file, number)
                order.append(doc_id)
    if problems:
        raise PredictError("\n".join(problems))

    import ray
    import ray.data

    started = start_local_ray(num_cpus)
    try:
        # One path, not a list of files: Ray lists a list of paths in threads that race on
        # importing fsspec's optional HTTP filesystem when aiohttp is absent (ImportError).
        rows = (
            ray.data.read_parquet(str(path), file_extensions=["parquet"], include_paths=True)
            .select_columns([*COLUMNS, "path"])
            .map_batches(
                _checked_arrow_batch,
                fn_kwargs={"model": model},
                batch_size=batch_size,
                batch_format="pyarrow",
            )
            .take_all()
        )
    finally:
        if started:
            ray.shutdown()
    problems = [row[PROBLEMS] for row in rows if row[PROBLEMS]]
    if problems:
        raise PredictError("\n".join(problems))
    by_id = {}
    for row in rows:
        record = AnnotatedDocument.from_dict(json.loads(row[RECORD]))
        by_id[record.id] = record
    if by_id.keys() != seen.keys():  # e.g. Parquet files in subfolders, which Ray reads too
        raise PredictError(
            f"{path}: Ray read {len(by_id)} documents where the files checked "
            f"hold {len(seen)}; give a file or a folder without subfolders"
        )
    return [by_id[doc_id] for doc_id in order]


def _checked_arrow_batch(table, model: ModelRef):
    """Ray's adapter: an Arrow batch (with the ``path`` of each row's file), its rows checked,
    the good ones through ``predict_batch``; a bad row comes back as its problems (raised in a
    worker, the error would reach the driver as text inside Ray's own exception)."""
    import pyarrow as pa

    rows = table.to_pylist()
    problems = [document_problems(row, f"{row['path']}: record") for row in rows]
    good = [row for row, found in zip(rows, problems) if not found]
    records = predict_batch(_columns(good), model)[RECORD] if good else []
    bad = ["\n".join(found) for found in problems if found]
    return pa.table(
        {RECORD: records + [None] * len(bad), PROBLEMS: [""] * len(records) + bad},
        schema=pa.schema([(RECORD, pa.string()), (PROBLEMS, pa.string())]),
    )


# Writing


def labelstudio_tasks(
    documents: Sequence[Mapping[str, Any]], records: Sequence[AnnotatedDocument], model: ModelRef
) -> list[dict[str, Any]]:
    """Label Studio import tasks (task data as `kotechnews ls push` makes it, with the
    prediction of each document)."""
    from kotechnews.labelstudio.workflow import predictions_from_records

    predictions = predictions_from_records(records, model.version)
    return [
        {"data": Document.from_row(doc).task_data(), "predictions": [predictions[doc["id"]]]}
        for doc in documents
    ]


def write_predictions(
    out: str | Path,
    documents: Sequence[Mapping[str, Any]],
    records: Sequence[AnnotatedDocument],
    model: ModelRef,
    output_format: str = "submission",
) -> Path:
    """Write records as a submission (JSON Lines, what `kotechnews score` reads) or as Label
    Studio tasks with predictions (JSON); atomically."""
    if output_format == "submission":
        write_jsonl(out, (record.to_dict() for record in records))
    elif output_format == "labelstudio":
        write_json(out, labelstudio_tasks(documents, records, model))
    else:
        raise PredictError(f"--format {output_format!r}: choose one of {', '.join(FORMATS)}")
    return Path(out)


def predict_file(
    model: str,
    documents_path: str | Path,
    out: str | Path,
    *,
    model_file: Path | None = None,
    output_format: str = "submission",
    num_proc: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = True,
    on_read: Callable[[int, ModelRef], None] | None = None,
    layout: Layout | None = None,
) -> list[AnnotatedDocument]:
    """`kotechnews predict`: read and check the documents and the model, predict, write."""
    if output_format not in FORMATS:
        raise PredictError(f"--format {output_format!r}: choose one of {', '.join(FORMATS)}")
    if num_proc < 1 or batch_size < 1:
        raise PredictError("--num-proc and --batch-size must be at least 1")
    documents = read_documents(documents_path)
    ref = resolve_model(model, model_file, layout)
    if on_read:
        on_read(len(documents), ref)
    records = predict_documents(
        ref, documents, num_proc=num_proc, batch_size=batch_size, progress=progress
    )
    write_predictions(out, documents, records, ref, output_format)
    return records
