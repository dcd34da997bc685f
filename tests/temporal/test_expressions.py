"""Expression -> value tables by family: absolute, relative, weekday, tense, narrative, durations, others."""

from __future__ import annotations

from datetime import date

import pytest

from etl.temporal import tag

REF = date(2024, 12, 17)  # a Tuesday


def only(text: str, reference: date | None = REF) -> tuple[str, str, str]:
    """The single mention of ``text`` as (surface, type, value)."""
    mentions = tag(text, reference)
    assert len(mentions) == 1, [(m.text, m.value) for m in mentions]
    m = mentions[0]
    return m.text, m.type, m.value


ABSOLUTE = [
    ("The attack came on 16 December 2024.", "16 December 2024", "2024-12-16"),
    ("It began on December 16th, 2024, with shelling.", "December 16th, 2024", "2024-12-16"),
    ("Troops left on Dec. 16 after the talks.", "Dec. 16", "2024-12-16"),
    ("The ceasefire expired on 12/16/2024.", "12/16/2024", "2024-12-16"),
    ("The ceasefire expired on 2024-12-16.", "2024-12-16", "2024-12-16"),
    ("Fighting peaked in mid-December.", "mid-December", "2024-12"),
    ("Prices rose in early 2023.", "early 2023", "2023"),
    ("The war of the 1990s left scars.", "the 1990s", "199"),
    ("Output fell in Q3 2024.", "Q3 2024", "2024-Q3"),
    ("The offensive stalled in winter 2022.", "winter 2022", "2022-WI"),
    ("It was the bloodiest battle of the 19th century.", "the 19th century", "18"),
    ("Persia invaded Greece in 490 BC.", "490 BC", "BC0490"),
    ("Russia invaded in February 2022.", "February 2022", "2022-02"),
    ("The siege ended in the spring of 1942.", "the spring of 1942", "1942-SP"),
    ("They met again in the second half of 2008.", "the second half of 2008", "2008-H2"),
]


@pytest.mark.parametrize(("text", "surface", "value"), ABSOLUTE)
def test_absolute(text: str, surface: str, value: str) -> None:
    assert only(text)[0::2] == (surface, value)


RELATIVE = [
    ("Shelling resumed yesterday.", "yesterday", "2024-12-16"),
    ("Talks resume tomorrow.", "tomorrow", "2024-12-18"),
    ("The town fell three days ago.", "three days ago", "2024-12-14"),
    ("Drones hit Kyiv last week.", "last week", "2024-W50"),
    ("Aid will arrive next month.", "next month", "2025-01"),
    ("Casualties rose this year.", "this year", "2024"),
    ("The army grew last year.", "last year", "2023"),
    ("Attacks have increased earlier this month.", "earlier this month", "2024-12"),
    ("A new offensive is expected next spring.", "next spring", "2025-SP"),
]


@pytest.mark.parametrize(("text", "surface", "value"), RELATIVE)
def test_relative_to_publication(text: str, surface: str, value: str) -> None:
    assert only(text)[0::2] == (surface, value)


WEEKDAYS = [
    # The reference day itself counts: "said Tuesday" in a Tuesday article is that day.
    ("Officials said on Tuesday that the town had fallen.", "2024-12-17"),
    ("Russia struck Odesa on Friday.", "2024-12-13"),
    ("Zelenskiy met Tusk on Monday.", "2024-12-16"),
    ("Leaders will meet on Friday.", "2024-12-20"),
    ("The summit is scheduled for Thursday.", "2024-12-19"),
    ("The bridge was hit last Tuesday.", "2024-12-10"),
    ("Talks resume next Tuesday.", "2024-12-24"),
]


@pytest.mark.parametrize(("text", "value"), WEEKDAYS)
def test_weekday_direction_follows_tense(text: str, value: str) -> None:
    assert only(text)[2] == value


TENSE = [
    # A month and day without a year: past events not after, future events not before the reference.
    ("Aid will be delivered before the inauguration on January 20.", "2025-01-20"),
    ("The inauguration on January 20 is weeks away.", "2025-01-20"),
    ("The town was captured on December 20.", "2023-12-20"),
    ("The summit will open on December 10.", "2025-12-10"),
    ("Troops crossed the river on November 30.", "2024-11-30"),
    ("Elections are planned for March.", "2025-03"),
    ("The counteroffensive stalled in March.", "2024-03"),
]


@pytest.mark.parametrize(("text", "value"), TENSE)
def test_underspecified_year_follows_tense(text: str, value: str) -> None:
    assert only(text)[2] == value


NARRATIVE = [
    ("On 24 February 2022 Russia invaded. Two weeks later it reached Kyiv.", "Two weeks later", "2022-W10"),
    ("On 24 February 2022 Russia invaded. The next day it shelled Kharkiv.", "The next day", "2022-02-25"),
    ("Kherson fell in November 1941. In December the front froze.", "December", "1941-12"),
    ("The siege began in 1941. The following year the city starved.", "The following year", "1942"),
    ("The army landed on June 6, 1944. That summer it reached Paris.", "That summer", "1944-SU"),
    ("Rome attacked in 218 BC. The following year Hannibal won.", "The following year", "BC0217"),
]


@pytest.mark.parametrize(("text", "surface", "value"), NARRATIVE)
def test_narrative_anchoring(text: str, surface: str, value: str) -> None:
    mentions = {m.text: m for m in tag(text, REF)}
    assert mentions[surface].value == value
    assert mentions[surface].anchor == "narrative"


DURATIONS = [
    ("The assault went on for three consecutive days.", "three consecutive days", "P3D"),
    ("Power was cut for 48 hours.", "48 hours", "PT48H"),
    ("The city has been besieged for months.", "months", "PXM"),
    ("A 30-day ceasefire was proposed.", "30-day", "P30D"),
    ("The seized towns changed hands in recent weeks.", "recent weeks", "PXW"),
    ("The war lasted ten years.", "ten years", "P10Y"),
    ("Fighting continued over the past 24 hours.", "the past 24 hours", "PT24H"),
]


@pytest.mark.parametrize(("text", "surface", "value"), DURATIONS)
def test_durations(text: str, surface: str, value: str) -> None:
    assert only(text) == (surface, "DURATION", value)


SETS_AND_TIMES = [
    ("Protesters gather every Friday.", "every Friday", "SET", "XXXX-WXX-5"),
    ("Convoys leave daily.", "daily", "SET", "XXXX-XX-XX"),
    ("Sirens sounded at 7am on Saturday.", "7am on Saturday", "TIME", "2024-12-14T07:00"),
    ("Explosions shook the city on Sunday night.", "Sunday night", "TIME", "2024-12-15TNI"),
    ("Fighting is now concentrated near Pokrovsk.", "now", "DATE", "PRESENT_REF"),
    ("The town was recently retaken.", "recently", "DATE", "PAST_REF"),
]


@pytest.mark.parametrize(("text", "surface", "mtype", "value"), SETS_AND_TIMES)
def test_sets_times_and_vague(text: str, surface: str, mtype: str, value: str) -> None:
    assert only(text) == (surface, mtype, value)


NOT_DATES = [
    "Ukraine may receive more F-16 jets.",
    "Thousands march in Kyiv.",
    "We will march on.",
    "The Su-34 bomber was shot down.",
    "The 47th Brigade held the line.",
    "Leaders of the 10-nation group met.",
    "12 agents were exposed.",
    "The convoy carried 1500 soldiers and 2024 shells.",
    "Coordinates 48.28 N, 37.18 E mark the town.",
    "They discussed the future of Ukraine.",
    "The Four of the Four's said nothing.",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_non_dates(text: str) -> None:
    assert [(m.text, m.value) for m in tag(text, REF)] == []


def test_no_reference_date_keeps_unknown_year() -> None:
    assert only("Talks were held on December 16.", None)[2] == "XXXX-12-16"
    assert only("Shelling resumed yesterday.", None)[2] == "XXXX-XX-XX"


def test_datetime_reference_is_accepted() -> None:
    from datetime import datetime

    assert tag("It happened yesterday.", datetime(2024, 12, 17, 23, 59))[0].value == "2024-12-16"


def test_as_frame_has_mention_columns() -> None:
    frame = tag("Drones hit Kyiv on Monday.", REF, as_frame=True)
    assert list(frame["value"]) == ["2024-12-16"]
    assert {"start", "end", "text", "type", "value", "anchor", "anchor_value", "rule"} <= set(frame.columns)


MORE = [
    ("Carthage was founded in the 9th century BC.", "the 9th century BC", "BC08"),
    ("Rome fought on through 1,460 years of history.", "1,460 years", "P1460Y"),
    ("The battles of April 6-7 were decisive.", "April 6", "2024-04-06"),
    ("The spring offensive failed.", "spring", "2024-SP"),
    ("The garrison fell on May 8 1:00AM.", "May 8 1:00AM", "2024-05-08T01:00"),
    ("A sixty-day period of calm followed.", "A sixty-day period", "P60D"),
    ("Casualties fell in the first ten months of 1915.", "the first ten months of 1915", "P10M"),
    ("The offensive stalled around March 1981.", "around March 1981", "1981-03"),
]


@pytest.mark.parametrize(("text", "surface", "value"), MORE)
def test_more_forms(text: str, surface: str, value: str) -> None:
    found = {m.text: m.value for m in tag(text, REF)}
    assert found.get(surface) == value, found


def test_day_range_tail_shares_month_and_year() -> None:
    found = [(m.text, m.value) for m in tag("The battles of 6-7 January 1916 were decisive.", REF)]
    assert found == [("6", "1916-01-06"), ("7 January 1916", "1916-01-07")]


def test_two_digit_year_is_nearest_to_the_story() -> None:
    found = {m.text: m.value for m in tag("In 1790 the Club of '89 split.", REF)}
    assert found["'89"] == "1789"


NEWS_DEICTIC = [
    (
        "Russian drones struck Kyiv overnight, officials said.",
        date(2024, 12, 17),
        "overnight",
        "2024-12-16TNI",
    ),
    ("Shelling intensified at the weekend.", date(2024, 12, 17), "the weekend", "2024-W50-WE"),
    ("Protests were held this weekend.", date(2024, 12, 15), "this weekend", "2024-W50-WE"),
    ("Fighting eased last weekend.", date(2024, 12, 14), "last weekend", "2024-W49-WE"),
]


@pytest.mark.parametrize(("text", "reference", "surface", "value"), NEWS_DEICTIC)
def test_overnight_and_weekends(text: str, reference: date, surface: str, value: str) -> None:
    assert only(text, reference)[0::2] == (surface, value)


def test_weekend_interval_is_saturday_to_sunday() -> None:
    m = tag("Shelling intensified at the weekend.", REF)[0]
    assert (m.date_start, m.date_end) == (date(2024, 12, 14), date(2024, 12, 15))


CLOCKS = [
    ("In the early hours of Sunday, explosions shook Odesa.", "the early hours of Sunday", "2024-12-15TMO"),
    ("The ceasefire took effect at 0800 GMT on Monday.", "0800 GMT on Monday", "2024-12-16T08:00"),
    ("The attack began at 1430 hrs.", "1430 hrs", "2024-12-17T14:30"),
]


@pytest.mark.parametrize(("text", "surface", "value"), CLOCKS)
def test_clock_times_join_their_day(text: str, surface: str, value: str) -> None:
    assert only(text) == (surface, "TIME", value)
