"""One dateline grammar for its three readers: the reference date, the geo context, event places.

Each row: the text, what `find_dateline` reads (place, region, date text, agency, where the
story starts) or None, and the place `parse_dateline` resolves (name, ISO3) or None. Events'
`dateline_end` must be the same end (0 without a dateline), and the reference date must come
from the dateline exactly when it has a date.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from etl.events.text import dateline_end
from etl.geo.resolve import parse_dateline
from etl.ingest.reference import assign_reference_date, find_dateline

Read = tuple[str, str | None, str | None, str | None, int]  # place, region, date, agency, end

CASES: list[tuple[str, Read | None, tuple[str, str] | None]] = [
    # Wire services, upper-case place.
    ("KYIV, Dec 17 (Reuters) - Shelling hit Kharkiv.",
     ("KYIV", None, "Dec 17", "Reuters", 25), ("Kyiv", "UKR")),
    ("KRAMATORSK, Ukraine, Dec 17 (Reuters) - Shelling.",
     ("KRAMATORSK", "Ukraine", "Dec 17", "Reuters", 40), ("Kramatorsk", "UKR")),
    ("ST. PETERSBURG, Russia, Dec. 17, 2024 (AP) — A blast.",
     ("ST. PETERSBURG", "Russia", "Dec. 17, 2024", "AP", 45), ("Saint Petersburg", "RUS")),
    ("KYIV, 17 December 2024 (AFP) - Drones.", ("KYIV", None, "17 December 2024", "AFP", 31),
     ("Kyiv", "UKR")),
    ("KYIV (Xinhua) -- Drones hit Lviv.", ("KYIV", None, None, "Xinhua", 17), ("Kyiv", "UKR")),
    ("KYIV, Dec 16, 2024 (REUTERS) - Agencies in any case.",
     ("KYIV", None, "Dec 16, 2024", "REUTERS", 31), ("Kyiv", "UKR")),
    ("KYIV. Dec 17 (Interfax-Ukraine) - Troops left.",
     ("KYIV", None, "Dec 17", "Interfax-Ukraine", 34), ("Kyiv", "UKR")),
    ("MOSCOW, December 17. /TASS/. Troops shelled Donetsk.",
     ("MOSCOW", None, "December 17", "TASS", 29), ("Moscow", "RUS")),
    ("KYIV/MOSCOW, Dec 17 (Reuters) - Talks.",  # a shared dateline: the first place is where
     ("KYIV/MOSCOW", None, "Dec 17", "Reuters", 32), ("Kyiv", "UKR")),
    # Upper-case place alone, with a region or a bracketed name not on the agency list.
    ("KYIV – Russian forces pressed on.", ("KYIV", None, None, None, 7), ("Kyiv", "UKR")),
    ("\n  KHARKIV — Shelling.", ("KHARKIV", None, None, None, 13), ("Kharkiv", "UKR")),
    ("KRAMATORSK, Ukraine — Shelling hit Sloviansk.",
     ("KRAMATORSK", "Ukraine", None, None, 22), ("Kramatorsk", "UKR")),
    ("KHARKIV, Kharkiv region — Shelling.", ("KHARKIV", "Kharkiv region", None, None, 26),
     ("Kharkiv", "UKR")),
    ("KYIV, Ukraine—Russian drones hit Odesa.", ("KYIV", "Ukraine", None, None, 14),
     ("Kyiv", "UKR")),
    ("LVIV (Lviv Post) – Drones.", ("LVIV", None, None, "Lviv Post", 19), ("Lviv", "UKR")),
    ("NEW DELHI: The army said.", ("NEW DELHI", None, None, None, 11), ("New Delhi", "IND")),
    ("BOGOTÁ, Colombia (AP) — Rebels.", ("BOGOTÁ", "Colombia", None, "AP", 24),
     ("Bogotá", "COL")),
    ("UKRAINE – Strikes go on.", ("UKRAINE", None, None, None, 10), ("Ukraine", "UKR")),
    # A dateline whose place the gazetteer does not know still ends where it ends.
    ("CRASH ON STRETCHING: A RESIDENT WAS KILLED", ("CRASH ON STRETCHING", None, None, None, 21),
     None),
    # Title-case place: only with a date or a listed agency.
    ("Tallinn, Estonia (Reuters) - Leaders met.", ("Tallinn", "Estonia", None, "Reuters", 29),
     ("Tallinn", "EST")),
    ("Kyiv (AFP) - Drones hit Lviv.", ("Kyiv", None, None, "AFP", 13), ("Kyiv", "UKR")),
    ("Kharkiv, Dec 17 – Shelling hit the city.", ("Kharkiv", None, "Dec 17", None, 18),
     ("Kharkiv", "UKR")),
    ("Rostov-on-Don, Dec 17 (Reuters) - A drone.",
     ("Rostov-on-Don", None, "Dec 17", "Reuters", 34), ("Rostov-on-Don", "RUS")),
    # Not datelines.
    ("Tallinn, Estonia — Leaders met.", None, None),
    ("Kyiv – Russian forces attacked Kharkiv.", None, None),
    ("Russian forces – attacked Kharkiv.", None, None),
    ("Russian forces pressed on in the east.", None, None),
    ("Rapid Support Forces (RSF) – the paramilitary said.", None, None),
    ("DPR militia commander killed in Donetsk - DPR negotiator. More.", None, None),
    ("Korean War casualties - The Western numbers.", None, None),
    ("WRAP: Death toll in Kiev clashes rises to 35 - Ukraine Health Ministry.", None, None),
    ("BREAKING – Explosions in Kyiv.", None, None),
    ("UPDATE 1-One Ukrainian soldier killed.", None, None),
    ("Ukraine: Russian strikes go on.", None, None),
    ("UKRAINE\n- Kharkiv was shelled.", None, None),  # a heading and a list: not one line
    ("A - the first option.", None, None),
    ("Shelling hit KYIV – officials said.", None, None),
    ("", None, None),
]


@pytest.mark.parametrize(("text", "read", "resolved"), CASES)
def test_dateline(text: str, read: Read | None, resolved: tuple[str, str] | None) -> None:
    found = find_dateline(text)
    got = None if found is None else (found.place, found.region, found.date_text, found.agency,
                                       found.end)
    assert got == read
    assert dateline_end(text) == (read[4] if read else 0)
    if read is not None:
        assert text[: read[4]].rstrip()[-1] in "-–—:./"  # the dateline ends at its dash
    place = parse_dateline(text)
    assert (None if place is None else (place.name, place.country_iso3)) == resolved
    row = {"text": text, "published": None}
    assign_reference_date(row, datetime(2024, 1, 5).date())
    dated = read is not None and read[2] is not None
    assert (row["published_basis"] == "dateline") == dated
