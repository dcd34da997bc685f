"""Tables as folders of parts: read as one table in part order, replaced whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from etl.io import dataset
from etl.io.dataset import DatasetWriter, part_files, part_name, recover_tables
from etl.io.parquet import read_table, write_table

PROBLEM = {"input_file": "a.txt", "line": None, "article_id": None, "stage": "ingest",
           "severity": "error", "code": "empty_file", "message": "file is empty"}


def _rows(*lines: int) -> list[dict[str, object]]:
    return [{**PROBLEM, "line": line} for line in lines]


def _write(out: Path, parts: dict[int, list[int]]) -> Path:
    writer = DatasetWriter("problems", out)
    for index, lines in parts.items():
        writer.start_part(index)
        writer.write(_rows(*lines))
    return writer.commit()


def test_parts_read_back_as_one_table_in_part_order(tmp_path: Path) -> None:
    path = _write(tmp_path, {0: [1, 2], 3: [], 7: [3], 12: [4, 5]})
    assert [p.name for p in part_files(path)] == [part_name(0), part_name(7), part_name(12)]
    assert read_table(tmp_path, "problems")["line"].tolist() == [1, 2, 3, 4, 5]
    assert pd.read_parquet(path)["line"].tolist() == [1, 2, 3, 4, 5]
    counted = duckdb.sql(f"select count(*) from '{path}/*.parquet'")
    assert counted is not None and counted.fetchall() == [(5,)]
    assert pq.read_table(path).schema.metadata[b"etl.table"] == b"problems"


def test_a_table_without_rows_keeps_its_schema(tmp_path: Path) -> None:
    path = _write(tmp_path, {0: [], 1: []})
    assert [p.name for p in path.iterdir()] == [dataset.EMPTY_PART]
    frame = read_table(tmp_path, "problems")
    assert len(frame) == 0 and "code" in frame.columns


def test_linked_part_is_the_old_file(tmp_path: Path) -> None:
    old = _write(tmp_path / "a", {0: [1], 1: [2]})
    writer = DatasetWriter("problems", tmp_path / "b")
    writer.link_part(0, old / part_name(1), rows=1)
    writer.start_part(1)
    writer.write(_rows(9))
    path = writer.commit()
    assert writer.rows == 2
    assert (path / part_name(0)).stat().st_ino == (old / part_name(1)).stat().st_ino
    assert read_table(tmp_path / "b", "problems")["line"].tolist() == [2, 9]


@pytest.mark.parametrize("change", ["none", "a part written alike", "a part written", "a part dropped",
                                    "a part renamed", "another file linked"])
def test_a_commit_of_the_same_parts_leaves_the_old_folder_be(tmp_path: Path, change: str) -> None:
    old = _write(tmp_path, {0: [1], 1: [2]})
    folder = old.stat().st_ino
    other = _write(tmp_path / "other", {0: [5]})
    writer = DatasetWriter("problems", tmp_path)
    for index in (0, 1):
        if change == "a part dropped" and index == 1:
            continue
        if change.startswith("a part written") and index == 1:
            writer.start_part(1)
            writer.write(_rows(2 if change.endswith("alike") else 3))  # a new file, same bytes or not
        elif change == "a part renamed":
            writer.link_part(index + 1, old / part_name(index), rows=1)
        elif change == "another file linked" and index == 1:
            writer.link_part(1, other / part_name(0), rows=1)
        else:
            writer.link_part(index, old / part_name(index), rows=1)
    writer.commit()
    same = change in ("none", "a part written alike")
    assert (old.stat().st_ino == folder) == same  # published only when a part changed
    expected = {"none": [1, 2], "a part written alike": [1, 2], "a part written": [1, 3],
                "a part dropped": [1], "a part renamed": [1, 2], "another file linked": [1, 5]}[change]
    assert read_table(tmp_path, "problems")["line"].tolist() == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "problems.parquet"]  # no temp folder


@pytest.mark.parametrize("swap", ["exchange", "two renames"])
def test_commit_replaces_the_whole_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          swap: str) -> None:
    if swap == "two renames":
        monkeypatch.setattr(dataset, "_exchange", lambda a, b: False)
    _write(tmp_path, {0: [1], 1: [2], 2: [3]})
    _write(tmp_path, {0: [7]})
    assert read_table(tmp_path, "problems")["line"].tolist() == [7]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["problems.parquet"]


def test_a_single_file_table_is_replaced_by_a_folder(tmp_path: Path) -> None:
    write_table("problems", _rows(1), tmp_path)
    _write(tmp_path, {0: [5, 6]})
    assert (tmp_path / "problems.parquet").is_dir()
    assert read_table(tmp_path, "problems")["line"].tolist() == [5, 6]


def test_abort_keeps_the_previous_table(tmp_path: Path) -> None:
    _write(tmp_path, {0: [1]})
    writer = DatasetWriter("problems", tmp_path)
    writer.start_part(0)
    writer.write(_rows(2, 3))
    writer.abort()
    assert read_table(tmp_path, "problems")["line"].tolist() == [1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["problems.parquet"]


def test_recovery_puts_back_a_table_caught_between_two_renames(tmp_path: Path) -> None:
    path = _write(tmp_path, {0: [1]})
    # a build killed after moving the old folder aside and before moving the new one in
    os.replace(path, tmp_path / ".problems.parquet.x1.old")
    (tmp_path / ".problems.parquet.x2.tmp").mkdir()  # the new folder, half written
    (tmp_path / ".events.parquet.x3.tmp").write_bytes(b"half a file")
    recover_tables(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["problems.parquet"]
    assert read_table(tmp_path, "problems")["line"].tolist() == [1]


def test_recovery_drops_an_old_copy_once_the_new_table_is_in_place(tmp_path: Path) -> None:
    _write(tmp_path, {0: [2]})
    (tmp_path / ".problems.parquet.x1.old").mkdir()
    recover_tables(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["problems.parquet"]
    assert read_table(tmp_path, "problems")["line"].tolist() == [2]


def test_recovery_leaves_hidden_files_of_the_user_be(tmp_path: Path) -> None:
    _write(tmp_path, {0: [2]})
    theirs = {".notes.old": "keep", ".session.tmp": "keep", ".uploads.parquet.x1.old": "not a table",
              ".problems.parquet.old": "no random part"}
    for name, text in theirs.items():
        (tmp_path / name).write_text(text)
    (tmp_path / ".cache.tmp").mkdir()
    (tmp_path / ".timeline.parquet.k2x_9a.tmp").write_bytes(b"half a file")  # the build's
    recover_tables(tmp_path)
    assert {name: (tmp_path / name).read_text() for name in theirs} == theirs
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*theirs, ".cache.tmp", "problems.parquet"])


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_tables_get_the_modes_of_the_umask(tmp_path: Path, umask: int) -> None:
    # mkdtemp/mkstemp make 0700/0600; a table must be as readable as any file the user writes
    from etl.io import parquet
    parquet._umask.cache_clear()
    old = os.umask(umask)
    try:
        path = _write(tmp_path, {0: [1], 1: [2]})
        single = write_table("problems", pd.DataFrame(_rows(3)), tmp_path / "single")
    finally:
        os.umask(old)
        parquet._umask.cache_clear()
    assert path.stat().st_mode & 0o777 == 0o777 & ~umask
    assert {p.stat().st_mode & 0o777 for p in part_files(path)} == {0o666 & ~umask}
    assert single.stat().st_mode & 0o777 == 0o666 & ~umask
