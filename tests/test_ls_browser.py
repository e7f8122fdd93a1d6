"""The labeling page in headless Chromium: a contributor logs in, opens a task pre-annotated by the
quantity finder, sees the Korean text and the labels, and selecting a QUANTITY region shows the
claim attributes (not the entity ones). Leaves test-artifacts/ls-labeling.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from kotechnews import schema
from kotechnews.labelstudio.workflow import push_documents, quantity_predictions

pytestmark = [pytest.mark.labelstudio, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACT = Path(__file__).resolve().parents[1] / "test-artifacts" / "ls-labeling.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def labeling_page(browser, server, project: int, task_id: int):
    """A new page, logged in to the server, on the labeling view of one task."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server.url}/user/login/")
    page.fill("input[name=email]", server.email)
    page.fill("input[name=password]", server.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/login" not in url)
    page.goto(f"{server.url}/projects/{project}/data?task={task_id}")
    return page


def test_labeling_page_shows_korean_text_labels_and_claim_controls(
    label_studio_server, ls_client, ls_project, ingested_documents
):
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/install-test-deps.sh", pytrace=False)
    from playwright.sync_api import sync_playwright

    doc = ingested_documents[0]
    [task_id] = push_documents(
        ls_client, ls_project, [doc], quantity_predictions([doc])
    ).created_task_ids
    first_line = doc.text.split("\n")[0]
    server = label_studio_server
    with sync_playwright() as playwright:
        # launch() gives the browser a fresh temporary profile of its own.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = labeling_page(browser, server, ls_project, task_id)
            text = page.locator(".lsf-htx-richtext").first
            text.wait_for(timeout=60_000)
            assert first_line in text.inner_text()
            for name in schema.SPAN_LABEL_NAMES:
                # The label bar renders after the text; under load it can lag behind it.
                page.get_by_text(name, exact=True).first.wait_for(state="visible", timeout=30_000)

            claim_header = page.get_by_text("quantity_type: 수치 유형", exact=False)
            entity_header = page.get_by_text("canonical_id: 개체 ID", exact=False)
            assert not claim_header.is_visible()
            first_quantity = quantity_predictions([doc])[doc.id]["result"][0]["value"]["text"]
            page.locator(".lsf-htx-richtext").get_by_text(first_quantity).first.click()
            claim_header.wait_for(state="visible")
            assert not entity_header.is_visible()
            ARTIFACT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACT))
        finally:
            browser.close()
