"""A rebuild with nothing changed keeps the table and the cache; one with a change splices in place.

``write_timeline`` told that no article changed, with the events and articles files, the code
and ``timeline.parquet`` all as the cache's build left them, reads and writes nothing: the table
there is the one a merge would write. Anything else that differs means a merge. A rebuild with
articles changed splices the cached facts into new arrays field by field, dropping the mapped
pages as it goes: its cache must hold what a build reading every row leaves.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from etl.io.cache import table_stamp
from etl.io.parquet import write_table
from etl.timeline import build, graph
from etl.timeline.build import write_timeline
from tests.timeline.builders import frame
from tests.timeline.test_changed import DOCS, Calls, full_bytes, strike_moved, write_folder
from tests.timeline.test_unchanged import cached, same_cache


class Merges:
    """Counts the merges run (``build._run``); a build kept as it is runs none."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = build._run

        def run(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(build, "_run", run)


def built(tmp: Path) -> tuple[Path, dict[str, int]]:
    """A folder built once (its cache beside it), and the stamp of its events file."""
    out = tmp / "out"
    write_folder(out, DOCS)
    write_timeline(out, out / "cache")
    return out, table_stamp(out / "events.parquet")


def file_state(path: Path) -> tuple[int, int, bytes]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, path.read_bytes()


def test_nothing_changed_keeps_the_table_and_the_cache(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out, since = built(tmp_path)
    now = strike_moved(DOCS, "a2", 2)
    expected, expected_now = full_bytes(tmp_path, DOCS), full_bytes(tmp_path, now)
    merges = Merges(monkeypatch)
    folder = out / "cache" / build.cache_key()
    before = {p.name: file_state(p) for p in [out / "timeline.parquet", *folder.iterdir()]}
    for _ in range(2):  # and again: what it kept serves the next build alike
        rows = write_timeline(out, out / "cache", changed_articles=set(), changed_since=since)
        assert merges.count == 0
        assert rows == pa.ipc.open_file(pa.memory_map(str(folder / "timeline.arrow"))).read_all().num_rows
    assert {p.name: file_state(p) for p in [out / "timeline.parquet", *folder.iterdir()]} == before
    assert (out / "timeline.parquet").read_bytes() == expected
    # A change after builds kept as they were: the cache still serves it (only a2's rows read).
    write_folder(out, now)
    write_timeline(out, out / "cache", changed_articles={"a2"}, changed_since=since)
    assert merges.count == 1
    assert (out / "timeline.parquet").read_bytes() == expected_now


def rewrite_articles(out: Path) -> None:
    """The same articles rows in a new file (another stamp)."""
    write_table("articles", frame("articles", [a for a, _ in DOCS.values()]), out)


@pytest.mark.parametrize("what", ["article told changed", "code", "table file rewritten", "table file gone",
                                  "articles file", "events file", "full", "no stamp", "not told"])
def test_anything_else_that_differs_means_a_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  what: str) -> None:
    out, since = built(tmp_path)
    expected = full_bytes(tmp_path, DOCS)
    merges = Merges(monkeypatch)
    kwargs: dict[str, Any] = {"changed_articles": set(), "changed_since": since}
    if what == "article told changed":
        kwargs["changed_articles"] = {"a3"}
    elif what == "code":  # another key: code, settings or schema changed
        monkeypatch.setattr(build, "cache_key", lambda settings=None: "another-key")
    elif what == "table file rewritten":
        (out / "timeline.parquet").write_bytes(b"damaged")
    elif what == "table file gone":
        (out / "timeline.parquet").unlink()
    elif what == "articles file":
        rewrite_articles(out)
    elif what == "events file":
        write_folder(out, DOCS)  # same rows, a new file: its stamp is not the cache's
    elif what == "full":
        kwargs["full"] = True
    elif what == "no stamp":
        del kwargs["changed_since"]
    else:
        kwargs = {}
    write_timeline(out, out / "cache", **kwargs)
    assert merges.count == 1
    assert (out / "timeline.parquet").read_bytes() == expected
    # The merge's cache then serves a build with nothing changed, kept as it is.
    if what != "full":
        since = table_stamp(out / "events.parquet")
        write_timeline(out, out / "cache", changed_articles=set(), changed_since=since)
        assert merges.count == 1


def test_a_cache_written_before_the_stamps_means_a_merge(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out, since = built(tmp_path)
    folder = out / "cache" / build.cache_key()
    state = build._read_ipc(folder / "events.arrow")
    meta = {k: v for k, v in (state.schema.metadata or {}).items()
            if k not in (b"articles_stamp", b"output_stamp")}
    build._write_ipc(state.replace_schema_metadata(meta), folder / "events.arrow", whole=True)
    expected = full_bytes(tmp_path, DOCS)
    merges = Merges(monkeypatch)
    write_timeline(out, out / "cache", changed_articles=set(), changed_since=since)
    assert merges.count == 1
    assert (out / "timeline.parquet").read_bytes() == expected


def test_a_change_splices_in_place_and_leaves_what_a_full_read_leaves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "INCREMENTAL_LIMIT", 1.0)
    forgotten: list[int] = []
    forget = build.MappedFile.forget

    def counted(self: build.MappedFile) -> None:
        forgotten.append(1)
        forget(self)

    monkeypatch.setattr(build.MappedFile, "forget", counted)
    told, since = built(tmp_path)
    read_all = tmp_path / "all"
    shutil.copytree(told, read_all)
    now = DOCS
    for name, days in (("a2", 2), ("a4", -1)):  # twice: the second from the spliced cache
        now = strike_moved(now, name, days)
        write_folder(told, now)
        write_folder(read_all, now)
        write_timeline(told, told / "cache", changed_articles={name}, changed_since=since)
        write_timeline(read_all, read_all / "cache")  # no stamp: every row read
        assert (told / "timeline.parquet").read_bytes() == full_bytes(tmp_path, now)
        assert (read_all / "timeline.parquet").read_bytes() == full_bytes(tmp_path, now)
        same_cache(cached(told), cached(read_all))
        since = table_stamp(told / "events.parquet")
    assert forgotten  # the splice ran (several runs), dropping pages as it went


def test_forgotten_pages_read_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "t.arrow"
    table = pa.table({"x": np.arange(100_000, dtype=np.int64), "s": [f"v{k}" for k in range(100_000)]})
    build._write_ipc(table, path, whole=True)
    mapped = build.MappedFile(path)
    first = mapped.table.column("x").to_numpy().sum()
    mapped.forget()
    assert mapped.table.column("x").to_numpy().sum() == first
    assert mapped.table.equals(table)
    mapped.forget()
    assert mapped.table.column("s").to_pylist()[-1] == "v99999"


@pytest.mark.parametrize("step", [1, 2, 5, 1 << 20])
def test_block_keys_in_steps_are_the_keys_at_once(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    rng = np.random.default_rng(7)
    n = 50
    fields: dict[str, Any] = {name: np.zeros(n, dtype=np.int32) for name in graph.FACT_FIELDS}
    fields.update(plover=rng.integers(-1, 4, n).astype(np.int32),
                  acled=rng.integers(-1, 3, n).astype(np.int32),
                  block_start=rng.integers(18_000, 19_000, n).astype(np.int32))
    facts = graph.FactArrays(n=n, row=np.arange(n), id_rank=np.arange(n, dtype=np.int32), **fields)
    event = rng.integers(0, n, 80).astype(np.int32)
    kind = rng.integers(0, 2, 80).astype(np.int8)
    n_plover = int(facts.plover.max()) + 1
    block = np.where(kind == 0, facts.plover[event], facts.acled[event] + n_plover).astype(np.int64)
    base = int(facts.block_start.min(initial=0))
    expected = (block << 32) + (facts.block_start[event] - base).astype(np.int32)
    monkeypatch.setattr(graph, "KEY_STEP", step)
    np.testing.assert_array_equal(graph._block_keys(facts, event, kind), expected)


def test_the_kept_table_is_the_file_the_cache_wrote(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Put back by hand (another inode), the same bytes still mean a merge: stamps are compared."""
    out, since = built(tmp_path)
    data = (out / "timeline.parquet").read_bytes()
    (out / "copy.tmp").write_bytes(data)  # written while the old file is there: another inode
    os.replace(out / "copy.tmp", out / "timeline.parquet")
    merges = Merges(monkeypatch)
    write_timeline(out, out / "cache", changed_articles=set(), changed_since=since)
    assert merges.count == 1
    assert (out / "timeline.parquet").read_bytes() == data


def as_parts(out: Path) -> None:
    """The events and articles files as folders of parts, as a build writes them."""
    for name in ("events", "articles"):
        single = out / f"{name}.parquet"
        if single.is_file():
            os.replace(single, out / "part.tmp")
            single.mkdir()
            os.replace(out / "part.tmp", single / "part-000000.parquet")


def recommit(folder: Path) -> None:
    """The same part files moved into a new folder (same inodes and mtimes), as a build commits."""
    before = folder.stat()
    moved = folder.parent / f".{folder.name}.new"
    moved.mkdir()
    for part in sorted(folder.iterdir()):
        os.replace(part, moved / part.name)
    folder.rmdir()
    os.replace(moved, folder)
    # a later commit (the clock may not have ticked since the last one in a test this quick)
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("table", ["events", "articles"])
def test_the_same_parts_in_a_new_folder_are_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          table: str) -> None:
    """A build commits its tables' part files into a new folder: the folder's mtime aside, the same."""
    out = tmp_path / "out"
    write_folder(out, DOCS)
    as_parts(out)
    write_timeline(out, out / "cache")
    now = strike_moved(DOCS, "a2", 2)
    expected = full_bytes(tmp_path, now)
    calls = Calls(monkeypatch)
    merges = Merges(monkeypatch)
    for _ in range(2):  # twice: the cache's stamps are those of the build before the first
        since = table_stamp(out / "events.parquet")
        recommit(out / f"{table}.parquet")
        assert table != "events" or table_stamp(out / "events.parquet") != since  # the folder's mtime
        write_timeline(out, out / "cache", changed_articles=set(), changed_since=since)
    assert merges.count == 0
    # A change: only a2's rows read, from the cache of the build before both kept ones.
    since = table_stamp(out / "events.parquet")
    for name in ("events", "articles"):
        shutil.rmtree(out / f"{name}.parquet")
    write_folder(out, now)
    as_parts(out)
    write_timeline(out, out / "cache", changed_articles={"a2"}, changed_since=since)
    assert merges.count == 1 and calls.results == [True]
    assert (out / "timeline.parquet").read_bytes() == expected


def test_a_part_rewritten_is_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_folder(out, DOCS)
    as_parts(out)
    write_timeline(out, out / "cache")
    since = table_stamp(out / "events.parquet")
    part = out / "events.parquet" / "part-000000.parquet"
    (out / "copy.tmp").write_bytes(part.read_bytes())  # same rows, a new file (another inode)
    os.replace(out / "copy.tmp", part)
    merges = Merges(monkeypatch)
    write_timeline(out, out / "cache", changed_articles=set(), changed_since=since)
    assert merges.count == 1
