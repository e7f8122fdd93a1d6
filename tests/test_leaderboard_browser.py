"""The rendered leaderboard page in headless Chromium: tables present, header clicks sort, a
hostile entry name shows as text and runs nothing. Leaves test-artifacts/leaderboard.png."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kotechnews.leaderboard import entry_filename, render
from kotechnews.scoring.evaluate import Corpus, score
from kotechnews.scoring.submission import load_gold, load_submission

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "submission.example.jsonl"
HOSTILE = "<script>alert(1)</script>"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at "
                                                     "/usr/bin/chromium"),
]


@pytest.fixture
def page_path(tmp_path) -> Path:
    gold = load_gold(EXAMPLE)
    base = score(Corpus(gold, str(EXAMPLE)), load_submission(EXAMPLE, gold), n_bootstrap=20)
    results = tmp_path / "results"
    results.mkdir()
    for name, strict_f1, url in ((HOSTILE, 0.62, "https://example.org/?q=<b>"),
                                 ("Alpha tagger", 0.81, None), ("Zeta tagger", 0.40, None)):
        data = json.loads(json.dumps(base))
        data.update(name=name, url=url)
        data["tasks"]["entities"]["metrics"]["strict_f1"] = {"value": strict_f1,
                                                             "ci": [strict_f1 - 0.05,
                                                                    strict_f1 + 0.05]}
        (results / entry_filename(name)).write_text(json.dumps(data), encoding="utf-8")
    render(tmp_path / "site", results, tmp_path / "no-baselines")
    return tmp_path / "site" / "index.html"


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
            assert page.locator("table.board").count() == 3
            for task in ("entities", "relations", "claims"):
                assert page.locator(f"#board-{task} tbody tr").count() == 3
            # rendered best first on the headline metric
            assert _names(page, "entities") == ["Alpha tagger", HOSTILE, "Zeta tagger"]
            # the hostile name is text, not markup
            assert page.locator("#board-entities script").count() == 0
            assert page.get_by_text(HOSTILE, exact=True).count() == 3
            header = page.locator("#board-entities th", has_text="Name")
            header.locator("button").click()
            assert _names(page, "entities") == [HOSTILE, "Alpha tagger", "Zeta tagger"]
            assert header.get_attribute("aria-sort") == "ascending"
            header.locator("button").click()
            assert _names(page, "entities") == ["Zeta tagger", "Alpha tagger", HOSTILE]
            strict = page.locator("#board-entities th", has_text="strict_f1")
            strict.locator("button").click()  # a numeric column sorts best first
            assert _names(page, "entities") == ["Alpha tagger", HOSTILE, "Zeta tagger"]
            assert strict.get_attribute("aria-sort") == "descending"
            assert header.get_attribute("aria-sort") is None
            strict.locator("button").click()
            assert _names(page, "entities") == ["Zeta tagger", HOSTILE, "Alpha tagger"]
            artifacts = ROOT / "test-artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "leaderboard.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == [] and errors == []
    assert (ROOT / "test-artifacts" / "leaderboard.png").stat().st_size > 0
