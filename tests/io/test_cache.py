"""Cache entries: a file's tables round-trip, compressed; a damaged entry is a miss, not a crash."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyarrow as pa
import pytest

from etl.io.cache import FileCache, dump_tables, load_tables
from etl.io.parquet import to_arrow

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
