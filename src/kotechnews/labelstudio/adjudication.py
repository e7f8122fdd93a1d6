"""The one adjudication rule, applied by ``ls pull`` and by the gold loader alike.

Per task: cancelled annotations and annotations the validator rejects are left out and reported;
among the rest, ground-truth annotations (``ground_truth: true``) win; otherwise a single
annotation is the gold one, and several become gold only if they agree entirely
(``agreement.disagreements`` is empty). Anything else is a conflict, listed and not resolved.
The Community edition exports no review status, so ground truth is the only reviewer signal.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kotechnews import agreement
from kotechnews.labelstudio import convert
from kotechnews.labelstudio.convert import DOC_ID
from kotechnews.records import AnnotatedDocument
from kotechnews.validate import Problem, brief, validate_annotation, validate_tasks


def annotator_name(annotation: Any) -> str:
    who = annotation.get("completed_by") if isinstance(annotation, Mapping) else None
    if isinstance(who, dict):
        email = who.get("email")
        return email if isinstance(email, str) and email else f"user {brief(who.get('id'))}"
    return f"user {brief(who)}" if who is not None else "unknown"


def _annotations(task: Mapping[str, Any]) -> list[Any]:
    annotations = task.get("annotations")
    return annotations if isinstance(annotations, list) else []


@dataclass(frozen=True)
class Outcome:
    """What became of one annotation of the export."""
    task: int | None
    doc_id: str | None
    annotation: int | None
    annotator: str
    outcome: str  # gold, agrees_with_gold, superseded, conflict, cancelled, invalid
    detail: str = ""


@dataclass
class Adjudication:
    gold: list[AnnotatedDocument] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    agreement: list[dict[str, Any]] = field(default_factory=list)
    unannotated: list[dict[str, Any]] = field(default_factory=list)
    annotators: list[dict[str, Any]] = field(default_factory=list)


def annotator_progress(tasks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per annotator: tasks done, annotations submitted, skipped, ground truth, last activity."""
    rows: dict[str, dict[str, Any]] = {}
    for task in tasks:
        for ann in _annotations(task):
            if not isinstance(ann, Mapping):
                continue
            name = annotator_name(ann)
            row = rows.setdefault(name, {"annotator": name, "tasks_done": set(), "annotations": 0,
                                         "cancelled": 0, "ground_truth": 0, "last_activity": None})
            if ann.get("was_cancelled") is True:
                row["cancelled"] += 1
            else:
                row["annotations"] += 1
                row["tasks_done"].add(brief(task.get("id")))
                row["ground_truth"] += ann.get("ground_truth") is True
            stamp = ann.get("updated_at") or ann.get("created_at")
            if isinstance(stamp, str) and (row["last_activity"] is None
                                           or stamp > row["last_activity"]):
                row["last_activity"] = stamp
    return [{**row, "tasks_done": len(row["tasks_done"])}
            for row in sorted(rows.values(), key=lambda r: r["annotator"])]


def adjudicate(tasks: Sequence[Mapping[str, Any]], source: str) -> Adjudication:
    """Gold records, outcome of every annotation, conflicts, problems and agreement."""
    result = Adjudication(annotators=annotator_progress(tasks))
    for task in tasks:
        _adjudicate_task(task, source, result)
    return result


def refusals(adjudication: Adjudication, source: str) -> list[Problem]:
    """What keeps the adjudicated tasks from being gold: conflicts and tasks with no usable
    annotation, one problem each."""
    rule = ("(the rule of `kotechnews ls pull`: ground truth wins, a single annotation stands, "
            "several must agree)")
    return [*(Problem(source, str(c["doc_id"]), None, "annotations",
                      f"not gold: task {c['task']} (doc {c['doc_id']}): {len(c['annotations'])} "
                      + ("ground-truth annotations" if c["rule"] == "ground_truth" else
                         "annotations, none of them ground truth,") + f" disagree {rule}")
              for c in adjudication.conflicts),
            *(Problem(source, str(u["doc_id"]), None, "annotations",
                      f"not gold: task {u['task']} (doc {u['doc_id']}): no submitted, valid "
                      f"annotation among {u['annotations']} {rule}")
              for u in adjudication.unannotated)]


def _id_or_zero(annotation: Any) -> int:
    ann_id = annotation.get("id") if isinstance(annotation, Mapping) else None
    return ann_id if isinstance(ann_id, int) else 0


def _adjudicate_task(task: Mapping[str, Any], source: str, result: Adjudication) -> None:
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    task_id, doc_id = task.get("id"), data.get(DOC_ID)
    annotations = _annotations(task)
    in_id_order = sorted(enumerate(annotations), key=lambda pair: _id_or_zero(pair[1]))

    def outcome(ann: Any, kind: str, detail: str = "") -> None:
        ann_id = ann.get("id") if isinstance(ann, Mapping) else None
        result.outcomes.append(Outcome(task_id, doc_id, ann_id, annotator_name(ann), kind, detail))

    task_problems = validate_tasks([{**task, "annotations": []}], source)
    result.problems += task_problems
    # Positions, not annotation ids, key the usable annotations: a repeated id loses nothing.
    usable: list[tuple[Mapping[str, Any], AnnotatedDocument]] = []
    for index, ann in in_id_order:
        if isinstance(ann, Mapping) and ann.get("was_cancelled") is True:
            outcome(ann, "cancelled", "skipped in Label Studio")
            continue
        problems = task_problems or validate_annotation(task, ann, source, index)
        if not task_problems:
            result.problems += problems
        if problems:
            outcome(ann, "invalid", "; ".join(str(p) for p in problems))
            continue
        usable.append((ann, convert.record_from_result(data, ann["result"])))
    if not usable:
        result.unannotated.append({"task": task_id, "doc_id": doc_id,
                                   "annotations": len(annotations)})
        return

    for (ann_a, rec_a), (ann_b, rec_b) in itertools.combinations(usable, 2):
        result.agreement.append({
            "task": task_id, "doc_id": doc_id,
            "a": {"annotation": ann_a.get("id"), "annotator": annotator_name(ann_a)},
            "b": {"annotation": ann_b.get("id"), "annotator": annotator_name(ann_b)},
            **agreement.agreement(rec_a, rec_b).to_dict()})

    ground_truth = [i for i, (ann, _) in enumerate(usable) if ann.get("ground_truth")]
    pool = ground_truth or list(range(len(usable)))
    rule = "ground_truth" if ground_truth else ("single" if len(pool) == 1 else "agreed")
    reference = pool[0]
    differences = {other: agreement.disagreements(usable[reference][1], usable[other][1])
                   for other in pool[1:]}
    for i, (ann, _) in enumerate(usable):
        if i not in pool:
            outcome(ann, "superseded", "a ground-truth annotation of the task wins")
    if any(differences.values()):
        result.conflicts.append({
            "task": task_id, "doc_id": doc_id, "rule": rule,
            "annotations": [{"annotation": usable[i][0].get("id"),
                             "annotator": annotator_name(usable[i][0]),
                             "ground_truth": bool(usable[i][0].get("ground_truth"))} for i in pool],
            "disagreements": [{"a": usable[reference][0].get("id"),
                               "b": usable[other][0].get("id"),
                               "items": [d.to_dict() for d in diffs]}
                              for other, diffs in differences.items() if diffs]})
        for i in pool:
            outcome(usable[i][0], "conflict", f"{len(pool)} {rule.replace('_', ' ')} annotations "
                                              "disagree; see conflicts.json")
        return
    result.gold.append(usable[reference][1])
    outcome(usable[reference][0], "gold", rule)
    for i in pool[1:]:
        outcome(usable[i][0], "agrees_with_gold",
                f"same as annotation {usable[reference][0].get('id')}")
