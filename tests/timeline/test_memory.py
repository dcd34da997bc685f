"""The full build's memory savings change nothing: parked facts, the sentence gather, file reads.

``write_timeline`` parks facts on disk while the sweep and the join run, drops the rule's
fields once groups are known, reads the summaries straight into their sorted place and opens
the events files itself (so Arrow reads them through the current pool). Each must leave the
table byte for byte that of the reference merge, with batches and row groups small enough
that every path (several batches, several row groups per batch) is taken.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.io.parquet import arrow_to_frame, to_arrow, write_arrow
from etl.timeline import build, kernels
from etl.timeline.build import EventSource, Parked, write_timeline
from etl.timeline.merge import build_timeline
from tests.timeline.test_build import corpus
from tests.timeline.test_changed import Docs, write_folder


def events_file(path: Path, columns: dict[str, list[Any]], group_rows: int) -> None:
    """An events file with ``columns`` (the others the reader expects all null)."""
    n = len(next(iter(columns.values())))
    table = pa.table({**{name: pa.nulls(n, pa.string()) for name in build.DICTIONARY_COLUMNS}, **columns})
    pq.write_table(table, path, row_group_size=group_rows)


def reference_bytes(out: Path, tmp: Path) -> bytes:
    """``timeline.parquet`` as the reference merge (``build_timeline``) writes it."""
    events = arrow_to_frame("events", pq.read_table(out / "events.parquet"))
    articles = arrow_to_frame("articles", pq.read_table(out / "articles.parquet"))
    write_arrow(to_arrow("timeline", build_timeline(events, articles)), tmp / "reference.parquet")
    return (tmp / "reference.parquet").read_bytes()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Batches of a few events, and a record of what the sweep could see of the facts."""
    monkeypatch.setattr(build, "BATCH_EVENTS", 3)
    monkeypatch.setattr(build, "SINGLE_BATCH", 2)
    seen: list[str] = []
    original = kernels.ordered_pairs

    def ordered_pairs(facts: Any, *args: Any) -> Any:
        # Parked fields are None here: a sweep reading them fails instead of reading stale data.
        seen.extend(name for name in build.SWEEP_IDLE_FACTS if getattr(facts, name) is None)
        yield from original(facts, *args)

    monkeypatch.setattr(kernels, "ordered_pairs", ordered_pairs)
    return seen


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(corpus(), st.integers(1, 4))
def test_a_full_build_in_small_batches_writes_the_reference_bytes(
        tmp_path_factory: pytest.TempPathFactory, small_batches: list[str], docs: Docs,
        row_group_rows: int) -> None:
    tmp = tmp_path_factory.mktemp("memory")
    write_folder(tmp / "out", docs, row_group_rows=row_group_rows)
    small_batches.clear()
    write_timeline(tmp / "out", tmp / "out" / "cache", full=True)
    assert (tmp / "out" / "timeline.parquet").read_bytes() == reference_bytes(tmp / "out", tmp)
    assert small_batches == build.SWEEP_IDLE_FACTS  # the sweep ran without them
    # The cache written after the parked arrays came back serves an unchanged rebuild.
    stats: dict[str, Any] = {}
    articles = pq.read_table(tmp / "out" / "articles.parquet", columns=build.ARTICLE_COLUMNS)
    build.merge_tables(EventSource(tmp / "out" / "events.parquet"), articles, tmp / "out" / "cache",
                       stats, output=tmp / "again.parquet")
    assert stats["mode"] == "incremental" and stats["regrouped"] == 0
    assert (tmp / "again.parquet").read_bytes() == (tmp / "out" / "timeline.parquet").read_bytes()


def test_parked_arrays_are_gone_until_restored(tmp_path: Path) -> None:
    holder = build._Holder(np.arange(5, dtype=np.int64))
    parked = Parked(tmp_path, holder, ["value"])
    assert holder.value is None and len(list(tmp_path.iterdir())) == 1
    parked.restore()
    restored: Any = holder.value
    np.testing.assert_array_equal(restored, np.arange(5))
    assert restored.dtype == np.int64 and not list(tmp_path.iterdir())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(-1, 13), max_size=30), st.integers(1, 5))
def test_sentences_are_gathered_into_place(tmp_path_factory: pytest.TempPathFactory,
                                           positions: list[int], group_rows: int) -> None:
    """``_sentences`` against a plain lookup: any order, repeats, -1 for none, across row groups."""
    sentences = [None if k % 4 == 3 else f"sentence {k} é" for k in range(14)]
    path = tmp_path_factory.mktemp("sentences") / "events.parquet"
    events_file(path, {"event_id": [f"e{k}" for k in range(14)], "sentence": sentences}, group_rows)
    source = EventSource(path)
    got = build._sentences(source, np.array(positions, dtype=np.int64))
    assert got.type == pa.string()
    assert got.to_pylist() == [None if p < 0 else sentences[p] for p in positions]


def test_row_groups_read_through_our_own_handle_are_the_file_rows(tmp_path: Path) -> None:
    table = pa.table({"event_id": [f"e{k}" for k in range(10)], "article_id": ["a", "b"] * 5,
                      "sentence": [f"s{k}" for k in range(10)]})
    events_file(tmp_path / "events.parquet", table.to_pydict(), 4)
    source = EventSource(tmp_path / "events.parquet")
    parts = [source.part(k, ["event_id", "article_id", "sentence"]) for k in range(3)]
    assert [p.num_rows for p in parts] == [4, 4, 2]
    read = pa.concat_tables(parts)
    assert read.column("event_id").to_pylist() == table.column("event_id").to_pylist()
    assert read.column("article_id").cast(pa.string()).to_pylist() == table.column("article_id").to_pylist()
    source.close()
    source.close()  # closing twice is harmless; reading again reopens
    assert source.part(2, ["sentence"]).column(0).to_pylist() == ["s8", "s9"]
