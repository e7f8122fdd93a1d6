"""The streaming `ls pull`: the export is read task by task from a file, outputs are staged and
replace the previous ones only when everything succeeded; the files are those pull always wrote."""

from __future__ import annotations

import json
import math
import weakref
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kotechnews.jsonio import (
    JsonArrayError,
    dumps_indented,
    dumps_line,
    iter_json_array,
    loads_noting_floats,
)
from kotechnews.labelstudio import convert, workflow
from kotechnews.labelstudio.adjudication import adjudicate
from kotechnews.labelstudio.workflow import WorkflowError, gold_line, pull, pull_export, push_export
from kotechnews.records import AnnotatedDocument
from labelstudio_server import synthetic_document, synthetic_record


def _task(number: int, **annotation) -> dict:
    doc = synthetic_document(number, sentences=3)
    return {
        "id": number + 1,
        "data": doc.task_data(),
        "annotations": [
            {
                "id": number + 1,
                "completed_by": {"id": 1, "email": "a@example.com"},
                "result": convert.result_from_record(synthetic_record(doc, number)),
                **annotation,
            }
        ],
    }


def _write_export(path: Path, tasks: list) -> Path:
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")  # as the server does
    return path


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


# The incremental reader


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 1 << 20])
def test_reader_reads_an_export_cut_at_any_chunk_boundary(tmp_path, chunk):
    tasks = [_task(n) for n in range(3)] + [{"n": 12345, "x": [1e-7, -0.5, None, True, 'a"]},']}]
    path = tmp_path / "export.json"
    path.write_text(
        " \n" + json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    items = list(iter_json_array(path, chunk_chars=chunk))
    assert [item for item, _ in items] == tasks
    assert [json.loads(text) for _, text in items] == tasks


@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
def test_reader_numbers_cut_by_a_chunk_are_read_whole(tmp_path, chunk):
    path = tmp_path / "numbers.json"
    path.write_text("[12345,1e400,-0.25e-3]", encoding="utf-8")
    assert [item for item, _ in iter_json_array(path, chunk_chars=chunk)] == [
        12345,
        math.inf,
        -0.25e-3,
    ]


def test_reader_empty_export(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(" [ ]\n", encoding="utf-8")
    assert list(iter_json_array(path)) == []


@pytest.mark.parametrize(
    "text, message",
    [
        ('[{"id": 1}, {"id": 2', r"item 1 .*Expecting ',' delimiter \(the file is truncated\)"),
        ('[{"id": 1}, {"data": "abc', r"item 1 .*Unterminated string.*\(the file is truncated\)"),
        ('[{"id": 1},', r"item 1 .*the file ends inside the array \(truncated\)"),
        ('[{"id": 1}', r"item 1 .*the file ends inside the array \(truncated\)"),
        ("", r"item 0 .*not a JSON array"),
        ('{"id": 1}', r"item 0 .*not a JSON array"),
        ('[{"id": 1} {"id": 2}]', r"item 1 .*expected ',' or ']' after item 0"),
        ('[{"id": 1}] []', r"item 1 .*data after the end of the array"),
        ('[{"id": 1}, {"id": nope}]', r"item 1 \(character 19\): invalid JSON: Expecting value$"),
    ],
)
def test_reader_names_file_item_and_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    for chunk in (2, 1 << 20):
        with pytest.raises(JsonArrayError, match=rf"^{path}: {message}"):
            list(iter_json_array(path, chunk_chars=chunk))


def test_reader_refuses_an_item_larger_than_the_limit(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"text": "x" * 100}, {"text": "y" * 5000}]), encoding="utf-8")
    reader = iter_json_array(path, chunk_chars=16, max_item_chars=1000)
    assert next(reader)[0] == {"text": "x" * 100}
    with pytest.raises(JsonArrayError, match="item 1 .*an item longer than 1000 characters"):
        next(reader)


# What pull writes, byte for byte as the renderers before streaming wrote it


@pytest.mark.parametrize(
    "value",
    [
        [1e-05, 1e-7, -3.5e-5, 0.0001, 5e-324, 1.5e300, 1e16, 0.1],
        {"nan": math.nan, "inf": [math.inf, -math.inf]},
        {"big": 2**70, "empty": [{}, [], ""], "control": "\x00\x1f\x7f\u2028"},
        [{"한글": "KT가 18일 밝혔다", "nested": [[[]]]}],
    ],
)
def test_dumps_indented_is_json_dumps_indent_2(value):
    read, odd_floats = loads_noting_floats(json.dumps(value, ensure_ascii=False))
    assert dumps_indented(read, odd_floats) == (
        json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8")


JSON_NUMBERS = st.floats() | st.integers(min_value=-(2**80), max_value=2**80)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(JSON_NUMBERS | st.lists(JSON_NUMBERS, max_size=3) | st.text(max_size=5), max_size=6)
)
def test_indented_task_files_are_json_dumps_for_any_numbers(value):
    text = json.dumps(value, ensure_ascii=False)
    read, odd_floats = loads_noting_floats(text)
    assert json.dumps(read) == json.dumps(json.loads(text))  # read as json.loads reads it
    assert dumps_indented(read, odd_floats) == (
        json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8")


def test_gold_line_is_the_line_of_to_dict():
    doc = synthetic_document(3)
    record = synthetic_record(doc, 3)
    assert record.entities and record.relations and record.claims
    assert gold_line(record) == dumps_line(record.to_dict()) + "\n"
    record.document = None
    assert gold_line(record) == dumps_line(record.to_dict()) + "\n"


def _expected_outputs(tasks: list, source: str) -> dict[str, bytes]:
    """The files of the pull before streaming: its renderers, applied to the whole export."""
    adjudication = adjudicate(tasks, source)
    files = {
        workflow.EXPORT_FILE: "[\n"
        + ",\n".join(json.dumps(t, ensure_ascii=False) for t in tasks)
        + "\n]\n",
        workflow.GOLD_FILE: "".join(dumps_line(r.to_dict()) + "\n" for r in adjudication.gold),
        **{
            f"{workflow.ARTICLES_DIR}/{name}": json.dumps(task_list, ensure_ascii=False, indent=2)
            + "\n"
            for name, task_list in workflow.article_exports(tasks, adjudication).items()
        },
    }
    return {name: text.encode("utf-8") for name, text in files.items()}


def _assert_same_outputs(out: Path, tasks: list) -> None:
    written = _snapshot(out)
    for name, content in _expected_outputs(tasks, str(out / workflow.EXPORT_FILE)).items():
        assert written.pop(name) == content, name
    adjudication = adjudicate(tasks, str(out / workflow.EXPORT_FILE))
    conflicts = json.loads(written.pop(workflow.CONFLICTS_FILE))
    assert conflicts["conflicts"] == json.loads(json.dumps(adjudication.conflicts))
    report = json.loads(written.pop(workflow.REPORT_FILE))
    outcomes = [asdict(o) for o in adjudication.outcomes]
    assert report["outcomes"] == outcomes
    assert conflicts["invalid"] == [o for o in outcomes if o["outcome"] == "invalid"]
    assert report["annotators"] == json.loads(json.dumps(adjudication.annotators))
    assert report["problems"] == [str(p) for p in adjudication.problems]
    assert (report["tasks"], report["gold"]) == (len(tasks), len(adjudication.gold))
    assert written == {}  # nothing else: no staging directory, no download left behind


@pytest.mark.parametrize("workers", [1, 2])
def test_pull_export_writes_the_files_pull_always_wrote(tmp_path, workers, monkeypatch):
    monkeypatch.setattr(workflow, "BATCH_TASKS", 3)  # tasks cross batches and workers
    tasks = [_task(n) for n in range(8)]
    tasks[1]["annotations"][0]["result"][0]["value"]["labels"] = ["COMPANY"]  # invalid
    tasks[2]["annotations"].append({**tasks[2]["annotations"][0], "id": 99, "result": []})
    tasks[3]["data"]["source_file"] = tasks[0]["data"]["source_file"] = "same.txt"
    tasks[6]["data"]["doc_id"] = tasks[5]["data"]["doc_id"]  # one article name, the last task
    tasks[6]["data"]["source_file"] = tasks[5]["data"]["source_file"] = "same.txt"
    out = tmp_path / "out"
    result = pull_export(_write_export(tmp_path / "download.json", tasks), out, workers=workers)
    assert result.tasks == 8 and len(result.adjudication.gold) == 6
    assert result.outcome_counts == {"gold": 6, "conflict": 2, "invalid": 1}
    assert [asdict(o) for o in result.adjudication.outcomes] == [
        asdict(o) for o in adjudicate(tasks, str(out / workflow.EXPORT_FILE)).outcomes
    ]
    assert [doc.id for doc in result.adjudication.gold] == [
        tasks[n]["data"]["doc_id"] for n in (0, 3, 4, 5, 6, 7)
    ]
    _assert_same_outputs(out, tasks)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_report_streams_its_outcomes_as_json_dumps_would_indent_them(tmp_path, count):
    outcomes = [
        {"task": n, "doc_id": "d\u2028", "detail": "a\nb", "nested": {"x": [n]}}
        for n in range(count)
    ]
    report = {"tasks": count, "agreement": [{"a": 1}], "outcomes": outcomes, "problems": []}
    lines = tmp_path / "outcomes.jsonl"
    lines.write_text("".join(dumps_line(row) + "\n" for row in outcomes), encoding="utf-8")
    workflow._write_report(tmp_path / "report.json", {**report, "outcomes": []}, lines)
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == workflow._json(report)


def test_pulls_run_in_this_process_unless_the_export_is_big(tmp_path, monkeypatch):
    export = _write_export(tmp_path / "download.json", [_task(0)])
    assert workflow.pull_workers(export) == 1
    monkeypatch.setattr(workflow, "PARALLEL_PULL_MIN_BYTES", export.stat().st_size)
    monkeypatch.setattr(workflow.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5})
    assert workflow.pull_workers(export) == workflow.MAX_PULL_WORKERS == 4
    monkeypatch.setattr(workflow.os, "sched_getaffinity", lambda pid: {0})
    assert workflow.pull_workers(export) == 1


def test_pull_of_an_empty_export(tmp_path):
    out = tmp_path / "out"
    result = pull_export(_write_export(tmp_path / "download.json", []), out)
    assert result.tasks == 0 and list(result.adjudication.gold) == []
    assert (out / workflow.EXPORT_FILE).read_text(encoding="utf-8") == "[\n\n]\n"
    assert json.loads((out / workflow.EXPORT_FILE).read_text(encoding="utf-8")) == []
    _assert_same_outputs(out, [])


@pytest.mark.parametrize("workers", [1, 2])
def test_a_truncated_export_replaces_nothing(tmp_path, workers, monkeypatch):
    monkeypatch.setattr(workflow, "BATCH_TASKS", 1)  # the workers have tasks in flight
    tasks = [_task(n) for n in range(6)]
    out = tmp_path / "out"
    pull_export(_write_export(tmp_path / "good.json", tasks[:1]), out)
    (out / "notes.txt").write_text("kept\n")
    before = _snapshot(out)
    text = json.dumps(tasks, ensure_ascii=False)
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) * 5 // 6], encoding="utf-8")
    with pytest.raises(WorkflowError, match=rf"cannot be read: {truncated}: item \d .*truncated"):
        pull_export(truncated, out, workers=workers)
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in out.iterdir() if not p.name.startswith(".")
    )
    # a pull into a directory that did not exist leaves no directory behind
    with pytest.raises(WorkflowError):
        pull_export(truncated, tmp_path / "new")
    assert not (tmp_path / "new").exists()


class _Task(dict):
    """A task that can be counted while alive (a dict cannot be weakly referenced)."""


def _counting_reader(path, live: list, peak: list):
    """iter_json_array, with every task a _Task whose lifetime is counted."""

    def release(_):
        live[0] -= 1

    for task, text in iter_json_array(path):
        task = _Task(task)
        live[0] += 1
        peak[0] = max(peak[0], live[0])
        weakref.finalize(task, release, None)
        yield task, text


@pytest.mark.parametrize("workers", [1, 2])
def test_pull_holds_one_task_at_a_time(tmp_path, monkeypatch, workers):
    tasks = [_task(n) for n in range(40)]
    export = _write_export(tmp_path / "download.json", tasks)
    live, peak = [0], [0]
    monkeypatch.setattr(
        workflow, "iter_json_array", lambda path: _counting_reader(path, live, peak)
    )
    monkeypatch.setattr(workflow, "BATCH_TASKS", 4)
    result = pull_export(export, tmp_path / "out", workers=workers)
    assert result.tasks == 40 and len(result.adjudication.gold) == 40
    assert peak[0] <= 2  # the task being processed, and the previous one until it is released
    assert live[0] == 0
    # The counter sees tasks that are kept: reading the export into a list holds them all.
    live, peak = [0], [0]
    kept = [task for task, _ in _counting_reader(export, live, peak)]
    assert peak[0] == len(kept) == 40


# Against the real server


@pytest.mark.labelstudio
def test_pull_from_the_server_writes_the_files_pull_always_wrote(
    ls_client, ls_project, ingested_documents, tmp_path
):
    docs = ingested_documents[:3]
    push_export(
        ls_client,
        ls_project,
        [
            {
                "data": doc.task_data(),
                "annotations": [{"result": convert.result_from_record(synthetic_record(doc, n))}],
            }
            for n, doc in enumerate(docs)
        ],
        "synthetic",
    )
    out = tmp_path / "pull"
    result = pull(ls_client, ls_project, out)
    assert result.tasks == 3 and len(result.adjudication.gold) == 3
    assert all(isinstance(doc, AnnotatedDocument) for doc in result.adjudication.gold)
    exported = json.loads((out / workflow.EXPORT_FILE).read_text(encoding="utf-8"))
    assert [t["data"] for t in exported] == [doc.task_data() for doc in docs]
    _assert_same_outputs(out, exported)
    # the export on file is the one the server gives
    assert [t["id"] for t in ls_client.export_tasks(ls_project)] == [t["id"] for t in exported]
