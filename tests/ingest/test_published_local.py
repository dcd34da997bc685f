"""The local day of publication: parsed beside naive-UTC ``published``, kept by every basis."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.ingest.records import normalize_record, parse_published, parse_published_local
from etl.ingest.reference import assign_reference_date
from etl.temporal import reference_day

# value as given -> (naive UTC, local day as written)
PARSED = [
    ("2024-12-17T21:30:00-06:00", datetime(2024, 12, 18, 3, 30), date(2024, 12, 17)),
    ("2024-12-17T00:30:00+02:00", datetime(2024, 12, 16, 22, 30), date(2024, 12, 17)),
    ("2024-12-18T02:00:00+05:30", datetime(2024, 12, 17, 20, 30), date(2024, 12, 18)),
    ("2025-01-01T00:10:00+01:00", datetime(2024, 12, 31, 23, 10), date(2025, 1, 1)),  # year boundary
    ("2024-03-01T01:00:00+03:00", datetime(2024, 2, 29, 22, 0), date(2024, 3, 1)),  # leap day
    ("2024-12-17T23:59:59-12:00", datetime(2024, 12, 18, 11, 59, 59), date(2024, 12, 17)),
    ("2024-12-17T00:00:00+14:00", datetime(2024, 12, 16, 10, 0), date(2024, 12, 17)),
    ("2024-12-17T12:00:00Z", datetime(2024, 12, 17, 12, 0), date(2024, 12, 17)),
    ("2024-12-17T21:30:00", datetime(2024, 12, 17, 21, 30), date(2024, 12, 17)),  # naive: UTC
    ("2024-12-17", datetime(2024, 12, 17), date(2024, 12, 17)),
    # dateparser's formats: RSS/e-mail offsets and zone names
    ("Tue, 17 Dec 2024 21:30:00 -0600", datetime(2024, 12, 18, 3, 30), date(2024, 12, 17)),
    ("Mon, 01 Jan 2024 02:00:00 +0300", datetime(2023, 12, 31, 23, 0), date(2024, 1, 1)),
    ("December 17, 2024 9:30 pm CST", datetime(2024, 12, 18, 3, 30), date(2024, 12, 17)),
    ("17 Dec 2024 00:30 EET", datetime(2024, 12, 16, 22, 30), date(2024, 12, 17)),
    ("Wed 18 Dec 2024 01:00 AEDT", datetime(2024, 12, 17, 14, 0), date(2024, 12, 18)),
    ("Tue, 17 Dec 2024 23:30:00 GMT", datetime(2024, 12, 17, 23, 30), date(2024, 12, 17)),
    ("17 December 2024", datetime(2024, 12, 17), date(2024, 12, 17)),
]


@pytest.mark.parametrize(("value", "utc", "local"), PARSED)
def test_parse_keeps_the_day_as_written(value: str, utc: datetime, local: date) -> None:
    assert parse_published_local(value) == (utc, local)
    assert parse_published(value) == utc  # the contract's column is unchanged


@pytest.mark.parametrize("value", ["not a date", "yesterday", "9999-12-31T23:00:00-05:00"])
def test_no_date_gives_neither(value: str) -> None:
    assert parse_published_local(value) is None and parse_published(value) is None


@given(st.datetimes(min_value=datetime(1700, 1, 2), max_value=datetime(2200, 12, 30)),
       st.integers(min_value=-12 * 4, max_value=14 * 4))
def test_local_day_is_the_wall_clock_day(wall: datetime, quarters: int) -> None:
    """Whatever the offset, the local day is the date written and UTC is the wall time minus it."""
    wall = wall.replace(microsecond=0)
    offset = timedelta(minutes=15 * quarters)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(quarters) * 15
    value = f"{wall.isoformat()}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    assert parse_published_local(value) == (wall - offset, wall.date())


def _record(published: str | None = None, text: str = "Shelling hit Kharkiv.", url: str | None = None
            ) -> dict[str, Any]:
    record: dict[str, Any] = {"id": "a", "text": text}
    if published is not None:
        record["published"] = published
    if url is not None:
        record["url"] = url
    row = normalize_record(record, "a.jsonl", 1)
    assign_reference_date(row, date(2024, 6, 1))
    return row


@pytest.mark.parametrize(("record", "published", "basis", "local"), [
    ({"published": "2024-12-17T21:30:00-06:00"}, datetime(2024, 12, 18, 3, 30), "metadata",
     date(2024, 12, 17)),
    ({"published": "2024-12-17"}, datetime(2024, 12, 17), "metadata", date(2024, 12, 17)),
    ({"text": "GAZA, Dec 17 (Reuters) - Israeli strikes killed 20 people."},
     datetime(2024, 12, 17), "dateline", date(2024, 12, 17)),
    ({"url": "https://example.org/news/2024/12/17/strike"}, datetime(2024, 12, 17), "inferred",
     date(2024, 12, 17)),
    ({}, datetime(2024, 6, 1), "default", date(2024, 6, 1)),
    # a year no publication has: ignored, then the default
    ({"published": "1234-12-17T21:30:00-06:00"}, datetime(2024, 6, 1), "default", date(2024, 6, 1)),
])
def test_every_basis_gives_a_local_day(
    record: dict[str, Any], published: datetime, basis: str, local: date
) -> None:
    row = _record(**record)
    got = (row["published"], row["published_basis"], row["published_local_date"])
    assert got == (published, basis, local)


def test_no_date_at_all_gives_none() -> None:
    row = normalize_record({"id": "a", "text": "Shelling hit Kharkiv."}, "a.jsonl", 1)
    assign_reference_date(row, None)
    assert (row["published"], row["published_basis"], row["published_local_date"]) == (None, "none", None)


def test_a_row_made_without_the_column_takes_the_utc_day() -> None:
    row: dict[str, Any] = {"text": "x", "published": datetime(2024, 12, 17, 23, 0)}
    assign_reference_date(row, None)
    assert row["published_local_date"] == date(2024, 12, 17)


@pytest.mark.parametrize(("article", "expected"), [
    ({"published": datetime(2024, 12, 18, 3, 30), "published_local_date": date(2024, 12, 17)},
     date(2024, 12, 17)),
    ({"published": pd.Timestamp("2024-12-18 03:30"), "published_local_date": pd.NaT}, date(2024, 12, 18)),
    ({"published": pd.Timestamp("2024-12-18 03:30"), "published_local_date": None}, date(2024, 12, 18)),
    ({"published": pd.Timestamp("2024-12-18 03:30")}, date(2024, 12, 18)),
    ({"published": date(2024, 12, 18), "published_local_date": float("nan")}, date(2024, 12, 18)),
    ({"published": pd.NaT, "published_local_date": None}, None),
    ({"published": None}, None),
    ({}, None),
])
def test_reference_day(article: dict[str, Any], expected: date | None) -> None:
    assert reference_day(article) == expected
