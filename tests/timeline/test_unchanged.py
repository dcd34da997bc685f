"""A rebuild told that nothing changed reuses the cached facts, ids and table without copies.

With no article changed, ``build.rescan`` hands back the previous build's arrays themselves
(views of the mapped cache) instead of spliced copies. The table must still be byte for byte a
full build's, the cache it leaves must hold what a build reading every row leaves, and a later
build with a change must still come out as a full build's.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from etl.io.cache import table_stamp
from etl.timeline import build
from etl.timeline.build import write_timeline
from tests.timeline.test_changed import DOCS, full_bytes, strike_moved, write_folder

CACHE_FILES = ["events.arrow", "facts.arrow", "blocks.arrow", "timeline.arrow"]


def cached(out: Path) -> dict[str, Any]:
    """The cache folder's tables (and books) as values, to compare two builds' caches."""
    folder = out / "cache" / build.cache_key()
    found: dict[str, Any] = {name: build._read_ipc(folder / name) for name in CACHE_FILES}
    found["books.json"] = (folder / "books.json").read_text(encoding="utf-8")
    return found


def same_cache(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Equal values, schemas and metadata (chunking, and the stamp of each folder's own file, aside)."""
    assert a["books.json"] == b["books.json"]
    for name in CACHE_FILES:
        assert a[name].schema.equals(b[name].schema), name
        meta_a, meta_b = dict(a[name].schema.metadata or {}), dict(b[name].schema.metadata or {})
        for stamp in (b"events_stamp", b"articles_stamp", b"output_stamp"):  # each folder's own files
            assert meta_a.pop(stamp, None) is not None or name != "events.arrow"
            meta_b.pop(stamp, None)
        assert meta_a == meta_b, name
        assert a[name].combine_chunks().equals(b[name].combine_chunks()), name


class Seen:
    """Records, per ``rescan`` call, whether each fact field and the ids are the cache's own memory."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shared: list[dict[str, bool]] = []
        original = build.rescan

        def rescan(*args: Any) -> Any:
            previous = args[3]
            old_facts = previous.facts  # rescan lets go of it (the mapping goes with its last view)
            out = original(*args)
            if out is not None:
                scanned = out[0]
                marks = {name: bool(np.shares_memory(getattr(scanned.facts, name),
                                                     build._fact_field(old_facts, name)))
                         for name in build.graph.FACT_FIELDS if name not in build.PAIR_FIELDS
                         # Arrow's booleans are bits: NumPy gets a copy whatever the path
                         and not pa.types.is_boolean(old_facts.schema.field(name).type)}
                old_ids = build._single(old_facts.column("event_id"))
                ids = scanned.sorted_ids
                marks["event_id"] = isinstance(ids, pa.Array) and len(ids) > 0 \
                    and ids.buffers()[2].address == old_ids.buffers()[2].address
                marks["id_hash"] = bool(np.shares_memory(scanned.id_hash, previous.id_hash))
                self.shared.append(marks)
            return out

        monkeypatch.setattr(build, "rescan", rescan)


def test_nothing_changed_reuses_the_cache_and_leaves_what_a_full_read_leaves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "INCREMENTAL_LIMIT", 1.0)
    monkeypatch.setattr(build, "IPC_CHUNK", 2)  # batches of 2 rows, as 1 << 20 of a large build
    seen = Seen(monkeypatch)
    told, read_all = tmp_path / "told", tmp_path / "all"
    write_folder(told, DOCS)
    write_timeline(told, told / "cache")
    since = table_stamp(told / "events.parquet")
    shutil.copytree(told, read_all)
    write_folder(told, DOCS)  # the same rows in a new file: not the build kept as it is (test_kept)
    # The same build twice: told that nothing changed (rescan), and reading every row.
    write_timeline(told, told / "cache", changed_articles=set(), changed_since=since)
    write_timeline(read_all, read_all / "cache")
    assert len(seen.shared) == 1 and all(seen.shared[0].values()), seen.shared
    expected = full_bytes(tmp_path, DOCS)
    assert (told / "timeline.parquet").read_bytes() == expected
    assert (read_all / "timeline.parquet").read_bytes() == expected
    same_cache(cached(told), cached(read_all))
    for name in ("events.arrow", "facts.arrow", "blocks.arrow"):  # whole: read back as views
        with pa.memory_map(str(told / "cache" / build.cache_key() / name)) as source:
            assert build.ipc.open_file(source).num_record_batches == 1, name
    # The cache left by the no-copy path serves the next build, with a change, as any other.
    since = table_stamp(told / "events.parquet")
    now = strike_moved(DOCS, "a2", 2)
    write_folder(told, now)
    write_timeline(told, told / "cache", changed_articles={"a2"}, changed_since=since)
    assert len(seen.shared) == 2 and not seen.shared[1]["id_hash"]  # rows changed: copies
    assert (told / "timeline.parquet").read_bytes() == full_bytes(tmp_path, now)
