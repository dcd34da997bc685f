"""A build deletes only what it made, caches only what the bytes it read give, and turns files it
cannot read, an output folder inside the raw one and a refused write into problems or errors."""

from __future__ import annotations

import errno
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pyarrow as pa
import pytest

from etl import build, load, pipeline
from etl.engines import WorkerDied
from etl.errors import ConfigError
from etl.ingest import source as source_module
from etl.ingest.source import LocalSource, Source
from etl.io.cache import MANIFEST, MARKER
from etl.io.parquet import to_arrow
from tests.tables import table_bytes

T = TypeVar("T")
R = TypeVar("R")


def _article(i: int, text: str = "Shelling hit Kharkiv on Monday") -> str:
    return json.dumps({"id": f"a{i}", "text": f"{text}, report {i}.", "published": "2024-12-17"}) + "\n"


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(5):
        (raw / f"f{i}.jsonl").write_text(_article(i))
    return raw


def _equals_a_full_build(raw: Path, out: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    build(raw, full, full=True)
    assert table_bytes(out) == table_bytes(full)


# --- 1. the output folder's other files are the user's ------------------------------------------

def test_a_build_into_a_folder_of_the_user_s_deletes_none_of_their_files(raw: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"  # as ``etl build raw ~``
    mine = {".cache/huggingface/model.bin": "weights", ".cache/0123456789abcdef0123/notes": "a",
            ".cache/timeline.txt": "t", ".notes.old": "keep", ".cache.tmp/x": "y",
            ".events.parquet.tmp": "not a build's: no random part", ".bashrc": "b"}
    for name, text in mine.items():
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text(text)
    build(raw, home)
    (raw / "f1.jsonl").write_text(_article(11))
    build(raw, home, default_published=date(2024, 1, 2))  # another pipeline key
    assert {name: (home / name).read_text() for name in mine} == mine
    keys = [p for p in (home / ".cache").iterdir() if (p / MARKER).exists()]
    assert len(keys) == 1 and (keys[0] / MANIFEST).exists()  # the first key's folder is gone
    # the timeline merge's cache is kept, one state in it
    assert len(list((home / ".cache" / "timeline").iterdir())) == 1
    again = tmp_path / "again"
    build(raw, again, default_published=date(2024, 1, 2))
    assert table_bytes(home) == table_bytes(again)


def test_a_cache_folder_of_an_earlier_version_is_recognised_by_its_manifest(
        raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = out / ".cache" / "fedcba9876543210fedc"  # a pipeline key's name, no marker
    (old / "ab").mkdir(parents=True)
    (old / MANIFEST).write_bytes(b"etl-manifest-v2\n" + bytes(20))
    (old / "ab" / f"ab{'0' * 62}.pkl").write_bytes(b"entry")
    stranger = out / ".cache" / "fedcba9876543210fed0"  # named as a key, but not this project's
    stranger.mkdir()
    (stranger / MANIFEST).write_bytes(b"something else")
    build(raw, out)
    assert not old.exists() and (stranger / MANIFEST).read_bytes() == b"something else"


class _Elsewhere:
    """An engine whose workers run in another working folder, as a Dask cluster's do."""

    shares_files = False

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R | WorkerDied]:
        for item in list(items):
            here = os.getcwd()
            os.chdir(self.folder)
            try:
                yield func(item)
            finally:
                os.chdir(here)


# --- 2. what the worker read, not what the parent hashed ----------------------------------------

@pytest.mark.parametrize("stores", ["worker", "parent"])
def test_a_file_saved_while_the_build_reads_it_is_not_cached_under_its_old_hash(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stores: str) -> None:
    # the worker stores the cache entry (a local engine), or hands it to the parent (Dask)
    engine = _Elsewhere(tmp_path) if stores == "parent" else None
    out = tmp_path / "out"
    build(raw, out, engine=engine)
    (raw / "f2.jsonl").write_text(_article(2, "Shelling hit Odesa on Friday"))  # to process again
    saved = (raw / "f2.jsonl").read_bytes()
    real = pipeline.write_source

    def saved_meanwhile(source: Source, default_published: date | None,
                        sink: pipeline.TableSink) -> pa.Table:
        # the parent has hashed every file; someone saves f2 before the worker reads it
        if source.name == "f2.jsonl":
            (raw / "f2.jsonl").write_text(_article(99, "Rebels attacked Goma on Monday"))
        return real(source, default_published, sink)

    monkeypatch.setattr(pipeline, "write_source", saved_meanwhile)
    assert build(raw, out, engine=engine).processed == 1
    assert "a99" in set(load(out)["articles"]["article_id"])  # the bytes read are in the tables
    monkeypatch.setattr(pipeline, "write_source", real)
    (raw / "f2.jsonl").write_bytes(saved)  # the edit reverted: the bytes hashed before, a new mtime
    assert build(raw, out, engine=engine).processed == 1
    _equals_a_full_build(raw, out, tmp_path)
    assert build(raw, out, engine=engine).processed == 0  # and from now on it is cached as usual


def test_a_file_changed_after_its_stamp_was_taken_is_not_stored(raw: Path, tmp_path: Path) -> None:
    source = LocalSource(raw / "f0.jsonl", "f0.jsonl")
    stamp = pipeline.file_stamp(source)
    entry = tmp_path / "entry.pkl"
    data, cacheable = pipeline.compute_file((source, str(entry), stamp), None)
    assert cacheable and entry.exists()
    os.rename(raw / "f1.jsonl", raw / "f0.jsonl")  # another inode, the same size
    entry.unlink()
    data, cacheable = pipeline.compute_file((source, str(entry), stamp), None)
    assert not cacheable and not entry.exists() and len(data) > 0


# --- 3. failures of the machine, not of the file, are not cached --------------------------------

class _Failing(io.BytesIO):
    """A stream whose every read fails as ``error`` does."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(b"")
        self.error = error

    def read(self, size: int | None = -1) -> bytes:
        raise self.error

    read1 = readline = read

    def readinto(self, buffer: Any) -> int:
        raise self.error

    def __next__(self) -> bytes:
        raise self.error


@pytest.mark.parametrize("error, code", [
    (PermissionError(errno.EACCES, "Permission denied"), "unreadable"),  # at once
    (TimeoutError(errno.ETIMEDOUT, "Connection timed out"), "read_failed"),  # after the head
    (MemoryError(), "read_failed"),
])
def test_a_file_that_could_not_be_read_now_is_read_again_by_the_next_build(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException, code: str) -> None:
    real_open = LocalSource.open
    opened: list[str] = []

    def failing_open(self: LocalSource) -> BinaryIO:
        if self.name != "f3.jsonl":
            return real_open(self)
        opened.append(self.name)
        if len(opened) == 1:  # the build's hash: the disk was still there
            return real_open(self)
        if code == "unreadable":
            raise error
        if len(opened) == 2:  # ingest's first look, then the records' reader meets the error
            return real_open(self)
        return _Failing(error)

    monkeypatch.setattr(LocalSource, "open", failing_open)
    out = tmp_path / "out"
    build(raw, out)
    problems = load(out)["problems"]
    assert problems["code"].tolist() == [code] and problems["input_file"].tolist() == ["f3.jsonl"]
    assert "a3" not in set(load(out)["articles"]["article_id"])
    monkeypatch.setattr(LocalSource, "open", real_open)
    report = build(raw, out)  # the disk is back: f3 is read again, not taken from the cache
    assert report.processed == 1
    _equals_a_full_build(raw, out, tmp_path)


def _problems(*rows: tuple[str, str]) -> pa.Table:
    return to_arrow("problems", [{"input_file": "a", "line": None, "article_id": None, "stage": "ingest",
                                  "severity": "error", "code": code, "message": message}
                                 for code, message in rows])


@pytest.mark.parametrize("rows, expected", [
    ([], False),
    ([("no_records", "file holds no articles")], False),
    ([("read_failed", "ValueError: bad")], False),  # the bytes: the same next time
    ([("read_failed", "RecursionError: deep")], False),
    ([("bad_record", "MemoryError: in the text, not of the machine")], False),
    ([("no_records", "x"), ("read_failed", "MemoryError: ")], True),
    ([("read_failed", "FileNotFoundError: [Errno 2] gone")], True),
    ([("read_failed", "ConnectionResetError: peer")], True),
    ([("unreadable", "cannot read file: Permission denied")], True),
    ([("worker_died", "killed")], True),
])
def test_environmental_failures_are_told_from_the_content_s(
        rows: list[tuple[str, str]], expected: bool) -> None:
    assert pipeline.environmental(_problems(*rows)) is expected


@pytest.mark.parametrize("location", ["raw", "file://raw"])
def test_a_relative_raw_folder_is_read_by_workers_elsewhere(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, location: str) -> None:
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    engine = _Elsewhere(tmp_path / "elsewhere")
    first = build(location, "out", engine=engine)
    assert first.rows["articles"] == 5 and not first.problems
    again = build(location, "out", engine=engine)
    assert (again.processed, again.rows["articles"]) == (0, 5)
    _equals_a_full_build(raw, tmp_path / "out", tmp_path)


# --- 4. files that cannot be hashed -------------------------------------------------------------

def test_a_file_gone_since_the_listing_is_a_problem_row(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = source_module.list_sources

    def listing(where: Any) -> Any:
        entries = real(where)
        os.unlink(raw / "f2.jsonl")  # deleted between the listing and the hashing
        return entries

    monkeypatch.setattr("etl.pipeline.list_sources", listing)
    out = tmp_path / "out"
    report = build(raw, out)
    assert report.rows["articles"] == 4 and report.processed == 5
    assert [(p.input_file, p.code, p.message) for p in report.problems] == [
        ("f2.jsonl", "unreadable", "cannot read file: no such file (deleted or moved since the folder "
                                   "was listed?)")]
    monkeypatch.setattr("etl.pipeline.list_sources", real)
    (raw / "f2.jsonl").write_text(_article(2))
    assert build(raw, out).processed == 1  # not cached: read when it is back
    _equals_a_full_build(raw, out, tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_among_the_raw_files_is_a_problem_row(raw: Path, tmp_path: Path) -> None:
    os.mkfifo(raw / "pipe.txt")
    out = tmp_path / "out"
    for _ in range(2):  # and again: never cached
        report = build(raw, out)
        assert report.rows["articles"] == 5
        assert [(p.input_file, p.code) for p in report.problems] == [("pipe.txt", "unreadable")]
        assert "not a regular file" in report.problems[0].message


# --- 5. an output folder inside the raw one -----------------------------------------------------

@pytest.mark.parametrize("where", ["raw", "raw/out", "raw/sub/../out", "link/out", "raw/"])
def test_an_output_folder_in_the_raw_folder_is_refused(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    (tmp_path / "link").symlink_to(raw)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="inside the raw folder"):
        build("raw", where)
    assert sorted(p.name for p in raw.iterdir()) == [f"f{i}.jsonl" for i in range(5)]  # nothing made


def test_a_raw_folder_inside_the_output_folder_still_builds(tmp_path: Path) -> None:
    raw = tmp_path / "out" / "raw"
    raw.mkdir(parents=True)
    (raw / "a.jsonl").write_text(_article(1))
    assert build(raw, tmp_path / "out").rows["articles"] == 1


# --- 6. two same-sized files swapped, their mtimes restored ---------------------------------------

def test_swapped_files_with_their_mtimes_restored_are_read_again(raw: Path, tmp_path: Path) -> None:
    (raw / "f1.jsonl").write_text(_article(1, "Shelling hit Odesa on Monday"))
    (raw / "f2.jsonl").write_text(_article(2, "Shelling hit Sumy on Friday."))
    assert (raw / "f1.jsonl").stat().st_size == (raw / "f2.jsonl").stat().st_size
    out = tmp_path / "out"
    build(raw, out)
    times = {name: (raw / name).stat().st_mtime_ns for name in ("f1.jsonl", "f2.jsonl")}
    os.rename(raw / "f1.jsonl", raw / "swap")
    os.rename(raw / "f2.jsonl", raw / "f1.jsonl")
    os.rename(raw / "swap", raw / "f2.jsonl")
    for name, mtime in times.items():
        os.utime(raw / name, ns=(mtime, mtime))
    assert build(raw, out).processed == 2
    _equals_a_full_build(raw, out, tmp_path)


# --- 8. an output folder the system refuses to write --------------------------------------------

def test_a_refused_write_leaves_the_old_tables_and_no_temporary_files(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build(raw, out)
    before = table_bytes(out)
    (raw / "f1.jsonl").write_text(_article(11))

    def refused(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(out / ".events.parquet.x.tmp"))

    monkeypatch.setattr("etl.io.dataset.DatasetWriter.start_part", refused)
    with pytest.raises(OSError, match="Read-only file system"):  # the command prints ``error: …``
        build(raw, out)
    assert table_bytes(out) == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
