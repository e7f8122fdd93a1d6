"""Adjudication rules on exports built in memory from a gold file (no server needed)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from kotechnews.gold import GoldError, load_gold
from kotechnews.labelstudio import convert
from kotechnews.labelstudio.adjudication import adjudicate, annotator_progress
from kotechnews.labelstudio.workflow import article_exports

GOLD = sorted((Path(__file__).resolve().parents[1] / "annotation" / "gold").glob("*.json"))


@pytest.fixture
def task() -> dict:
    """The first gold task, its annotation stripped of the ground-truth flag."""
    [task] = json.loads(GOLD[0].read_text(encoding="utf-8"))
    [annotation] = task["annotations"]
    task["annotations"] = [
        {
            **annotation,
            "id": 10,
            "ground_truth": False,
            "completed_by": {"id": 1, "email": "a@example.com"},
        }
    ]
    return task


def _variant(annotation: dict, ann_id: int, email: str, drop_relations: int = 0, **flags) -> dict:
    other = copy.deepcopy(annotation)
    relations = [
        i
        for i, r in enumerate(other["result"])
        if r["type"] == "relation" and not r["labels"][0].startswith("claim:")
    ]
    for index in reversed(relations[len(relations) - drop_relations :]):
        del other["result"][index]
    other.update(id=ann_id, completed_by={"id": ann_id, "email": email}, **flags)
    return other


def _outcomes(adj) -> dict[int, str]:
    return {o.annotation: o.outcome for o in adj.outcomes}


def test_two_disagreeing_ground_truths_are_a_conflict_and_others_superseded(task):
    base = task["annotations"][0]
    task["annotations"] = [
        base,
        _variant(base, 11, "b@example.com", ground_truth=True),
        _variant(base, 12, "c@example.com", drop_relations=1, ground_truth=True),
    ]
    adj = adjudicate([task], "mem")
    assert adj.gold == []
    assert _outcomes(adj) == {10: "superseded", 11: "conflict", 12: "conflict"}
    [conflict] = adj.conflicts
    assert conflict["rule"] == "ground_truth"
    assert [d["b"] for d in conflict["disagreements"]] == [12]
    assert [item["kind"] for item in conflict["disagreements"][0]["items"]] == ["relation"]
    assert len(adj.agreement) == 3  # every pair of usable annotations


def test_agreeing_annotations_become_gold_once(task):
    base = task["annotations"][0]
    task["annotations"] = [base, _variant(base, 11, "b@example.com")]
    adj = adjudicate([task], "mem")
    assert _outcomes(adj) == {10: "gold", 11: "agrees_with_gold"}
    assert [d.to_dict() for d in adj.gold] == [
        convert.record_from_result(task["data"], base["result"]).to_dict()
    ]


def test_skipped_only_task_is_unannotated_and_reported(task):
    task["annotations"] = [
        {
            "id": 5,
            "result": [],
            "was_cancelled": True,
            "completed_by": {"id": 2, "email": "b@example.com"},
            "updated_at": "2026-01-02T00:00:00Z",
        }
    ]
    adj = adjudicate([task], "mem")
    assert adj.gold == [] and _outcomes(adj) == {5: "cancelled"}
    assert adj.unannotated == [
        {"task": task["id"], "doc_id": task["data"]["doc_id"], "annotations": 1}
    ]
    assert annotator_progress([task]) == [
        {
            "annotator": "b@example.com",
            "tasks_done": 0,
            "annotations": 0,
            "cancelled": 1,
            "ground_truth": 0,
            "last_activity": "2026-01-02T00:00:00Z",
        }
    ]
    assert article_exports([task], adj) == {}


def test_a_task_problem_invalidates_every_annotation(task):
    task["data"]["doc_id"] = ""
    task["annotations"].append(_variant(task["annotations"][0], 11, "b@example.com"))
    adj = adjudicate([task], "export.json")
    assert _outcomes(adj) == {10: "invalid", 11: "invalid"}
    assert [(p.file, p.field) for p in adj.problems] == [("export.json", "data.doc_id")]


def test_article_exports_are_named_after_the_source_file(task):
    twin = copy.deepcopy(task)
    twin["data"]["doc_id"] = "other-id"  # same source_file: falls back to the doc_id
    files = article_exports([task, twin], adjudicate([task, twin], "mem"))
    assert sorted(files) == sorted([GOLD[0].name, "other-id.json"])
    assert files[GOLD[0].name] == [task]


def test_pull_article_files_and_the_gold_loader_apply_one_rule(task, tmp_path):
    """A single annotation that is not ground truth is gold for both; a conflict for neither."""
    single = [copy.deepcopy(task)]
    base = task["annotations"][0]
    conflicting = copy.deepcopy(task)
    conflicting["annotations"] = [base, _variant(base, 11, "b@example.com", drop_relations=1)]
    for tasks, accepted in ((single, True), ([conflicting], False)):
        adj = adjudicate(tasks, "mem")
        files = article_exports(tasks, adj)
        assert bool(files) is accepted
        gold_dir = tmp_path / ("single" if accepted else "conflict")
        gold_dir.mkdir()
        (gold_dir / GOLD[0].name).write_text(
            json.dumps(tasks, ensure_ascii=False), encoding="utf-8"
        )
        if accepted:
            [record] = load_gold(gold_dir)
            assert record.to_dict()["entities"] == adj.gold[0].to_dict()["entities"]
            assert record.document.source_file == task["data"]["source_file"]
        else:
            with pytest.raises(
                GoldError,
                match=r"not gold: task .* 2 annotations, none of them ground truth, disagree",
            ):
                load_gold(gold_dir)
