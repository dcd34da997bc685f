"""The column-wise timeline rows of build.py against merge.merged_row, the readable reference.

Groups here are drawn at random, not by the merge rule: ``merged_row`` is defined for any
group, so every tie, gap and odd value reaches the lexsorts and modes of ``build``.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.schema import ARTICLES, EVENTS, TIMELINE
from etl.timeline import build
from etl.timeline.merge import event_facts, merged_row
from etl.timeline.rules import merge_settings

DAY = date(2024, 12, 10)
NAMES = ["Military Forces of Russia", " Military Forces of Russia ", "Civilians (Ukraine)", "", "  "]
PLACES = ["Kharkiv", "Kherson", "", None]
# Coordinates: a point, a NaN pair, half a point, none.
POINTS = [(49.98, 36.25), (46.64, 32.61), (float("nan"), float("nan")), (49.9, None), (None, None)]


@st.composite
def an_event(draw: st.DrawFn, k: int) -> dict[str, Any]:
    """An events row with few distinct values, so ranks, counts and confidences tie often."""
    end = DAY + timedelta(days=draw(st.integers(0, 3)))
    width = draw(st.sampled_from([0, 0, 6, 30, 365]))
    precision = {0: "day", 6: "week", 30: "month", 365: "year"}[width]
    missing = draw(st.sampled_from(["none", "none", "event_date", "date_start", "date_end"]))
    lat, lon = draw(st.sampled_from(POINTS))
    return {
        "event_id": draw(st.sampled_from([f"e{k:02d}", "e00", "e01", "E5"])),  # ids repeat
        "article_id": draw(st.sampled_from(["a1", "a2", "a3", "a9", None])),
        "sentence": draw(st.sampled_from([f"Sentence {k}.", None])),
        "event_date": None if missing == "event_date" else end,
        "date_start": None if missing == "date_start" else end - timedelta(days=width),
        "date_end": None if missing == "date_end" else end,
        "date_precision": draw(st.sampled_from([precision, precision, "decade", None])),
        "date_basis": draw(st.sampled_from(["explicit", "relative", "publication", None])),
        "event_type": draw(st.sampled_from(["ASSAULT", "COERCE", "", None])),
        "acled_event_type": draw(st.sampled_from(["Battles", "Explosions/Remote violence", None])),
        "acled_sub_event_type": None,
        "actor1": draw(st.sampled_from([*NAMES, None])),
        "actor2": draw(st.sampled_from([*NAMES, None])),
        "location": draw(st.sampled_from(PLACES)),
        "admin1": draw(st.sampled_from(["Kharkiv Oblast", "", None])),
        "country_iso3": draw(st.sampled_from(["UKR", "RUS", None])),
        "latitude": lat, "longitude": lon,
        "geo_precision": draw(st.sampled_from([1, 2, 3, None])),
        "fatalities": draw(st.sampled_from([None, 0, 3, 12])),
        "confidence": draw(st.sampled_from([0.9, 0.8, 0.8, 0.0, None, float("nan")])),
    }


ARTICLE_ROWS = [
    {"article_id": "a1", "source": "Reuters", "url": "https://www.reuters.com/x",
     "published": datetime(2024, 12, 11, 9, 30)},
    {"article_id": "a2", "source": None, "url": "https://www.reuters.com/y",
     "published": datetime(2024, 12, 10, 8, 0)},
    {"article_id": "a3", "source": "  ", "url": None, "published": None},
    {"article_id": "None", "source": " reuters", "url": None, "published": datetime(2024, 12, 9)},
]  # a9 has no articles row; a missing article_id reads "None", as str(None) does


def _reference(events: pa.Table, articles: pa.Table, groups: list[list[int]]) -> pa.Table:
    """``merged_row`` of each group, with rows and facts made one by one as build_timeline does."""
    rule = merge_settings()
    rows = [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
            for r in events.to_pylist()]
    dated = [r for r in sorted(rows, key=lambda r: str(r["event_id"]))
             if event_facts(r, rule) is not None]
    facts = [event_facts(r, rule) for r in dated]
    by_article = {str(a["article_id"]): a for a in articles.to_pylist()}
    merged = [merged_row(g, facts, dated, by_article) for g in groups]  # type: ignore[arg-type]
    return pa.Table.from_pylist(merged, schema=TIMELINE)


def _columnwise(events: pa.Table, articles: pa.Table,
                groups: list[list[int]]) -> tuple[pa.Table, list[list[int]]]:
    """build._merged_rows on the same groups, its summary row positions read as sentences."""
    rule = merge_settings()
    source = build.EventSource(table=events)
    scanned = build.scan(source, articles, rule)
    inputs = build.Inputs(source, articles, rule, scanned.facts, scanned.sentence_valid)
    table, ordered = build._merged_rows(inputs, groups, build.Rows(source))
    positions = table.column("summary_row").to_pylist()
    sentences = events.column("sentence").to_pylist()
    summary = pa.array([sentences[p] if p >= 0 else None for p in positions], pa.string())
    index = table.column_names.index("summary_row")
    return table.set_column(index, "summary", summary).cast(TIMELINE), ordered


@st.composite
def a_case(draw: st.DrawFn) -> tuple[pa.Table, pa.Table, list[list[int]]]:
    n = draw(st.integers(2, 14))
    events = pa.Table.from_pylist([draw(an_event(k)) for k in range(n)], schema=EVENTS)
    articles = pa.Table.from_pylist(ARTICLE_ROWS, schema=ARTICLES).select(build.ARTICLE_COLUMNS)
    unit = draw(st.sampled_from(["s", "ms", "ms and a half second"]))
    if unit != "s":  # as Parquet gives it back; a fraction of a second takes the per-value path
        stamps = articles.column(3).cast(pa.int64())
        stamps = pc.multiply(stamps, 1000) if unit == "ms" else pc.add(pc.multiply(stamps, 1000), 500)
        articles = articles.set_column(3, "published", stamps.cast(pa.timestamp("ms")))
    rule = merge_settings()
    n_dated = sum(event_facts(r, rule) is not None for r in
                  ({k: v for k, v in r.items()} for r in events.to_pylist()))
    labels = draw(st.lists(st.integers(0, 3), min_size=n_dated, max_size=n_dated))
    groups = [[e for e, label in enumerate(labels) if label == g] for g in sorted(set(labels))]
    if draw(st.booleans()):  # members in any order: ties must follow the order given
        groups = [list(reversed(g)) for g in groups]
    return events, articles, groups


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a_case())
def test_columnwise_rows_are_merged_rows(case: tuple[pa.Table, pa.Table, list[list[int]]]) -> None:
    events, articles, groups = case
    table, ordered = _columnwise(events, articles, groups)
    expected = _reference(events, articles, ordered)
    assert sorted(map(sorted, ordered)) == sorted(map(sorted, groups))
    assert table.to_pylist() == expected.to_pylist()


@pytest.mark.parametrize("confidences, summary", [
    ([0.8, 0.8, 0.8], "Sentence 0."),  # a tie on confidence: the better date decides (a week loses)
    ([0.5, 0.9, 0.9], "Sentence 1."),
    ([None, 0.0, float("nan")], "Sentence 0."),  # no confidence counts as 0.0
])
def test_the_summary_is_the_representative_sentence(confidences: list[float | None], summary: str) -> None:
    rows = []
    for k, confidence in enumerate(confidences):
        width = 6 if k == 2 else 0
        rows.append({"event_id": f"e{k}", "article_id": "a1", "sentence": f"Sentence {k}.",
                     "event_date": DAY, "date_start": DAY - timedelta(days=width), "date_end": DAY,
                     "date_precision": "week" if width else "day", "date_basis": "explicit",
                     "confidence": confidence, "actor1": "X" if k else "Y"})
    events = pa.Table.from_pylist(rows, schema=EVENTS)
    articles = pa.Table.from_pylist(ARTICLE_ROWS, schema=ARTICLES).select(build.ARTICLE_COLUMNS)
    table, ordered = _columnwise(events, articles, [[0, 1, 2]])
    row = table.to_pylist()[0]
    assert row["summary"] == summary
    assert row["actor1"] == "X"  # two of three
    assert table.to_pylist() == _reference(events, articles, ordered).to_pylist()
