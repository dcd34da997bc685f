"""Roles read swapped only between reports of one kind of act (ACLED sub-event type), review 16 F18.

"The army retook the palace from the RSF" (actor1 lost: ?, RSF) and "an RSF drone attack on the
palace" (RSF, civilians) name the same two sides in opposite roles, but they are two events.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.io.parquet import arrow_to_frame
from etl.timeline import build, graph
from etl.timeline.build import timeline_table
from etl.timeline.frames import records
from etl.timeline.merge import build_timeline, compatible, event_facts
from etl.timeline.rules import merge_settings
from tests.timeline.builders import article, event, frame

RULE = merge_settings()

# (name, country, sector) of the sides used below; None: the report names no one there.
SIDES: dict[str, tuple[str | None, str | None, str | None]] = {
    "?": (None, None, None),
    "RSF": ("Rapid Support Forces", "SDN", "militia"),
    "SAF": ("Military Forces of Sudan", "SDN", "military"),
    "SDN civilians": ("Civilians (Sudan)", "SDN", "civilians"),
    "M23": ("M23: March 23 Movement", "COD", "rebel"),
    "FARDC": ("Military Forces of the Democratic Republic of Congo", "COD", "military"),
    "IDF": ("Military Forces of Israel", "ISR", "military"),
    "PSE civilians": ("Civilians (Palestine)", "PSE", "civilians"),
    "RU": ("Military Forces of Russia", "RUS", "military"),
    "UA civilians": ("Civilians (Ukraine)", "UKR", "civilians"),
    "JNIM": ("JNIM: Group for Support of Islam and Muslims", "MLI", "rebel"),
    "FAMa": ("Military Forces of Mali", "MLI", "military"),
}
# One town per conflict: (location, admin1, country, point).
PLACES = {
    "SDN": ("Khartoum", "Khartoum", "SDN", (15.5518, 32.5324)),
    "COD": ("Goma", "North Kivu", "COD", (-1.6792, 29.2228)),
    "PSE": ("Khan Yunis", "Gaza Strip", "PSE", (31.3402, 34.3063)),
    "UKR": ("Kharkiv", "Kharkiv Oblast", "UKR", (49.98081, 36.25272)),
    "MLI": ("Djibo", "Sahel", "MLI", (14.1022, -1.6306)),
}
KINDS = {  # sub-event type -> ACLED event type
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Air/drone strike": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Attack": "Violence against civilians",
}


def report(event_id: str, text: str, where: str, one: str, two: str, sub: str | None,
           day: str = "2025-03-21", basis: str = "explicit") -> tuple[dict[str, Any], dict[str, Any]]:
    """An article of one sentence and its one ASSAULT event between sides ``one`` and ``two``."""
    art = article(f"art-{event_id}", text, source=f"Outlet {event_id}", published=f"{day}T18:00:00")
    (a1, c1, s1), (a2, c2, s2) = SIDES[one], SIDES[two]
    location, admin1, country, point = PLACES[where]
    row = event(event_id, art, text, text.split()[1], day=day, basis=basis,
                acled=KINDS[sub] if sub else None, sub=sub,
                actor1=a1, actor1_country=c1, actor1_sector=s1,
                actor2=a2, actor2_country=c2, actor2_sector=s2,
                location=location, admin1=admin1, country=country, point=point)
    return art, row


def merged_both_ways(*reports: tuple[dict[str, Any], dict[str, Any]]) -> int:
    """Rows of the timeline, checked equal from the rule in Python and from the compiled build."""
    articles = frame("articles", [a for a, _ in reports])
    events = frame("events", [e for _, e in reports])
    python = build_timeline(events, articles)
    compiled = arrow_to_frame("timeline", timeline_table(events, articles))
    pd.testing.assert_frame_equal(compiled, python)
    return len(python)


@pytest.mark.parametrize(("first", "second", "rows"), [
    # review 16 a06: the recapture (actor1 lost) and the later drone attack on the palace
    (("Sudan's army said it had recaptured the Republican Palace from the RSF.", "SDN", "?", "RSF",
      "Armed clash"),
     ("An RSF drone attack on the palace killed several soldiers.", "SDN", "RSF", "SDN civilians",
      "Air/drone strike"), 2),
    # the same, coded right upstream: both named, one ACLED event type, two kinds of act
    (("The army retook the Republican Palace from the RSF.", "SDN", "SAF", "RSF",
      "Government regains territory"),
     ("RSF fighters attacked army positions at the palace.", "SDN", "RSF", "SAF", "Armed clash"), 2),
    (("M23 rebels seized Goma from the Congolese army.", "COD", "M23", "FARDC",
      "Non-state actor overtakes territory"),
     ("Army drones struck M23 positions around Goma.", "COD", "FARDC", "M23", "Air/drone strike"), 2),
    (("Troops retook the Djibo post from JNIM militants.", "MLI", "?", "JNIM",
      "Government regains territory"),
     ("JNIM militants shelled the army post in Djibo.", "MLI", "JNIM", "FAMa",
      "Shelling/artillery/missile attack"), 2),
    # one act told from its two ends: the swap still merges
    (("Ukrainian civilians in Kharkiv came under Russian shelling.", "UKR", "UA civilians", "RU",
      "Shelling/artillery/missile attack"),
     ("Russian artillery shelled Kharkiv, killing two civilians.", "UKR", "RU", "UA civilians",
      "Shelling/artillery/missile attack"), 1),
    (("Five people were killed by an Israeli air strike in Khan Yunis.", "PSE", "?", "IDF",
      "Air/drone strike"),
     ("Israeli aircraft struck a house in Khan Yunis, killing five.", "PSE", "IDF", "PSE civilians",
      "Air/drone strike"), 1),
    (("Government soldiers were killed when the RSF overran their base.", "SDN", "SAF", "RSF",
      "Non-state actor overtakes territory"),
     ("RSF fighters overran the army base in Khartoum.", "SDN", "RSF", "SAF",
      "Non-state actor overtakes territory"), 1),
    # a report with no sub-event type says nothing against the swap
    (("Civilians came under fire from the RSF in Khartoum.", "SDN", "?", "RSF", None),
     ("RSF fighters fired on civilians in Khartoum.", "SDN", "RSF", "SDN civilians", "Attack"), 1),
    # no swap needed: the straight reading is unchanged whatever the sub-event types
    (("RSF fighters attacked Khartoum.", "SDN", "RSF", "?", "Attack"),
     ("RSF fighters attacked army positions in Khartoum.", "SDN", "RSF", "SAF", "Armed clash"), 1),
])
def test_roles_swap_only_within_one_kind_of_act(first: tuple, second: tuple, rows: int) -> None:
    text1, where1, one1, two1, sub1 = first
    text2, where2, one2, two2, sub2 = second
    assert merged_both_ways(report("e1", text1, where1, one1, two1, sub1),
                            report("e2", text2, where2, one2, two2, sub2)) == rows


def test_the_swap_rule_holds_for_groups_too() -> None:
    """A drone-strike group cannot take in the recapture through a member's swapped roles."""
    retaken = report("e1", "Sudan's army said it had recaptured the palace from the RSF.", "SDN",
                     "?", "RSF", "Government regains territory")
    drone = report("e2", "An RSF drone attack on the palace killed soldiers.", "SDN", "RSF",
                   "SDN civilians", "Air/drone strike")
    drone_again = report("e3", "RSF drones struck the palace, killing civilians.", "SDN", "RSF",
                         "SDN civilians", "Air/drone strike")
    assert merged_both_ways(retaken, drone, drone_again) == 2


# --- the three statements of the rule agree (Python, NumPy, compiled) on varied sub-event types ---

SWAPPY = ["?", "RSF", "SAF", "SDN civilians"]


@st.composite
def sudan_reports(draw: st.DrawFn) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """A few reports of one day in Khartoum, sides often swapped, sub-event types mixed."""
    out = []
    for k in range(draw(st.integers(2, 7))):
        day = date(2025, 3, 20) + timedelta(days=draw(st.integers(0, 2)))
        sub = draw(st.sampled_from([None, "Armed clash", "Air/drone strike", "Attack",
                                    "Government regains territory"]))
        out.append(report(f"e{k}", f"Report {k}: fighting in Khartoum.", "SDN",
                          draw(st.sampled_from(SWAPPY)), draw(st.sampled_from(SWAPPY)), sub,
                          day=day.isoformat(), basis=draw(st.sampled_from(["explicit", "publication"]))))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sudan_reports())
def test_python_numpy_and_compiled_rules_agree(reports: list) -> None:
    events = frame("events", [e for _, e in reports])
    rows = sorted(records(events), key=lambda r: str(r["event_id"]))
    facts = [f for f in (event_facts(r, RULE) for r in rows) if f is not None]
    arrays = graph.fact_arrays(pa.Table.from_pandas(events, preserve_index=False), RULE)
    n = len(facts)
    a, b = (x.ravel().astype(np.int64) for x in np.triu_indices(n, 1))
    expected = [compatible(facts[i], facts[j], RULE) for i, j in zip(a, b, strict=True)]
    assert graph.compatible(arrays, a, b, RULE).tolist() == expected
    merged_both_ways(*reports)  # the compiled build equals the Python one


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sudan_reports())
def test_incremental_build_agrees_on_swaps(reports: list) -> None:
    """Adding a report through the cache's incremental path gives the cold build's table."""
    limit = build.INCREMENTAL_LIMIT
    build.INCREMENTAL_LIMIT = 1.0  # small corpora: take the incremental path whenever it can
    try:
        keep = reports[:-1]
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            timeline_table(frame("events", [e for _, e in keep]),
                           frame("articles", [a for a, _ in keep]), cache)
            events = frame("events", [e for _, e in reports])
            articles = frame("articles", [a for a, _ in reports])
            warm = arrow_to_frame("timeline", timeline_table(events, articles, cache))
        pd.testing.assert_frame_equal(warm, build_timeline(events, articles))
    finally:
        build.INCREMENTAL_LIMIT = limit
