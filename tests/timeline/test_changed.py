"""write_timeline told which articles changed: only their rows are read, the bytes are a full build's.

A processed folder is built, some articles are added, changed or deleted, and the timeline is
written again with ``changed_articles`` (and the stamp of the events file they are counted
from): ``timeline.parquet`` must be byte for byte the one a full build writes. When the cache
was made from another events file, is damaged, or the other articles' rows are not as they
were, every row is read instead, with the same result.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.io.cache import table_stamp
from etl.io.parquet import TableWriter, write_table
from etl.timeline import build, graph
from etl.timeline.build import write_timeline
from tests.timeline.builders import ARTICLES, EVENTS, frame
from tests.timeline.test_build import an_article, an_event, corpus

Docs = dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]


def write_folder(out: Path, docs: Docs, row_group_rows: int = 3) -> None:
    """``articles`` and ``events`` of ``docs`` (events in small row groups, as a large file has)."""
    out.mkdir(parents=True, exist_ok=True)
    write_table("articles", frame("articles", [a for a, _ in docs.values()]), out)
    writer = TableWriter("events", out, row_group_rows=row_group_rows)
    writer.write(frame("events", [e for _, evs in docs.values() for e in evs]))
    writer.commit()


def full_bytes(tmp: Path, docs: Docs) -> bytes:
    """``timeline.parquet`` of a build of ``docs`` with no cache to start from."""
    out = tmp / "full"
    shutil.rmtree(out, ignore_errors=True)
    write_folder(out, docs)
    write_timeline(out, out / "cache", full=True)
    return (out / "timeline.parquet").read_bytes()


class Calls:
    """Records what ``build.rescan`` returned (None: it declined, every row was read)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.results: list[bool] = []
        original = build.rescan

        def rescan(*args: Any) -> Any:
            out = original(*args)
            self.results.append(out is not None)
            return out

        monkeypatch.setattr(build, "rescan", rescan)


@pytest.fixture(autouse=True)
def blocks_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every block list updated from the last build's is the one made from scratch."""
    original = graph.updated_blocks

    def checked(facts: graph.FactArrays, *args: Any) -> graph.Blocks:
        made = original(facts, *args)
        expected = graph.blocks(facts)
        for name in ("key", "event", "end", "acled_block", "position"):
            np.testing.assert_array_equal(getattr(made, name), getattr(expected, name))
        return made

    monkeypatch.setattr(graph, "updated_blocks", checked)


def change(data: st.DataObject, docs: Docs) -> tuple[Docs, set[str]]:
    """Some articles added, changed (events or outlet) or deleted; and the ids touched."""
    changed = dict(docs)
    touched: set[str] = set()
    for step in range(data.draw(st.integers(1, 3))):
        action = data.draw(st.sampled_from(["add", "change", "delete", "outlet", "same"]))
        name = data.draw(st.sampled_from(sorted(changed))) if changed else f"n{step}"
        if action == "add" or not changed:
            name = f"n{step}"
            changed[name] = data.draw(an_article(name))
        elif action == "change":
            art, evs = changed[name]
            k = data.draw(st.integers(0, len(evs) - 1))
            changed[name] = (art, [*evs[:k], data.draw(an_event(art, evs[k]["event_id"])), *evs[k + 1:]])
        elif action == "delete":
            del changed[name]
        elif action == "outlet":
            art, evs = changed[name]
            changed[name] = ({**art, "source": "C", "published": None}, evs)
        if action != "delete" or data.draw(st.booleans()):  # a deleted article may go unmentioned
            touched.add(name)
    return changed, touched


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(corpus(), st.data())
def test_changed_articles_give_the_bytes_of_a_full_build(
        tmp_path_factory: pytest.TempPathFactory, docs: Docs, data: st.DataObject) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "INCREMENTAL_LIMIT", 1.0)  # small corpora: incremental when it can
        rebuild_twice(tmp_path_factory.mktemp("changed"), Calls(patch), docs, data)


def rebuild_twice(tmp: Path, calls: Calls, docs: Docs, data: st.DataObject) -> None:
    """A build, one after some changes (told), one more after none: each as a full build's bytes."""
    out = tmp / "out"
    write_folder(out, docs)
    write_timeline(out, out / "cache")
    since = table_stamp(out / "events.parquet")
    changed, touched = change(data, docs)
    write_folder(out, changed)
    write_timeline(out, out / "cache", changed_articles=touched, changed_since=since)
    assert (out / "timeline.parquet").read_bytes() == full_bytes(tmp, changed)
    assert calls.results == [True]
    # And once more from the cache this build left, nothing changed.
    since = table_stamp(out / "events.parquet")
    write_folder(out, changed)
    write_timeline(out, out / "cache", changed_articles=set(), changed_since=since)
    assert (out / "timeline.parquet").read_bytes() == full_bytes(tmp, changed)
    assert calls.results == [True, True]


DOCS: Docs = {a["article_id"]: (a, [e for e in EVENTS if e["article_id"] == a["article_id"]])
              for a in ARTICLES}


def strike_moved(docs: Docs, article_id: str, days: int) -> Docs:
    """``docs`` with the events of one article told ``days`` later (so groups change)."""
    from datetime import timedelta

    art, evs = docs[article_id]
    moved = [{**e, **{c: e[c] + timedelta(days=days) for c in ("event_date", "date_start", "date_end")}}
             for e in evs]
    return {**docs, article_id: (art, moved)}


def test_a_cache_of_another_events_file_is_not_trusted(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    out = tmp_path / "out"
    write_folder(out, DOCS)
    write_timeline(out, out / "cache")
    # A build that wrote events but not the timeline (it stopped): the cache is of the file before.
    skipped = strike_moved(DOCS, "a1", 3)
    write_folder(out, skipped)
    since = table_stamp(out / "events.parquet")
    now = strike_moved(skipped, "a4", 1)
    write_folder(out, now)
    write_timeline(out, out / "cache", changed_articles={"a4"}, changed_since=since)
    assert calls.results == []  # the cache's stamp is not ``since``: every row was read
    assert (out / "timeline.parquet").read_bytes() == full_bytes(tmp_path, now)


@pytest.mark.parametrize("damage", ["facts.arrow", "books.json", "blocks.arrow"])
def test_a_damaged_cache_means_every_row_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  damage: str) -> None:
    calls = Calls(monkeypatch)
    out = tmp_path / "out"
    write_folder(out, DOCS)
    write_timeline(out, out / "cache")
    (out / "cache" / build.cache_key() / damage).write_bytes(b"not what it was")
    since = table_stamp(out / "events.parquet")
    now = strike_moved(DOCS, "a2", 2)
    write_folder(out, now)
    write_timeline(out, out / "cache", changed_articles={"a2"}, changed_since=since)
    # Blocks are made afresh when theirs are damaged; facts or books damaged: every row is read.
    assert calls.results == ([True] if damage == "blocks.arrow" else [])
    assert (out / "timeline.parquet").read_bytes() == full_bytes(tmp_path, now)


@pytest.mark.parametrize("case", ["count", "order", "duplicate id"])
def test_rows_not_as_the_caller_says_mean_every_row_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    calls = Calls(monkeypatch)
    out = tmp_path / "out"
    write_folder(out, DOCS)
    write_timeline(out, out / "cache")
    since = table_stamp(out / "events.parquet")
    if case == "count":  # a2 told one more event, a1 is the one said to change
        art, evs = DOCS["a2"]
        now = {**DOCS, "a2": (art, [*evs, {**evs[0], "event_id": "e2b", "fatalities": 5}])}
    elif case == "order":  # a3 and a4 swapped places
        now = {k: DOCS[k] for k in ["a1", "a2", "a4", "a3", "a5"]}
    else:  # a1 now tells a5's event under a5's id
        art, evs = DOCS["a1"]
        now = {**DOCS, "a1": (art, [*evs, {**DOCS["a5"][1][0], "article_id": "a1"}])}
    write_folder(out, now)
    write_timeline(out, out / "cache", changed_articles={"a1"}, changed_since=since)
    assert calls.results == [False]
    assert (out / "timeline.parquet").read_bytes() == full_bytes(tmp_path, now)


def test_without_a_stamp_the_ids_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    out = tmp_path / "out"
    write_folder(out, DOCS)
    write_timeline(out, out / "cache")
    now = strike_moved(DOCS, "a2", 2)
    write_folder(out, now)
    write_timeline(out, out / "cache", changed_articles={"a2"})
    assert calls.results == []
    assert (out / "timeline.parquet").read_bytes() == full_bytes(tmp_path, now)


def test_search_places_ids_as_bisect_does() -> None:
    ids = pa.array(["a", "b", "d", "z", "é"])  # code point order, as Arrow sorts UTF-8
    values = ["", "a", "c", "e", "zz", "é", "éa"]
    expected = [0, 0, 2, 3, 4, 4, 5]
    assert build._search(ids, values).tolist() == expected
    limit = build.BISECT_EVENTS
    try:
        build.BISECT_EVENTS = 0  # the vectorized search
        assert build._search(ids, values).tolist() == expected
    finally:
        build.BISECT_EVENTS = limit
