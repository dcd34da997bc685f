"""The compiled merge loops against the rule as written in Python (merge.py) and NumPy (graph.py)."""

from __future__ import annotations

import math
import shutil
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.timeline import graph, kernels
from etl.timeline.frames import records
from etl.timeline.merge import (
    EventFacts,
    Side,
    build_timeline,
    cluster_events,
    distance_km,
    event_facts,
    places_compatible,
)
from etl.timeline.rules import merge_settings
from tests.timeline.test_build import corpus, frames, new_merge

RULE = merge_settings()
SETTINGS = dict(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def with_repeated_ids(events: pd.DataFrame, data: st.DataObject) -> pd.DataFrame:
    """Some events renamed to the id of another (the same report ingested twice, say)."""
    ids = events["event_id"].tolist()
    pool = data.draw(st.integers(1, max(1, len(ids))))
    events = events.copy()
    events["event_id"] = [ids[data.draw(st.integers(0, pool - 1))] if data.draw(st.booleans()) else i
                          for i in ids]
    return events


def facts_of(events: pd.DataFrame) -> tuple[list[EventFacts], graph.FactArrays]:
    """The rule's facts two ways, in the same (merge) order."""
    rows = sorted(records(events), key=lambda r: str(r["event_id"]))
    facts = [f for f in (event_facts(r, RULE) for r in rows) if f is not None]
    return facts, graph.fact_arrays(pa.Table.from_pandas(events, preserve_index=False), RULE)


def groups_of(labels: Any) -> list[list[int]]:
    by: dict[int, list[int]] = {}
    for k, label in enumerate(labels.tolist()):
        by.setdefault(label, []).append(k)
    return sorted(by.values())


@settings(**SETTINGS)
@given(corpus())
def test_the_sweep_finds_the_rule_pairs_with_their_scores(docs):
    events, _ = frames(docs)
    facts, arrays = facts_of(events)
    chunks = kernels.sweep_edges(arrays, graph.blocks(arrays), RULE, chunk=7)  # resumed often
    found = {(int(a), int(b)): float(s) for chunk in chunks for a, b, s in zip(*chunk, strict=True)}
    numpy_pairs = {(int(a), int(b)) for a, b in zip(*_numpy_edges(arrays), strict=True)}
    assert set(found) == numpy_pairs
    a, b = np.array(sorted(found), dtype=np.int64).reshape(-1, 2).T
    assert [found[k] for k in sorted(found)] == graph.score(arrays, a, b, RULE).tolist()
    assert len(facts) == arrays.n


def _numpy_edges(arrays: graph.FactArrays) -> tuple[Any, Any]:
    pieces = list(graph.edges(arrays, graph.blocks(arrays), RULE, np.arange(arrays.n)))
    if not pieces:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate([a for a, _ in pieces]), np.concatenate([b for _, b in pieces])


@settings(**SETTINGS)
@given(corpus(), st.data())
def test_grouping_joins_as_merge_pairs_even_with_repeated_ids(docs, data):
    events = with_repeated_ids(frames(docs)[0], data)
    facts, arrays = facts_of(events)
    grouping = kernels.Grouping(arrays, RULE)
    a, b = _numpy_edges(arrays)
    order = graph.pair_order(arrays, a, b, RULE)
    grouping.join(a[order], b[order])
    assert groups_of(grouping.labels()) == sorted(cluster_events(facts, RULE))


@settings(**SETTINGS)
@given(corpus(), st.data())
def test_pairs_come_back_in_merge_order_from_disk(docs, data):
    events = with_repeated_ids(frames(docs)[0], data)
    _, arrays = facts_of(events)
    a, b = _numpy_edges(arrays)
    order = graph.pair_order(arrays, a, b, RULE)
    folder = Path(tempfile.mkdtemp(prefix="pairs-"))
    limit, rank_bin, chunk = kernels.SORT_PAIRS, kernels.RANK_BIN, kernels.SWEEP_PAIRS
    kernels.SORT_PAIRS = data.draw(st.sampled_from([1, 3, limit]))  # split the score files, or not
    kernels.RANK_BIN = data.draw(st.sampled_from([1, 2, 5, rank_bin]))  # cut after any rank, or fewer
    kernels.SWEEP_PAIRS = data.draw(st.sampled_from([1, 5, chunk]))  # many chunks from each thread
    threads = data.draw(st.sampled_from([1, 2, 3]))  # the threads' chunks arrive in any order
    try:
        runs = list(kernels.ordered_pairs(arrays, graph.blocks(arrays), RULE, folder, threads=threads))
    finally:
        kernels.SORT_PAIRS, kernels.RANK_BIN, kernels.SWEEP_PAIRS = limit, rank_bin, chunk
    got = [(int(x), int(y)) for ra, rb in runs for x, y in zip(ra, rb, strict=True)]
    assert got == list(zip(a[order].tolist(), b[order].tolist(), strict=True))
    assert list(folder.iterdir()) == []  # the spilled pairs are removed
    folder.rmdir()


@settings(**SETTINGS)
@given(corpus(), st.data())
def test_a_cold_build_with_repeated_ids_is_build_timeline(docs, data):
    events, articles = frames(docs)
    events = with_repeated_ids(events, data)
    pd.testing.assert_frame_equal(new_merge(events, articles), build_timeline(events, articles))


def at(point: tuple[float, float]) -> EventFacts:
    day = date(2024, 12, 17)
    nobody = Side(None, None)
    return EventFacts("e", "a", day, day, day, day, None, None, None, nobody, nobody, None, None, point,
                      True, (0, 0, 0), (1, 0))


@pytest.mark.parametrize("bearing", [0.0, 37.0, 90.0, 141.0])
@pytest.mark.parametrize("offset_km", [-1e-7, 0.0, 1e-7, -1e-3, 1e-3])
def test_a_distance_at_the_threshold_is_decided_as_in_python(bearing: float, offset_km: float):
    lat, lon = 49.99, 36.23
    km = RULE.max_distance_km + offset_km
    north = math.cos(math.radians(bearing))
    east = math.sin(math.radians(bearing)) / math.cos(math.radians(lat))

    def point(t: float) -> tuple[float, float]:
        return (lat + t * north, lon + t * east)

    low, high = 0.0, 1.0  # degrees along the bearing: bisect to the point ``km`` away
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if distance_km((lat, lon), point(middle)) < km else (low, middle)
    other = point(high)
    assert abs(distance_km((lat, lon), other) - km) < 1e-9
    exact = places_compatible(at((lat, lon)), at(other), RULE)
    assert kernels._within(lat, lon, *other, RULE.max_distance_km, kernels.DISTANCE_GUARD_KM) == exact


@settings(**SETTINGS)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=60), st.data())
def test_pairs_grouped_by_score_as_np_unique_groups_them(scores, data):
    s = np.array(scores, dtype=np.float64)
    a = np.arange(len(s), dtype=np.int32)
    b = np.array(data.draw(st.permutations(list(range(len(s))))), dtype=np.int32)
    values, starts, pairs = kernels._by_score(a, b, s)
    got = {value: pairs[starts[j]:starts[j + 1]].tolist() for j, value in enumerate(values.tolist())
           if value == value}
    expected: dict[float, list[list[int]]] = {}
    for i, value in enumerate(s.tolist()):
        if value == value:
            expected.setdefault(value, []).append([int(a[i]), int(b[i])])
    assert got == expected  # one group per score (0.0 and -0.0 alike), pairs in their order
    assert sorted(values.tolist()) == sorted(set(np.unique(s).tolist())) or np.isnan(s).any()
    assert int(np.isnan(values).sum()) == int(np.isnan(s).any())  # every NaN in one group
    assert len(pairs) == len(s) and starts[-1] == len(s)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus())
def test_a_failing_sweep_thread_raises_in_the_caller_and_no_thread_is_left(docs):
    _, arrays = facts_of(frames(docs)[0])
    grouped = kernels._by_score

    def broken(a: Any, b: Any, s: Any) -> Any:
        raise MemoryError("no room for the pairs")

    folder = Path(tempfile.mkdtemp(prefix="pairs-"))
    before = threading.active_count()
    kernels._by_score = broken
    try:
        pairs = kernels.ordered_pairs(arrays, graph.blocks(arrays), RULE, folder, threads=3)
        if len(_numpy_edges(arrays)[0]):
            with pytest.raises(MemoryError, match="no room"):
                list(pairs)
        else:
            assert list(pairs) == []
    finally:
        kernels._by_score = grouped
        shutil.rmtree(folder)
    assert threading.active_count() == before


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus())
def test_pairs_left_unread_stop_the_sweep_threads(docs):
    _, arrays = facts_of(frames(docs)[0])
    chunk = kernels.SWEEP_PAIRS
    kernels.SWEEP_PAIRS = 1  # many chunks: the threads wait on a full queue
    before = threading.active_count()
    folder = Path(tempfile.mkdtemp(prefix="pairs-"))
    try:
        pairs = kernels._scored_pairs(arrays, graph.blocks(arrays), RULE, 1, threads=2)
        next(pairs, None)
        pairs.close()  # the caller stops reading (an error in the join, say)
        runs = kernels.ordered_pairs(arrays, graph.blocks(arrays), RULE, folder, threads=2)
        next(runs, None)
        runs.close()  # the same while the next run is made ahead
    finally:
        kernels.SWEEP_PAIRS = chunk
        shutil.rmtree(folder)
    assert threading.active_count() == before


def test_no_events_no_pairs_no_groups(tmp_path: Path):
    arrays = graph.fact_arrays(pa.table({"event_id": pa.array([], pa.string())}), RULE)
    assert list(kernels.ordered_pairs(arrays, graph.blocks(arrays), RULE, tmp_path)) == []
    assert kernels.Grouping(arrays, RULE).labels().tolist() == []
