"""The scalable merge (etl.timeline.build) against the reference merge (merge.build_timeline).

Same table from a cold build, and from an incremental build after an article's events were
added, changed or deleted; the cache is ignored when its key differs; write_timeline writes
the same bytes as writing build_timeline's frame.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.io.parquet import arrow_to_frame, write_table
from etl.timeline import build, graph
from etl.timeline.build import merge_tables, timeline_table, write_timeline
from etl.timeline.merge import build_timeline, candidate_pairs, compatible, event_facts, pair_score
from etl.timeline.rules import merge_settings
from tests.timeline.builders import ARTICLES, EVENTS, KHARKIV, KHARKIV_SUBURB, KHERSON, article, event, frame

# (location, admin1, point, country): a place across the border within the merge distance of
# Kharkiv, and one event with no place at all, so the country and evidence rules are exercised.
TOWNS = [("Kharkiv", "Kharkiv Oblast", KHARKIV, "UKR"),
         ("Kharkiv outskirts", "Kharkiv Oblast", KHARKIV_SUBURB, "UKR"),
         ("Kherson", "Kherson Oblast", KHERSON, "UKR"), (None, "Kharkiv Oblast", None, "UKR"),
         (None, None, None, "UKR"), ("Ukraine", None, (48.4, 31.2), "UKR"),
         ("Across the border", "Belgorod Oblast", (50.10, 36.30), "RUS"), (None, None, None, None)]
ACTORS = [("Military Forces of Russia", "RUS", "military"), ("Government of Russia", "RUS", "government"),
          ("Civilians (Ukraine)", "UKR", "civilians"), (None, None, None)]
TYPES = [("ASSAULT", "Explosions/Remote violence"), ("ASSAULT", "Battles"), ("COERCE", "Battles"),
         ("CONSULT", None)]


@st.composite
def an_event(draw: st.DrawFn, art: dict[str, Any], event_id: str) -> dict[str, Any]:
    """One random event of an article: a few towns, actors, types and days, so groups form."""
    day = date(2024, 12, 8) + timedelta(days=draw(st.integers(0, 5)))
    width = draw(st.sampled_from([0, 0, 0, 6, 40, 365]))
    location, admin1, point, country = draw(st.sampled_from(TOWNS))
    a1, a2 = draw(st.sampled_from(ACTORS)), draw(st.sampled_from(ACTORS))
    plover, acled = draw(st.sampled_from(TYPES))
    return event(
        event_id, art, art["text"], "happened", day=(day - timedelta(days=width)).isoformat(),
        end=day.isoformat(), precision="day" if width == 0 else "week",
        basis=draw(st.sampled_from(["explicit", "publication"])) if width else "explicit",
        event_type=plover, acled=acled,
        actor1=a1[0], actor1_country=a1[1], actor1_sector=a1[2], actor2=a2[0],
        actor2_country=a2[1], actor2_sector=a2[2], location=location, admin1=admin1,
        country=country, point=point, geo_precision=(1 if point else 3) if (location or admin1) else None,
        fatalities=draw(st.one_of(st.none(), st.integers(0, 20))),
        confidence=draw(st.sampled_from([0.5, 0.8, 0.9])))


@st.composite
def an_article(draw: st.DrawFn, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    outlet = draw(st.sampled_from(["A", "B", None]))
    art = article(name, f"Report {name}: something happened.", source=outlet,
                  url=f"https://site{draw(st.integers(0, 2))}.example/{name}",
                  published=f"2024-12-{draw(st.integers(10, 14)):02d}T09:00:00")
    n = draw(st.integers(1, 4))
    return art, [draw(an_event(art, f"{name}-e{k}")) for k in range(n)]


@st.composite
def corpus(draw: st.DrawFn) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    n = draw(st.integers(1, 9))
    return {f"r{i}": draw(an_article(f"r{i}")) for i in range(n)}


def frames(docs: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    articles = [a for a, _ in docs.values()]
    events = [e for _, evs in docs.values() for e in evs]
    return frame("events", events), frame("articles", articles)


def new_merge(events: pd.DataFrame, articles: pd.DataFrame, cache: Path | None = None,
              stats: dict[str, Any] | None = None) -> pd.DataFrame:
    return arrow_to_frame("timeline", timeline_table(events, articles, cache, stats))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus())
def test_cold_build_is_build_timeline(docs):
    events, articles = frames(docs)
    pd.testing.assert_frame_equal(new_merge(events, articles), build_timeline(events, articles))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus(), st.data())
def test_incremental_build_is_the_cold_build(docs, data):
    build_limit = build.INCREMENTAL_LIMIT
    build.INCREMENTAL_LIMIT = 1.0  # small corpora: always take the incremental path when it can
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            new_merge(*frames(docs), cache)
            changed = dict(docs)
            action = data.draw(st.sampled_from(["add", "change", "delete", "outlet", "same"]))
            name = data.draw(st.sampled_from(sorted(docs)))
            if action == "add":
                changed["new"] = data.draw(an_article("new"))
            elif action == "change":
                art, evs = docs[name]
                k = data.draw(st.integers(0, len(evs) - 1))
                evs = [*evs[:k], data.draw(an_event(art, evs[k]["event_id"])), *evs[k + 1:]]
                changed[name] = (art, evs)
            elif action == "delete":
                del changed[name]
            elif action == "outlet":
                art, evs = docs[name]
                changed[name] = ({**art, "source": "C", "published": None}, evs)
            if not changed:
                return
            stats: dict[str, Any] = {}
            again = new_merge(*frames(changed), cache, stats)
            assert stats["mode"] == "incremental"
            pd.testing.assert_frame_equal(again, build_timeline(*frames(changed)))
    finally:
        build.INCREMENTAL_LIMIT = build_limit


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus())
def test_vectorized_pairs_are_the_rule_pairs(docs):
    events, _ = frames(docs)
    rule = merge_settings()
    table = build.pa.Table.from_pandas(events, preserve_index=False)
    facts = graph.fact_arrays(table, rule)
    rows = sorted(events.to_dict("records"), key=lambda r: r["event_id"])
    plain = [{k: (None if pd.isna(v) else v) if not isinstance(v, list) else v for k, v in r.items()}
             for r in rows]
    objects = [event_facts(r, rule) for r in plain]
    expected = {(i, j): pair_score(objects[i], objects[j], rule)
                for i, j in candidate_pairs(objects, rule) if compatible(objects[i], objects[j], rule)}
    found: dict[tuple[int, int], float] = {}
    for a, b in graph.edges(facts, graph.blocks(facts), rule, np.arange(facts.n), forward_only=True):
        scores = graph.score(facts, a, b, rule)
        found.update({(int(i), int(j)): float(s) for i, j, s in zip(a, b, scores, strict=True)})
    assert found == expected
    both_ways: set[tuple[int, int]] = set()
    for a, b in graph.edges(facts, graph.blocks(facts), rule, np.arange(facts.n), forward_only=False):
        both_ways.update(zip(a.tolist(), b.tolist(), strict=True))
    assert both_ways == set(expected)


def test_a_cache_of_another_key_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    events, articles = frame("events", EVENTS), frame("articles", ARTICLES)
    cache = tmp_path / "cache"
    stats: dict[str, Any] = {}
    first = new_merge(events, articles, cache, stats)
    assert stats["mode"] == "full"
    assert [p.name for p in cache.iterdir()] == [build.cache_key()]
    new_merge(events, articles, cache, stats)
    assert stats["mode"] == "incremental" and stats["regrouped"] == 0
    monkeypatch.setattr(build, "cache_key", lambda settings=None: "another-rule")
    again = new_merge(events, articles, cache, stats)
    assert stats["mode"] == "full"
    assert [p.name for p in cache.iterdir()] == ["another-rule"]  # the stale key is removed
    pd.testing.assert_frame_equal(again, first)


def test_cache_key_follows_settings_and_code():
    rule = merge_settings()
    changed = dataclasses.replace(rule, max_distance_km=rule.max_distance_km + 1)
    assert build.cache_key(rule) != build.cache_key(changed)
    assert build.cache_key(rule) == build.cache_key(rule)


def test_a_damaged_cache_means_a_full_build(tmp_path: Path):
    events, articles = frame("events", EVENTS), frame("articles", ARTICLES)
    cache = tmp_path / "cache"
    first = new_merge(events, articles, cache)
    (cache / build.cache_key() / "events.arrow").write_bytes(b"not arrow")
    stats: dict[str, Any] = {}
    again = new_merge(events, articles, cache, stats)
    assert stats["mode"] == "full"
    pd.testing.assert_frame_equal(again, first)


def test_write_timeline_writes_the_bytes_of_build_timeline(tmp_path: Path):
    from tests.timeline.builders import write_processed

    reference = write_processed(tmp_path / "reference")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("events", "articles"):
        (out / f"{name}.parquet").write_bytes((reference / f"{name}.parquet").read_bytes())
    assert write_timeline(out, out / ".cache" / "timeline") == 3
    assert (out / "timeline.parquet").read_bytes() == (reference / "timeline.parquet").read_bytes()
    # Again, from the cache: the same bytes.
    assert write_timeline(out, out / ".cache" / "timeline") == 3
    assert (out / "timeline.parquet").read_bytes() == (reference / "timeline.parquet").read_bytes()
    two = build_timeline(frame("events", EVENTS[:2]), frame("articles", ARTICLES))
    write_table("timeline", two, reference)
    write_table("events", frame("events", EVENTS[:2]), out)
    assert write_timeline(out, out / ".cache" / "timeline") == 1
    assert (out / "timeline.parquet").read_bytes() == (reference / "timeline.parquet").read_bytes()


def test_events_without_a_date_are_left_out_and_tables_may_be_empty():
    undated = [{**EVENTS[0], "event_date": None, "date_start": None, "date_end": None}]
    events, articles = frame("events", undated), frame("articles", ARTICLES)
    assert new_merge(events, articles).empty
    pd.testing.assert_frame_equal(new_merge(events, articles), build_timeline(events, articles))
    empty = frame("events", [])
    pd.testing.assert_frame_equal(new_merge(empty, articles), build_timeline(empty, articles))


def test_merge_tables_needs_no_sentences():
    events, articles = frame("events", EVENTS), frame("articles", ARTICLES)
    table = build.pa.Table.from_pandas(events.drop(columns=["sentence"]), preserve_index=False)
    arts = build.pa.Table.from_pandas(articles[build.ARTICLE_COLUMNS], preserve_index=False)
    timeline = merge_tables(build.EventSource(table=table), arts)
    assert timeline.column("summary").null_count == timeline.num_rows


@pytest.mark.parametrize("python_merge_events", [build.PYTHON_MERGE_EVENTS, 0])  # 0: compiled joins
def test_a_new_report_joins_an_old_row_and_only_that_row_is_regrouped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, python_merge_events: int):
    monkeypatch.setattr(build, "PYTHON_MERGE_EVENTS", python_merge_events)
    from tests.timeline.builders import E1, E2, E3, E4, E5

    cache = tmp_path / "cache"
    articles = frame("articles", ARTICLES)
    new_merge(frame("events", [E1, E2, E4, E5]), articles, cache)
    stats: dict[str, Any] = {}
    build_limit = build.INCREMENTAL_LIMIT
    build.INCREMENTAL_LIMIT = 1.0
    try:
        again = new_merge(frame("events", [E1, E2, E3, E4, E5]), articles, cache, stats)
    finally:
        build.INCREMENTAL_LIMIT = build_limit
    assert stats == {"mode": "incremental", "regrouped": 3, "scanned": "all"}  # e3 joined e1 and e2
    pd.testing.assert_frame_equal(again, build_timeline(frame("events", EVENTS), articles))


def test_repeated_event_ids_mean_a_full_build(tmp_path: Path):
    twice = [*EVENTS, {**EVENTS[3], "article_id": "a5"}]  # e4 told again under the same id
    events, articles = frame("events", twice), frame("articles", ARTICLES)
    cache = tmp_path / "cache"
    new_merge(events, articles, cache)
    stats: dict[str, Any] = {}
    again = new_merge(events, articles, cache, stats)
    assert stats["mode"] == "full"
    pd.testing.assert_frame_equal(again, build_timeline(events, articles))


def test_an_empty_previous_timeline_is_built_upon(tmp_path: Path):
    undated = [{**EVENTS[0], "event_date": None, "date_start": None, "date_end": None}]
    articles, cache = frame("articles", ARTICLES), tmp_path / "cache"
    assert new_merge(frame("events", undated), articles, cache).empty
    stats: dict[str, Any] = {}
    again = new_merge(frame("events", EVENTS), articles, cache, stats)
    assert stats["mode"] in {"incremental", "full"}
    pd.testing.assert_frame_equal(again, build_timeline(frame("events", EVENTS), articles))
