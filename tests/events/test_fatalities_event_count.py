"""Fatalities are the count killed in *this* event, as ACLED/UCDP code them.

A number that is part of a date, road, age or unit is no count; a cumulative or historical toll
is not the event's; victim groups joined by "and" add up; "including N" is a subset; a revised
toll supersedes; an ambiguous sentence gives None rather than a wrong number.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from etl.events.fatalities import fatalities, parse_number, plain_fatalities

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"

# (sentence, expected): the reviewer's repros (finding 1) first, then varied wording from
# several conflicts
CASES = [
    # a date's day, a road's number, an age: never the count
    ("A Russian missile strike on Kharkiv on December 16 killed five people.", 5),
    ("The strike on Odesa on November 28 killed a child.", 1),
    ("The bombing on Route 66 killed four soldiers.", 4),
    ("On 16 December Russian troops killed two civilians near Bakhmut.", 2),
    ("Gunmen who stormed the village on Jan. 3 killed 14 farmers, police said.", 14),
    ("An air strike on El Fasher on 12 May killed nine people, activists said.", 9),
    ("Clashes on December 15 and 16 killed 30 fighters in Tigray.", 30),
    ("An explosion on Highway 1 near Kandahar killed three soldiers.", 3),
    ("The shelling of School No. 5 in Donetsk killed two teachers and a pupil.", 3),
    ("Israeli fire killed a 16-year-old boy in Jenin.", 1),
    ("A drone strike killed 8-year-old twins in Sumy.", None),  # not "8": null, no guess
    ("The 2 am raid by Myanmar troops killed 11 villagers in Sagaing.", 11),
    # cumulative and historical tolls are not the event's
    ("Israeli strikes killed 25 people on Monday, bringing the toll since October to 45,000.", 25),
    ("It was the deadliest attack since 2019, when 2,000 were killed.", None),
    ("Attacks have killed 120 people since the start of the year, including 5 on Monday.", None),
    ("Nearly 8,000 killed since start of Ukraine conflict: UN", None),
    ("72 Ukrainian soldiers killed in Russia's war this year", None),
    ("Since October, 45,000 people have been killed in Gaza, the ministry said.", None),
    ("A similar attack last year killed 40 worshippers in Borno.", None),
    ("Donbass: 68 DPR servicemen, five civilians killed by Kiev's aggression over past year", None),
    ("Israeli strikes killed 25 people, bringing the Palestinian death toll to 45,000.", 25),
    # ... but a superlative only compares: the event's count stays
    ("Four Ukraine soldiers killed in bloodiest day since August", 4),
    ("Russian strikes killed 12 people in the deadliest attack on Kyiv this year.", 12),
    ("The attack killed 25 people, the deadliest since 2019.", 25),
    ("At least 67 killed in this week's Kiev clashes.", 67),
    ("One Ukrainian soldier killed in Donbas amid 4 enemy attacks since early morning - JFO HQ", 1),
    # victim groups add up; a subset adds nothing; a total broken down is the total
    ("Russian shelling killed five soldiers and three civilians.", 8),
    ("Three civilians, two soldiers killed in east Ukraine", 5),
    ("Rebel shelling in east Ukraine kills three civilians, soldier - Ukraine military", 4),
    ("One Ukrainian serviceman, three rebels killed in east - spokesman", 4),
    ("The RSF attack killed 12 soldiers and 20 civilians in Darfur.", 32),
    ("A suicide bomber killed himself and nine others at a checkpoint in Mogadishu.", 10),
    ("Five people, including two children, were killed.", 5),
    ("Ukraine clashes kill four, including three civilians", 4),
    ("Gunmen killed 11 worshippers, two of them children, police said.", 11),
    ("The blast killed 14 people (including three police officers) in Quetta.", 14),
    ("Shelling killed 12 people, three soldiers and nine civilians.", 12),
    ("Up to 10 Ukrainian troops killed and wounded in attempt to break through", None),
    ("2,000 Italian soldiers and 5,000 Ethiopian soldiers were killed or wounded.", None),
    # number words
    ("One hundred and twenty people were killed.", 120),
    ("Two dozen villagers were killed in the raid.", 24),
    ("Three thousand people died in the siege of Mariupol, officials said.", 3000),
    # a revised toll supersedes the first figure
    ("The death toll from the Russian strike on Dnipro on December 16 rose to 45.", 45),
    ("The death toll from Monday's Russian missile strike on Kharkiv has risen to eight.", 8),
    ("The blast killed 12 people on Sunday and the death toll later rose to 19.", 19),
    ("Two more people died in hospital, bringing the death toll to 14.", 14),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES)
def test_the_event_count(sentence: str, expected: int | None) -> None:
    assert fatalities(sentence) == expected


@pytest.mark.parametrize(("sentence", "expected"), CASES)
def test_the_plain_scan_agrees(sentence: str, expected: int | None) -> None:
    assert plain_fatalities(sentence) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("one hundred and twenty", 120), ("a hundred", 100), ("three thousand", 3000), ("2 thousand", 2000),
     ("two dozen", 24), ("two hundred thousand", 200_000), ("five thousand two hundred", 5200),
     ("twenty one", 21), ("hundreds", None)],
)
def test_compound_numbers(text: str, value: int | None) -> None:
    assert parse_number(text) == value


# ---- invariants: what a date, a subset or an aggregate toll added to a sentence changes (nothing)

CLAUSES = [
    "Russian missiles killed {n} civilians in Kharkiv",
    "Gunmen killed {n} villagers in Zamfara",
    "{n} soldiers were killed in an ambush near Gao",
    "An air strike killed {n} people in Khan Younis",
]
DATES = ["On December 16, ", "On 3 March, ", "On Monday, ", "On Jan. 28, ", "Late on 16 December, "]
TAILS = [", bringing the toll since October to 45,000", ", the deadliest attack since 2019",
         ", the UN said on December 21", "."]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CLAUSES), st.integers(2, 900), st.sampled_from(DATES), st.sampled_from(TAILS))
def test_dates_and_other_tolls_do_not_change_the_count(clause: str, n: int, date: str, tail: str) -> None:
    body = clause.format(n=n)
    sentence = date + body[0].lower() + body[1:] + tail
    assert fatalities(sentence) == n


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(CLAUSES), st.integers(3, 900), st.integers(1, 2))
def test_a_subset_adds_nothing(clause: str, n: int, part: int) -> None:
    body = clause.format(n=n)
    verb_end = body.index(str(n)) + len(str(n))
    noun_end = body.index(" ", verb_end + 1) if " " in body[verb_end + 1 :] else len(body)
    sentence = f"{body[:noun_end]}, including {part} children,{body[noun_end:]}."
    assert fatalities(sentence) == n


# ---- the shortcuts (case-folding skipped, pre-filters, count starts) change nothing

FATAL_WORD = st.sampled_from([
    "Killed", "KILLING", "kills", "at least", "More Than", "12", "1,200", "Twenty-Five", "five", "a", "an",
    "one hundred and", "people", "Civilians", "soldiers", "soldier", "and", "himself", "were", "died",
    "dead", "death toll", "rose to", "bringing", "since", "last year", "deadliest", "when", "including",
    "claimed", "lives", "deaths", "KIA", "wounded", "2014", "December", "Route", "F-16", "8-year-old",
    "left", "a dozen", "two dozen", "thousand", "é", "İ", "K",
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(FATAL_WORD, max_size=12), st.sampled_from([" ", "  ", ", ", "\n", "-"]))
@example(["Shelling", "killed", "at least", "12", "people"], " ")
@example(["K\u0130LLED", "5", "people", "and", "3", "soldiers"], " ")  # "İ" lower-cased is two characters
@example(["two", "rebels", "\u017flain"], " ")  # the long s
@example(["one", "killed", "12"], " ")
def test_fatalities_are_the_plain_ones(words: list[str], glue: str) -> None:
    sentence = glue.join(words) + "."
    assert fatalities(sentence) == plain_fatalities(sentence)


# Over every sentence of ../shared's development data, ``fatalities`` is compared with
# ``plain_fatalities`` in test_events_exact_shortcuts.py::test_fatalities_over_real_sentences.
