"""The quantity finder and normaliser on real news text: the 48 annotated articles.

Truth is the gold: every numeric claim (span and reading) and every number the annotators left out
(inside a DATE or another entity, or excluded by a named rule: ordinals, references back, idioms,
slogans). Reported, per class of expression:

- finder: span precision and recall against the gold claim spans (exact offsets), and how many of
  its proposals land on numbers that are not claims (dates, names, ordinals ...);
- normaliser: parse_quantity on each gold claim's span: the gold reading, a refusal (an honest
  error), or a different reading. Gold values were pre-filled by this normaliser and corrected by
  the annotators with an `override_reason`, so agreement is not independent of the code: what the
  table shows is where the normaliser still needs the annotator (refusals) and where it is wrong
  without saying so (different readings, each with the annotators' reason in the JSON);
- parse_quantity on the excluded numbers: refused (right) or read as an amount (a confident wrong
  value for a pre-filler).

`--compare REV` runs the normaliser of an earlier git revision on the same truth in the same run.
Writes bench/results/quantity_realtext.json and prints Markdown tables.

    .venv/bin/python bench/bench_quantity_realtext.py [--compare 4f397db]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

from kotechnews.annotation import DIGITS
from kotechnews.gold import load_gold
from kotechnews.jsonio import read_jsonl, write_json
from kotechnews.records import AnnotatedDocument, Claim
from normaliser_revision import load_normaliser

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "quantity_realtext.json"
EXCLUSIONS = ROOT / "annotation" / "number_exclusions.jsonl"
FIELDS = ("value", "low", "high", "unit", "approximate")
_TIME = "(?:년|개월|주|일|시간|분|초)"
_COMPOUND = re.compile(rf"[0-9]+ ?{_TIME} ?[0-9]+ ?{_TIME}")
_DAY_WORDS = re.compile("하루|이틀|사흘|나흘|닷새|엿새|이레|여드레|아흐레|열흘|보름")
_NATIVE = re.compile("^(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|스물|스무|서른|마흔|쉰)")

# class of a gold claim, tried in this order: (name, example, test on the claim)
CLASSES = (
    (
        "compound / day word",
        "2시간 40분, 이틀",
        lambda c: bool(_COMPOUND.search(c.text) or _DAY_WORDS.search(c.text)),
    ),
    ("native numeral", "두 곳, 다섯 대", lambda c: bool(_NATIVE.match(c.text))),
    ("vague 수X", "수백억 원", lambda c: "수" in c.text and not c.text.endswith("수")),
    ("range", "10~20%, 16분~18분", lambda c: c.low is not None and c.high is not None),
    ("bound or 여/대", "100여명, 이하, 6000억대", lambda c: c.value is None),
    ("big unit", "1500억 원, 23만대", lambda c: bool(re.search("[만억조경]", c.text))),
    ("percent", "3.5%, 0.5%p", lambda c: c.unit in ("%", "%p")),
    ("digits + counter", "22개, 30분, 1위", lambda c: True),
)


REASONS = {
    "date": "inside a DATE",
    "name": "inside another entity (3DS, 9단)",
    "N1": "N1 name or identifier",
    "N3": "N3 ordinal or reference back (이들 3사)",
    "N4": "N4 idiom (두 마리 토끼)",
    "N5": "N5 slogan",
    "N6": "N6 programme name",
    "unexplained": "not explained by the gold",
}


def claim_class(claim: Claim) -> str:
    return next(name for name, _, test in CLASSES if test(claim))


def excluded_numbers(
    doc: AnnotatedDocument, exclusions: list[dict]
) -> list[tuple[int, int, str, str]]:
    """Numbers of the text that no claim overlaps, each with why it is not a claim."""
    text = doc.text or ""
    claims = [(c.start, c.end) for c in doc.claims]
    found = []
    rules = [(x["start"], x["end"], x["rule"]) for x in exclusions if x["doc_id"] == doc.id]
    for m in DIGITS.finditer(text):
        start, end = m.span()
        if any(s < end and start < e for s, e in claims):
            continue
        rule = next(((s, e, r) for s, e, r in rules if s <= start and end <= e), None)
        entity = next((e for e in doc.entities if e.start <= start and end <= e.end), None)
        reason = (
            rule[2]
            if rule
            else "date"
            if entity and entity.type == "DATE"
            else "name"
            if entity
            else "unexplained"
        )
        # the surface to parse: the exclusion's or the entity's text, else the number with its word
        if rule:
            s, e = rule[:2]
        elif entity:
            s, e = entity.start, entity.end
        else:
            s, e = start, re.match(r"[0-9.,]*\s?[가-힣A-Za-z%]*", text[start:]).end() + start
        found.append((start, end, reason, text[s:e]))
    for s, e, rule in rules:  # numbers written in words (두 회사, 첫 번째) excluded by a rule
        if not DIGITS.search(text[s:e]) and rule.startswith("N"):
            found.append((s, e, rule, text[s:e]))
    return found


def _reading(q) -> tuple:
    return tuple(q.to_dict()[name] for name in FIELDS)


def _gold(claim: Claim) -> tuple:
    return tuple(getattr(claim, name) for name in FIELDS)


def _same(a: tuple, b: tuple) -> bool:
    return all(
        (x is None and y is None)
        or (
            x is not None
            and y is not None
            and (x == y if isinstance(x, (str, bool)) else abs(x - y) <= 1e-9 * max(1, abs(y)))
        )
        for x, y in zip(a, b)
    )


def evaluate(normaliser: ModuleType, docs: list[AnnotatedDocument], exclusions: list[dict]) -> dict:
    per_class: dict[str, Counter] = defaultdict(Counter)
    wrong_readings, misses, false_proposals = [], [], []
    proposals_on: Counter = Counter()
    excluded_read: Counter = Counter()
    excluded_total: Counter = Counter()
    excluded_read_examples = []
    proposals = matched = 0
    for doc in docs:
        text = doc.text or ""
        gold_spans = {(c.start, c.end): c for c in doc.claims}
        excluded = excluded_numbers(doc, exclusions)
        found = normaliser.find_quantities(text)
        found_spans = {(q.start, q.end) for q in found}
        proposals += len(found)
        for q in found:
            claim = gold_spans.get((q.start, q.end))
            if claim is not None:
                matched += 1
                per_class[claim_class(claim)]["found"] += 1
                per_class[claim_class(claim)]["found_value_right"] += _same(
                    _reading(q), _gold(claim)
                )
                continue
            overlaps_claim = any(c.start < q.end and q.start < c.end for c in doc.claims)
            where = (
                "claim, other span"
                if overlaps_claim
                else next(
                    (reason for s, e, reason, _ in excluded if s < q.end and q.start < e),
                    "no number the gold explains",
                )
            )
            proposals_on[where] += 1
            false_proposals.append({"doc": doc.id, "text": q.text, "on": where})
        for claim in doc.claims:
            row = per_class[claim_class(claim)]
            row["claims"] += 1
            if (claim.start, claim.end) not in found_spans:
                misses.append({"doc": doc.id, "text": claim.text, "class": claim_class(claim)})
            try:
                got = _reading(normaliser.parse_quantity(claim.text))
            except normaliser.QuantityError:
                row["refused"] += 1
                continue
            if _same(got, _gold(claim)):
                row["read_right"] += 1
            else:
                row["read_wrong"] += 1
                wrong_readings.append(
                    {
                        "doc": doc.id,
                        "text": claim.text,
                        "read": got,
                        "gold": _gold(claim),
                        "override_reason": claim.override_reason,
                    }
                )
        for _, _, reason, surface in excluded:
            excluded_total[reason] += 1
            try:
                normaliser.parse_quantity(surface)
            except normaliser.QuantityError:
                continue
            excluded_read[reason] += 1
            excluded_read_examples.append({"doc": doc.id, "text": surface, "why_excluded": reason})
    claims = sum(row["claims"] for row in per_class.values())
    return {
        "claims": claims,
        "proposals": proposals,
        "exact_matches": matched,
        "span_precision": matched / proposals if proposals else 0.0,
        "span_recall": matched / claims if claims else 0.0,
        "per_class": {name: dict(per_class[name]) for name, _, _ in CLASSES if name in per_class},
        "proposals_not_matching_a_claim": dict(proposals_on),
        "excluded_numbers": dict(excluded_total),
        "excluded_numbers_read_as_amounts": dict(excluded_read),
        "wrong_readings": wrong_readings,
        "excluded_read_examples": excluded_read_examples,
        "missed_claims": misses,
        "false_proposals": false_proposals,
    }


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def markdown(results: dict[str, dict]) -> str:
    names = list(results)
    head = (
        "| class (example) | claims | "
        + " | ".join(f"{n}: found / read right / refused / read wrong" for n in names)
        + " |"
    )
    lines = [head, "|---|---:|" + "---:|" * len(names)]
    examples = {name: example for name, example, _ in CLASSES}
    first = results[names[0]]
    for cls in first["per_class"]:
        cells = []
        for n in names:
            row = results[n]["per_class"].get(cls, {})
            total = row.get("claims", 0)
            cells.append(
                f"{_pct(row.get('found', 0), total)} / {_pct(row.get('read_right', 0), total)} / "
                f"{_pct(row.get('refused', 0), total)} / {_pct(row.get('read_wrong', 0), total)}"
            )
        lines.append(
            f"| {cls} (`{examples[cls]}`) | {first['per_class'][cls]['claims']} | "
            + " | ".join(cells)
            + " |"
        )
    lines.append("")
    lines.append("| | " + " | ".join(names) + " |")
    lines.append("|---|" + "---:|" * len(names))
    rows = [
        (
            "finder span precision",
            lambda r: f"{r['span_precision']:.3f} ({r['exact_matches']}/{r['proposals']})",
        ),
        (
            "finder span recall",
            lambda r: f"{r['span_recall']:.3f} ({r['exact_matches']}/{r['claims']})",
        ),
        (
            "proposals on a claim, other span",
            lambda r: str(r["proposals_not_matching_a_claim"].get("claim, other span", 0)),
        ),
        (
            "proposals on numbers that are not claims",
            lambda r: str(
                sum(
                    v
                    for k, v in r["proposals_not_matching_a_claim"].items()
                    if k != "claim, other span"
                )
            ),
        ),
        (
            "excluded numbers read as amounts by parse_quantity",
            lambda r: (
                f"{sum(r['excluded_numbers_read_as_amounts'].values())} of {sum(r['excluded_numbers'].values())}"
            ),
        ),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(results[n]) for n in names) + " |")
    lines += [
        "",
        "| numbers that are not claims, by why | count | "
        + " | ".join(f"{n}: finder proposals / parse reads as an amount" for n in names)
        + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    for reason, count in sorted(first["excluded_numbers"].items(), key=lambda item: -item[1]):
        cells = [
            f"{results[n]['proposals_not_matching_a_claim'].get(reason, 0)} / "
            f"{results[n]['excluded_numbers_read_as_amounts'].get(reason, 0)}"
            for n in names
        ]
        lines.append(f"| {REASONS.get(reason, reason)} | {count} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--compare", metavar="REV", help="also run the normaliser of this git revision"
    )
    args = parser.parse_args()
    docs = load_gold()
    exclusions = list(read_jsonl(EXCLUSIONS))
    results = {}
    if args.compare:
        results[args.compare] = evaluate(load_normaliser(args.compare), docs, exclusions)
    results["this revision"] = evaluate(load_normaliser(None), docs, exclusions)
    write_json(RESULTS, {"documents": len(docs), "results": results})
    print(f"{len(docs)} annotated articles, {results['this revision']['claims']} gold claims\n")
    print(markdown(results))
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
