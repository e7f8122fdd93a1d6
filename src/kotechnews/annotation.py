"""Gold annotation tools: numbered text for annotators, worksheet compilation, completeness checks.

The completeness check enforces guidelines G2 and 4.5: every repeat of an annotated surface is
annotated too, and every number in the text is inside a claim, inside an entity, or excluded by a
named rule.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kotechnews import schema
from kotechnews.document import Document
from kotechnews.jsonio import read_jsonl, write_json, write_jsonl
from kotechnews.labelstudio.validate import Problem, validate_tasks
from kotechnews.records import AnnotatedDocument
from kotechnews.worksheet import WorksheetError, compile_worksheet, gold_export

NUMBER_EXCLUSION_RULES = ("N3", "N4", "N5", "N6")
DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")


def numbered_sentences(document: Document) -> str:
    """The clean text, one numbered sentence per line, as annotators read it."""
    return "\n".join(f"[{i}] {sentence}" for i, sentence in enumerate(document.sentence_texts()))


def documents_by_source(documents_path: Path) -> dict[str, Document]:
    """Ingested documents by source file; a missing file is an error that says how to make it."""
    if not Path(documents_path).is_file():
        raise FileNotFoundError(
            f"{documents_path}: no ingested documents; make them with "
            "`kotechnews ingest annotation/raw --out build/ingested` "
            "(or `kotechnews run`)"
        )
    return {row["source_file"]: Document.from_row(row) for row in read_jsonl(documents_path)}


def documents_or_ingest(documents_path: Path, raw_dir: Path) -> dict[str, Document]:
    """The ingested documents, or (when not ingested yet) raw_dir ingested into a temporary
    directory: enough to check worksheets on a fresh clone."""
    if Path(documents_path).is_file():
        return documents_by_source(documents_path)
    import tempfile

    from kotechnews.ingest import ingest_directory

    with tempfile.TemporaryDirectory() as out:
        return {a.document.source_file: a.document for a in ingest_directory(raw_dir, Path(out))}


def worksheet_problems(
    sheet: dict[str, Any], path: Path, documents: dict[str, Document]
) -> list[Problem]:
    """A worksheet is valid when it compiles onto its ingested document (every mention found in
    its sentence, every relation and claim link resolved, labels known)."""
    source = sheet.get("source_file")
    document = documents.get(source) if isinstance(source, str) else None
    if document is None:
        return [
            Problem(
                str(path),
                str(source),
                None,
                "source_file",
                f"{source!r} is not an ingested document",
            )
        ]
    try:
        doc, _ = compile_worksheet(sheet, document)
    except (WorksheetError, KeyError, TypeError, ValueError) as exc:
        return [Problem(str(path), source, None, "worksheet", str(exc))]
    return validate_tasks([gold_export(doc, "check", "-", 1)[0]], str(path))


def compile_sheets(worksheet_dir: Path, documents: dict[str, Document]):
    """(sheet, record, exclusions) for every worksheet in a directory, by file name."""
    for path in sorted(worksheet_dir.glob("*.json")):
        try:
            sheet = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:  # not JSON, not UTF-8
            raise WorksheetError(f"{path}: not a JSON worksheet: {exc}") from None
        if not isinstance(sheet, dict):
            raise WorksheetError(f"{path}: a worksheet is a JSON object")
        document = documents.get(sheet.get("source_file"))
        if document is None:
            raise WorksheetError(
                f"{path}: source_file {sheet.get('source_file')!r} is not an ingested document"
            )
        try:
            doc, exclusions = compile_worksheet(sheet, document)
        except WorksheetError:
            raise
        except (KeyError, TypeError, ValueError) as exc:  # a field of the wrong shape
            raise WorksheetError(f"{path}: malformed worksheet: {exc!r}") from None
        yield sheet, doc, exclusions


def compile_gold(
    worksheet_dir: Path, documents: dict[str, Document], gold_dir: Path, exclusions_path: Path
) -> list[AnnotatedDocument]:
    """Compile every worksheet into a gold Label Studio export; write the number exclusions."""
    records, exclusions = [], []
    compiled = compile_sheets(worksheet_dir, documents)
    for task_id, (sheet, doc, doc_exclusions) in enumerate(compiled, start=1):
        write_json(
            gold_dir / f"{Path(sheet['source_file']).stem}.json",
            gold_export(doc, sheet["annotator"], sheet["annotated_at"], task_id),
        )
        records.append(doc)
        exclusions.extend(doc_exclusions)
    write_jsonl(exclusions_path, exclusions)
    return records


AGREEMENT_COLUMNS = ("entity_f1", "relation_f1", "claim_span_f1", "claim_value_agreement")


def agreement_rows(
    first_dir: Path, second_dir: Path, documents: dict[str, Document]
) -> list[dict[str, Any]]:
    """Agreement per article annotated in both directories (by source file), then their mean
    (macro) and the agreement pooled over all their items (micro)."""
    from kotechnews.agreement import agreement, pooled_agreement

    first = {sheet["source_file"]: doc for sheet, doc, _ in compile_sheets(first_dir, documents)}
    second = {sheet["source_file"]: doc for sheet, doc, _ in compile_sheets(second_dir, documents)}
    shared = sorted(set(first) & set(second))
    rows = [{"article": name, **agreement(first[name], second[name]).to_dict()} for name in shared]
    if rows:
        mean = {
            c: sum(r[c] for r in rows if r[c] is not None)
            / max(1, sum(r[c] is not None for r in rows))
            for c in AGREEMENT_COLUMNS
        }
        rows.append({"article": "mean", **mean})
        pooled = pooled_agreement([(first[name], second[name]) for name in shared])
        rows.append({"article": "pooled", **pooled.to_dict()})
    return rows


def agreement_comparisons(
    agreement_dir: Path, adjudicated_dir: Path, documents: dict[str, Document]
) -> dict[str, list[dict[str, Any]]]:
    """Before adjudication (a vs b) and after (each vs the adjudicated worksheets)."""
    first, second = agreement_dir / "annotator-a", agreement_dir / "annotator-b"
    pairs = {
        "before: a vs b": (first, second),
        "after: a vs adjudicated": (first, adjudicated_dir),
        "after: b vs adjudicated": (second, adjudicated_dir),
    }
    return {name: agreement_rows(x, y, documents) for name, (x, y) in pairs.items()}


def agreement_markdown(comparisons: dict[str, list[dict[str, Any]]]) -> str:
    """The agreement table as the README and the datasheet show it."""
    lines = [
        "| comparison | article | " + " | ".join(AGREEMENT_COLUMNS) + " |",
        "|---|---|" + "---:|" * len(AGREEMENT_COLUMNS),
    ]
    for name, rows in comparisons.items():
        for row in rows:
            cells = ["–" if row[c] is None else f"{row[c]:.3f}" for c in AGREEMENT_COLUMNS]
            lines.append(f"| {name} | {row['article']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass(frozen=True)
class Gap:
    doc_id: str
    start: int
    end: int
    text: str
    kind: str  # "number" or "mention"
    context: str

    def __str__(self) -> str:
        return (
            f"{self.doc_id} [{self.start}:{self.end}] {self.kind} {self.text!r}: …{self.context}…"
        )


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def completeness_gaps(doc: AnnotatedDocument, exclusions: Iterable[dict[str, Any]]) -> list[Gap]:
    """Numbers not explained and repeats of annotated surfaces not annotated."""
    from kotechnews.quantity import find_quantities

    text = doc.text or ""
    spans = [(e.start, e.end) for e in doc.entities] + [(c.start, c.end) for c in doc.claims]
    excluded = [(x["start"], x["end"]) for x in exclusions if x["doc_id"] == doc.id]

    def gap(start: int, end: int, kind: str) -> Gap:
        return Gap(
            doc.id,
            start,
            end,
            text[start:end],
            kind,
            text[max(0, start - 15) : end + 15].replace("\n", " "),
        )

    gaps = []
    claims = [(c.start, c.end) for c in doc.claims]
    number_spans = [(m.start(), m.end()) for m in DIGITS.finditer(text)]
    number_spans += [(q.start, q.end) for q in find_quantities(text)]
    for start, end in sorted(set(number_spans)):
        # A number is explained by a claim that overlaps it (the finder's span may take in
        # words the guidelines leave outside, such as 총), or by an entity or exclusion holding it.
        if (
            not any(s < end and start < e for s, e in claims)
            and not _covered(spans, start, end)
            and not _covered(excluded, start, end)
        ):
            gaps.append(gap(start, end, "number"))
    for surface in sorted({e.text for e in doc.entities if len(e.text) >= 2}):
        for match in re.finditer(re.escape(surface), text):
            start, end = match.span()
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if LATIN_OR_DIGIT.match(surface[0]) and LATIN_OR_DIGIT.match(before):
                continue
            if LATIN_OR_DIGIT.match(surface[-1]) and LATIN_OR_DIGIT.match(after):
                continue
            if not any(s < end and start < e for s, e in spans) and not _covered(
                excluded, start, end
            ):
                gaps.append(gap(start, end, "mention"))
    return gaps


def label_counts(records: list[AnnotatedDocument]) -> dict[str, Counter]:
    """Per-document counts of entity types, relation types and claim types."""
    counts = {}
    for doc in records:
        counter: Counter = Counter()
        counter.update(e.type for e in doc.entities)
        counter.update(r.type for r in doc.relations)
        counter.update(f"{schema.QUANTITY.name}:{c.quantity_type}" for c in doc.claims)
        counts[(doc.document.source_file or doc.id)] = counter
    return counts


def counts_markdown(records: list[AnnotatedDocument]) -> str:
    counts = label_counts(records)
    columns = schema.ENTITY_TYPE_NAMES + ["entities", "relations", "claims"]
    lines = ["| article | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    totals: Counter = Counter()
    for doc in sorted(records, key=lambda d: d.document.source_file or d.id):
        row: Counter = Counter(counts[(doc.document.source_file or doc.id)])
        row["entities"], row["relations"], row["claims"] = (
            len(doc.entities),
            len(doc.relations),
            len(doc.claims),
        )
        totals.update(row)
        name = doc.document.source_file or doc.id
        lines.append(f"| {name} | " + " | ".join(str(row[c]) for c in columns) + " |")
    lines.append("| **total** | " + " | ".join(f"**{totals[c]}**" for c in columns) + " |")
    return "\n".join(lines)


def draw_for_double_annotation(
    lengths: dict[str, int], count: int, seed: int, strata: int = 3
) -> list[str]:
    """A seeded draw of ``count`` documents that covers short and long ones.

    Documents are sorted by length (then name) and cut into ``strata`` equal bands; each band gives
    ``count // strata`` documents (the first bands one more while a remainder is left).
    """
    import random

    ordered = sorted(lengths, key=lambda name: (lengths[name], name))
    rng = random.Random(seed)
    drawn: list[str] = []
    for band in range(strata):
        members = ordered[band * len(ordered) // strata : (band + 1) * len(ordered) // strata]
        take = count // strata + (1 if band < count % strata else 0)
        drawn += rng.sample(members, take)
    return sorted(drawn)
