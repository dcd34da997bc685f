"""Invariants on any text: offsets slice to the surface text, intervals are ordered, ids are stable."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.temporal import tag

PIECES = [
    "On",
    "December 16",
    "16 December 2024",
    "Friday",
    "last week",
    "three days ago",
    "the 1990s",
    "in",
    "May",
    "may",
    "march",
    "March",
    "2024",
    "F-16",
    "Su-34",
    "the next day",
    "two weeks later",
    "48 hours",
    "every Friday",
    "now",
    "yesterday",
    "7am",
    "Sunday night",
    "winter 2022",
    "Q3 2024",
    "troops",
    "12",
    "10-nation",
    "47th Brigade",
    ",",
    ".",
    "\n",
    "early",
    "mid-",
    "the end of",
    "-",
    "490 BC",
    "1939",
    "the following year",
    "that summer",
    "recent weeks",
    "January 20",
]

texts = st.lists(st.sampled_from(PIECES), max_size=25).map(" ".join)
references = st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))


@settings(max_examples=300, deadline=None)
@given(texts, references)
def test_offsets_slice_and_intervals_are_ordered(text: str, reference: date | None) -> None:
    mentions = tag(text, reference)
    previous_end = 0
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.start >= previous_end  # no overlaps, text order
        previous_end = m.end
        if m.date_start is not None or m.date_end is not None:
            assert m.date_start is not None and m.date_end is not None
            assert m.date_start <= m.date_end
        assert m.type in ("DATE", "TIME", "DURATION", "SET")
        if reference is None:
            assert m.anchor != "reference"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), references)
def test_arbitrary_text_never_fails(text: str, reference: date | None) -> None:
    for m in tag(text, reference):
        assert text[m.start : m.end] == m.text


@settings(max_examples=50, deadline=None)
@given(texts, references)
def test_deterministic(text: str, reference: date | None) -> None:
    assert tag(text, reference) == tag(text, reference)


def test_a_century_beyond_the_calendar_has_no_interval() -> None:
    (mention,) = tag("The clock read 10:30194520 centuries ago.", date(2024, 12, 17))
    assert (mention.date_start, mention.date_end) == (None, None)
