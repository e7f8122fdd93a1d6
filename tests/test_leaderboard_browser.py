"""The rendered leaderboard page in headless Chromium: one table per protocol and task, header
clicks sort one table and leave the others alone, a hostile entry name shows as text and runs
nothing. Leaves test-artifacts/leaderboard.png."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kotechnews.jsonio import atomic_write_text
from kotechnews.leaderboard import (
    PROTOCOLS,
    DatasetReference,
    collect_entries,
    entry_filename,
    render_html,
)
from kotechnews.scoring.evaluate import Corpus, score
from kotechnews.scoring.submission import load_gold, load_submission

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "submission.example.jsonl"
HOSTILE = "<script>alert(1)</script>"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"
    ),
]


TEST, CV = PROTOCOLS["test"], PROTOCOLS["cross-validation"]
ENTRIES = (
    (HOSTILE, TEST, 0.62, "https://example.org/?q=<b>"),
    ("Alpha tagger", TEST, 0.81, None),
    ("Zeta tagger", TEST, 0.40, None),
    ("Fold tagger", CV, 0.95, None),
    ("Pooled tagger", CV, 0.30, None),
)


@pytest.fixture
def page_path(tmp_path) -> Path:
    gold = load_gold(EXAMPLE)
    corpus = Corpus(gold, str(EXAMPLE))
    base = score(corpus, load_submission(EXAMPLE, gold), n_bootstrap=20)
    results = tmp_path / "results"
    results.mkdir()
    for name, protocol, strict_f1, url in ENTRIES:
        data = json.loads(json.dumps(base))
        data.update(
            name=name,
            url=url,
            protocol=protocol,
            revision="r1",
            scored_by="kotechnews leaderboard add",
        )
        data["tasks"]["entities"]["metrics"]["strict_f1"] = {
            "value": strict_f1,
            "ci": [strict_f1 - 0.05, strict_f1 + 0.05],
        }
        (results / entry_filename(name)).write_text(json.dumps(data), encoding="utf-8")
    # the example's gold stands in for the dataset of both protocols
    fingerprint = corpus.describe()["fingerprint"]
    dataset = DatasetReference(
        "example",
        "9.9.9",
        str(tmp_path / "dataset" / "README.md"),
        {TEST: fingerprint, CV: fingerprint},
        {TEST: 3, CV: 3},
    )
    page = tmp_path / "site" / "index.html"
    atomic_write_text(
        page,
        render_html(collect_entries(results, tmp_path / "none"), dataset, "../dataset/README.md"),
    )
    return page


def _names(page, table: str) -> list[str]:
    return page.locator(f"#board-{table} tbody tr td:nth-child(2)").all_inner_texts()


def test_leaderboard_page_in_chromium(page_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    dialogs, errors = [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(page_path.as_uri())
            assert page.locator("table.board").count() == 6
            for task in ("entities", "relations", "claims"):
                assert page.locator(f"#board-{task}-test tbody tr").count() == 3
                assert page.locator(f"#board-{task}-cross-validation tbody tr").count() == 2
            assert page.locator("#dataset a").inner_text() == "KoTechNews 9.9.9"
            # rendered best first on the headline metric, each protocol on its own
            assert _names(page, "entities-test") == ["Alpha tagger", HOSTILE, "Zeta tagger"]
            assert _names(page, "entities-cross-validation") == ["Fold tagger", "Pooled tagger"]
            # the hostile name is text, not markup
            assert page.locator("table.board script").count() == 0
            assert page.get_by_text(HOSTILE, exact=True).count() == 3
            header = page.locator("#board-entities-test th", has_text="Name")
            header.locator("button").click()
            assert _names(page, "entities-test") == [HOSTILE, "Alpha tagger", "Zeta tagger"]
            assert header.get_attribute("aria-sort") == "ascending"
            header.locator("button").click()
            assert _names(page, "entities-test") == ["Zeta tagger", "Alpha tagger", HOSTILE]
            strict = page.locator("#board-entities-test th", has_text="strict_f1")
            strict.locator("button").click()  # a numeric column sorts best first
            assert _names(page, "entities-test") == ["Alpha tagger", HOSTILE, "Zeta tagger"]
            assert strict.get_attribute("aria-sort") == "descending"
            assert header.get_attribute("aria-sort") is None
            strict.locator("button").click()
            assert _names(page, "entities-test") == ["Zeta tagger", HOSTILE, "Alpha tagger"]
            # sorting one table leaves the other protocol's table as it was
            assert _names(page, "entities-cross-validation") == ["Fold tagger", "Pooled tagger"]
            cv_strict = page.locator("#board-entities-cross-validation th", has_text="strict_f1")
            assert cv_strict.get_attribute("aria-sort") == "descending"
            cv_strict.locator("button").click()
            assert _names(page, "entities-cross-validation") == ["Pooled tagger", "Fold tagger"]
            assert _names(page, "entities-test") == ["Zeta tagger", HOSTILE, "Alpha tagger"]
            artifacts = ROOT / "test-artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "leaderboard.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == [] and errors == []
    assert (ROOT / "test-artifacts" / "leaderboard.png").stat().st_size > 0
