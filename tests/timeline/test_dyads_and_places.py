"""Review 15 findings 8 and 9: the row's dyad is one a report states; no merge across countries,
through an unplaced report without a shared actor, or through a year-long date window.

Each case runs through the reference merge (``build_timeline``) and the scalable one
(``timeline_table``, compiled kernels on a cold build), which must agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from etl.io.parquet import arrow_to_frame
from etl.timeline import build_timeline
from etl.timeline.build import Groups, timeline_table
from etl.timeline.merge import stated_pair
from tests.timeline.builders import KHARKIV, article, event, frame

PUBLISHED = "2024-12-17T09:00:00"
UNPLACED = {"location": None, "admin1": None, "country": None, "point": None, "geo_precision": None}
NO_ACTORS = {"actor1": None, "actor1_country": None, "actor2": None, "actor2_country": None}


def report(k: int, text: str, published: str = PUBLISHED, **fields: Any) -> tuple[dict, dict]:
    """One article of one sentence and its one event (``fields`` override ``builders.event``)."""
    art = article(f"a{k}", text, source=f"Outlet {k}", published=published)
    return art, event(f"e{k}", art, text, text.split()[1], **fields)


def rows(*reports: tuple[dict, dict]) -> list[frozenset[str]]:
    """The groups of event ids, the same from both merges (checked here)."""
    articles = frame("articles", [a for a, _ in reports])
    events = frame("events", [e for _, e in reports])
    reference = build_timeline(events, articles)
    scalable = arrow_to_frame("timeline", timeline_table(events, articles))
    pd.testing.assert_frame_equal(scalable, reference)
    return [frozenset(ids) for ids in reference["event_ids"]]


# --- finding 9: countries, unplaced reports, year-long windows -----------------------------------

BATTLE = {"event_type": "ASSAULT", "acled": "Battles", "sub": "Armed clash"}


@pytest.mark.parametrize(("one", "other", "merged"), [
    # The reviewer's repro: an attack in Zamfara (state not geocoded) and clashes in Khartoum.
    ({**UNPLACED, "actor1": "Rebels", "actor1_country": None, "actor1_sector": "rebel",
      "actor2": None, "actor2_country": None},
     {**NO_ACTORS, "location": "Khartoum", "admin1": "Khartoum", "country": "SDN",
      "point": (15.55, 32.53)}, False),
    # A Sahel ambush with no place found and an attack on a town in Burkina Faso, no actor shared.
    ({**UNPLACED, **NO_ACTORS},
     {"actor1": "JNIM: Group for Support of Islam and Muslims", "actor1_country": None,
      "actor1_sector": "rebel", "actor2": "Military Forces of Burkina Faso", "actor2_country": "BFA",
      "actor2_sector": "military", "location": "Djibo", "admin1": "Sahel", "country": "BFA",
      "point": (14.10, -1.63)}, False),
    # The same M23 attack told with and without its place: the named armed group ties them.
    ({**UNPLACED, "actor1": "M23: March 23 Movement", "actor1_country": "COD", "actor1_sector": "rebel",
      "actor2": None, "actor2_country": None},
     {"actor1": "M23: March 23 Movement", "actor1_country": "COD", "actor1_sector": "rebel",
      "actor2": "Military Forces of the Democratic Republic of Congo", "actor2_country": "COD",
      "actor2_sector": "military", "location": "Sake", "admin1": "North Kivu", "country": "COD",
      "point": (-1.57, 29.04)}, True),
    # Two points 10 km apart, geocoded to two countries: two rows, each with one country.
    ({"location": "Kharkiv", "country": "UKR", "point": KHARKIV},
     {"location": "Border village", "admin1": "Belgorod Oblast", "country": "RUS",
      "point": (KHARKIV[0] + 0.09, KHARKIV[1])}, False),
    # A country-wide report and a town of another country.
    ({"location": None, "admin1": None, "country": "NGA", "point": None, "geo_precision": None},
     {"location": "Diffa", "admin1": "Diffa", "country": "NER", "point": (13.31, 12.61)}, False),
])
def test_places_and_countries(one: dict, other: dict, merged: bool) -> None:
    first = report(1, "Fighters attacked a village on December 16.", day="2024-12-16", **BATTLE, **one)
    second = report(2, "Fighting broke out on December 16, officials said.", day="2024-12-16",
                    **BATTLE, **other)
    assert (len(rows(first, second)) == 1) is merged


@pytest.mark.parametrize(("window", "day", "merged"), [
    # "Last year, militants attacked a base" (published 2025-01-02) against a dated attack.
    (("2024-01-01", "2024-12-31"), "2024-12-16", False),
    (("2024-01-01", "2024-12-31"), "2024-12-31", False),  # even on the window's last day
    # "In December" is a month: a dated report inside it may tell the same attack.
    (("2024-12-01", "2024-12-31"), "2024-12-16", True),
    # "This spring" (three months) against a day in it.
    (("2024-03-01", "2024-05-31"), "2024-04-10", False),
])
def test_a_window_longer_than_a_month_does_not_join_a_day(window: tuple[str, str], day: str,
                                                           merged: bool) -> None:
    place = {"location": "Maiduguri", "admin1": "Borno", "country": "NGA", "point": (11.85, 13.16)}
    actors = {"actor1": "Boko Haram", "actor1_country": "NGA", "actor1_sector": "rebel",
              "actor2": None, "actor2_country": None}
    vague = report(1, "Militants attacked a base near Maiduguri.", published="2025-01-02T08:00:00",
                   day=window[0], end=window[1], precision="year", basis="relative",
                   **BATTLE, **place, **actors)
    dated = report(2, "Militants attacked a base near Maiduguri on that day.",
                   published="2025-01-02T09:00:00", day=day, **BATTLE, **place, **actors)
    assert (len(rows(vague, dated)) == 1) is merged


def test_the_same_year_window_twice_is_one_event() -> None:
    fields = {"day": "2024-01-01", "end": "2024-12-31", "precision": "year", "basis": "relative",
              "location": "Maiduguri", "admin1": "Borno", "country": "NGA", "point": (11.85, 13.16),
              "actor1": "Boko Haram", "actor1_country": "NGA", "actor1_sector": "rebel", **BATTLE}
    one = report(1, "Last year, militants attacked a base in Borno.", published="2025-01-02T08:00:00",
                 **fields)
    two = report(2, "Last year, militants attacked the Borno base.", published="2025-01-03T08:00:00",
                 **fields)
    assert len(rows(one, two)) == 1


def test_the_reviewers_three_reports_stay_three_rows() -> None:
    rebels = {"actor1": "Rebels", "actor1_country": None, "actor1_sector": "rebel",
              "actor2": None, "actor2_country": None}
    zamfara = report(1, "Gunmen attacked a village in Zamfara on December 16, killing 1.",
                     day="2024-12-16", fatalities=1, **BATTLE, **UNPLACED, **rebels)
    borno = report(2, "Last year, militants attacked a military base in Borno, killing 30 soldiers.",
                   published="2025-01-02T08:00:00", day="2024-01-01", end="2024-12-31",
                   precision="year", basis="relative", fatalities=30, **BATTLE, **UNPLACED, **rebels)
    khartoum = report(3, "Clashes in Khartoum on December 16 left 300 dead, according to medics.",
                      day="2024-12-16", fatalities=300, **BATTLE, **NO_ACTORS, location="Khartoum",
                      admin1="Khartoum", country="SDN", point=(15.55, 32.53))
    assert len(rows(zamfara, borno, khartoum)) == 3


# --- finding 8: actors of a merged row; swapped roles --------------------------------------------

REQUEST = {"event_type": "REQUEST", "acled": None, "sub": None}


def test_the_seed_articles_request_events_stay_apart() -> None:
    """Trump suggesting Zelenskiy negotiate is not Zelenskiy urging allies (seed #6 and #7)."""
    trump = report(1, "Trump suggested that Zelenskiy and Putin should be ready to negotiate.",
                   day="2024-12-16", **REQUEST, actor1="Government of the United States",
                   actor1_country="USA", actor1_sector="government", actor2="Government of Ukraine",
                   actor2_country="UKR", actor2_sector="government", location="Ukraine",
                   admin1=None, country="UKR", point=None, geo_precision=4)
    urged = report(2, "Zelenskiy urged Western allies to expedite military aid.",
                   day="2024-12-11", end="2024-12-17", precision="week", basis="publication",
                   **REQUEST, actor1="Government of Ukraine", actor1_country="UKR",
                   actor1_sector="government", actor2=None, actor2_country=None,
                   location="Lviv", admin1="Lviv Oblast", country="UKR", point=(49.84, 24.03))
    assert len(rows(trump, urged)) == 2


@pytest.mark.parametrize(("both", "one", "merged"), [
    # A report naming only actor1 keeps it as the actor: not the other report's target.
    (("Military Forces of Ukraine", "UKR", "military", "Rebels (Ukraine)", "UKR", "rebel"),
     ("Rebels (Ukraine)", "UKR", "rebel", None, None, None), False),
    (("Government of Israel", "ISR", "government", "Government of Lebanon", "LBN", "government"),
     ("Government of Lebanon", "LBN", "government", None, None, None), False),
    # Passive: "came under fire from X" names X as actor2 only; it may be the other's actor1.
    (("Military Forces of Sudan", "SDN", "military", "Rapid Support Forces", "SDN", "rebel"),
     (None, None, None, "Military Forces of Sudan", "SDN", "military"), True),
    # Both name both sides, swapped: "X shelled Y" and "Y came under fire from X".
    (("Military Forces of Russia", "RUS", "military", "Civilians (Ukraine)", "UKR", "civilians"),
     ("Civilians (Ukraine)", "UKR", "civilians", "Military Forces of Russia", "RUS", "military"), True),
])
def test_roles_are_swapped_only_with_evidence(both: tuple, one: tuple, merged: bool) -> None:
    def sides(values: tuple) -> dict[str, Any]:
        keys = ("actor1", "actor1_country", "actor1_sector", "actor2", "actor2_country", "actor2_sector")
        return dict(zip(keys, values, strict=True))

    first = report(1, "Forces attacked positions near the town on December 16.", day="2024-12-16",
                   **sides(both))
    second = report(2, "Heavy fighting near the town on December 16.", day="2024-12-16", **sides(one))
    assert (len(rows(first, second)) == 1) is merged


@pytest.mark.parametrize(("pairs", "expected"), [
    ([("A", None), ("A", "B"), ("C", "A")], ("A", "B")),  # the gap fits A-B: two reports back it
    ([("A", None), ("A", None), ("B", "C")], ("A", None)),  # support beats being fully named
    ([("A", None), (None, "B")], ("A", None)),  # never A-B, which no report says: the first one
    ([("B", "A"), ("A", "B"), ("A", "B")], ("A", "B")),  # the roles most reports give
    ([("X", "X"), ("X", None), ("Y", "X")], ("X", "X")),  # stated (the events' own doing)
    ([(None, None), (None, None)], (None, None)),
    ([], (None, None)),
])
def test_stated_pair(pairs: list[tuple[Any, Any]], expected: tuple[Any, Any]) -> None:
    assert stated_pair(pairs) == expected


@pytest.mark.parametrize("pairs", [
    [("A", None), ("A", "B"), ("C", "A")], [("A", None), ("A", None), ("B", "C")],
    [("A", None), (None, "B")], [("B", "A"), ("A", "B"), ("A", "B")], [(None, None), (None, "A")],
    [("C", "D"), ("A", "B"), ("C", None), (None, "B"), (None, None), ("A", "B")],
])
def test_columnwise_stated_pair_is_stated_pair(pairs: list[tuple[Any, Any]]) -> None:
    """``Groups.stated_pair`` over two groups (the pairs, then reversed) is ``stated_pair`` of each."""
    groups = [list(range(len(pairs))), list(range(len(pairs), 2 * len(pairs)))]
    members = pairs + pairs[::-1]
    names = sorted({v for p in members for v in p if v is not None})

    def codes(side: int) -> np.ndarray:
        return np.array([-1 if p[side] is None else names.index(p[side]) for p in members])

    lay = Groups(groups)
    chosen = lay.stated_pair(np.arange(len(members)), codes(0), codes(1))
    assert [members[k] for k in chosen] == [stated_pair(pairs), stated_pair(pairs[::-1])]


def test_a_merged_rows_dyad_is_one_members_pair() -> None:
    """The Kharkiv repro: victims told as actor1 by one report no longer make "Civilians | Civilians"."""
    strike = {"location": "Kharkiv", "country": "UKR", "point": KHARKIV, "day": "2024-12-16"}
    shelled = report(1, "Russian forces shelled Kharkiv on December 16.", **strike)
    victims = report(2, "Civilians were killed in Kharkiv on December 16.", **strike,
                     actor1="Civilians (Ukraine)", actor1_country="UKR", actor1_sector="civilians",
                     actor2=None, actor2_country=None)
    passive = report(3, "Civilians came under Russian fire in Kharkiv on December 16.", **strike,
                     actor1=None, actor1_country=None, actor2="Civilians (Ukraine)",
                     actor2_country="UKR", actor2_sector="civilians")
    articles = frame("articles", [a for a, _ in (shelled, victims, passive)])
    events = frame("events", [e for _, e in (shelled, victims, passive)])
    timeline = build_timeline(events, articles)
    stated = {(e["actor1"], e["actor2"]) for _, e in (shelled, victims, passive)}
    for row in timeline.itertuples():
        dyad = tuple(None if pd.isna(v) else v for v in (row.actor1, row.actor2))
        assert dyad in stated
        assert dyad[0] is None or dyad[0] != dyad[1]
    assert len(timeline) == 2  # the victims' report is not read with the roles swapped
    pd.testing.assert_frame_equal(arrow_to_frame("timeline", timeline_table(events, articles)), timeline)
