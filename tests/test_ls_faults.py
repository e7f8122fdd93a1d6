"""Server faults: bounded retries with backoff, then one clear error naming URL and operation;
a failed pull leaves its output directory untouched."""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kotechnews.labelstudio import convert
from kotechnews.labelstudio.client import LabelStudioClient, LabelStudioError, RetryPolicy
from kotechnews.labelstudio.config import ServerSettings
from kotechnews.labelstudio.workflow import pull, push_export
from labelstudio_server import free_port, synthetic_record

pytestmark = pytest.mark.labelstudio

FAST = RetryPolicy(attempts=3, initial_delay=0.05, max_delay=1.0, timeout=1.0)


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_unreachable_server_is_retried_with_backoff_then_named():
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    retries = []
    client = LabelStudioClient(
        ServerSettings(url, "token"),
        FAST,
        on_retry=lambda op, n, reason, delay: retries.append((n, delay)),
    )
    with pytest.raises(LabelStudioError) as caught:
        client.find_project("KoTechNews")
    error = caught.value
    assert error.attempts == 3 and retries == [(1, 0.05), (2, 0.1)]
    assert str(error).startswith(
        f"Label Studio at {url}: find project 'KoTechNews' failed after 3 attempts"
    )
    assert "cannot reach the server (ConnectError" in str(error)


def test_wrong_api_key_is_retried_then_reported_without_the_key(ls_settings):
    wrong = "not-the-key-" + "0" * 20
    client = LabelStudioClient(ServerSettings(ls_settings.url, wrong), FAST)
    with pytest.raises(LabelStudioError) as caught:
        client.find_project("KoTechNews")
    assert caught.value.attempts == 3
    assert all(
        r.startswith("HTTP 401 unauthorized: check LABEL_STUDIO_API_KEY")
        for r in caught.value.reasons
    )
    assert ls_settings.url in str(caught.value) and wrong not in str(caught.value)


class _Unavailable(BaseHTTPRequestHandler):
    requests = 0

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).requests += 1
        body = b'{"detail": "maintenance"}'
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_server_errors_are_retried_then_reported():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(LabelStudioError) as caught:
            LabelStudioClient(ServerSettings(url, "token"), FAST).get_project(1)
    finally:
        server.shutdown()
        thread.join()
    assert _Unavailable.requests == 3
    assert caught.value.reasons == ['HTTP 503: {"detail": "maintenance"}'] * 3
    assert f"Label Studio at {url}: get project 1 failed" in str(caught.value)


def test_a_bad_request_is_not_retried(ls_settings):
    client = LabelStudioClient(ls_settings, FAST)
    with pytest.raises(LabelStudioError) as caught:
        client.create_project("broken", "<View><Text name='text' value='$text'")
    assert caught.value.attempts == 1 and caught.value.reasons[0].startswith("HTTP 400")


def test_server_stopped_mid_pull_leaves_the_output_untouched(
    label_studio_server, ls_settings, ls_client, ls_project, ingested_documents, tmp_path
):
    doc = ingested_documents[0]
    push_export(
        ls_client,
        ls_project,
        [
            {
                "data": doc.task_data(),
                "annotations": [{"result": convert.result_from_record(synthetic_record(doc))}],
            }
        ],
        "synthetic",
    )
    out = tmp_path / "pull"
    out.mkdir()
    (out / "export.json").write_text("previous pull\n")
    (out / "notes.txt").write_text("kept\n")
    before = _snapshot(out)

    operations = []

    def stop_before_download(operation: str, attempt: int) -> None:
        operations.append((operation.split(" ")[0], attempt))
        if operation.startswith("download export") and attempt == 1:
            os.killpg(label_studio_server.pid, signal.SIGSTOP)

    client = LabelStudioClient(ls_settings, FAST, on_attempt=stop_before_download)
    try:
        with pytest.raises(LabelStudioError) as caught:
            pull(client, ls_project, out)
    finally:
        os.killpg(label_studio_server.pid, signal.SIGCONT)
    error = caught.value
    assert error.operation.startswith("download export") and error.attempts == 3
    assert all(reason.startswith("no answer within 1 s") for reason in error.reasons)
    assert operations[-3:] == [("download", 1), ("download", 2), ("download", 3)]
    assert _snapshot(out) == before  # no output, no temporary file

    # The server resumes and the same pull then completes.
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{ls_settings.url}/health", timeout=2).close()
            break
        except OSError:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    result = pull(ls_client, ls_project, out)
    assert len(result.adjudication.gold) == 1
    assert (out / "notes.txt").read_text() == "kept\n"
