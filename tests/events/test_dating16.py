"""Event dates from spans and coordinated dates (review 16, F7 and F14), through both stages.

"since <date>" opens an ongoing activity: a few weeks of it are one event over those days, a
longer run dates nothing. Dates named together ("on Friday and Saturday", "from Monday to
Wednesday") date one event as the range they cover.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from etl.events.dating import DateMentions, MentionRow, span_start
from tests.events.conftest import tagged_events

WED = date(2025, 3, 12)  # a Wednesday, the review's publication date


def events(text: str, published: date = WED) -> pd.DataFrame:
    """The events table of one article (at least one event)."""
    found = tagged_events(text, published)
    assert len(found) >= 1, text
    return found


def dates(row: pd.Series) -> tuple[date, date, str, str, int]:
    return (row["date_start"], row["date_end"], row["date_basis"], row["date_precision"],
            row["time_precision"])


# --- F7: "since" opens a span -----------------------------------------------------------------

LONG_AGO = [
    # the review's repros
    "The Houthis have fired missiles and drones at Israel since the Hamas-led attack of "
    "October 7, 2023, which killed about 1,200 people.",
    "Puntland forces have been fighting the group in the Cal Miskaad range since December.",
    # other wars, other wordings
    "Russian forces have shelled Kharkiv almost daily since the invasion began in February 2022.",
    "Al-Shabaab fighters have raided bases in Middle Shabelle since the collapse of the truce in "
    "August 2022.",
    "The army and the RSF have fought in Khartoum since April 15, 2023.",
    "Junta troops have bombed villages in Sagaing ever since the coup of February 2021.",
]


@pytest.mark.parametrize("text", LONG_AGO)
def test_a_campaign_since_long_ago_dates_no_event(text: str) -> None:
    """A run of months or years up to the report is no event's date: the clause is undated."""
    row = events(text).iloc[0]
    assert row["date_basis"] == "publication", dates(row)
    assert row["date_start"] >= date(2025, 3, 6)


@pytest.mark.parametrize(
    ("text", "start", "basis", "precision"),
    [
        ("Clashes in Tripoli have killed 27 people since Sunday, the health ministry said.",
         date(2025, 3, 9), "relative", ("week", 2)),
        ("Fighting between ELN guerrillas and FARC dissidents in Catatumbo has killed at least "
         "80 people since Thursday.", date(2025, 3, 6), "relative", ("week", 2)),
        ("Gangs have attacked the Carrefour district of Port-au-Prince since March 1.",
         date(2025, 3, 1), "explicit", ("month", 3)),
        ("M23 rebels have shelled Goma since the start of the offensive on March 4.",
         date(2025, 3, 4), "explicit", ("month", 3)),
    ],
)
def test_a_recent_span_is_one_event_up_to_publication(
    text: str, start: date, basis: str, precision: tuple[str, int],
) -> None:
    """"since Thursday": ACLED codes the days of fighting as one event over a range."""
    row = events(text).iloc[0]
    assert dates(row) == (start, WED, basis, *precision)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("The town has been calm since rebels seized it on Friday.", date(2025, 3, 7)),
        ("Aid has been blocked since RSF fighters stormed the Zamzam camp on Sunday.",
         date(2025, 3, 9)),
    ],
)
def test_an_event_inside_the_since_clause_keeps_its_day(text: str, day: date) -> None:
    """The trigger of the "since" clause is the event the date belongs to."""
    found = events(text)
    assert any(dates(row) == (day, day, "relative", "day", 1) for _, row in found.iterrows()), found


def test_a_past_perfect_span_in_a_history_dates_nothing() -> None:
    row = events("The city had been besieged by German troops since 12 May 1942.",
                 date(2019, 9, 15)).iloc[0]
    assert row["date_basis"] == "publication"


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ("have fired missiles since the attack of ", 20),
        ("have fought Since ", 12),
        ("fighting ever since ", 9),
        ("since rebels left and on ", None),  # a later clause
        ("since the attack, on ", None),
        ("since one two three four five six seven eight nine ", None),  # too far
        ("the attack on ", None),
    ],
)
def test_span_start(before: str, expected: int | None) -> None:
    assert span_start(before) == expected


# --- F14: dates named together ------------------------------------------------------------------

FRI, SAT = date(2025, 3, 7), date(2025, 3, 8)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("The RSF attacked the Zamzam camp near El Fasher on Friday and Saturday, killing more "
         "than 100 people.", WED, (FRI, SAT, "relative", "week", 2)),
        ("Gang members killed 184 people in Port-au-Prince on Friday and Saturday.", WED,
         (FRI, SAT, "relative", "week", 2)),
        ("Fighting in Goma killed 30 people on March 3 and 4.", WED,
         (date(2025, 3, 3), date(2025, 3, 4), "explicit", "week", 2)),
        ("Troops shelled villages near Kidal on 11 and 12 July.", date(2025, 7, 20),
         (date(2025, 7, 11), date(2025, 7, 12), "explicit", "week", 2)),
        ("Gunmen killed 20 people in Kano between Friday and Saturday.", WED,
         (FRI, SAT, "relative", "week", 2)),
        ("Russian forces shelled Kharkiv from Monday to Wednesday.", WED,
         (date(2025, 3, 10), WED, "relative", "week", 2)),
        ("Militants attacked army posts in Borno on Friday, Saturday and Sunday.", WED,
         (FRI, date(2025, 3, 9), "relative", "week", 2)),
        ("Israeli strikes on Khan Younis killed 40 people on Saturday and on Sunday.", WED,
         (SAT, date(2025, 3, 9), "relative", "week", 2)),
        ("Protesters rallied in Dhaka on 5 and 6 August 2024.", WED,
         (date(2024, 8, 5), date(2024, 8, 6), "explicit", "week", 2)),
    ],
)
def test_coordinated_days_date_one_event_as_a_range(
    text: str, published: date, expected: tuple[date, date, str, str, int],
) -> None:
    row = events(text, published).iloc[0]
    assert dates(row) == expected
    assert row["event_date"] == expected[1]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # an appositive names one day twice
        ("Troops shelled the town of Bakhmut on Friday, March 7.", FRI),
        # days far apart in a list are separate events: the nearer one dates the trigger
        ("Attacks on March 3 and February 10 killed 10 people in Kidal.", date(2025, 3, 3)),
        # another verb between the dates: not one span
        ("Gunmen killed 20 people in Zamfara on Friday and burned houses on Saturday.", FRI),
    ],
)
def test_dates_not_joined(text: str, day: date) -> None:
    row = events(text).iloc[0]
    assert (row["date_start"], row["date_end"], row["date_precision"]) == (day, day, "day")


def test_a_day_after_publication_leaves_the_range() -> None:
    """"on Tuesday and Thursday" in a Wednesday report: only Tuesday is done."""
    text = "Drones struck Odesa on Tuesday and Thursday."
    tue, thu = date(2025, 3, 11), date(2025, 3, 13)
    rows = [MentionRow("m1", text.index("Tuesday"), text.index("Tuesday") + 7, "2025-03-11", "DATE",
                       tue, tue, "Tuesday"),
            MentionRow("m2", text.index("Thursday"), text.index("Thursday") + 8, "2025-03-13",
                       "DATE", thu, thu, "Thursday")]
    dated = DateMentions(rows, WED, text).date_of(rows[0])
    assert dated is not None
    assert (dated.date_start, dated.date_end, dated.date_precision) == (tue, tue, "day")
