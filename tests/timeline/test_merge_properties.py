"""Invariants of the merge on random events: a partition, consistent rows, order independence."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.io.parquet import read_table, write_table
from etl.timeline import build_timeline
from tests.timeline.builders import ARTICLES, EVENTS, KHARKIV, KHARKIV_SUBURB, KHERSON, article, event, frame

TOWNS = [("Kharkiv", "Kharkiv Oblast", KHARKIV, "UKR"),
         ("Kharkiv outskirts", "Kharkiv Oblast", KHARKIV_SUBURB, "UKR"),
         ("Kherson", "Kherson Oblast", KHERSON, "UKR"), (None, "Kharkiv Oblast", None, "UKR"),
         (None, None, None, "UKR"), ("Across the border", "Belgorod Oblast", (50.10, 36.30), "RUS"),
         (None, None, None, None)]
ACTORS = [("Military Forces of Russia", "RUS", "military"), ("Government of Russia", "RUS", "government"),
          ("Civilians (Ukraine)", "UKR", "civilians"), (None, None, None)]
TYPES = [("ASSAULT", "Explosions/Remote violence"), ("ASSAULT", "Battles"), ("COERCE", "Battles"),
         ("CONSULT", None)]


@st.composite
def random_events(draw: st.DrawFn) -> tuple[list[dict], list[dict]]:
    n = draw(st.integers(1, 14))
    articles, events = [], []
    for i in range(n):
        outlet = draw(st.sampled_from(["A", "B", None]))
        art = article(f"r{i}", f"Report {i}: something happened.", source=outlet,
                      url=f"https://site{i % 3}.example/{i}",
                      published=f"2024-12-{draw(st.integers(10, 14)):02d}T09:00:00")
        day = date(2024, 12, 8) + timedelta(days=draw(st.integers(0, 6)))
        width = draw(st.sampled_from([0, 0, 6, 365]))
        location, admin1, point, country = draw(st.sampled_from(TOWNS))
        a1, a2 = draw(st.sampled_from(ACTORS)), draw(st.sampled_from(ACTORS))
        plover, acled = draw(st.sampled_from(TYPES))
        articles.append(art)
        events.append(event(
            f"ev{i:02d}", art, art["text"], "happened", day=(day - timedelta(days=width)).isoformat(),
            end=day.isoformat(), precision="day" if width == 0 else "week",
            basis="explicit" if width == 0 else "publication", event_type=plover, acled=acled,
            actor1=a1[0], actor1_country=a1[1], actor1_sector=a1[2], actor2=a2[0],
            actor2_country=a2[1], actor2_sector=a2[2], location=location, admin1=admin1,
            country=country, point=point,
            geo_precision=(1 if point else 3) if (location or admin1) else None,
            fatalities=draw(st.one_of(st.none(), st.integers(0, 20)))))
    return articles, events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_events(), st.randoms(use_true_random=False))
def test_merge_invariants(data, rng: random.Random):
    articles, events = data
    timeline = build_timeline(frame("events", events), frame("articles", articles))
    members = [e for ids in timeline["event_ids"] for e in ids]
    assert sorted(members) == sorted(e["event_id"] for e in events)  # a partition of the events
    assert timeline["timeline_id"].is_unique
    assert (timeline["date_start"] <= timeline["event_date"]).all()
    assert (timeline["event_date"] <= timeline["date_end"]).all()
    assert ((timeline["n_sources"] >= 1) & (timeline["n_sources"] <= timeline["n_articles"])).all()
    by_id = {e["event_id"]: e for e in events}
    for row in timeline.to_dict("records"):
        stated = [by_id[e]["fatalities"] for e in row["event_ids"] if by_id[e]["fatalities"] is not None]
        assert (pd.isna(row["fatalities"]) and not stated) or row["fatalities"] == max(stated)
        assert row["summary"] in {by_id[e]["sentence"] for e in row["event_ids"]}
        # The dyad is one member's, in its roles: never actor1 of one report beside another's actor2.
        dyad = tuple(None if pd.isna(v) else v for v in (row["actor1"], row["actor2"]))
        assert dyad in {(by_id[e]["actor1"], by_id[e]["actor2"]) for e in row["event_ids"]}
        # A row holds one country: members with a country all have the row's.
        assert {by_id[e]["country_iso3"] for e in row["event_ids"]} - {None} <= {row["country_iso3"]}
    shuffled = events[:]
    rng.shuffle(shuffled)
    again = build_timeline(frame("events", shuffled), frame("articles", articles[::-1]))
    pd.testing.assert_frame_equal(again, timeline)


def test_same_result_from_frames_read_back_from_parquet(tmp_path: Path):
    events, articles = frame("events", EVENTS), frame("articles", ARTICLES)
    write_table("events", events, tmp_path)
    write_table("articles", articles, tmp_path)
    from_files = build_timeline(read_table(tmp_path, "events"), read_table(tmp_path, "articles"))
    pd.testing.assert_frame_equal(from_files, build_timeline(events, articles))
