"""Review 16: cues that open a period point ahead (F15); deictic words in a history (F19)."""

from __future__ import annotations

from datetime import date

import pytest

from etl.temporal import tag
from etl.temporal.tense import direction

WED = date(2025, 3, 12)  # a Wednesday


def value_of(text: str, surface: str, published: date | None = WED) -> str:
    found = [m.value for m in tag(text, published) if m.text == surface]
    assert found, [(m.text, m.value) for m in tag(text, published)]
    return found[0]


# --- F15: "starting on Thursday" in a Wednesday report is tomorrow ---------------------------------

@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [
        ("The government has declared three days of national mourning starting on Thursday.",
         "Thursday", "2025-03-13"),
        ("The junta announced a nationwide curfew beginning on Friday.", "Friday", "2025-03-14"),
        ("Peace talks between the two sides are due on Monday.", "Monday", "2025-03-17"),
        ("A ceasefire in Gaza is set to take effect on Sunday.", "Sunday", "2025-03-16"),
        ("Elections are set for Saturday, the electoral commission said.", "Saturday",
         "2025-03-15"),
        ("Markets in Goma reopen from Monday onwards.", "Monday", "2025-03-17"),
        ("The new rules are effective from Friday, officials said.", "Friday", "2025-03-14"),
        ("The truce, which the mediators announced, is due to begin on 20 March.", "20 March",
         "2025-03-20"),
    ],
)
def test_a_period_opened_ahead_is_future(text: str, surface: str, expected: str) -> None:
    assert value_of(text, surface) == expected


@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [
        # the reviewer's control
        ("The funeral will be held on Thursday.", "Thursday", "2025-03-13"),
        # a past verb after the date still wins over a cue before it
        ("Fighting starting on Monday killed 20 people in Tripoli.", "Monday", "2025-03-10"),
        # "set" alone is the past tense of a verb, "due to" a cause
        ("Gunmen set fire to houses in Zamfara on Friday.", "Friday", "2025-03-07"),
        ("The army withdrew on Friday due to heavy losses.", "Friday", "2025-03-07"),
        ("Rebels put the town under siege on Friday.", "Friday", "2025-03-07"),
    ],
)
def test_past_events_stay_past(text: str, surface: str, expected: str) -> None:
    assert value_of(text, surface) == expected


def test_a_phrase_counts_only_whole() -> None:
    """"due" and "set" alone are no future cue; "due on" and "set to" are."""
    assert direction("It was due to rain on Friday.", 19) == "past"
    assert direction("Talks are due on Friday.", 17) == "future"
    assert direction("A truce is set to start on Friday.", 27) == "future"


# --- F19: a deictic word outside the paragraph that set the story's date ------------------------

HISTORY = (
    "The war began in 1914. In 1915 the front stalled. In 1916 the Somme offensive failed. "
    "In 1917 the United States entered the war. In 1918 an armistice was signed. "
    "In 1919 the treaty followed.\n"
)


@pytest.mark.parametrize(
    ("paragraph", "surface", "expected"),
    [
        ("23 civilians died in shelling by Ukrainian forces over last week in Donbass.",
         "last week", "2019-W36"),
        ("Officials said this year had been the quietest in Donbass.", "this year", "2019"),
        ("Separatists said two days ago that the truce held.", "two days ago", "2019-09-13"),
    ],
)
def test_a_deictic_word_in_a_new_paragraph_counts_from_publication(
    paragraph: str, surface: str, expected: str,
) -> None:
    """A history, then a news paragraph that sets no date (bench-0007108): the writer's now."""
    assert value_of(HISTORY + paragraph, surface, date(2019, 9, 15)) == expected


@pytest.mark.parametrize(
    ("paragraph", "surface", "expected"),
    [
        ("In March 1921 the envoy said Moscow had tricked him into signing the pact two years ago.",
         "two years ago", "1919"),
        ("In June 1918 the general wrote that this year would decide the war.", "this year", "1918"),
    ],
)
def test_a_deictic_word_in_the_paragraph_of_the_story_date_counts_from_it(
    paragraph: str, surface: str, expected: str,
) -> None:
    """A quote in a history speaks from the date its paragraph set (WikiWars codes it so)."""
    assert value_of(HISTORY + paragraph, surface, date(2009, 12, 19)) == expected


def test_the_next_year_after_a_modifier_is_anaphoric() -> None:
    """"early the next year" counts from the story's year, as "the next year" does, even in a
    paragraph that set no date (where a deictic "next year" would count from publication)."""
    text = HISTORY + "A committee drafted a constitution, declared early the next year."
    assert value_of(text, "early the next year", date(2009, 12, 19)) == "1920"
    assert value_of(HISTORY + "Elections follow next year.", "next year", date(2009, 12, 19)) == "2010"
