"""Leaderboard: `leaderboard add` scores the predictions itself (the scorer's reader and library,
against the gold of the protocol in a real dataset built into tmp), entries are validated, stored
atomically and never overwritten silently, and the render keeps protocols apart and escapes
everything from result files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kotechnews import gold
from kotechnews.cli import app
from kotechnews.hfdataset.build import build_dataset
from kotechnews.hfdataset.records import records_from_dataset
from kotechnews.jsonio import write_jsonl
from kotechnews.leaderboard import (
    PROTOCOLS,
    SCORED_BY_SUBMISSION,
    DatasetReference,
    LeaderboardError,
    add_submission,
    boards,
    collect_entries,
    dataset_reference,
    entry_filename,
    markdown_escape,
    render,
    render_html,
    render_markdown,
    result_problems,
)
from kotechnews.scoring.evaluate import fingerprint

ROOT = Path(__file__).resolve().parents[1]
BASELINE_RESULTS = sorted((ROOT / "baselines" / "results").glob("*.json"))
HOSTILE = "<script>alert(1)</script>"
VERSION = "0.3.1"
TEST, CV = PROTOCOLS["test"], PROTOCOLS["cross-validation"]
runner = CliRunner()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """The real gold built into tmp as a dataset (version 0.3.1)."""
    from test_dataset_synthetic import write_changelog

    tmp = tmp_path_factory.mktemp("dataset")
    changelog = write_changelog(tmp / "CHANGELOG.md", [VERSION])
    build_dataset(gold.load_gold(), tmp / "dataset", VERSION, "test-org/ktn", changelog=changelog)
    return tmp / "dataset"


@pytest.fixture(scope="module")
def splits(dataset) -> dict[str, list]:
    return {
        split: records_from_dataset(dataset, split) for split in ("train", "validation", "test")
    }


@pytest.fixture(scope="module")
def folds(dataset) -> dict[str, int]:
    import datasets

    return {
        row["id"]: row["fold"]
        for split in ("train", "validation")
        for row in datasets.load_dataset(str(dataset), "documents", split=split)
    }


def _predictions(path: Path, documents) -> Path:
    write_jsonl(path, (document.to_dict() for document in documents))
    return path


def _test_predictions(path: Path, splits) -> Path:
    """Every other test document exactly as the gold, the rest missing: scores in (0, 1)."""
    return _predictions(path, splits["test"][::2])


@pytest.fixture(scope="module")
def stored(dataset, splits, tmp_path_factory) -> dict[str, Path]:
    """One test-split and one cross-validation submission, stored by `leaderboard add`."""
    tmp = tmp_path_factory.mktemp("stored")
    results = tmp / "results"
    test_path, _ = add_submission(
        _test_predictions(tmp / "test.jsonl", splits),
        name="Half test",
        protocol=TEST,
        dataset=dataset,
        results_dir=results,
    )
    pooled = splits["train"] + splits["validation"]
    cv_path, _ = add_submission(
        _predictions(tmp / "cv.jsonl", pooled),
        name="Oracle CV",
        protocol=CV,
        dataset=dataset,
        results_dir=results,
        url="https://example.org/cv",
        revision="v1",
    )
    return {"results": results, TEST: test_path, CV: cv_path}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_add_scores_the_predictions_itself_as_kotechnews_score_does(dataset, splits, tmp_path):
    predictions = _test_predictions(tmp_path / "pred.jsonl", splits)
    added = runner.invoke(
        app,
        [
            "leaderboard",
            "add",
            str(predictions),
            "--name",
            "KoBERT-CRF",
            "--protocol",
            "test",
            "--url",
            "https://example.org/code",
            "--revision",
            "3f2c1ab",
            "--dataset",
            str(dataset),
            "--results-dir",
            str(tmp_path / "results"),
        ],
    )
    assert added.exit_code == 0, added.output
    entry = _load(tmp_path / "results" / entry_filename("KoBERT-CRF"))
    assert (entry["name"], entry["url"], entry["revision"]) == (
        "KoBERT-CRF",
        "https://example.org/code",
        "3f2c1ab",
    )
    assert (entry["protocol"], entry["scored_by"]) == (TEST, SCORED_BY_SUBMISSION)
    assert entry["dataset"]["version"] == VERSION
    assert entry["gold"]["fingerprint"] == fingerprint(splits["test"])
    assert entry["bootstrap"]["samples"] == 1000
    strict = entry["tasks"]["entities"]["metrics"]["strict_f1"]
    assert 0 < strict["value"] < 1 and strict["ci"] is not None
    # the same file through `kotechnews score`, with train + validation as its --train
    train = _predictions(
        tmp_path / "train.jsonl", sorted(splits["train"] + splits["validation"], key=lambda d: d.id)
    )
    scored = runner.invoke(
        app,
        [
            "score",
            "--pred",
            str(predictions),
            "--split",
            "test",
            "--dataset",
            str(dataset),
            "--train",
            str(train),
            "--json",
        ],
    )
    assert scored.exit_code == 0, scored.output
    reference = json.loads(scored.stdout)
    assert entry["tasks"] == reference["tasks"]
    assert entry["gold"] == reference["gold"] and entry["submission"] == reference["submission"]
    assert entry["train"]["fingerprint"] == reference["train"]["fingerprint"]
    assert entry["warnings"] == reference["warnings"]


def test_add_refuses_a_result_json(dataset, stored, tmp_path):
    result = _load(stored[TEST])
    pretty, compact = tmp_path / "result.json", tmp_path / "compact.jsonl"
    pretty.write_text(json.dumps(result, indent=2), encoding="utf-8")
    compact.write_text(json.dumps(result), encoding="utf-8")
    for path in (pretty, compact):
        with pytest.raises(LeaderboardError) as caught:
            add_submission(
                path,
                name="self-scored",
                protocol=TEST,
                dataset=dataset,
                results_dir=tmp_path / "results",
            )
        (problem,) = caught.value.problems
        assert problem.startswith(
            f"{path}: this is a kotechnews-result/1 file (scores), not predictions"
        )
        assert "kotechnews leaderboard add PREDICTIONS.jsonl" in problem
    refused = runner.invoke(
        app,
        [
            "leaderboard",
            "add",
            str(pretty),
            "--name",
            "x",
            "--protocol",
            "test",
            "--dataset",
            str(dataset),
            "--results-dir",
            str(tmp_path / "results"),
        ],
    )
    assert refused.exit_code == 2 and "not predictions" in refused.stderr
    assert not (tmp_path / "results").exists()


def test_cross_validation_is_scored_against_train_and_validation_by_fold(
    dataset, splits, folds, tmp_path
):
    pooled = sorted(splits["train"] + splits["validation"], key=lambda d: d.id)
    left_out = min(folds.values())
    predictions = _predictions(
        tmp_path / "cv.jsonl", [d for d in pooled if folds[d.id] != left_out]
    )
    _, entry = add_submission(
        predictions, name="CV run", protocol=CV, dataset=dataset, results_dir=tmp_path / "results"
    )
    assert entry["protocol"] == CV and entry["train"] is None
    assert entry["gold"]["fingerprint"] == fingerprint(pooled)
    assert entry["gold"]["documents"] == len(pooled)
    assert [fold["fold"] for fold in entry["folds"]] == sorted(set(folds.values()))
    for fold in entry["folds"]:
        assert fold["documents"] == sum(1 for f in folds.values() if f == fold["fold"])
        expected = 0.0 if fold["fold"] == left_out else 1.0
        assert fold["headline"]["entities"]["strict_f1"] == expected
    # a test document is not in the cross-validation gold
    leaking = _predictions(tmp_path / "leak.jsonl", splits["test"][:1])
    with pytest.raises(LeaderboardError) as caught:
        add_submission(
            leaking, name="leak", protocol=CV, dataset=dataset, results_dir=tmp_path / "results"
        )
    assert caught.value.problems == [
        f"{leaking}:1: document {splits['test'][0].id!r}: id: unknown document id (not in the gold)"
    ]


def test_a_bad_submission_gets_the_scorers_errors_naming_the_line(dataset, splits, tmp_path):
    document = splits["test"][0].to_dict()
    document["entities"][0]["end"] = len(document["text"]) + 5
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(splits["test"][1].to_dict(), ensure_ascii=False)
        + "\n{not json\n"
        + json.dumps(document, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    added = runner.invoke(
        app,
        [
            "leaderboard",
            "add",
            str(path),
            "--name",
            "broken",
            "--protocol",
            "test",
            "--dataset",
            str(dataset),
            "--results-dir",
            str(tmp_path / "results"),
        ],
    )
    assert added.exit_code == 2
    errors = [line for line in added.stderr.splitlines() if line.startswith("error:")]
    assert errors[0].startswith(f"error: {path}:2: invalid JSON")
    assert errors[1].startswith(f"error: {path}:3: document {document['id']!r}: entities[0]")
    assert "outside the text" in errors[1]
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    "name, url, revision, message",
    [
        ("", None, None, "name: name is required"),
        (" padded", None, None, "name must not start or end with whitespace"),
        ("x" * 81, None, None, "name is longer than 80 characters"),
        ("two\nlines", None, None, "control or format characters"),
        ("ok", "javascript:alert(1)", None, "url: url must be an absolute http(s) URL"),
        ("ok", "https://example.org/a b", None, "must not contain spaces"),
        ("ok", None, "", "revision: revision must be a non-empty string or null"),
        ("ok", None, "abc ", "revision must not start or end with whitespace"),
        ("ok", None, "r" * 101, "revision is longer than 100 characters"),
        ("ok", None, "v1\u202e", "revision must not contain control or format characters"),
        ("ok", None, "v1\x1b[31m", "revision must not contain control or format characters"),
    ],
)
def test_add_validates_name_url_and_revision(
    dataset, splits, tmp_path, name, url, revision, message
):
    predictions = _test_predictions(tmp_path / "pred.jsonl", splits)
    with pytest.raises(LeaderboardError) as caught:
        add_submission(
            predictions,
            name=name,
            url=url,
            revision=revision,
            protocol=TEST,
            dataset=dataset,
            results_dir=tmp_path / "results",
        )
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
    assert not (tmp_path / "results").exists()


def test_add_refuses_a_silent_overwrite(dataset, splits, stored, tmp_path):
    results = tmp_path / "results"
    shutil.copytree(stored["results"], results)
    predictions = _test_predictions(tmp_path / "pred.jsonl", splits)
    before = stored[TEST].read_bytes()
    with pytest.raises(LeaderboardError, match="exists; pass --replace"):
        add_submission(
            predictions, name="Half test", protocol=TEST, dataset=dataset, results_dir=results
        )
    assert (results / stored[TEST].name).read_bytes() == before
    add_submission(
        predictions,
        name="Half test",
        protocol=TEST,
        dataset=dataset,
        results_dir=results,
        revision="v2",
        replace=True,
    )
    assert _load(results / stored[TEST].name)["revision"] == "v2"
    assert sorted(p.name for p in results.iterdir()) == sorted(
        p.name for p in stored["results"].iterdir()
    )  # no temp files left


def test_result_problems_name_every_field(stored):
    broken = {
        **_load(stored[TEST]),
        "format": "other",
        "date": 3,
        "protocol": "dev split",
        "scored_by": "me",
        "revision": 7,
    }
    broken["tasks"]["coref"] = {}
    broken["tasks"]["entities"]["metrics"]["strict_f1"] = {"value": "high", "ci": None}
    broken["tasks"]["claims"]["metrics"]["span_f1"]["ci"] = [0.1]
    del broken["name"]
    assert result_problems(broken) == [
        "format: expected 'kotechnews-result/1', got 'other'",
        "name: name is required (a non-empty string)",
        "revision: revision must be a non-empty string or null",
        "protocol: expected one of 'test split', 'cross-validation', got 'dev split'",
        "scored_by: expected 'kotechnews leaderboard add', 'kotechnews baseline run' or null, "
        "got 'me'",
        "date: expected an ISO 8601 string",
        "tasks.entities.metrics.strict_f1.value: expected a finite number",
        "tasks.claims.metrics.span_f1.ci: expected null or [low, high]",
        "tasks.coref: unknown task (known: entities, relations, claims)",
    ]


def test_filename_is_safe_for_hostile_names():
    name = entry_filename("../../etc/passwd " + HOSTILE)
    assert "/" not in name and name.endswith(".json") and not name.startswith(".")
    assert entry_filename(HOSTILE) != entry_filename(HOSTILE + " ")


def _copy(
    stored: dict,
    directory: Path,
    protocol: str,
    name: str,
    strict_f1: float,
    *,
    url=None,
    revision=None,
    **changes,
) -> None:
    data = {**_load(stored[protocol]), "name": name, "url": url, "revision": revision, **changes}
    data["tasks"]["entities"]["metrics"]["strict_f1"] = {
        "value": strict_f1,
        "ci": [strict_f1 - 0.1, strict_f1],
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / entry_filename(name)).write_text(json.dumps(data), encoding="utf-8")


def _section(markdown: str, heading: str) -> str:
    """The Markdown from a heading to the next heading."""
    start = markdown.index(heading + "\n")
    following = [markdown.find("\n#", start + len(heading))]
    return markdown[start : following[0] if following[0] != -1 else None]


def test_each_protocol_is_its_own_table(dataset, stored, tmp_path):
    out = tmp_path / "out"
    rendered = runner.invoke(
        app,
        [
            "leaderboard",
            "render",
            "--out",
            str(out),
            "--results-dir",
            str(stored["results"]),
            "--baselines-dir",
            str(tmp_path / "none"),
            "--dataset",
            str(dataset),
        ],
    )
    assert rendered.exit_code == 0, rendered.output
    markdown = (out / "LEADERBOARD.md").read_text(encoding="utf-8")
    for task in ("Entities", "Relations", "Numeric claims"):
        test_table = _section(markdown, f"### {task} — test split")
        cv_table = _section(markdown, f"### {task} — cross-validation")
        assert "| 1 | Half test | – | submission |" in test_table
        assert "Oracle CV" not in test_table
        assert "| 1 | [Oracle CV](https://example.org/cv) | v1 | submission |" in cv_table
        assert "Half test" not in cv_table
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('<table class="board"') == 6
    for task in ("entities", "relations", "claims"):
        assert f'id="board-{task}-test"' in page and f'id="board-{task}-cross-validation"' in page


def test_the_board_names_and_links_the_dataset_version(dataset, stored, tmp_path):
    out = tmp_path / "site" / "leaderboard"
    render(out, stored["results"], tmp_path / "none", dataset)
    markdown = (out / "LEADERBOARD.md").read_text(encoding="utf-8")
    link = re.search(
        rf"^Dataset: \[KoTechNews {re.escape(VERSION)}\]\(([^)]+)\)", markdown, re.MULTILINE
    )
    assert link and (out / link[1]).resolve() == (dataset / "README.md").resolve()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert f'<a href="{link[1]}">KoTechNews {VERSION}</a>' in page
    # in the repository: leaderboard/ links ../dataset/README.md; a Hub dataset its page
    in_repo = DatasetReference("dataset", VERSION, str(ROOT / "dataset" / "README.md"), {}, {})
    assert in_repo.card_href(ROOT / "leaderboard") == "../dataset/README.md"
    hub = DatasetReference("org/ktn", VERSION, "https://huggingface.co/datasets/org/ktn", {}, {})
    assert hub.card_href(ROOT / "leaderboard") == "https://huggingface.co/datasets/org/ktn"


def test_entries_on_other_gold_are_listed_apart_and_unranked(dataset, stored, tmp_path):
    results = tmp_path / "results"
    shutil.copytree(stored["results"], results)
    old_gold = {**_load(stored[TEST])["gold"], "fingerprint": "0" * 64}
    _copy(stored, results, TEST, "Earlier release", 0.99, gold=old_gold)
    entries = collect_entries(results, tmp_path / "none")
    board = next(
        b
        for b in boards(entries, dataset_reference(dataset))
        if (b.task, b.protocol) == ("entities", TEST)
    )
    assert [e.name for e in board.ranked] == ["Half test"]
    assert [e.name for e in board.other_gold] == ["Earlier release"]
    render(tmp_path / "out", results, tmp_path / "none", dataset)
    table = _section(
        (tmp_path / "out" / "LEADERBOARD.md").read_text(encoding="utf-8"),
        "### Entities — test split",
    )
    ranked, apart = table.split("Scored on other gold")
    assert "| 1 | Half test |" in ranked and "Earlier release" not in ranked
    assert "| – | Earlier release |" in apart
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'id="board-entities-test-other"' in page


def test_render_escapes_everything_from_result_files(dataset, stored, tmp_path):
    results = tmp_path / "results"
    _copy(
        stored,
        results,
        TEST,
        HOSTILE,
        0.7,
        url="https://example.org/x?a=1&b=(2)",
        revision="<b>|rev|</b>",
    )
    _copy(stored, results, TEST, "char-BIO", 0.5, scored_by=None)
    entries = collect_entries(results, tmp_path / "none")
    reference = dataset_reference(dataset)
    markdown = render_markdown(entries, reference, "../dataset/README.md")
    rows = [
        line
        for line in _section(markdown, "### Entities — test split").splitlines()
        if line.startswith(("| 1 ", "| 2 "))
    ]
    assert rows[0].startswith(
        "| 1 | [&lt;script&gt;alert\\(1\\)&lt;/script&gt;]"
        "(https://example.org/x?a=1&b=%282%29) | &lt;b&gt;\\|rev\\|"
        "&lt;/b&gt; | submission | 70.00 [60.00, 70.00]"
    )
    assert rows[1].startswith("| 2 | char-BIO | – | self-reported | 50.00 [40.00, 50.00]")
    assert "<script>" not in markdown and "<b>" not in markdown
    page = render_html(entries, reference, "../dataset/README.md")
    assert HOSTILE not in page and "<b>|rev|" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # only the page's own, pinned by its CSP hash
    assert 'href="https://example.org/x?a=1&amp;b=%282%29"' in page


def test_markdown_escape():
    assert markdown_escape("a|b *c* [d](e) <f> `g` _h_\nnext") == (
        "a\\|b \\*c\\* \\[d\\]\\(e\\) &lt;f&gt; \\`g\\` \\_h\\_ next"
    )


@pytest.mark.skipif(not BASELINE_RESULTS, reason="no stored baseline results")
def test_the_stored_baseline_results_still_render_under_their_protocol(dataset, tmp_path):
    """baselines/results as committed (protocol only in baseline.protocol in older files)."""
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    for path in BASELINE_RESULTS:
        shutil.copy(path, baselines)
    render(tmp_path / "out", tmp_path / "none", baselines, dataset)
    markdown = (tmp_path / "out" / "LEADERBOARD.md").read_text(encoding="utf-8")
    for path in BASELINE_RESULTS:
        data = _load(path)
        protocol = data.get("protocol", data["baseline"]["protocol"])
        other = CV if protocol == TEST else TEST
        name = markdown_escape(data["name"])
        assert name in _section(markdown, f"### Entities — {protocol}")
        assert name not in _section(markdown, f"### Entities — {other}")


def test_render_reports_every_invalid_file(dataset, stored, tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a.json").write_text("{", encoding="utf-8")
    data = {**_load(stored[TEST]), "name": None}
    (tmp_path / "results" / "b.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LeaderboardError) as caught:
        render(tmp_path / "out", tmp_path / "results", tmp_path / "none", dataset)
    assert len(caught.value.problems) == 2
    assert "a.json: not a JSON file" in caught.value.problems[0]
    assert "b.json: name: name is required" in caught.value.problems[1]
    assert not (tmp_path / "out").exists()


def test_render_without_a_dataset_fails_clearly(tmp_path):
    rendered = runner.invoke(
        app,
        [
            "leaderboard",
            "render",
            "--out",
            str(tmp_path / "out"),
            "--results-dir",
            str(tmp_path / "none"),
            "--baselines-dir",
            str(tmp_path / "none"),
            "--dataset",
            str(tmp_path / "missing"),
        ],
    )
    assert rendered.exit_code == 2
    assert "cannot read the dataset card" in rendered.stderr and "Traceback" not in rendered.output
    assert not (tmp_path / "out").exists()


def test_empty_leaderboard_renders_placeholders(dataset, tmp_path):
    render(tmp_path, tmp_path / "none", tmp_path / "none", dataset)
    assert (tmp_path / "LEADERBOARD.md").read_text().count("No entries yet.") == 6
    assert (tmp_path / "index.html").read_text().count("<table") == 6
