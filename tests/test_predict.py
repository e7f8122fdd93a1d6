"""`kotechnews predict`: baselines over ingested documents (JSONL or Parquet), batched through
datasets.map (1 or 2 processes) and Ray Data, written as a submission or Label Studio tasks."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import PROJECT
from kotechnews.baselines import predict
from kotechnews.baselines.prelabel import input_records, model_version
from kotechnews.baselines.sklearn_baseline import SklearnBaseline
from kotechnews.cli import cli_command
from kotechnews.document import Document
from kotechnews.labelstudio import convert
from kotechnews.labelstudio.validate import validate_tasks
from kotechnews.labelstudio.workflow import QUANTITY_MODEL_VERSION, quantity_records
from kotechnews.records import AnnotatedDocument
from test_baseline_sklearn import make_document

TEST_DOCUMENTS = PROJECT.dataset / "data" / "documents" / "test.parquet"


def run(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """`kotechnews ARGS`: exit code, stdout, stderr."""
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as done:
        cli_command().main([str(a) for a in args], prog_name="kotechnews")
    captured = capsys.readouterr()
    return done.value.code or 0, captured.out, captured.err


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    """The released test split's documents (real ingested text, sentence offsets)."""
    return pq.read_table(TEST_DOCUMENTS).to_pylist()


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> Path:
    rng = random.Random(5)
    path = tmp_path_factory.mktemp("model") / "sklearn.skops"
    model = SklearnBaseline(seed=0).fit([make_document(f"doc-{n}", rng) for n in range(6)])
    return model.save(path)


def as_read(rows: list[dict]) -> list[Document]:
    """The documents as predict reads them: id, text and sentences only."""
    return [Document(row["id"], row["text"], row["sentences"]) for row in rows]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    return path


def read_submission(path: Path) -> list[AnnotatedDocument]:
    return [
        AnnotatedDocument.from_dict(json.loads(line))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_quantity_on_jsonl_gives_a_submission_that_score_reads(
    documents, tmp_path, capsys, monkeypatch
):
    source = write_jsonl(tmp_path / "documents.jsonl", documents)
    out = tmp_path / "preds.jsonl"
    code, stdout, _ = run(["predict", "quantity", source, "--out", out], capsys, monkeypatch)
    assert code == 0 and f"wrote {out}" in stdout
    records = read_submission(out)
    assert [r.id for r in records] == [d["id"] for d in documents]
    assert records == quantity_records(as_read(documents))
    code, stdout, _ = run(
        [
            "score",
            "--pred",
            out,
            "--split",
            "test",
            "--task",
            "claims",
            "--bootstrap",
            "0",
            "--json",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0
    claims = json.loads(stdout)["tasks"]["claims"]["metrics"]
    assert claims["span_f1"]["value"] > 0.5  # the finder recalls most gold claims


def test_sklearn_model_file_on_parquet_gives_the_models_predictions(
    documents, model_path, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "preds.jsonl"
    code, _, stderr = run(
        [
            "predict",
            "sklearn",
            TEST_DOCUMENTS,
            "--model-file",
            model_path,
            "--out",
            out,
            "--batch-size",
            "5",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, stderr
    records = read_submission(out)
    expected = SklearnBaseline.load(model_path).predict(input_records(as_read(documents)))
    assert records == expected
    assert sum(len(r.entities) + len(r.claims) for r in records) > 0
    code, _, stderr = run(
        ["score", "--pred", out, "--split", "test", "--bootstrap", "0"], capsys, monkeypatch
    )
    assert code == 0, stderr
    # A model file given as MODEL is the same model.
    again = tmp_path / "again.jsonl"
    assert run(["predict", model_path, TEST_DOCUMENTS, "--out", again], capsys, monkeypatch)[0] == 0
    assert again.read_bytes() == out.read_bytes()


def test_labelstudio_format_is_valid_import_tasks_with_the_predictions(
    documents, model_path, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "tasks.json"
    code, _, stderr = run(
        [
            "predict",
            "sklearn",
            TEST_DOCUMENTS,
            "--model-file",
            model_path,
            "--format",
            "labelstudio",
            "--out",
            out,
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, stderr
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert validate_tasks(tasks, str(out)) == []
    expected = SklearnBaseline.load(model_path).predict(input_records(as_read(documents)))
    assert [t["data"]["doc_id"] for t in tasks] == [d["id"] for d in documents]
    for task, want, doc in zip(tasks, expected, documents):
        assert task["data"] == Document.from_row(doc).task_data()
        [prediction] = task["predictions"]
        assert prediction["model_version"] == model_version(model_path)
        back = convert.record_from_result(task["data"], prediction["result"])
        assert [(e.start, e.end, e.type) for e in back.entities] == [
            (e.start, e.end, e.type) for e in want.entities
        ]
        assert {(r.head, r.type, r.tail) for r in back.relations} == {
            (r.head, r.type, r.tail) for r in want.relations
        }
        assert [(c.start, c.end, c.value, c.unit) for c in back.claims] == [
            (c.start, c.end, c.value, c.unit) for c in want.claims
        ]


@pytest.mark.labelstudio
def test_labelstudio_tasks_import_into_a_real_server(
    documents, tmp_path, ls_client, ls_project, capsys, monkeypatch
):
    from kotechnews.labelstudio.workflow import push_tasks

    out = tmp_path / "tasks.json"
    source = write_jsonl(tmp_path / "documents.jsonl", documents[:3])
    assert (
        run(
            ["predict", "quantity", source, "--format", "labelstudio", "--out", out],
            capsys,
            monkeypatch,
        )[0]
        == 0
    )
    push_tasks(ls_client, ls_project, json.loads(out.read_text(encoding="utf-8")))
    exported = {t["data"]["doc_id"]: t for t in ls_client.export_tasks(ls_project)}
    assert sorted(exported) == sorted(d["id"] for d in documents[:3])
    for record in quantity_records(as_read(documents[:3])):
        [prediction] = exported[record.id]["predictions"]
        assert prediction["model_version"] == QUANTITY_MODEL_VERSION
        back = convert.record_from_result(exported[record.id]["data"], prediction["result"])
        assert [(c.start, c.end, c.value) for c in back.claims] == [
            (c.start, c.end, c.value) for c in record.claims
        ]


@pytest.mark.parametrize("name", ["quantity", "sklearn"])
def test_two_processes_predict_what_one_does_in_input_order(name, documents, model_path):
    docs = list(reversed(documents[:10]))  # not the file's order: the output keeps this one
    model = predict.resolve_model(name, model_path if name == "sklearn" else None)
    one = predict.predict_documents(model, docs, num_proc=1, batch_size=3, progress=False)
    two = predict.predict_documents(model, docs, num_proc=2, batch_size=3, progress=False)
    assert [r.id for r in one] == [d["id"] for d in docs]
    assert one == two
    assert sum(len(r.entities) + len(r.claims) for r in one) > 0


def test_the_model_is_loaded_once_per_process_not_per_batch(documents, model_path, monkeypatch):
    loads = []
    real_load = SklearnBaseline.load.__func__

    def counting_load(cls, path):
        loads.append(path)
        return real_load(cls, path)

    monkeypatch.setattr(SklearnBaseline, "load", classmethod(counting_load))
    monkeypatch.setattr(predict, "_MODELS", {})
    model = predict.resolve_model("sklearn", model_path)
    predict.predict_documents(model, documents[:6], batch_size=1, progress=False)
    assert len(loads) == 1


def test_progress_bar_is_shown(documents, capsys):
    model = predict.resolve_model("quantity")
    predict.predict_documents(model, documents[:2], progress=True)
    assert "predicting (quantity)" in capsys.readouterr().err
    predict.predict_documents(model, documents[:2], progress=False)
    assert "predicting (quantity)" not in capsys.readouterr().err


def _problems(args, capsys, monkeypatch) -> str:
    code, _, stderr = run(args, capsys, monkeypatch)
    assert code == 1
    assert "Traceback" not in stderr
    return " ".join(stderr.split())  # rich wraps long lines


def test_bad_documents_name_file_record_and_field(documents, tmp_path, capsys, monkeypatch):
    good, other = documents[0], documents[1]
    out = tmp_path / "preds.jsonl"
    out.write_text("keep me\n", encoding="utf-8")
    no_text = write_jsonl(tmp_path / "no_text.jsonl", [good, {**other, "text": None}])
    message = _problems(["predict", "quantity", no_text, "--out", out], capsys, monkeypatch)
    assert f"{no_text}: record 2 (id {other['id']!r}): field 'text'" in message
    duplicate = write_jsonl(tmp_path / "duplicate.jsonl", [good, other, good])
    message = _problems(["predict", "quantity", duplicate, "--out", out], capsys, monkeypatch)
    assert f"{duplicate}: record 3 (id {good['id']!r}): field 'id'" in message
    assert "duplicate of record 1" in message
    not_json = tmp_path / "not_json.jsonl"
    not_json.write_text(json.dumps(good, ensure_ascii=False) + "\n{not json\n", encoding="utf-8")
    message = _problems(["predict", "quantity", not_json, "--out", out], capsys, monkeypatch)
    assert f"{not_json}: line 2: invalid JSON" in message
    bad_sentences = write_jsonl(
        tmp_path / "sentences.jsonl", [{**good, "sentences": [{"start": 0, "end": 10**6}]}]
    )
    message = _problems(["predict", "quantity", bad_sentences, "--out", out], capsys, monkeypatch)
    assert f"{bad_sentences}: record 1 (id {good['id']!r}): field 'sentences[0]'" in message
    bad_paragraphs = write_jsonl(
        tmp_path / "paragraphs.jsonl", [{**good, "paragraphs": [{"start": 5, "end": 1}]}]
    )
    message = _problems(["predict", "quantity", bad_paragraphs, "--out", out], capsys, monkeypatch)
    assert f"{bad_paragraphs}: record 1 (id {good['id']!r}): field 'paragraphs[0]'" in message
    # Every problem of the file is listed, not only the first.
    two = write_jsonl(tmp_path / "two.jsonl", [{**good, "id": "../x"}, {**other, "text": ""}])
    message = _problems(["predict", "quantity", two, "--out", out], capsys, monkeypatch)
    assert "record 1: field 'id'" in message and "record 2 (id" in message
    assert out.read_text(encoding="utf-8") == "keep me\n"  # a failed run wrote nothing


def test_bad_parquet_and_bad_model_are_named(documents, tmp_path, capsys, monkeypatch):
    out = tmp_path / "preds.jsonl"
    no_text = tmp_path / "no_text.parquet"
    pq.write_table(
        pa.Table.from_pylist([{"id": d["id"], "sentences": d["sentences"]} for d in documents[:2]]),
        no_text,
    )
    message = _problems(["predict", "quantity", no_text, "--out", out], capsys, monkeypatch)
    assert f"{no_text}: field 'text': no such column" in message
    fake = tmp_path / "fake.parquet"
    fake.write_text("not parquet", encoding="utf-8")
    message = _problems(["predict", "quantity", fake, "--out", out], capsys, monkeypatch)
    assert f"{fake}: not a readable Parquet file" in message
    message = _problems(["predict", "nonsense", TEST_DOCUMENTS, "--out", out], capsys, monkeypatch)
    assert "MODEL 'nonsense'" in message
    missing = tmp_path / "missing.skops"
    message = _problems(
        ["predict", "sklearn", TEST_DOCUMENTS, "--model-file", missing, "--out", out],
        capsys,
        monkeypatch,
    )
    assert f"{missing}: no saved model" in message
    not_a_model = tmp_path / "not_a_model.skops"
    not_a_model.write_bytes(b"nothing")
    message = _problems(["predict", not_a_model, TEST_DOCUMENTS, "--out", out], capsys, monkeypatch)
    assert f"{not_a_model}: not a saved scikit-learn baseline" in message
    assert not out.exists()


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="ray is a test dependency; not installed here")
    started = predict.start_local_ray(num_cpus=2)
    yield ray
    if started:
        ray.shutdown()


def test_ray_data_path_predicts_what_datasets_map_does(local_ray, documents, model_path, tmp_path):
    folder = tmp_path / "parquet"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(documents[:4]), folder / "a.parquet")
    pq.write_table(pa.Table.from_pylist(documents[4:7]), folder / "b.parquet")
    for name in ("quantity", "sklearn"):
        model = predict.resolve_model(name, model_path if name == "sklearn" else None)
        expected = predict.predict_documents(model, predict.read_documents(folder), progress=False)
        assert [r.id for r in expected] == [d["id"] for d in documents[:7]]
        assert predict.predict_parquet_with_ray(model, folder, batch_size=2) == expected


def test_ray_data_path_names_bad_rows(local_ray, documents, tmp_path):
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pylist([documents[0], {**documents[1], "text": ""}]), bad)
    where = rf"^{bad}: record \(id '{documents[1]['id']}'\): field 'text'"
    with pytest.raises(predict.PredictError, match=where):
        predict.predict_parquet_with_ray(predict.resolve_model("quantity"), bad)
    duplicate = tmp_path / "duplicate.parquet"
    pq.write_table(pa.Table.from_pylist([documents[0], documents[0]]), duplicate)
    with pytest.raises(
        predict.PredictError, match=r"record 2 \(id '[^']+'\): field 'id': duplicate of record 1"
    ):
        predict.predict_parquet_with_ray(predict.resolve_model("quantity"), duplicate)
