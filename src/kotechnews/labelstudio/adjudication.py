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
from kotechnews.validate import Problem, validate_tasks


def annotator_name(annotation: Mapping[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        return who.get("email") or f"user {who.get('id')}"
    return f"user {who}" if who is not None else "unknown"


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
        for ann in task.get("annotations") or []:
            name = annotator_name(ann)
            row = rows.setdefault(name, {"annotator": name, "tasks_done": set(), "annotations": 0,
                                         "cancelled": 0, "ground_truth": 0, "last_activity": None})
            if ann.get("was_cancelled"):
                row["cancelled"] += 1
            else:
                row["annotations"] += 1
                row["tasks_done"].add(task.get("id"))
                row["ground_truth"] += bool(ann.get("ground_truth"))
            stamp = ann.get("updated_at") or ann.get("created_at")
            if stamp and (row["last_activity"] is None or stamp > row["last_activity"]):
                row["last_activity"] = stamp
    return [{**row, "tasks_done": len(row["tasks_done"])}
            for row in sorted(rows.values(), key=lambda r: r["annotator"])]


def adjudicate(tasks: Sequence[Mapping[str, Any]], source: str) -> Adjudication:
    """Gold records, outcome of every annotation, conflicts, problems and agreement."""
    result = Adjudication(annotators=annotator_progress(tasks))
    for task in tasks:
        _adjudicate_task(task, source, result)
    return result


def _adjudicate_task(task: Mapping[str, Any], source: str, result: Adjudication) -> None:
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    task_id, doc_id = task.get("id"), data.get(DOC_ID)
    annotations = sorted(task.get("annotations") or [], key=lambda a: a.get("id") or 0)

    def outcome(ann: Mapping[str, Any], kind: str, detail: str = "") -> None:
        result.outcomes.append(Outcome(task_id, doc_id, ann.get("id"), annotator_name(ann), kind,
                                       detail))

    task_problems = validate_tasks([{**task, "annotations": []}], source)
    result.problems += task_problems
    usable: dict[int, tuple[Mapping[str, Any], AnnotatedDocument]] = {}
    for ann in annotations:
        if ann.get("was_cancelled"):
            outcome(ann, "cancelled", "skipped in Label Studio")
            continue
        problems = task_problems or validate_tasks([{**task, "annotations": [ann]}], source)
        if not task_problems:
            result.problems += problems
        if problems:
            outcome(ann, "invalid", "; ".join(str(p) for p in problems))
            continue
        usable[ann["id"]] = (ann, convert.record_from_result(data, ann["result"]))
    if not usable:
        result.unannotated.append({"task": task_id, "doc_id": doc_id,
                                   "annotations": len(annotations)})
        return

    for (ia, (ann_a, rec_a)), (ib, (ann_b, rec_b)) in itertools.combinations(usable.items(), 2):
        result.agreement.append({
            "task": task_id, "doc_id": doc_id,
            "a": {"annotation": ia, "annotator": annotator_name(ann_a)},
            "b": {"annotation": ib, "annotator": annotator_name(ann_b)},
            **agreement.agreement(rec_a, rec_b).to_dict()})

    ground_truth = [i for i, (ann, _) in usable.items() if ann.get("ground_truth")]
    pool = ground_truth or list(usable)
    rule = "ground_truth" if ground_truth else ("single" if len(pool) == 1 else "agreed")
    reference = pool[0]
    differences = {other: agreement.disagreements(usable[reference][1], usable[other][1])
                   for other in pool[1:]}
    for i, (ann, _) in usable.items():
        if i not in pool:
            outcome(ann, "superseded", "a ground-truth annotation of the task wins")
    if any(differences.values()):
        result.conflicts.append({
            "task": task_id, "doc_id": doc_id, "rule": rule,
            "annotations": [{"annotation": i, "annotator": annotator_name(usable[i][0]),
                             "ground_truth": bool(usable[i][0].get("ground_truth"))} for i in pool],
            "disagreements": [{"a": reference, "b": other, "items": [d.to_dict() for d in diffs]}
                              for other, diffs in differences.items() if diffs]})
        for i in pool:
            outcome(usable[i][0], "conflict", f"{len(pool)} {rule.replace('_', ' ')} annotations "
                                              "disagree; see conflicts.json")
        return
    result.gold.append(usable[reference][1])
    outcome(usable[reference][0], "gold", rule)
    for i in pool[1:]:
        outcome(usable[i][0], "agrees_with_gold", f"same as annotation {reference}")
