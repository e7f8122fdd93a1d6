"""Atomic writes: a failed write never replaces a good file and leaves no temporary file behind."""

from __future__ import annotations

import os

import pytest

from kotechnews.jsonio import JsonlError, atomic_directory, read_jsonl, write_jsonl


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "out" / "rows.jsonl"
    write_jsonl(target, [{"n": 1}, {"n": 2}])

    def rows():
        yield {"n": 3}
        raise RuntimeError("export failed half-way")

    with pytest.raises(RuntimeError):
        write_jsonl(target, rows())
    assert list(read_jsonl(target)) == [{"n": 1}, {"n": 2}]
    assert sorted(p.name for p in target.parent.iterdir()) == ["rows.jsonl"]


def test_written_files_are_shareable(tmp_path):
    target = tmp_path / "rows.jsonl"
    write_jsonl(target, [{"텍스트": "KT가"}])
    assert os.stat(target).st_mode & 0o777 == 0o644
    assert target.read_text(encoding="utf-8") == '{"텍스트": "KT가"}\n'


def test_bad_line_names_file_and_line(tmp_path):
    target = tmp_path / "bad.jsonl"
    target.write_text('{"a": 1}\n\n{"a": \n', encoding="utf-8")
    with pytest.raises(JsonlError, match=r"bad.jsonl: line 3: invalid JSON"):
        list(read_jsonl(target))


def test_atomic_directory_replaces_the_target_only_when_the_block_succeeds(tmp_path):
    target = tmp_path / "out"
    with atomic_directory(target) as staging:
        (staging / "a.txt").write_text("first")
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]
    with pytest.raises(RuntimeError), atomic_directory(target) as staging:
        (staging / "b.txt").write_text("half")
        raise RuntimeError("the build failed")
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]  # untouched
    with atomic_directory(target) as staging:
        (staging / "c.txt").write_text("second")
    assert sorted(p.name for p in target.iterdir()) == ["c.txt"]  # replaced whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left behind
    assert target.stat().st_mode & 0o777 == 0o755
