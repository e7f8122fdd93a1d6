"""The one adjudication rule, applied by ``ls pull`` and by the gold loader alike.

Per task: cancelled annotations and annotations the validator rejects are left out and reported;
among the rest, ground-truth annotations (``ground_truth: true``) win; otherwise a single
annotation is the gold one, and several become gold only if they agree entirely
(``agreement.disagreements`` is empty). Anything else is a conflict, listed and not resolved.
The Community edition exports no review status, so ground truth is the only reviewer signal.

``adjudicate_task`` applies the rule to one task; ``adjudicate`` to a list of tasks (the gold
loader), ``ls pull`` to each task of an export as it is read, keeping only what it found.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kotechnews import agreement
from kotechnews.document import DOC_ID
from kotechnews.labelstudio.validate import Problem, brief, parse_annotation, validate_tasks
from kotechnews.records import AnnotatedDocument


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
class TaskAdjudication:
    """What the rule made of one task: its gold record if it has one, the outcome of each of its
    annotations, and its problems, agreement rows, conflict or lack of a usable annotation."""

    task: Any
    doc_id: Any
    gold: AnnotatedDocument | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    agreement: list[dict[str, Any]] = field(default_factory=list)
    conflict: dict[str, Any] | None = None
    unannotated: dict[str, Any] | None = None
    records: list[AnnotatedDocument] = field(default_factory=list)  # of its usable annotations


@dataclass
class Adjudication:
    # Lists, except in the result of ``ls pull``: there the gold records and the outcomes are
    # in its gold.jsonl and report.json, read on demand.
    gold: Sequence[AnnotatedDocument] = field(default_factory=list)
    outcomes: Sequence[Outcome] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    agreement: list[dict[str, Any]] = field(default_factory=list)
    unannotated: list[dict[str, Any]] = field(default_factory=list)
    annotators: list[dict[str, Any]] = field(default_factory=list)
    records: list[AnnotatedDocument] = field(default_factory=list)  # of every usable annotation

    def add(self, found: TaskAdjudication) -> None:
        """Take in one task's adjudication."""
        if found.gold is not None:
            self.gold.append(found.gold)  # type: ignore[attr-defined]  # a list while kept
        self.outcomes += found.outcomes  # type: ignore[operator]  # a list while kept
        self.problems += found.problems
        self.agreement += found.agreement
        if found.conflict is not None:
            self.conflicts.append(found.conflict)
        if found.unannotated is not None:
            self.unannotated.append(found.unannotated)
        self.records += found.records


class AnnotatorProgress:
    """Per annotator: tasks done, annotations submitted, skipped, ground truth, last activity;
    counted task by task."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[str, Any]] = {}

    def add(self, task: Mapping[str, Any]) -> None:
        for ann in _annotations(task):
            if not isinstance(ann, Mapping):
                continue
            name = annotator_name(ann)
            row = self._rows.get(name)
            if row is None:
                row = self._rows[name] = {
                    "annotator": name,
                    "tasks_done": set(),
                    "annotations": 0,
                    "cancelled": 0,
                    "ground_truth": 0,
                    "last_activity": None,
                }
            if ann.get("was_cancelled") is True:
                row["cancelled"] += 1
            else:
                row["annotations"] += 1
                row["tasks_done"].add(brief(task.get("id")))
                row["ground_truth"] += ann.get("ground_truth") is True
            stamp = ann.get("updated_at") or ann.get("created_at")
            if isinstance(stamp, str) and (
                row["last_activity"] is None or stamp > row["last_activity"]
            ):
                row["last_activity"] = stamp

    def rows(self) -> list[dict[str, Any]]:
        return [
            {**row, "tasks_done": len(row["tasks_done"])}
            for row in sorted(self._rows.values(), key=lambda r: r["annotator"])
        ]


def annotator_progress(tasks: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per annotator: tasks done, annotations submitted, skipped, ground truth, last activity."""
    progress = AnnotatorProgress()
    for task in tasks:
        progress.add(task)
    return progress.rows()


def adjudicate(
    tasks: Sequence[Mapping[str, Any]], source: str, validated: bool = False
) -> Adjudication:
    """Gold records, outcome of every annotation, conflicts, problems and agreement (validated:
    ``validate_tasks`` found no problem in tasks, so annotations are not checked again)."""
    result = Adjudication(annotators=annotator_progress(tasks))
    for task in tasks:
        result.add(adjudicate_task(task, source, validated))
    return result


def refusals(adjudication: Adjudication, source: str) -> list[Problem]:
    """What keeps the adjudicated tasks from being gold: conflicts and tasks with no usable
    annotation, one problem each."""
    rule = (
        "(the rule of `kotechnews ls pull`: ground truth wins, a single annotation stands, "
        "several must agree)"
    )
    return [
        *(
            Problem(
                source,
                str(c["doc_id"]),
                None,
                "annotations",
                f"not gold: task {c['task']} (doc {c['doc_id']}): {len(c['annotations'])} "
                + (
                    "ground-truth annotations"
                    if c["rule"] == "ground_truth"
                    else "annotations, none of them ground truth,"
                )
                + f" disagree {rule}",
            )
            for c in adjudication.conflicts
        ),
        *(
            Problem(
                source,
                str(u["doc_id"]),
                None,
                "annotations",
                f"not gold: task {u['task']} (doc {u['doc_id']}): no submitted, valid "
                f"annotation among {u['annotations']} {rule}",
            )
            for u in adjudication.unannotated
        ),
    ]


def _id_or_zero(annotation: Any) -> int:
    ann_id = annotation.get("id") if isinstance(annotation, Mapping) else None
    return ann_id if isinstance(ann_id, int) else 0


def adjudicate_task(
    task: Mapping[str, Any], source: str, validated: bool = False
) -> TaskAdjudication:
    """The rule applied to one task of an export read from source (validated: the export passed
    ``validate_tasks``, so its annotations are converted without being checked again)."""
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    task_id, doc_id = task.get("id"), data.get(DOC_ID)
    result = TaskAdjudication(task_id, doc_id)
    annotations = _annotations(task)
    in_id_order = sorted(enumerate(annotations), key=lambda pair: _id_or_zero(pair[1]))

    def outcome(ann: Any, kind: str, detail: str = "") -> None:
        ann_id = ann.get("id") if isinstance(ann, Mapping) else None
        result.outcomes.append(Outcome(task_id, doc_id, ann_id, annotator_name(ann), kind, detail))

    task_problems = [] if validated else validate_tasks([{**task, "annotations": []}], source)
    result.problems += task_problems
    # Positions, not annotation ids, key the usable annotations: a repeated id loses nothing.
    usable: list[tuple[Mapping[str, Any], AnnotatedDocument]] = []
    for index, ann in in_id_order:
        if isinstance(ann, Mapping) and ann.get("was_cancelled") is True:
            outcome(ann, "cancelled", "skipped in Label Studio")
            continue
        if task_problems:
            record, problems = None, task_problems
        else:
            record, problems = parse_annotation(task, ann, source, index, validated)
            result.problems += problems
        if record is None:
            outcome(ann, "invalid", "; ".join(str(p) for p in problems))
            continue
        usable.append((ann, record))
    result.records = [record for _, record in usable]
    if not usable:
        result.unannotated = {"task": task_id, "doc_id": doc_id, "annotations": len(annotations)}
        return result

    for (ann_a, rec_a), (ann_b, rec_b) in itertools.combinations(usable, 2):
        result.agreement.append(
            {
                "task": task_id,
                "doc_id": doc_id,
                "a": {"annotation": ann_a.get("id"), "annotator": annotator_name(ann_a)},
                "b": {"annotation": ann_b.get("id"), "annotator": annotator_name(ann_b)},
                **agreement.agreement(rec_a, rec_b).to_dict(),
            }
        )

    ground_truth = [i for i, (ann, _) in enumerate(usable) if ann.get("ground_truth")]
    pool = ground_truth or list(range(len(usable)))
    rule = "ground_truth" if ground_truth else ("single" if len(pool) == 1 else "agreed")
    reference = pool[0]
    differences = {
        other: agreement.disagreements(usable[reference][1], usable[other][1]) for other in pool[1:]
    }
    for i, (ann, _) in enumerate(usable):
        if i not in pool:
            outcome(ann, "superseded", "a ground-truth annotation of the task wins")
    if any(differences.values()):
        result.conflict = {
            "task": task_id,
            "doc_id": doc_id,
            "rule": rule,
            "annotations": [
                {
                    "annotation": usable[i][0].get("id"),
                    "annotator": annotator_name(usable[i][0]),
                    "ground_truth": bool(usable[i][0].get("ground_truth")),
                }
                for i in pool
            ],
            "disagreements": [
                {
                    "a": usable[reference][0].get("id"),
                    "b": usable[other][0].get("id"),
                    "items": [d.to_dict() for d in diffs],
                }
                for other, diffs in differences.items()
                if diffs
            ],
        }
        for i in pool:
            outcome(
                usable[i][0],
                "conflict",
                f"{len(pool)} {rule.replace('_', ' ')} annotations disagree; see conflicts.json",
            )
        return result
    result.gold = usable[reference][1]
    outcome(usable[reference][0], "gold", rule)
    for i in pool[1:]:
        outcome(
            usable[i][0], "agrees_with_gold", f"same as annotation {usable[reference][0].get('id')}"
        )
    return result
