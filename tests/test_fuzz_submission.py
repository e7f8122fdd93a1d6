"""Fuzzing the submission scorer: generated submission files of the right shape with wrong types and
values, duplicates, unknown fields, deep nesting and random bytes, through ``load_submission`` +
``score`` and through ``kotechnews score``. Either every problem is a validation issue that names
the file and a line or document (the command exits 2 without a traceback), or the score is
valid: finite metrics in [0, 1], every submitted item counted and every missing document warned.
"""

from __future__ import annotations

import contextlib
import json
import math
import signal
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from fuzzing import fuzz_settings
from kotechnews import schema
from kotechnews.cli import app
from kotechnews.scoring.evaluate import Corpus, score
from kotechnews.scoring.submission import SubmissionError, load_gold, load_submission

TEXT = "alpha beta gamma delta epsilon"
GOLD = [
    {
        "id": doc_id,
        "text": TEXT,
        "meta": {"sentences": [[0, 16], [17, 30]]},
        "entities": [
            {"id": "e1", "start": 0, "end": 5, "type": "ORG"},
            {"id": "e2", "start": 6, "end": 10, "type": "PER"},
            {"id": "e3", "start": 11, "end": 16, "type": "DATE"},
        ],
        "relations": [{"head": "e2", "tail": "e1", "type": "per:employee_of", "evidence": [0]}],
        "claims": [
            {"id": "q1", "start": 17, "end": 22, "value": 3.0, "subject": "e1", "time": "e3"}
        ],
    }
    for doc_id in ("d1", "d2", "d3")
]
SECONDS_PER_EXAMPLE = 10
# Issues about the file as a whole name no line or document.
FILE_LEVEL = ("cannot read file", "not UTF-8: ", "not JSON Lines: ")
runner = CliRunner()


@contextlib.contextmanager
def time_limit(seconds: int):
    """A hang fails the example instead of blocking the suite."""

    def expire(signum, frame):
        raise TimeoutError(f"example took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


weird_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 40),
    st.integers(-(10**30), 10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(0, 40),
    st.text(st.characters(codec=None, categories=None), max_size=6),  # surrogates, controls
    st.sampled_from(["e1", "e2", "e3", "e4", "q1", "ORG", "PER", "DATE", "per:employee_of"]),
)
weird = st.recursive(
    weird_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
offsets = st.one_of(st.integers(0, len(TEXT)), weird)
entity_ids = st.one_of(st.sampled_from(["e1", "e2", "e3", "e4"]), weird)


def maybe(value_strategy, fallback):
    """Mostly a plausible value, sometimes a wrong one, sometimes the field left out."""
    return st.one_of(value_strategy, value_strategy, fallback, st.just(...))


def record(**fields) -> st.SearchStrategy[dict]:
    def build(values: dict) -> dict:
        return {key: value for key, value in values.items() if value is not ...}

    return st.fixed_dictionaries(fields).map(build)


entity = record(
    id=maybe(st.sampled_from(["e1", "e2", "e3", "e4"]), weird),
    start=maybe(st.integers(0, len(TEXT)), weird),
    end=maybe(st.integers(0, len(TEXT)), weird),
    type=maybe(st.sampled_from(schema.ENTITY_TYPE_NAMES), weird),
    canonical_id=st.one_of(st.just(...), st.none(), st.sampled_from(["a", "b"])),
)
relation = record(
    head=maybe(st.sampled_from(["e1", "e2", "e3", "e4"]), weird),
    tail=maybe(st.sampled_from(["e1", "e2", "e3", "e4"]), weird),
    type=maybe(st.sampled_from(schema.RELATION_TYPE_NAMES), weird),
    evidence=maybe(st.lists(st.integers(0, 3), max_size=3), weird),
)
claim = record(
    id=maybe(st.sampled_from(["q1", "q2"]), weird),
    start=maybe(st.integers(0, len(TEXT)), weird),
    end=maybe(st.integers(0, len(TEXT)), weird),
    value=maybe(st.floats(-1e6, 1e6), weird),
    low=maybe(st.floats(-10, 10), weird),
    high=maybe(st.floats(-10, 10), weird),
    subject=maybe(st.sampled_from(["e1", "e2", "e3"]), weird),
    time=maybe(st.sampled_from(["e3", "e1"]), weird),
)
document = record(
    id=maybe(st.sampled_from(["d1", "d2", "d3"]), st.sampled_from(["zz", 7])),
    text=st.one_of(st.just(...), st.just(TEXT), weird),
    entities=maybe(st.lists(entity, max_size=5), weird),
    relations=maybe(st.lists(relation, max_size=3), weird),
    claims=maybe(st.lists(claim, max_size=3), weird),
    unknown=st.one_of(st.just(...), weird),
)


def encode(value) -> bytes:
    return json.dumps(value, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")


lines = st.one_of(
    document.map(encode),
    document.map(encode),
    document.map(encode),
    weird.map(encode),
    st.binary(max_size=40),
    st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.just(b""),
    st.just(b"   "),
)


def _scored_items_are_counted(result: dict, submitted: list[dict]) -> None:
    entities, claims = result["tasks"]["entities"], result["tasks"]["claims"]
    assert entities["totals"]["pred"] == sum(len(d.get("entities", [])) for d in submitted)
    assert claims["totals"]["pred"] == sum(len(d.get("claims", [])) for d in submitted)
    # mention pairs of the same clusters state one fact (DocRED): at most one triple each
    n_relations = sum(len(d.get("relations", [])) for d in submitted)
    n_triples = result["tasks"]["relations"]["totals"]["pred"]
    assert (n_triples == 0) == (n_relations == 0) and n_triples <= n_relations


def _finite_unit_metrics(result: dict) -> None:
    for task in result["tasks"].values():
        for entry in task["metrics"].values():
            assert math.isfinite(entry["value"]) and 0.0 <= entry["value"] <= 1.0, entry


def _check_issues(issues, path: Path) -> None:
    assert issues
    for issue in issues:
        assert issue.source == str(path)
        assert (
            issue.line is not None
            or issue.document is not None
            or issue.message.startswith(FILE_LEVEL)
        ), issue
        str(issue).encode("utf-8")  # printable, whatever was submitted


@given(st.lists(lines, max_size=5), st.booleans())
@fuzz_settings
def test_fuzzed_submission_is_rejected_with_located_errors_or_scored_validly(
    tmp_path_factory, raw_lines, through_cli
):
    folder = tmp_path_factory.mktemp("fuzz")
    gold_path = folder / "gold.jsonl"
    gold_path.write_text("".join(json.dumps(g) + "\n" for g in GOLD), encoding="utf-8")
    path = folder / "pred.jsonl"
    path.write_bytes(b"\n".join(raw_lines))
    gold = load_gold(gold_path)
    with time_limit(SECONDS_PER_EXAMPLE):
        try:
            submission = load_submission(path, gold)
        except SubmissionError as exc:
            _check_issues(exc.issues, path)
            submission = None
        event("rejected" if submission is None else "scored")
        if submission is not None:
            result = score(Corpus(gold, str(gold_path)), submission, n_bootstrap=0)
            _finite_unit_metrics(result)
            submitted = [json.loads(line) for line in raw_lines if line.strip()]
            _scored_items_are_counted(result, submitted)
            named = " ".join(result["warnings"])
            for doc_id in {g["id"] for g in GOLD} - {d["id"] for d in submitted}:
                assert repr(doc_id) in named or "empty submission" in named
        if through_cli:
            cli = runner.invoke(
                app,
                [
                    "score",
                    "--pred",
                    str(path),
                    "--gold",
                    str(gold_path),
                    "--json",
                    "--bootstrap",
                    "0",
                ],
            )
            assert cli.exception is None or isinstance(cli.exception, SystemExit), cli.exception
            assert "Traceback" not in cli.output
            assert cli.exit_code == (0 if submission is not None else 2), cli.output
            if submission is not None:
                _finite_unit_metrics(json.loads(cli.stdout))
