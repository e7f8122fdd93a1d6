"""The project Layout: which root is chosen, that commands read and write under it, and that the
package works from outside any checkout."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kotechnews
from conftest import PROJECT
from kotechnews import annotation
from kotechnews.cli import app
from kotechnews.gold import load_gold
from kotechnews.layout import ROOT_ENV, Layout
from test_dataset_synthetic import write_synthetic_gold

PACKAGE = Path(kotechnews.__file__).parent


def make_project(path: Path) -> Path:
    """The least that makes a directory a KoTechNews project."""
    Layout(path).guidelines.parent.mkdir(parents=True)
    shutil.copy(PROJECT.guidelines, Layout(path).guidelines)
    return path


@pytest.fixture
def projects(tmp_path, monkeypatch):
    monkeypatch.delenv(ROOT_ENV, raising=False)
    return [make_project(tmp_path / name) for name in ("given", "from-env", "cwd")]


def test_the_root_given_beats_the_environment_which_beats_the_working_directory(
    projects, monkeypatch
):
    given, from_env, cwd = projects
    monkeypatch.chdir(cwd)
    assert Layout.discover().root == cwd
    monkeypatch.setenv(ROOT_ENV, str(from_env))
    assert Layout.discover().root == from_env
    assert Layout.discover(given).root == given
    assert Layout.discover(str(given)).root == given


def test_the_working_directory_finds_the_project_it_is_in(projects, tmp_path, monkeypatch):
    _, _, project = projects
    inside = Layout(project).gold
    inside.mkdir()
    monkeypatch.chdir(inside)
    assert Layout.discover().root == project
    outside = tmp_path / "elsewhere" / "deeper"
    outside.mkdir(parents=True)
    monkeypatch.chdir(outside)
    assert Layout.discover().root == outside  # no project above: the working directory itself


def test_paths_are_named_relative_to_the_root_when_inside_it(tmp_path):
    layout = Layout(tmp_path)
    assert layout.shown(layout.baselines_work / "x.jsonl") == "build/baselines/x.jsonl"
    assert layout.shown(tmp_path.parent) == str(tmp_path.parent)
    moved = Layout(tmp_path, build_dir=tmp_path / "elsewhere")
    assert moved.models == tmp_path / "elsewhere" / "models" and moved.gold == layout.gold


@pytest.fixture
def synthetic_project(tmp_path) -> Path:
    """A project with the synthetic gold and the documents the dataset ships."""
    project = make_project(tmp_path / "project")
    write_synthetic_gold(Layout(project).gold)
    for document in ("changelog", "datasheet"):
        shutil.copy(getattr(PROJECT, document), getattr(Layout(project), document))
    return project


def counts(args: list[str], env: dict[str, str] | None = None) -> dict:
    result = CliRunner().invoke(app, [*args, "annotation", "counts", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_root_option_and_environment_choose_the_project_commands_read(synthetic_project):
    synthetic = counts(["--root", str(synthetic_project)])
    checkout = counts([], env={ROOT_ENV: ""})  # the working directory: this checkout
    assert synthetic != checkout
    assert counts([], env={ROOT_ENV: str(synthetic_project)}) == synthetic
    assert counts(["--root", str(PROJECT.root)], env={ROOT_ENV: str(synthetic_project)}) == checkout
    computed = annotation.label_counts(load_gold(Layout(synthetic_project).gold))
    assert synthetic == json.loads(json.dumps({k: dict(v) for k, v in computed.items()}))


def test_root_option_makes_commands_write_into_that_project(synthetic_project):
    committed = {p: p.stat().st_mtime_ns for p in PROJECT.dataset.rglob("*")}
    result = CliRunner().invoke(app, ["--root", str(synthetic_project), "build"])
    assert result.exit_code == 0, result.output
    built = Layout(synthetic_project).dataset
    assert (built / "README.md").is_file() and (built / "CHANGELOG.md").is_file()
    assert {p: p.stat().st_mtime_ns for p in PROJECT.dataset.rglob("*")} == committed


def test_the_package_works_installed_outside_any_checkout(tmp_path):
    """A copy of the package, away from the checkout, run in a directory that is no project."""
    site = tmp_path / "site-packages"
    shutil.copytree(PACKAGE, site / "kotechnews", ignore=shutil.ignore_patterns("__pycache__"))
    cwd = tmp_path / "work"
    cwd.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "200"}
    env.pop(ROOT_ENV, None)

    def kotechnews_cli(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "kotechnews.cli", *args]
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)

    shown = kotechnews_cli("score", "--help")
    assert shown.returncode == 0, shown.stderr
    assert "[default: (dataset)]" in shown.stdout and str(tmp_path) not in shown.stdout
    read = kotechnews_cli("--root", str(PROJECT.root), "annotation", "counts", "--json")
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout) == counts(["--root", str(PROJECT.root)])
    nothing = kotechnews_cli("annotation", "counts")  # the project is the working directory
    assert nothing.returncode == 1 and str(Layout(cwd).gold) in nothing.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import kotechnews; print(kotechnews.__file__)"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(site)  # the copy ran, not the checkout


def own_file_uses(source: str) -> list[int]:
    """Lines that use the module's own ``__file__``: a path found from where the package is
    installed (package data is read with importlib.resources instead)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name) and node.id == "__file__"
    ]


def test_no_module_finds_paths_from_where_the_package_is_installed():
    assert own_file_uses("ROOT = Path(__file__).resolve().parents[2]") == [1]
    assert own_file_uses("DATA = Path(other.__file__).parent") == []  # another package's data
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := own_file_uses(path.read_text(encoding="utf-8")))
    }
    assert found == {}
