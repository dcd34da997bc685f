"""Event dates from hand-built date_mentions rows (the temporal stage's output shape)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest

from etl.events.dating import MentionRow, date_from_mention, precision, publication_date
from etl.schema import columns

PUB = date(2024, 12, 17)


def mentions(text: str, *specs: tuple[str, str, str, date | None, date | None]) -> pd.DataFrame:
    """Mention rows for the surface strings ``specs`` = (surface, type, value, start, end)."""
    rows = []
    for number, (surface, kind, value, start, end) in enumerate(specs, 1):
        offset = text.index(surface)
        row = {name: None for name in columns("date_mentions")}
        row.update(article_id="a1", mention_id=f"a1:t{number}", start=offset,
                   end=offset + len(surface), text=surface, type=kind, value=value,
                   date_start=start, date_end=end, granularity="day", anchor="reference")
        rows.append(row)
    return pd.DataFrame(rows, columns=columns("date_mentions"))


def test_explicit_date_in_the_clause(events_of: Callable[..., pd.DataFrame]) -> None:
    text = "On December 16, Russian forces shelled Kharkiv."
    dec16 = date(2024, 12, 16)
    events = events_of(text, mentions(text, ("December 16", "DATE", "2024-12-16", dec16, dec16)))
    row = events.iloc[0]
    assert (row["event_date"], row["date_start"], row["date_end"]) == (dec16, dec16, dec16)
    assert (row["date_basis"], row["date_precision"], row["time_precision"]) == ("explicit", "day", 1)
    assert row["date_mention_id"] == "a1:t1"


def test_relative_date(events_of: Callable[..., pd.DataFrame]) -> None:
    text = "Russian forces shelled Kharkiv yesterday."
    dec16 = date(2024, 12, 16)
    events = events_of(text, mentions(text, ("yesterday", "DATE", "2024-12-16", dec16, dec16)))
    assert events.loc[0, "date_basis"] == "relative"


def test_duration_is_a_range_ending_at_publication(events_of: Callable[..., pd.DataFrame]) -> None:
    text = "Russian forces have attacked for three consecutive days."
    events = events_of(text, mentions(text, ("three consecutive days", "DURATION", "P3D", None, None)))
    row = events.iloc[0]
    assert (row["date_start"], row["date_end"]) == (date(2024, 12, 15), PUB)
    assert (row["date_basis"], row["time_precision"]) == ("relative", 2)


def test_context_carries_over_to_a_continuing_sentence(events_of: Callable[..., pd.DataFrame]) -> None:
    text = ("JEF leaders convened in Tallinn on December 17. They issued a statement "
            "condemning Russia.")
    events = events_of(text, mentions(text, ("December 17", "DATE", "2024-12-17", PUB, PUB)))
    accuse = events[events["event_type"] == "ACCUSE"].iloc[0]
    assert (accuse["date_basis"], accuse["event_date"], accuse["date_mention_id"]) == (
        "context", PUB, "a1:t1")


def test_no_carry_over_into_a_new_story(events_of: Callable[..., pd.DataFrame]) -> None:
    text = ("Leaders convened in Tallinn on December 17.\nSeparately, police arrested "
            "two men in Odesa.")
    events = events_of(text, mentions(text, ("December 17", "DATE", "2024-12-17", PUB, PUB)))
    arrest = events[events["event_type"] == "COERCE"].iloc[0]
    assert arrest["date_basis"] == "publication"


def test_future_date_never_dates_a_done_event(events_of: Callable[..., pd.DataFrame]) -> None:
    text = "Russian forces shelled Kharkiv before the inauguration on January 20."
    jan20 = date(2025, 1, 20)
    events = events_of(text, mentions(text, ("January 20", "DATE", "2025-01-20", jan20, jan20)))
    row = events.iloc[0]
    assert row["date_basis"] == "publication"
    assert row["event_date"] <= PUB and row["date_end"] <= PUB


def test_publication_fallback_is_a_week(events_of: Callable[..., pd.DataFrame]) -> None:
    events = events_of("Russian forces shelled Kharkiv.")
    row = events.iloc[0]
    assert (row["event_date"], row["date_start"], row["date_end"]) == (PUB, date(2024, 12, 11), PUB)
    assert (row["date_basis"], row["date_precision"], row["time_precision"]) == ("publication", "week", 2)
    assert pd.isna(row["date_mention_id"])


def test_no_publication_date_leaves_dates_null(events_of: Callable[..., pd.DataFrame]) -> None:
    events = events_of("Russian forces shelled Kharkiv.", published=None)
    assert events[["event_date", "date_start", "date_end", "date_basis"]].isna().all().all()


def test_month_mention_is_clipped_to_publication() -> None:
    month = MentionRow("m", 0, 10, "2024-12", "DATE", date(2024, 12, 1), date(2024, 12, 31), "this month")
    dated = date_from_mention(month, PUB)
    assert dated is not None
    assert (dated.date_start, dated.date_end, dated.date_basis) == (date(2024, 12, 1), PUB, "relative")


@pytest.mark.parametrize(
    ("value", "kind"), [("PAST_REF", "DATE"), ("XXXX-WXX-5", "SET"), ("PXW", "DURATION")]
)
def test_vague_mentions_give_no_date(value: str, kind: str) -> None:
    assert date_from_mention(MentionRow("m", 0, 4, value, kind, None, None, "x"), PUB) is None


def test_a_duration_reaching_before_year_one_gives_no_date() -> None:
    text = "over the past 8000 years"
    ages = MentionRow("m", 14, 24, "P8000Y", "DURATION", None, None, "8000 years")
    assert date_from_mention(ages, PUB, text[:14]) is None
    decade = MentionRow("m", 14, 24, "P10Y", "DURATION", None, None, "10 years")
    assert date_from_mention(decade, PUB, text[:14]).date_start == date(2014, 12, 18)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("days", "expected"), [(0, ("day", 1)), (2, ("week", 2)), (6, ("week", 2)), (20, ("month", 3)),
                           (90, ("year", 3))]
)
def test_precision(days: int, expected: tuple[str, int]) -> None:
    assert precision(date(2024, 1, 1), date.fromordinal(date(2024, 1, 1).toordinal() + days)) == expected


def test_publication_date_without_reference() -> None:
    assert publication_date(None).date_basis is None


def test_a_duration_not_running_to_the_reference_gives_no_date(
    events_of: Callable[..., pd.DataFrame],
) -> None:
    text = "The strike came a day after Russian forces captured the village."
    events = events_of(text, mentions(text, ("a day", "DURATION", "P1D", None, None)))
    assert events.loc[0, "date_basis"] == "publication"


def test_mentions_in_the_dateline_date_nothing(events_of: Callable[..., pd.DataFrame]) -> None:
    text = "KYIV, Dec 16 (Reuters) - Russian forces shelled Kharkiv."
    dec16 = date(2024, 12, 16)
    events = events_of(text, mentions(text, ("Dec 16", "DATE", "2024-12-16", dec16, dec16)))
    assert events.loc[0, "date_basis"] == "publication"


def test_missing_values_in_mention_rows(events_of: Callable[..., pd.DataFrame]) -> None:
    text = "Russian forces shelled Kharkiv yesterday."
    frame = mentions(text, ("yesterday", "DATE", "2024-12-16", date(2024, 12, 16), date(2024, 12, 16)))
    frame = frame.astype({"value": "string", "text": "string"})
    frame.loc[0, "value"] = pd.NA
    events = events_of(text, frame)
    assert events.loc[0, "date_basis"] == "relative"
