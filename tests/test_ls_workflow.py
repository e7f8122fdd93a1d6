"""setup / push / pull / adjudicate against a real Label Studio server."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from label_studio_sdk import LabelStudio

from kotechnews import agreement
from kotechnews.jsonio import read_jsonl
from kotechnews.labelstudio import convert, workflow
from kotechnews.labelstudio.client import LabelStudioClient
from kotechnews.labelstudio.config import ServerSettings
from kotechnews.labelstudio.workflow import (
    QUANTITY_MODEL_VERSION,
    pull,
    push_documents,
    push_export,
    push_tasks,
    quantity_predictions,
)
from kotechnews.quantity import find_quantities
from kotechnews.records import AnnotatedDocument
from labelstudio_server import synthetic_record

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "annotation" / "gold"


@pytest.fixture
def sdk(ls_settings) -> LabelStudio:
    return LabelStudio(base_url=ls_settings.url, api_key=ls_settings.api_key)


def _gold_files() -> list[Path]:
    files = sorted(GOLD_DIR.glob("*.json"))
    committed = subprocess.run(
        ["git", "ls-files", "annotation/gold"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert committed, "no gold committed under annotation/gold"
    assert {ROOT / name for name in committed if name.endswith(".json")} <= set(files)
    return files


def _records(path: Path) -> dict[str, dict]:
    return {row["id"]: row for row in read_jsonl(path)}


def test_push_is_idempotent_with_quantity_predictions(ls_client, ls_project, ingested_documents):
    docs = ingested_documents
    predictions = quantity_predictions(docs)
    first = push_documents(ls_client, ls_project, docs, predictions)
    assert len(first.created_task_ids) == len(docs) and first.already_present == []
    again = push_documents(ls_client, ls_project, docs, predictions)
    assert again.created_task_ids == []
    assert again.already_present == sorted(d.id for d in docs)
    assert sorted(ls_client.task_ids_by_doc_id(ls_project)) == sorted(d.id for d in docs)

    exported = {t["data"]["doc_id"]: t for t in ls_client.export_tasks(ls_project)}
    assert len(exported) == len(docs)
    for doc in docs:
        task = exported[doc.id]
        assert task["data"] == doc.task_data()
        [prediction] = task["predictions"]
        assert prediction["model_version"] == QUANTITY_MODEL_VERSION
        claims = convert.record_from_result(task["data"], prediction["result"]).claims
        found = find_quantities(doc.text)
        assert [
            (c.start, c.end, c.value, c.low, c.high, c.unit, c.approximate) for c in claims
        ] == [(q.start, q.end, q.value, q.low, q.high, q.unit, q.approximate) for q in found]
    assert sum(len(find_quantities(d.text)) for d in docs) > 0


def test_gold_round_trip_is_identical(ls_client, ls_project, tmp_path):
    expected: dict[str, dict] = {}
    for path in _gold_files():
        tasks = json.loads(path.read_text(encoding="utf-8"))
        for task in tasks:
            [annotation] = [a for a in task["annotations"] if not a.get("was_cancelled")]
            expected[task["data"]["doc_id"]] = convert.record_from_result(
                task["data"], annotation["result"]
            ).to_dict()
        push_export(ls_client, ls_project, tasks, str(path))
    result = pull(ls_client, ls_project, tmp_path)
    assert result.adjudication.problems == []
    assert {o.outcome for o in result.adjudication.outcomes} == {"gold"}
    assert _records(tmp_path / "gold.jsonl") == expected
    # One export per article, named like the gold files, with the same annotation results.
    articles = tmp_path / workflow.ARTICLES_DIR
    assert sorted(p.name for p in articles.iterdir()) == [p.name for p in _gold_files()]
    for path in _gold_files():
        [pulled] = json.loads((articles / path.name).read_text(encoding="utf-8"))
        [original] = json.loads(path.read_text(encoding="utf-8"))
        assert pulled["data"] == original["data"]
        assert [a["result"] for a in pulled["annotations"]] == [
            a["result"] for a in original["annotations"]
        ]


def test_synthetic_round_trip_is_identical(ls_client, ls_project, ingested_documents, tmp_path):
    records = [synthetic_record(doc, seed=n) for n, doc in enumerate(ingested_documents)]
    assert all(r.entities and r.relations for r in records)
    # every text in which the quantity finder reads an amount with a unit gets claims
    assert all(r.claims or not any(q.unit for q in find_quantities(r.text)) for r in records)
    assert sum(bool(r.claims) for r in records) > len(records) / 2
    tasks = [
        {"data": doc.task_data(), "annotations": [{"result": convert.result_from_record(r)}]}
        for doc, r in zip(ingested_documents, records)
    ]
    push_export(ls_client, ls_project, tasks, "synthetic")
    result = pull(ls_client, ls_project, tmp_path)
    assert [o.detail for o in result.adjudication.outcomes] == ["single"] * len(records)
    assert _records(tmp_path / "gold.jsonl") == {r.id: r.to_dict() for r in records}


def _second_opinion(record: AnnotatedDocument) -> AnnotatedDocument:
    """The same annotation with three differences: one relation fewer, another modality on the
    first claim, another canonical id on the first entity that has one."""
    other = copy.deepcopy(record)
    other.relations.pop()
    claim = other.claims[0]
    claim.modality = next(m for m in ("ACTUAL", "PLANNED") if m != claim.modality)
    entity = next(e for e in other.entities if e.canonical_id)
    entity.canonical_id += "-other"
    return other


def test_two_annotators_agreement_and_adjudication(ls_client, ls_project, sdk, tmp_path):
    gold_task = json.loads(_gold_files()[0].read_text(encoding="utf-8"))[0]
    first = convert.record_from_result(gold_task["data"], gold_task["annotations"][0]["result"])
    second = _second_opinion(first)
    twin = {**gold_task["data"], "doc_id": gold_task["data"]["doc_id"] + "-twin"}
    disputed_id, agreed_id = push_tasks(
        ls_client, ls_project, [{"data": gold_task["data"]}, {"data": twin}]
    ).created_task_ids
    email = f"annotator-{uuid.uuid4().hex[:8]}@example.com"
    user = sdk.users.create(username=email.split("@")[0], email=email, password=uuid.uuid4().hex)
    sdk.annotations.create(id=disputed_id, result=convert.result_from_record(first))
    mine = sdk.annotations.create(
        id=disputed_id, result=convert.result_from_record(second), completed_by=user.id
    )
    sdk.annotations.create(id=disputed_id, result=[], was_cancelled=True, completed_by=user.id)
    sdk.annotations.create(id=agreed_id, result=convert.result_from_record(first))
    sdk.annotations.create(
        id=agreed_id, result=convert.result_from_record(first), completed_by=user.id
    )

    result = pull(ls_client, ls_project, tmp_path)
    adj = result.adjudication
    exported_ids = sorted(
        a["id"]
        for t in json.loads((tmp_path / "export.json").read_text())
        for a in t["annotations"]
    )
    assert sorted(o.annotation for o in adj.outcomes) == exported_ids == sorted(set(exported_ids))
    assert len(exported_ids) == 5

    [conflict] = json.loads((tmp_path / "conflicts.json").read_text())["conflicts"]
    assert conflict["task"] == disputed_id
    assert {a["annotator"] for a in conflict["annotations"]} == {"admin@example.com", email}
    [diff] = conflict["disagreements"]
    assert sorted(item["kind"] for item in diff["items"]) == [
        "canonical_id",
        "claim_field",
        "relation",
    ]
    cancelled = json.loads((tmp_path / "conflicts.json").read_text())["cancelled"]
    assert [(c["task"], c["annotator"]) for c in cancelled] == [(disputed_id, email)]

    # Only the agreed task becomes gold; its text is the disputed one's.
    gold = _records(tmp_path / "gold.jsonl")
    assert list(gold) == [twin["doc_id"]]
    assert {o.outcome for o in adj.outcomes if o.task == agreed_id} == {"gold", "agrees_with_gold"}

    rows = {row["task"]: row for row in adj.agreement}
    n = len(first.relations)
    assert rows[disputed_id]["entity_f1"] == 1.0
    assert rows[disputed_id]["relation_f1"] == pytest.approx(2 * (n - 1) / (2 * n - 1))
    assert rows[disputed_id]["claim_value_agreement"] == 1.0
    assert rows[agreed_id] | {"task": 0, "doc_id": "", "a": 0, "b": 0} == {
        "task": 0,
        "doc_id": "",
        "a": 0,
        "b": 0,
        "entity_f1": 1.0,
        "relation_f1": 1.0,
        "claim_span_f1": 1.0,
        "claim_value_agreement": 1.0,
    }
    progress = {row["annotator"]: row for row in adj.annotators}
    assert (
        progress[email]["tasks_done"],
        progress[email]["annotations"],
        progress[email]["cancelled"],
    ) == (2, 2, 1)
    assert progress[email]["last_activity"] is not None
    assert (
        progress["admin@example.com"]["tasks_done"],
        progress["admin@example.com"]["annotations"],
    ) == (2, 2)

    # A reviewer marks the second opinion as ground truth: it wins, the other is superseded.
    sdk.annotations.update(id=mine.id, ground_truth=True)
    again = pull(ls_client, ls_project, tmp_path)
    assert again.adjudication.conflicts == []
    gold = _records(tmp_path / "gold.jsonl")
    assert (
        gold[gold_task["data"]["doc_id"]]
        == convert.record_from_result(
            gold_task["data"], convert.result_from_record(second)
        ).to_dict()
    )
    assert (
        agreement.disagreements(
            AnnotatedDocument.from_dict(gold[gold_task["data"]["doc_id"]]), second
        )
        == []
    )
    outcomes = {
        o.annotation: o.outcome for o in again.adjudication.outcomes if o.task == disputed_id
    }
    assert sorted(outcomes.values()) == ["cancelled", "gold", "superseded"]
    assert outcomes[mine.id] == "gold"


def test_invalid_annotations_are_reported_not_converted(
    ls_client, ls_project, sdk, tmp_path, ingested_documents
):
    doc = ingested_documents[0]
    good, bad = synthetic_record(doc), synthetic_record(doc, seed=7)
    broken = convert.result_from_record(bad)
    broken[0]["value"]["labels"] = ["COMPANY"]  # Label Studio stores unknown labels...
    broken[1]["value"]["end"] = len(doc.text) + 5  # ...and offsets past the text
    [task_id] = push_tasks(ls_client, ls_project, [{"data": doc.task_data()}]).created_task_ids
    sdk.annotations.create(id=task_id, result=convert.result_from_record(good))
    invalid = sdk.annotations.create(id=task_id, result=broken)

    adj = pull(ls_client, ls_project, tmp_path).adjudication
    export_path = str(tmp_path / "export.json")
    assert adj.problems and all(p.file == export_path and p.task == doc.id for p in adj.problems)
    fields = {p.field for p in adj.problems}
    assert "value.labels" in fields and any("start/end" in f for f in fields)
    [reported] = json.loads((tmp_path / "conflicts.json").read_text())["invalid"]
    assert reported["annotation"] == invalid.id and "COMPANY" in reported["detail"]
    assert _records(tmp_path / "gold.jsonl") == {doc.id: good.to_dict()}


def test_missing_project_is_a_clear_error(ls_client):
    with pytest.raises(
        workflow.WorkflowError, match="no project titled 'absent-.*kotechnews ls setup"
    ):
        workflow.project_id(ls_client, f"absent-{uuid.uuid4().hex}")


def test_setup_updates_an_outdated_config_and_is_then_unchanged(ls_client):
    title = f"test-{uuid.uuid4().hex[:10]}"
    project = ls_client.create_project(title, "<View><Text name='text' value='$text'/></View>")
    assert workflow.setup_project(ls_client, title).action == "updated"
    assert workflow.setup_project(ls_client, title) == workflow.SetupResult(
        project["id"], title, "unchanged"
    )


def test_personal_access_token_works(ls_settings):
    """CONTRIBUTING.md has contributors create a personal access token (a JWT refresh token that
    the SDK exchanges for access tokens), not the legacy token the test server is preset with."""
    created = httpx.post(
        f"{ls_settings.url}/api/token/", headers={"Authorization": f"Token {ls_settings.api_key}"}
    )
    assert created.status_code == 201, created.text
    client = LabelStudioClient(ServerSettings(ls_settings.url, created.json()["token"]))
    title = f"test-{uuid.uuid4().hex[:10]}"
    assert workflow.setup_project(client, title).action == "created"


def test_contributing_path_end_to_end(ls_client, ls_project, sdk, tmp_path):
    """CONTRIBUTING.md steps 4-7 on a real server: a raw article and its metadata row are ingested,
    pushed with quantity pre-annotations, annotated as a contributor does (a plain submitted
    annotation, not ground truth), pulled; the article file goes into the gold, which validates, is
    complete and builds."""
    from kotechnews.annotation import completeness_gaps
    from kotechnews.gold import load_gold
    from kotechnews.hfdataset.build import build_from_gold
    from kotechnews.ingest import ingest_directory
    from kotechnews.jsonio import write_jsonl
    from kotechnews.labelstudio.validate import validate_paths

    name = "wikinews_040_6c5c9aa9"  # a committed article stands in for the contributor's new one
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / f"{name}.txt").write_bytes((ROOT / "annotation" / "raw" / f"{name}.txt").read_bytes())
    write_jsonl(
        raw / "metadata.jsonl",
        [
            row
            for row in read_jsonl(ROOT / "annotation" / "raw" / "metadata.jsonl")
            if row["source_file"] == f"{name}.txt"
        ],
    )
    [article] = [a.document for a in ingest_directory(raw, tmp_path / "ingested")]
    push_documents(ls_client, ls_project, [article], quantity_predictions([article]))
    [task_id] = ls_client.task_ids_by_doc_id(ls_project).values()
    [committed] = json.loads((GOLD_DIR / f"{name}.json").read_text(encoding="utf-8"))
    [reading] = committed["annotations"]
    sdk.annotations.create(id=task_id, result=reading["result"])  # the contributor submits

    result = pull(ls_client, ls_project, tmp_path / "pull")
    assert [o.outcome for o in result.adjudication.outcomes] == ["gold"]
    gold = tmp_path / "gold"
    shutil.copytree(GOLD_DIR, gold)
    shutil.copy(tmp_path / "pull" / workflow.ARTICLES_DIR / f"{name}.json", gold / f"{name}.json")
    files, problems = validate_paths([gold])
    assert problems == [] and len(files) == len(_gold_files())
    records = {doc.id: doc for doc in load_gold(gold)}
    pulled = records[article.id]
    assert pulled.to_dict() == {d.id: d for d in load_gold()}[article.id].to_dict()
    exclusions = list(read_jsonl(ROOT / "annotation" / "number_exclusions.jsonl"))
    assert completeness_gaps(pulled, exclusions) == []
    built = build_from_gold(gold, tmp_path / "dataset")
    assert sum(f.num_examples for f in built.files if f.config == "documents") == len(records)
