"""`kotechnews ls ...`: the Label Studio workflow commands (argument parsing and printing only)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kotechnews.cli_paths import layout_of
from kotechnews.labelstudio import ml_backend, workflow
from kotechnews.labelstudio.client import LabelStudioClient, RetryPolicy
from kotechnews.labelstudio.config import DEFAULT_PROJECT_TITLE, server_settings

ls_app = typer.Typer(
    help="Label Studio workflow: set up the project, push documents, pull annotations. "
    "The server is LABEL_STUDIO_URL, the key LABEL_STUDIO_API_KEY (environment only).",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)

TITLE_OPTION = typer.Option(DEFAULT_PROJECT_TITLE, "--title", help="Label Studio project title")


@ls_app.callback()
def options(
    ctx: typer.Context,
    attempts: int = typer.Option(4, "--attempts", min=1, help="Tries per server operation"),
    backoff: float = typer.Option(
        0.5, "--backoff", min=0.0, help="Seconds before the first retry; doubles each retry"
    ),
    timeout: float = typer.Option(60.0, "--timeout", min=0.1, help="Seconds per HTTP request"),
) -> None:
    ctx.obj = RetryPolicy(attempts=attempts, initial_delay=backoff, timeout=timeout)


def _client(ctx: typer.Context) -> LabelStudioClient:
    def on_retry(operation: str, attempt: int, reason: str, delay: float) -> None:
        errors.print(
            f"warning: {operation}: attempt {attempt} failed ({reason}); retrying in {delay:g} s",
            markup=False,
            highlight=False,
        )

    return LabelStudioClient(server_settings(), ctx.obj, on_retry=on_retry)


@ls_app.command("setup")
def setup_command(ctx: typer.Context, title: str = TITLE_OPTION) -> None:
    """Create the project (or update its labeling config) from the KoTechNews schema."""
    result = workflow.setup_project(_client(ctx), title)
    console.print(
        f"project {result.title!r} (id {result.project_id}): {result.action}", highlight=False
    )


def _task_progress(description: str, total: int | None) -> tuple[Progress, workflow.Progress]:
    """A bar of tasks done (a pulsing one when the total is unknown) and its advance callback."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(description, total=total)
    return bar, lambda n: bar.advance(task, n)


def _print_push(result: workflow.PushResult) -> None:
    console.print(
        f"created {len(result.created_task_ids)} tasks; "
        f"{len(result.already_present)} already in the project",
        highlight=False,
    )


@ls_app.command("push")
def push_command(
    ctx: typer.Context,
    documents: Path = typer.Argument(..., help="documents.jsonl written by `kotechnews ingest`"),
    predictions: str | None = typer.Option(
        None,
        "--predictions",
        help=f"Pre-annotations to attach: {', '.join(workflow.PREDICTION_SOURCES)}",
    ),
    title: str = TITLE_OPTION,
) -> None:
    """Import documents as tasks (idempotent: a doc_id already in the project is skipped)."""
    if predictions is not None and predictions not in workflow.PREDICTION_SOURCES:
        raise workflow.WorkflowError(
            f"--predictions {predictions!r}: choose one of {', '.join(workflow.PREDICTION_SOURCES)}"
        )
    docs = workflow.load_documents(documents)
    found = workflow.PREDICTION_SOURCES[predictions](docs, layout_of(ctx)) if predictions else None
    client = _client(ctx)
    project = workflow.project_id(client, title)
    bar, advance = _task_progress("pushing tasks", len(docs))
    with bar:
        result = workflow.push_documents(client, project, docs, found, progress=advance)
    _print_push(result)


@ls_app.command("push-export")
def push_export_command(
    ctx: typer.Context,
    export: Path = typer.Argument(
        ..., help="A Label Studio JSON export, e.g. annotation/gold/x.json"
    ),
    title: str = TITLE_OPTION,
) -> None:
    """Re-import an exported file (tasks with their annotations), e.g. to review a contribution."""
    try:
        tasks = json.loads(export.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise workflow.WorkflowError(f"{export}: cannot read a JSON export: {exc}") from None
    client = _client(ctx)
    project = workflow.project_id(client, title)
    bar, advance = _task_progress("pushing tasks", len(tasks) if isinstance(tasks, list) else 0)
    with bar:
        result = workflow.push_export(client, project, tasks, str(export), progress=advance)
    _print_push(result)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@ls_app.command("pull")
def pull_command(
    ctx: typer.Context,
    out: Path = typer.Option(
        ..., "--out", help="Directory for export.json, gold.jsonl, conflicts.json and report.json"
    ),
    title: str = TITLE_OPTION,
    workers: int | None = typer.Option(
        None,
        "--num-proc",
        min=1,
        help="Processes that validate and adjudicate (default: one "
        "per CPU for a big export; 1: in this process)",
    ),
) -> None:
    """Export all annotations, validate them and write the adjudicated gold with its report."""
    client = _client(ctx)
    project = workflow.project_id(client, title)
    total = client.get_project(project).get("task_number")
    bar, advance = _task_progress(
        "exporting, then adjudicating tasks", total if isinstance(total, int) else None
    )
    with bar:
        result = workflow.pull(client, project, out, progress=advance, workers=workers)
    adj = result.adjudication

    if adj.annotators:
        table = Table(
            "annotator",
            "tasks done",
            "annotations",
            "skipped",
            "ground truth",
            "last activity",
            title="progress per annotator",
        )
        for row in adj.annotators:
            table.add_row(
                row["annotator"],
                str(row["tasks_done"]),
                str(row["annotations"]),
                str(row["cancelled"]),
                str(row["ground_truth"]),
                row["last_activity"] or "-",
            )
        console.print(table)
    if adj.agreement:
        table = Table(
            "task",
            "doc_id",
            "annotators",
            "entity F1",
            "relation F1",
            "claim span F1",
            "claim values",
            title="agreement where several annotators worked",
        )
        for row in adj.agreement:
            table.add_row(
                str(row["task"]),
                str(row["doc_id"]),
                f"{row['a']['annotator']} / {row['b']['annotator']}",
                *(
                    _score(row[k])
                    for k in ("entity_f1", "relation_f1", "claim_span_f1", "claim_value_agreement")
                ),
            )
        console.print(table)
    counts = result.outcome_counts
    console.print(
        f"{result.tasks} tasks, {len(adj.gold)} gold records; annotations: "
        + (", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "none")
        + f"; {len(adj.unannotated)} tasks without a usable annotation",
        highlight=False,
    )
    for conflict in adj.conflicts:
        items = sum(len(d["items"]) for d in conflict["disagreements"])
        console.print(
            f"conflict: task {conflict['task']} ({conflict['doc_id']}): "
            f"{len(conflict['annotations'])} annotations, {items} differing items",
            highlight=False,
            markup=False,
        )
    articles = [p for p in result.files if p.parent.name == workflow.ARTICLES_DIR]
    console.print(
        f"wrote {', '.join(str(p) for p in result.files if p not in articles)} and "
        f"{len(articles)} article export(s) in {out / workflow.ARTICLES_DIR}",
        highlight=False,
    )
    if adj.problems:
        for problem in adj.problems:
            errors.print(str(problem), markup=False, highlight=False)
        raise workflow.WorkflowError(
            f"{len(adj.problems)} validation problems: those annotations are left out of "
            f"{out / workflow.GOLD_FILE} (see {out / workflow.CONFLICTS_FILE})"
        )


@ls_app.command("backend")
def backend_command(
    ctx: typer.Context,
    model: str = typer.Option(
        "quantity", "--model", help=f"Predictions to serve: {', '.join(ml_backend.PREDICTORS)}"
    ),
    host: str = typer.Option(ml_backend.DEFAULT_HOST, "--host", help="Address to listen on"),
    port: int = typer.Option(
        ml_backend.DEFAULT_PORT,
        "--port",
        min=0,
        max=65535,
        help="Port to listen on (0: any free port)",
    ),
    model_file: Path | None = typer.Option(
        None,
        "--model-file",
        help="Saved scikit-learn baseline (default: the one "
        "`kotechnews baseline run sklearn` saves)",
    ),
) -> None:
    """Serve pre-annotations with per-region scores as a Label Studio ML backend (until Ctrl-C)."""
    with console.status(f"loading the {model} model"):
        predictor = ml_backend.make_predictor(model, model_file, layout_of(ctx))
        try:
            server = ml_backend.BackendServer(predictor, host, port)
        except OSError as exc:
            raise ml_backend.BackendError(f"cannot listen on {host}:{port}: {exc}") from None
    console.print(
        f"serving {model} predictions ({server.predictor.model_version}) at "
        f"{server.url}; connect it with `kotechnews ls connect-backend {server.url}`",
        highlight=False,
        markup=False,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped", highlight=False)
    finally:
        server.server_close()


@ls_app.command("connect-backend")
def connect_backend_command(
    ctx: typer.Context,
    url: str = typer.Argument(
        ...,
        help="The backend's URL as the Label Studio server reaches it, e.g. http://127.0.0.1:9090",
    ),
    name: str | None = typer.Option(
        None,
        "--name",
        help="Title of the backend in Label Studio (default: the model version "
        "the backend reports, which the prediction-score column needs)",
    ),
    title: str = TITLE_OPTION,
) -> None:
    """Connect a running ML backend to the project (idempotent): opened tasks get its predictions."""
    client = _client(ctx)
    project = workflow.project_id(client, title)
    backend = client.connect_ml_backend(project, url, name or ml_backend.backend_model_version(url))
    console.print(
        f"ML backend {backend.get('title')!r} (id {backend.get('id')}) at "
        f"{backend.get('url')}: {backend.get('readable_state') or backend.get('state')}",
        highlight=False,
        markup=False,
    )
