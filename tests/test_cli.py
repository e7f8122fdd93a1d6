"""CLI polish: a version flag, help text on every option, defaults shown relative to the project."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from kotechnews import __version__
from kotechnews.cli import app, cli_command


def _commands(command, path=("kotechnews",)):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def run(args, capsys, monkeypatch) -> str:
    """Run the entry point's command as `kotechnews ARGS` and return what it printed."""
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as done:
        cli_command().main(args, prog_name="kotechnews")
    assert done.value.code in (0, None), args
    return capsys.readouterr().out


def test_version(capsys, monkeypatch):
    assert run(["--version"], capsys, monkeypatch).strip() == f"kotechnews {__version__}"


def test_every_option_and_command_has_help():
    missing = [
        (" ".join(path), param.opts)
        for path, command in _commands(cli_command())
        for param in command.params
        if getattr(param, "param_type_name", "") == "option" and not param.help
    ]
    assert missing == []
    assert all(command.help for path, command in _commands(cli_command()) if len(path) > 1)


def test_help_shows_defaults_relative_to_the_project(capsys, monkeypatch):
    for path, _ in _commands(cli_command()):
        assert str(ROOT) not in run([*path[1:], "--help"], capsys, monkeypatch), path
    shown = run(["annotation", "check", "--help"], capsys, monkeypatch)
    assert "annotation/gold" in shown and "annotation/number_exclusions.jsonl" in shown


def test_every_command_reports_its_errors_in_one_place(tmp_path):
    """kotechnews.cli maps a KoTechNewsError (and an OSError) to its report and exit code."""
    from kotechnews.errors import KoTechNewsError
    from kotechnews.formats import FormatError
    from kotechnews.leaderboard import LeaderboardError
    from kotechnews.scoring.submission import SubmissionError

    assert all(issubclass(e, KoTechNewsError) for e in (FormatError, LeaderboardError))
    assert (SubmissionError.exit_code, LeaderboardError.exit_code, FormatError.exit_code) == (
        2,
        2,
        1,
    )
    missing = tmp_path / "no-dataset"
    result = CliRunner().invoke(
        app, ["export", "--format", "conll", "--dataset", str(missing), "--out", str(tmp_path)]
    )
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("error: "), lines
    assert str(missing) in lines[0] and "Traceback" not in result.output
