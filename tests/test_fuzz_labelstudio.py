"""Fuzzing the export validator from a real gold file: whatever the mutation, `kotechnews validate`
either refuses with one line per problem (file, task, field) or accepts an export that loads as gold
and becomes dataset rows; never a traceback or a hang, and adjudication accounts for every
annotation."""

from __future__ import annotations

import copy
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from fuzzing import fuzz_settings
from kotechnews.cli import app
from kotechnews.gold import load_gold
from kotechnews.hfdataset.build import parquet_bytes
from kotechnews.hfdataset.rows import ROW_BUILDERS
from kotechnews.labelstudio.adjudication import adjudicate
from kotechnews.splits import Assignment

ROOT = Path(__file__).resolve().parents[1]
BASE_FILE = ROOT / "annotation" / "gold" / "wikinews_003_2370e9d3.json"
BASE: list[dict[str, Any]] = json.loads(BASE_FILE.read_text(encoding="utf-8"))
TEXT_LENGTH = len(BASE[0]["data"]["text"])
SECONDS_PER_EXAMPLE = 10.0
DEEP = "__deeply_nested__"  # replaced in the JSON text: json.dumps cannot write such depth
OUTCOMES = {"gold", "agrees_with_gold", "superseded", "conflict", "cancelled", "invalid"}


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, prefix + (index,))
    return found


PATHS = _paths(BASE)[1:]
REGION_IDS = sorted({i["id"] for i in BASE[0]["annotations"][0]["result"] if "id" in i})

odd_text = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\n",
            "\r",
            "\u2028",
            "１２",
            "1_000",
            " 12 ",
            "١٢",
            "nan",
            "-1e999",
            "../x",
            "/",
            "\\",
            "e1",
            "ORG",
            "label",
            "true",
            "false",
        ]
    ),
)
odd_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, TEXT_LENGTH + 10),
    st.integers(),
    st.floats(allow_nan=True),
    odd_text,
)
odd_value = st.recursive(
    odd_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(odd_text, inner, max_size=3)
    ),
    max_leaves=6,
)


def _parent(root: Any, path: tuple) -> tuple[Any, Any] | None:
    """The container holding path and the last key, or None when a mutation removed the path."""
    node = root
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    if (
        isinstance(node, dict)
        and path[-1] in node
        or (isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node))
    ):
        return node, path[-1]
    return None


@st.composite
def mutation(draw) -> tuple:
    kind = draw(
        st.sampled_from(
            [
                "replace",
                "replace",
                "delete",
                "unknown_key",
                "swap_id",
                "offset",
                "control",
                "deep",
                "duplicate_task",
                "clone_annotation",
                "drop",
            ]
        )
    )
    path = draw(st.sampled_from(PATHS))
    if kind == "replace":
        return kind, path, draw(odd_value)
    if kind == "unknown_key":
        return kind, path, draw(odd_text), draw(odd_value)
    if kind == "swap_id":
        return kind, path, draw(st.sampled_from(REGION_IDS + ["nope"]))
    if kind == "offset":
        return kind, path, draw(st.integers(-3, TEXT_LENGTH + 3))
    if kind == "control":
        return kind, path, draw(st.sampled_from(["\x00", "\x07", "\r", "\t", "\n", "\u2028"]))
    if kind == "clone_annotation":
        return kind, path, draw(st.integers(1, 5)), draw(st.booleans()), draw(st.booleans())
    return kind, path


def _mutate(tasks: list, step: tuple) -> None:
    kind, path, *args = step
    if kind == "duplicate_task":
        if tasks:
            tasks.append(copy.deepcopy(tasks[0]))
        return
    if kind == "clone_annotation":
        ann_id, ground_truth, drop_one = args
        task = tasks[0] if tasks else None  # an earlier step may have replaced or dropped it
        annotations = task.get("annotations") if isinstance(task, dict) else None
        if isinstance(annotations, list) and annotations and isinstance(annotations[0], dict):
            clone = copy.deepcopy(annotations[0])
            clone.update(id=ann_id, ground_truth=ground_truth)
            if drop_one and isinstance(clone.get("result"), list) and clone["result"]:
                clone["result"].pop()
            annotations.append(clone)
        return
    found = _parent(tasks, path)
    if found is None:
        return
    parent, key = found
    if kind == "replace":
        parent[key] = args[0]
    elif kind == "delete":
        del parent[key]
    elif kind == "unknown_key" and isinstance(parent[key], dict):
        parent[key][args[0]] = args[1]
    elif kind == "swap_id" and key in ("id", "from_id", "to_id"):
        parent[key] = args[0]
    elif kind == "offset" and key in ("start", "end"):
        parent[key] = args[0]
    elif kind == "control" and isinstance(parent[key], str):
        parent[key] = parent[key][:1] + args[0] + parent[key][1:]
    elif kind == "deep":
        parent[key] = DEEP
    elif kind == "drop" and isinstance(parent, list):
        del parent[key]


def _json_text(tasks: list) -> str:
    text = json.dumps(tasks, ensure_ascii=False)
    return text.replace(json.dumps(DEEP), "[" * 5000 + "]" * 5000)


def _check_accepted(gold_dir: Path) -> None:
    records = load_gold(gold_dir)
    for config, build_row in ROW_BUILDERS.items():
        parquet_bytes(config, [build_row(doc, Assignment("train", 0)) for doc in records])


def _check_every_annotation_has_an_outcome(data: Any) -> None:
    if not isinstance(data, list):
        return
    for task in data:
        if not isinstance(task, dict):
            continue
        annotations = task.get("annotations")
        adjudication = adjudicate([task], "fuzz.json")
        expected = len(annotations) if isinstance(annotations, list) else 0
        assert len(adjudication.outcomes) == expected, (annotations, adjudication.outcomes)
        assert {o.outcome for o in adjudication.outcomes} <= OUTCOMES


@fuzz_settings
@given(st.lists(mutation(), min_size=1, max_size=4))
def test_validate_refuses_cleanly_or_the_export_builds(steps):
    tasks = copy.deepcopy(BASE)
    for step in steps:
        _mutate(tasks, step)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gold" / BASE_FILE.name
        path.parent.mkdir()
        text = _json_text(tasks)
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(app, ["validate", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        lines = result.output.strip().splitlines()
        problems, summary = lines[:-1], lines[-1]
        assert summary.endswith(f", {len(problems)} problem(s)"), result.output
        assert all(
            line.startswith(f"{path}: task ") and line.count(": ") >= 3 for line in problems
        ), result.output
        if result.exit_code == 0:
            assert problems == []
            _check_accepted(path.parent)
        else:
            assert result.exit_code == 1 and problems, result.output
        if DEEP not in json.dumps(tasks):
            _check_every_annotation_has_an_outcome(tasks)
    assert time.monotonic() - started < SECONDS_PER_EXAMPLE
