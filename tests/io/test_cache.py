"""Cache entries: a file's tables round-trip, compressed; a damaged entry is a miss, not a crash.
The manifest round-trips, stays small, and a damaged or older one only costs hashing again."""

from __future__ import annotations

import json
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl import build
from etl.io.cache import MANIFEST, MARKER, FileCache, _package_file, dump_tables, load_tables, pipeline_key
from etl.io.parquet import to_arrow
from tests.tables import table_bytes

PROBLEM = {"input_file": "a.txt", "line": 3, "article_id": "a-1", "stage": "ingest",
           "severity": "error", "code": "empty_file", "message": "file is empty"}


def _tables(n: int) -> dict[str, pa.Table]:
    return {"problems": to_arrow("problems", [{**PROBLEM, "line": k} for k in range(n)])}


def test_entry_round_trips_and_is_smaller_than_the_pickle() -> None:
    tables = _tables(500)
    data = dump_tables(tables)
    assert load_tables(data)["problems"].equals(tables["problems"])
    assert len(data) * 3 < len(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))


@pytest.mark.parametrize("damage", [
    lambda d: d[: len(d) // 2],                                   # torn write
    lambda d: d[:20] + bytes(b ^ 0xFF for b in d[20:40]) + d[40:],  # flipped bytes
    lambda d: pickle.dumps({"x": 1}),                             # an entry of an older format
    lambda d: b"",
])
def test_a_damaged_entry_is_a_miss(tmp_path: Path, damage: object) -> None:
    cache = FileCache(tmp_path, "key")
    key = cache.lookup("a.txt", 1, 1, lambda: "sha")
    cache.put(key, _tables(50))
    assert cache.get(key) is not None
    path = cache.entry_path(key)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert cache.get(key) is None


# The manifest: what a build recorded of each raw file, read back by the next build.

SHA = [bytes([k]).hex() * 32 for k in range(256)]
ROWS = {"articles": 1, "date_mentions": 3, "events": 2, "problems": 0}


def _never() -> str:
    raise AssertionError("an unchanged file was hashed again")


def _built(root: Path, files: dict[str, tuple[int, int, str]],
           parts: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """A build that looked up ``files`` (name -> size, mtime, sha) and recorded their rows."""
    cache = FileCache(root, "key")
    keys = {name: cache.lookup(name, size, mtime, lambda sha=sha: sha)  # type: ignore[misc]
            for name, (size, mtime, sha) in files.items()}
    for k, name in enumerate(files):
        cache.record(name, {**ROWS, "events": k}, filtered=k % 3 == 1)
    cache.commit(parts)
    return keys


names = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)  # no lone surrogates


@given(st.dictionaries(names, st.tuples(st.integers(0, 2**62), st.integers(-2**62, 2**62),
                                        st.sampled_from(SHA)), max_size=30),
       st.integers(0, 3))
def test_the_manifest_round_trips(files: dict[str, tuple[int, int, str]], nparts: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        order = sorted(files)
        parts = [{"files": [*order[k::max(nparts, 1)], "unreadable.txt"],
                  "stamps": {"events": {"size": k, "mtime_ns": 2, "inode": 3}, "problems": None}}
                 for k in range(nparts)]
        keys = _built(Path(folder), files, parts)
        cache = FileCache(Path(folder), "key")
        assert cache.parts == parts
        assert len(cache.manifest) == len(files)
        for k, (name, (size, mtime, sha)) in enumerate(files.items()):
            assert cache.previous(name) == {
                "size": size, "mtime_ns": mtime, "sha256": sha, "entry": keys[name],
                "rows": {**ROWS, "events": k}, "filtered": k % 3 == 1}
        # in any order, an unchanged file is not hashed again and keeps its key
        for name in reversed(list(files)):
            size, mtime, _ = files[name]
            assert cache.lookup(name, size, mtime, _never) == keys[name]
        assert cache.previous("absent" * 3) is None  # longer than any name drawn


def test_a_changed_file_is_hashed_again_and_a_new_record_replaces_the_old(tmp_path: Path) -> None:
    _built(tmp_path, {"a.txt": (5, 7, SHA[1]), "b.txt": (6, 8, SHA[2])})
    cache = FileCache(tmp_path, "key")
    hashed = []

    def sha(value: str) -> Callable[[], str]:
        return lambda: hashed.append(value) or value  # type: ignore[func-returns-value]

    cache.lookup("b.txt", 6, 9, sha(SHA[3]))  # touched: hashed again
    cache.lookup("a.txt", 5, 7, sha(SHA[4]))  # unchanged: the manifest's hash
    cache.lookup("b.txt", 6, 9, sha(SHA[3]))  # looked up again: one record
    cache.lookup("c.txt", 1, 1, sha("not a sha"))  # not remembered: hashed again next time
    assert hashed == [SHA[3], SHA[3], "not a sha"]
    assert list(cache.used) == ["b.txt", "a.txt", "c.txt"]
    assert cache.used["a.txt"]["sha256"] == SHA[1] and "rows" not in cache.used["a.txt"]
    cache.record("b.txt", {"events": 2**40}, filtered=True)
    with pytest.raises(KeyError):
        cache.record("d.txt", ROWS, filtered=False)
    cache.commit()
    again = FileCache(tmp_path, "key")
    assert again.previous("b.txt") == {"size": 6, "mtime_ns": 9, "sha256": SHA[3],
                                       "entry": again.lookup("b.txt", 6, 9, _never),
                                       "rows": {"events": 2**40}, "filtered": True}
    assert "rows" not in (again.previous("a.txt") or {})
    with pytest.raises(RuntimeError):
        again.lookup("c.txt", 1, 1, lambda: (_ for _ in ()).throw(RuntimeError("hashed")))


def test_commit_drops_the_entries_no_file_uses(tmp_path: Path) -> None:
    keys = _built(tmp_path, {"a.txt": (5, 7, SHA[1]), "b.txt": (6, 8, SHA[2])})
    cache = FileCache(tmp_path, "key")
    for key in keys.values():
        cache.put(key, _tables(1))
    cache.commit()  # this build used no file
    assert not any(cache.has(key) for key in keys.values())
    keys = _built(tmp_path, {"a.txt": (5, 7, SHA[1])})
    cache = FileCache(tmp_path, "key")
    cache.put(keys["a.txt"], _tables(1))
    cache.lookup("a.txt", 5, 7, _never)
    cache.commit()
    assert cache.has(keys["a.txt"])


def _old_manifest(files: dict[str, tuple[int, int, str]]) -> bytes:
    """A manifest as builds before the columnar format wrote it (JSON, a dict per file)."""
    return json.dumps({"files": {name: {"size": size, "mtime_ns": mtime, "sha256": sha,
                                        "entry": "0" * 64, "rows": ROWS, "filtered": False}
                                 for name, (size, mtime, sha) in files.items()},
                       "parts": [{"files": list(files), "stamps": {}}]}).encode()


@pytest.mark.parametrize("damage", [
    lambda d: d[: len(d) // 2],                                     # torn write
    lambda d: d[:40] + bytes(b ^ 0xFF for b in d[40:60]) + d[60:],  # flipped bytes
    lambda d: d[:-8],                                              # a block cut short
    lambda d: d + b"\0" * 8,                                       # a block too many
    lambda d: b"",
    lambda d: _old_manifest({"a.txt": (5, 7, SHA[1])}),            # an older format
])
def test_a_damaged_manifest_only_costs_hashing_again(tmp_path: Path, damage: object) -> None:
    _built(tmp_path, {"a.txt": (5, 7, SHA[1]), "b.txt": (6, 8, SHA[2])},
           [{"files": ["a.txt", "b.txt"], "stamps": {}}])
    path = tmp_path / "key" / MANIFEST
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    cache = FileCache(tmp_path, "key")
    assert (len(cache.manifest), cache.parts, cache.previous("a.txt")) == (0, [], None)
    assert cache.lookup("a.txt", 5, 7, lambda: SHA[1]) == _built(tmp_path, {"a.txt": (5, 7, SHA[1])})["a.txt"]


def test_an_old_manifest_gives_a_full_rebuild_with_the_same_tables(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(5):
        (raw / f"f{i}.jsonl").write_text(json.dumps(
            {"id": f"a{i}", "text": f"Shelling hit Kharkiv on Monday, report {i}.",
             "published": "2024-12-17"}) + "\n")
    out = tmp_path / "out"
    build(raw, out)
    before = table_bytes(out)
    (raw / "f2.jsonl").write_text(json.dumps({"id": "a9", "text": "Shelling hit Odesa on Friday.",
                                              "published": "2024-12-20"}) + "\n")
    (key,) = [p for p in (out / ".cache").iterdir() if (p / MANIFEST).exists()]
    stat = {p.name: (p.stat().st_size, p.stat().st_mtime_ns, "0" * 64) for p in raw.iterdir()}
    (key / MANIFEST).write_bytes(_old_manifest(stat))  # wrong hashes: if read, f2 stays stale
    build(raw, out)
    full = tmp_path / "full"
    build(raw, full, full=True)
    assert table_bytes(out) == table_bytes(full) != before


def test_records_take_a_few_bytes_per_file_beside_the_name(tmp_path: Path) -> None:
    files = {f"txt/{k:04d}/article-{k:07d}.txt": (1000 + k, 10**18 + k, SHA[k % 256])
             for k in range(2000)}
    _built(tmp_path, files)
    cache = FileCache(tmp_path, "key")
    for name, (size, mtime, _) in files.items():
        cache.lookup(name, size, mtime, _never)
        cache.record(name, ROWS, filtered=False)
    for records in (cache.manifest, cache._used):
        columns = (records.names, records.size, records.mtime, records.ctime, records.inode,
                   records.sha, records.entry, records.flags, records.rows)
        # a dict per file took about 600 bytes; the columns take 8 + 4 * 8 + 32 + 32 + 1 + 32
        assert sum(map(sys.getsizeof, columns)) < 155 * len(files)
        assert not records.other_rows
    # the file too: about 190 bytes a file, against 360 as JSON
    assert (tmp_path / "key" / MANIFEST).stat().st_size < 200 * len(files)


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.integers(0, 3), st.booleans()), max_size=40))
def test_records_of_files_looked_up_in_any_order_are_the_last_ones(
        calls: list[tuple[str, int, bool]]) -> None:
    cache, expected = FileCache(Path("/nonexistent"), "key"), {}
    for name, size, recorded in calls:  # in name order at first, then out of it, with repeats
        entry = cache.lookup(name, size, 1, lambda size=size: SHA[size])  # type: ignore[misc]
        expected[name] = {"size": size, "mtime_ns": 1, "sha256": SHA[size], "entry": entry}
        if recorded:
            cache.record(name, {"events": size}, filtered=False)
            expected[name].update(rows={"events": size}, filtered=False)
    assert dict(cache.used) == expected
    assert list(cache.used) == list(expected)


def test_a_file_with_another_change_time_or_inode_is_hashed_again(tmp_path: Path) -> None:
    cache = FileCache(tmp_path, "key")
    cache.lookup("a.txt", 5, 7, lambda: SHA[1], ctime_ns=8, inode=2**64 - 1)  # inodes are unsigned
    cache.commit()
    hashed: list[str] = []

    def sha(value: str) -> Callable[[], str]:
        return lambda: hashed.append(value) or value  # type: ignore[func-returns-value]

    for ctime, inode in [(8, 2**64 - 1), (9, 2**64 - 1), (8, 3)]:
        FileCache(tmp_path, "key").lookup("a.txt", 5, 7, sha(f"{ctime} {inode}"), ctime_ns=ctime, inode=inode)
    assert hashed == ["9 18446744073709551615", "8 3"]  # same size and mtime: swapped, rewritten


def test_commit_deletes_only_folders_of_this_project(tmp_path: Path) -> None:
    user = {"huggingface/model.bin": b"w", "0123456789abcdef0123/data": b"a key's name, not ours",
            "timeline/state": b"the timeline merge's", "abcdefabcdefabcdefab": b"a file"}
    for name, data in user.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    for key, marked in [("1" * 20, True), ("2" * 20, False)]:
        cache = FileCache(tmp_path, key)
        cache.lookup("a.txt", 1, 1, lambda: SHA[1])
        cache.commit()
        assert (tmp_path / key / MARKER).exists()
        if not marked:  # made before the marker: recognised by its manifest
            (tmp_path / key / MARKER).unlink()
    (tmp_path / ("3" * 20)).symlink_to(tmp_path / "huggingface")
    FileCache(tmp_path, "f" * 20).commit()
    assert {name: (tmp_path / name).read_bytes() for name in user} == user
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["huggingface", "0123456789abcdef0123", "timeline", "abcdefabcdefabcdefab", "3" * 20, "f" * 20])


@pytest.mark.parametrize("name, counted", [
    ("pipeline.py", True), ("resources/geo/cues.tsv", True), ("resources/x/new.yaml", True),
    ("py.typed", True), (".pipeline.py.swp", False), ("io/.cache.py.swo", False),
    ("pipeline.py~", False), ("#pipeline.py#", False), (".#pipeline.py", False),
    ("__pycache__/pipeline.cpython-311.pyc", False), ("resources/.DS_Store", False),
    ("pipeline.py.orig", False), ("io/4913", True),
])
def test_the_pipeline_key_counts_the_package_s_files_not_an_editor_s(name: str, counted: bool) -> None:
    assert _package_file(Path(name)) is counted


def test_an_editor_s_files_do_not_change_the_pipeline_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "etl"
    (package / "resources").mkdir(parents=True)
    (package / "__init__.py").write_text("x = 1\n")
    (package / "resources" / "words.tsv").write_text("a\tb\n")
    monkeypatch.setattr("etl.__file__", str(package / "__init__.py"))
    key = pipeline_key()
    for junk in (".__init__.py.swp", "__init__.py~", "#__init__.py#", "__pycache__/__init__.cpython-311.pyc"):
        (package / junk).parent.mkdir(exist_ok=True)
        (package / junk).write_text("opened in an editor")
    assert pipeline_key() == key
    (package / "resources" / "words.tsv").write_text("a\tc\n")
    assert pipeline_key() != key
