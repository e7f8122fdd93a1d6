"""The gold: Label Studio exports under annotation/gold, read as records.

Each gold file is a Label Studio JSON export holding one ground-truth annotation per task. Reading
validates first: gold that does not pass ``kotechnews validate`` is never used.
"""

from __future__ import annotations

import json
from pathlib import Path

from kotechnews.labelstudio import convert
from kotechnews.records import DOCUMENT_METADATA, AnnotatedDocument
from kotechnews.validate import validate_paths

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = PROJECT_ROOT / "annotation" / "gold"


class GoldError(ValueError):
    """The gold does not validate or is ambiguous."""


def load_gold(gold_dir: Path = GOLD_DIR) -> list[AnnotatedDocument]:
    """Validated gold records sorted by document id."""
    files, problems = validate_paths([gold_dir])
    if problems:
        listing = "\n".join(str(p) for p in problems[:20])
        raise GoldError(f"{len(problems)} problem(s) in the gold under {gold_dir}:\n{listing}")
    if not files:
        raise GoldError(f"no gold export files under {gold_dir}")
    records: dict[str, AnnotatedDocument] = {}
    for path in files:
        for task in json.loads(path.read_text(encoding="utf-8")):
            chosen = [a for a in task.get("annotations", [])
                      if a.get("ground_truth") and not a.get("was_cancelled")]
            if len(chosen) != 1:
                raise GoldError(f"{path}: task {task['data'].get('doc_id')}: gold needs exactly one "
                                f"ground-truth annotation, found {len(chosen)}")
            doc = convert.record_from_result(task["data"], chosen[0]["result"])
            doc.meta = {k: task["data"].get(k) for k in DOCUMENT_METADATA}
            doc.meta["sentences"] = task["data"]["sentences"]
            if doc.id in records:
                raise GoldError(f"{path}: document {doc.id} is in the gold twice")
            records[doc.id] = doc
    return [records[key] for key in sorted(records)]


def load_split(name: str, gold_dir: Path = GOLD_DIR) -> list[AnnotatedDocument]:
    """Gold records of one split (train, validation or test), as the released dataset splits them."""
    from kotechnews import splits

    splits.check_split_name(name)
    return splits.records_in_split(load_gold(gold_dir), name)
