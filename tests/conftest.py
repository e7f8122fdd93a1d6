"""Shared fixtures. Label Studio: one real server per test session (see labelstudio_server.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from kotechnews.labelstudio.client import LabelStudioClient, RetryPolicy
from kotechnews.labelstudio.config import ServerSettings
from kotechnews.labelstudio.workflow import setup_project
from kotechnews.layout import Layout

ROOT = Path(__file__).resolve().parents[1]
PROJECT = Layout(ROOT)  # the checkout these tests are in
# Small retry policy: tests see the retries happen without waiting long for them.
TEST_RETRY = RetryPolicy(attempts=3, initial_delay=0.05, max_delay=0.2, timeout=30.0)


@pytest.fixture(scope="session")
def label_studio_server(tmp_path_factory):
    """A Label Studio server on 127.0.0.1, started from a fresh copy of the initialised template.
    Fails (never skips) when label-studio is not installed, saying how to install it."""
    from labelstudio_server import LabelStudioUnavailable, start_server

    try:
        server = start_server(tmp_path_factory.mktemp("label-studio"))
    except LabelStudioUnavailable as exc:
        unavailable = str(exc)
    else:
        unavailable = None
    if unavailable:
        pytest.fail(unavailable, pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ls_settings(label_studio_server) -> ServerSettings:
    return ServerSettings(url=label_studio_server.url, api_key=label_studio_server.token)


@pytest.fixture
def ls_client(ls_settings) -> LabelStudioClient:
    return LabelStudioClient(ls_settings, TEST_RETRY)


@pytest.fixture
def ls_project(ls_client) -> int:
    """A new, empty KoTechNews project (unique title) on the session server."""
    return setup_project(ls_client, f"test-{uuid.uuid4().hex[:10]}").project_id


@pytest.fixture(scope="session")
def ingested_documents(tmp_path_factory) -> list[dict]:
    """The seed articles of annotation/raw, ingested as `kotechnews ingest` would."""
    from kotechnews.ingest import ingest_directory

    out = tmp_path_factory.mktemp("ingested")
    return [a.document for a in ingest_directory(PROJECT.raw, out)]
