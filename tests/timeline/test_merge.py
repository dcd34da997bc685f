"""Cross-article merging on hand-built events: one strike told three ways, distinct strikes, order."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.io.parquet import to_arrow
from etl.schema import TIMELINE
from etl.timeline import build_timeline, timeline_id
from etl.timeline.merge import candidate_pairs, distance_km, event_facts
from etl.timeline.rules import merge_settings
from tests.timeline.builders import (
    A1,
    A2,
    A3,
    A4,
    A5,
    ARTICLES,
    E1,
    E3,
    E4,
    E5,
    EVENTS,
    KHARKIV,
    KHERSON,
    article,
    event,
    frame,
)


def merge(events: list[dict], articles: list[dict] = ARTICLES) -> pd.DataFrame:
    return build_timeline(frame("events", events), frame("articles", articles))


def groups(timeline: pd.DataFrame) -> set[frozenset[str]]:
    return {frozenset(ids) for ids in timeline["event_ids"]}


def test_columns_and_types_are_the_contract():
    timeline = merge(EVENTS)
    assert list(timeline.columns) == TIMELINE.names
    assert to_arrow("timeline", timeline).schema.equals(TIMELINE)  # writable as-is
    assert str(timeline["event_date"].dtype) == "datetime64[s]"
    assert str(timeline["n_sources"].dtype) == "Int64"


def test_same_strike_told_three_ways_is_one_row():
    timeline = merge(EVENTS)
    assert groups(timeline) == {frozenset({"e1", "e2", "e3"}), frozenset({"e4"}), frozenset({"e5"})}
    row = timeline[timeline["event_ids"].map(lambda ids: "e1" in ids)].iloc[0]
    assert list(row["article_ids"]) == ["a1", "a2", "a3"]
    assert row["n_articles"] == 3
    # Reuters, Associated Press, and the URL host of the article with no outlet name.
    assert row["n_sources"] == 3
    assert row["fatalities"] == 4  # the largest stated toll, not the first or a sum
    # The most precise date: e2's explicit day beats e1's relative day and e3's publication week.
    assert (row["event_date"], row["date_start"], row["date_end"]) == (
        pd.Timestamp("2024-12-16"), pd.Timestamp("2024-12-16"), pd.Timestamp("2024-12-16"))
    # The most precise place: e1's town (geo_precision 1) beats e2's outskirts and e3's oblast.
    assert (row["location"], row["geo_precision"]) == ("Kharkiv", 1)
    assert (row["latitude"], row["longitude"]) == KHARKIV
    assert row["first_reported"] == pd.Timestamp("2024-12-16 10:00:00")
    assert row["summary"] == E1["sentence"]  # the most confident member speaks for the group
    assert row["timeline_id"] == timeline_id(["e3", "e1", "e2"])


def test_two_strikes_same_day_in_different_towns_stay_apart():
    timeline = merge([E1, E4])
    assert groups(timeline) == {frozenset({"e1"}), frozenset({"e4"})}
    assert distance_km(KHARKIV, KHERSON) > 25


def test_a_country_wide_report_cannot_chain_two_strikes():
    a6 = article("a6", "Russia launched missile strikes across Ukraine on December 16.",
                 source="BBC", published="2024-12-16T22:00:00")
    e6 = event("e6", a6, a6["text"], "missile strikes", day="2024-12-16", location=None,
               admin1=None, point=None, geo_precision=None)
    timeline = merge([E1, E4, e6], [*ARTICLES, a6])
    together = [g for g in groups(timeline) if {"e1", "e4"} <= g]
    assert not together
    assert len(timeline) == 2  # e6 joins exactly one of them (the better-scoring pair)


def test_coarse_date_and_place_merge_with_the_precise_report():
    timeline = merge([E3, E1])
    assert len(timeline) == 1
    row = timeline.iloc[0]
    assert row["location"] == "Kharkiv" and row["date_end"] == pd.Timestamp("2024-12-16")


@pytest.mark.parametrize(("change", "merged"), [
    ({"day": "2024-12-17"}, True),   # within the one-day slack (overnight strikes)
    ({"day": "2024-12-18"}, False),  # two days apart, both day-precise
    ({"day": "2024-12-10", "end": "2024-12-17", "precision": "week", "basis": "publication"}, True),
    ({"event_type": "CONSULT", "acled": None, "sub": None}, False),
    ({"event_type": "COERCE"}, True),  # same ACLED family, different PLOVER type
    ({"actor1": "Military Forces of Ukraine", "actor1_country": "UKR"}, False),
    ({"actor1": None, "actor1_country": None, "actor2": None, "actor2_country": None}, True),
    ({"point": KHERSON, "admin1": "Kherson Oblast", "location": "Kherson"}, False),
    ({"point": None, "geo_precision": 3, "location": "Kharkiv Oblast"}, True),
    ({"point": None, "geo_precision": 3, "location": "Kherson Oblast", "admin1": "Kherson Oblast"}, False),
    ({"point": None, "location": None, "admin1": None, "country": "RUS"}, False),
    ({"point": None, "location": None, "admin1": None, "country": None}, True),  # unknown fits
])
def test_pair_rule(change, merged):
    a7 = article("a7", "Another outlet: Russian forces attacked the city on the day in question.",
                 source="AFP", published="2024-12-17T09:00:00")
    e7 = event("e7", a7, a7["text"], "attacked", **{"day": "2024-12-16", **change})
    timeline = merge([E1, e7], [A1, a7])
    assert (len(timeline) == 1) is merged


def test_swapped_roles_merge_when_one_report_names_both_sides():
    a8 = article("a8", "Ukrainian civilians in Kharkiv came under Russian missile fire.", source="AFP")
    swapped = event("e8", a8, a8["text"], "came under", day="2024-12-16",
                    actor1="Civilians (Ukraine)", actor1_country="UKR", actor1_sector="civilians",
                    actor2="Military Forces of Russia", actor2_country="RUS", actor2_sector="military")
    assert len(merge([E1, swapped], [A1, a8])) == 1
    passive = event("e8", a8, a8["text"], "came under", day="2024-12-16", actor1=None,
                    actor1_country=None, actor2="Military Forces of Russia", actor2_country="RUS",
                    actor2_sector="military")
    assert len(merge([E1, passive], [A1, a8])) == 1  # "... under Russian fire": a passive report
    other_side = event("e8", a8, a8["text"], "came under", day="2024-12-16",
                       actor1="Military Forces of Ukraine", actor1_country="UKR", actor2=None,
                       actor2_country=None)
    assert len(merge([E1, other_side], [A1, a8])) == 2  # Ukrainian forces are not the civilians


@pytest.mark.parametrize(("one", "other", "merged"), [
    # One side named two ways by two outlets: same country, same sector group.
    (("Military Forces of Russia", "RUS", "military"), ("Government of Russia", "RUS", "government"), True),
    (("Civilians (Ukraine)", "UKR", "civilians"), ("Military Forces of Ukraine", "UKR", "military"), False),
    (("Rebels (Ukraine)", "UKR", "rebel"), ("Militia (Ukraine)", "UKR", "militia"), True),
    (("Military Forces of Russia", "RUS", None), ("Government of Russia", "RUS", None), True),
    (("Military Forces of Russia", "RUS", "military"),
     ("Military Forces of Belarus", "BLR", "military"), False),
])
def test_one_side_named_differently(one, other, merged):
    a11 = article("a11", "Missile strike on Kharkiv, officials say.", source="AFP")
    rows = [event(f"x{i}", a11, a11["text"], "strike", day="2024-12-16", actor1=name,
                  actor1_country=country, actor1_sector=sector, actor2=None, actor2_country=None)
            for i, (name, country, sector) in enumerate((one, other))]
    assert (len(merge(rows, [a11])) == 1) is merged


def test_reports_dated_only_by_publication_merge_on_the_same_day_only():
    a12 = article("a12", "Russian strike on Kharkiv, officials say.", source="AFP")
    week = {"precision": "week", "basis": "publication"}
    same_day = [event("p1", a12, a12["text"], "strike", day="2024-12-10", end="2024-12-16", **week),
                event("p2", a12, a12["text"], "strike", day="2024-12-10", end="2024-12-16", **week)]
    assert len(merge(same_day, [a12])) == 1
    # Their week-long windows overlap, but two such reports a day apart are usually two events.
    next_day = [same_day[0],
                event("p3", a12, a12["text"], "strike", day="2024-12-11", end="2024-12-17", **week)]
    assert len(merge(next_day, [a12])) == 2


def test_a_dated_report_matches_a_publication_dated_one_near_its_publication():
    a13 = article("a13", "Russian strike on Kharkiv, officials say.", source="AFP")
    week = {"precision": "week", "basis": "publication"}
    report = event("p1", a13, a13["text"], "strike", day="2024-12-10", end="2024-12-16", **week)
    yesterday = event("d1", a13, a13["text"], "strike", day="2024-12-15")
    last_week = event("d2", a13, a13["text"], "strike", day="2024-12-11")
    assert len(merge([report, yesterday], [a13])) == 1
    assert len(merge([report, last_week], [a13])) == 2  # inside the window, far from publication


def test_sources_are_outlets_then_hosts_then_articles():
    same_outlet = article("a9", "Reuters again: the missile strike on Kharkiv killed three.",
                          source=" reuters ", url="https://www.reuters.com/x")
    e9 = event("e9", same_outlet, same_outlet["text"], "missile strike", day="2024-12-16")
    row = merge([E1, e9], [A1, same_outlet]).iloc[0]
    assert (row["n_articles"], row["n_sources"]) == (2, 1)
    anonymous = article("a10", "A missile strike on Kharkiv, said a post.", source=None, url=None)
    e10 = event("e10", anonymous, anonymous["text"], "missile strike", day="2024-12-16")
    row = merge([E1, e10], [A1, anonymous]).iloc[0]
    assert row["n_sources"] == 2


def test_fatalities_stay_null_when_no_member_states_them():
    row = merge([E3]).iloc[0]
    assert pd.isna(row["fatalities"])


def test_empty_and_undated_input():
    empty = merge([])
    assert list(empty.columns) == TIMELINE.names and empty.empty
    undated = {**E5, "event_date": None, "date_start": None, "date_end": None}
    assert groups(merge([E1, undated])) == {frozenset({"e1"})}


@settings(max_examples=20, deadline=None)
@given(st.permutations(EVENTS))
def test_order_of_events_does_not_change_the_timeline(shuffled):
    expected = merge(EVENTS)
    got = merge(list(shuffled), list(reversed(ARTICLES)))
    pd.testing.assert_frame_equal(got, expected)
    assert to_arrow("timeline", got).equals(to_arrow("timeline", expected))


def _synthetic(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    art = article("s", "Russian forces shelled the town.", source="X")
    rows = []
    for i in range(n):
        day = (date(2024, 1, 1) + timedelta(days=rng.randrange(365))).isoformat()
        lat, lon = 47 + rng.random() * 4, 30 + rng.random() * 8
        rows.append(event(f"s{i:05d}", art, art["text"], "shelled", day=day, point=(lat, lon),
                          country=rng.choice(["UKR", "RUS"]),
                          event_type=rng.choice(["ASSAULT", "COERCE", "PROTEST"])))
    return rows


def test_blocking_compares_far_fewer_pairs_than_all_pairs():
    rows = _synthetic(2000)
    facts = [f for r in rows if (f := event_facts(r, merge_settings())) is not None]
    pairs = list(candidate_pairs(facts, merge_settings()))
    assert len(pairs) < len(facts) * (len(facts) - 1) / 2 / 50
    for i, j in pairs:  # every candidate shares a type, a country and a date window
        a, b = facts[i], facts[j]
        assert a.country == b.country
        assert abs((a.start - b.start).days) <= 1 + merge_settings().date_slack_days


def test_every_event_lands_in_exactly_one_row():
    rows = _synthetic(600, seed=3)
    timeline = merge(rows, [article("s", "Russian forces shelled the town.", source="X")])
    ids = [e for members in timeline["event_ids"] for e in members]
    assert sorted(ids) == sorted(r["event_id"] for r in rows)
    assert timeline["timeline_id"].is_unique


def test_list_columns_round_trip_through_arrow():
    arrow = to_arrow("timeline", merge(EVENTS))
    assert arrow.schema.field("article_ids").type == pa.list_(pa.string())
    assert {tuple(x) for x in arrow.column("event_ids").to_pylist()} == {("e1", "e2", "e3"), ("e4",), ("e5",)}


def test_unused_fixture_articles_are_harmless():
    assert len(merge([E5], [A1, A2, A3, A4, A5])) == 1
