"""`kotechnews ls` end to end: environment-only settings, clear errors, setup/push/pull."""

from __future__ import annotations

import json
import uuid

import pytest
from label_studio_sdk import LabelStudio
from typer.testing import CliRunner

from kotechnews.cli import app
from kotechnews.jsonio import write_jsonl
from labelstudio_server import free_port

runner = CliRunner()


def test_missing_environment_is_a_clear_error(tmp_path):
    result = runner.invoke(
        app,
        ["ls", "pull", "--out", str(tmp_path / "out")],
        env={"LABEL_STUDIO_URL": "", "LABEL_STUDIO_API_KEY": ""},
    )
    assert result.exit_code == 1
    assert "missing environment variables LABEL_STUDIO_URL, LABEL_STUDIO_API_KEY" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_bad_documents_file_names_record_and_field(tmp_path):
    documents = tmp_path / "documents.jsonl"
    write_jsonl(
        documents,
        [{"id": "a", "text": "가나다", "sentences": []}, {"id": "b", "text": "", "sentences": []}],
    )
    result = runner.invoke(
        app,
        ["ls", "push", str(documents)],
        env={"LABEL_STUDIO_URL": "http://127.0.0.1:9", "LABEL_STUDIO_API_KEY": "k"},
    )
    assert result.exit_code == 1
    assert f"{documents}: record 2 (id 'b'): field 'text'" in result.output.replace("\n", "")


def test_paragraphs_of_a_documents_file_are_checked_when_present(tmp_path):
    documents = tmp_path / "documents.jsonl"
    sentence = {"start": 0, "end": 3}
    write_jsonl(
        documents,
        [
            {"id": "a", "text": "가나다", "sentences": [sentence]},  # an older ingest: none
            {"id": "b", "text": "가나다", "sentences": [sentence], "paragraphs": [[0, 3]]},
        ],
    )
    result = runner.invoke(
        app,
        ["ls", "push", str(documents)],
        env={"LABEL_STUDIO_URL": "http://127.0.0.1:9", "LABEL_STUDIO_API_KEY": "k"},
    )
    assert result.exit_code == 1
    assert f"{documents}: record 2 (id 'b'): field 'paragraphs'" in " ".join(result.output.split())


def test_server_down_names_url_and_operation(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(
        app,
        ["ls", "--attempts", "2", "--backoff", "0", "pull", "--out", str(tmp_path / "out")],
        env={"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": "secret-key-123"},
    )
    assert result.exit_code == 1
    output = result.output.replace("\n", "")
    assert (
        f"error: Label Studio at {url}: find project 'KoTechNews' failed after 2 attempts" in output
    )
    assert "warning: find project 'KoTechNews': attempt 1 failed" in output
    assert "secret-key-123" not in output and not (tmp_path / "out").exists()


@pytest.mark.labelstudio
def test_setup_push_pull(ls_settings, ingested_documents, tmp_path):
    env = {"LABEL_STUDIO_URL": ls_settings.url, "LABEL_STUDIO_API_KEY": ls_settings.api_key}
    title = f"cli-{uuid.uuid4().hex[:8]}"
    documents = tmp_path / "documents.jsonl"
    write_jsonl(documents, (document.row() for document in ingested_documents))

    def run(*args: str):
        result = runner.invoke(app, ["ls", *args], env=env)
        assert ls_settings.api_key not in result.output
        return result

    result = run("push", str(documents), "--title", title)
    assert result.exit_code == 1 and "run `kotechnews ls setup` first" in result.output
    result = run("setup", "--title", title)
    assert (
        result.exit_code == 0
        and f"project '{title}'" in result.output
        and "created" in result.output
    )
    assert "unchanged" in run("setup", "--title", title).output
    result = run("push", str(documents), "--title", title, "--predictions", "quantity")
    assert result.exit_code == 0, result.output
    assert f"created {len(ingested_documents)} tasks; 0 already in the project" in result.output
    result = run("push", str(documents), "--title", title, "--predictions", "quantity")
    assert f"created 0 tasks; {len(ingested_documents)} already in the project" in result.output
    assert run("push", str(documents), "--title", title, "--predictions", "nope").exit_code == 1

    out = tmp_path / "pulled"
    result = run("pull", "--out", str(out), "--title", title, "--num-proc", "2")
    assert result.exit_code == 0, result.output
    assert f"{len(ingested_documents)} tasks, 0 gold records" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "conflicts.json",
        "export.json",
        "gold.jsonl",
        "report.json",
    ]
    export = json.loads((out / "export.json").read_text())
    assert all(task["predictions"] for task in export)
    for path in out.iterdir():
        assert ls_settings.api_key not in path.read_text()

    # An annotation Label Studio accepted but the validator rejects: outputs written, exit 1.
    sdk = LabelStudio(base_url=ls_settings.url, api_key=ls_settings.api_key)
    sdk.annotations.create(
        id=export[0]["id"],
        result=[
            {
                "id": "x1",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": 0,
                    "end": 2,
                    "text": export[0]["data"]["text"][:2],
                    "labels": ["COMPANY"],
                },
            }
        ],
    )
    result = run("pull", "--out", str(out), "--title", title)
    assert result.exit_code == 1
    assert "unknown label 'COMPANY'" in result.output and "1 validation problems" in result.output
    assert json.loads((out / "conflicts.json").read_text())["invalid"][0]["task"] == export[0]["id"]
