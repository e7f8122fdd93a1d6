"""The gold: Label Studio exports under annotation/gold, read as records.

Each gold file is a Label Studio JSON export (the article file ``kotechnews ls pull`` writes).
Reading validates first: gold that does not pass ``kotechnews validate`` is never used. Which
annotation of a task is its gold follows the one adjudication rule of ``ls pull``
(``kotechnews.labelstudio.adjudication``): ground truth wins, a single annotation stands, several
must agree; a conflict or a task without a usable annotation is refused.
"""

from __future__ import annotations

from pathlib import Path

from kotechnews.errors import KoTechNewsError
from kotechnews.labelstudio.validate import check_exports
from kotechnews.layout import Layout
from kotechnews.records import AnnotatedDocument


class GoldError(KoTechNewsError, ValueError):
    """The gold does not validate or is ambiguous."""


def load_gold(gold_dir: Path | None = None) -> list[AnnotatedDocument]:
    """Validated gold records sorted by document id (default: the project's annotation/gold)."""
    gold_dir = gold_dir or Layout.discover().gold
    files, checked, problems = check_exports([gold_dir])
    refused = [p for export in checked for p in export.refusals]
    if problems:
        problems += refused
        listing = "\n".join(str(p) for p in problems[:20])
        raise GoldError(f"{len(problems)} problem(s) in the gold under {gold_dir}:\n{listing}")
    if refused:
        raise GoldError("\n".join(f"{p.file}: {p.message}" for p in refused))
    if not files:
        raise GoldError(f"no gold export files under {gold_dir}")
    # validated: document ids are unique, every task is gold, each record carries its document
    records = {doc.id: doc for export in checked for doc in export.adjudication.gold}
    return [records[key] for key in sorted(records)]


def load_split(name: str, gold_dir: Path | None = None) -> list[AnnotatedDocument]:
    """Gold records of one split (train, validation or test), as the released dataset splits them."""
    from kotechnews import splits

    splits.check_split_name(name)
    return splits.records_in_split(load_gold(gold_dir), name)
