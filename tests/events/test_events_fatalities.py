"""Fatalities: a stated number of dead, or null; injured and captured never count."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from etl.events.fatalities import (
    _compiled,
    _count_start,
    _count_starts,
    _quantifier_lengths,
    fatalities,
    parse_number,
)
from etl.events.resources import fatality_patterns


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Russian missiles killed 12 civilians in Kharkiv.", 12),
        ("The death toll rose to 28.", 28),
        ("Three soldiers died in the attack.", 3),
        ("The shelling wounded 5 people.", None),
        ("Five people were injured and 20 captured.", None),
        ("Twelve soldiers were taken prisoner.", None),
        ("There were reports of casualties among them.", None),
        ("At least 67 killed in this week's Kiev clashes.", 67),
        ("Death toll in Kiev clashes rises to 35.", 35),
        ("One officer killed, 5 others wounded.", 1),
        ("The attack on the convoy kills 6 troops.", 6),
        ("The ambush claimed six lives.", 6),
        ("A soldier was killed by sniper fire.", 1),
        ("Twenty-five people were killed.", 25),
        ("Two activists shot dead during protests.", 2),
        ("Rebel toll from the raid tops 30.", 30),
        ("12 people were injured and two killed.", 2),
        ("The operation exposed 12 Russian agents.", None),
        ("Ukraine received F-16 jets in 2024.", None),
        ("Troops killed in 2014 were honoured.", None),
        ("The war killed 70,000,000 people.", 70_000_000),
        ("Shelling killed 99999999999999999999 people, the post said.", None),  # no count; past 64 bits
    ],
)
def test_fatalities(sentence: str, expected: int | None) -> None:
    assert fatalities(sentence) == expected


@pytest.mark.parametrize(
    ("text", "value"), [("12", 12), ("1,200", 1200), ("twenty-five", 25), ("a dozen", 12), ("many", None)]
)
def test_parse_number(text: str, value: int | None) -> None:
    assert parse_number(text) == value


def test_event_gets_fatalities_of_its_sentence(events_of: Callable[..., pd.DataFrame]) -> None:
    events = events_of("Russian missiles struck Kharkiv, killing 12 civilians.")
    assert len(events) == 1
    assert events["fatalities"].iloc[0] == 12
    assert str(events["fatalities"].dtype) == "Int64"


def test_no_number_is_null_not_zero(events_of: Callable[..., pd.DataFrame]) -> None:
    events = events_of("Russian forces shelled Kharkiv, wounding 5 people.")
    assert events["fatalities"].isna().all()


def test_every_pattern_names_a_cue() -> None:
    """The pre-filter skips sentences without a cue: each pattern must need one."""
    data = fatality_patterns()
    for pattern in data["patterns"]:
        assert any(cue in pattern.lower() for cue in data["cues"]), pattern


@pytest.mark.parametrize(
    "sentence",
    ["Shelling left five people dead.", "Two fatalities were reported.", "1 KIA, 2 WIA.",
     "The number of people killed reached 40.", "Dozens perished at sea.", "Troops shelled a town."],
)
def test_pre_filter_changes_nothing(sentence: str) -> None:
    unfiltered = [parse_number(m.group("n")) for p in _compiled() for m in p.finditer(sentence)]
    assert (fatalities(sentence) is None) == (not any(v for v in unfiltered if v is not None))


# ---- where a quantified count starts: stepping back from each number, as the look-ahead finds

COUNT_WORDS = [
    "at least", "AT LEAST", "At  least", "more than", "over", "moreover", "that least", "nearly",
    "about", "up to", "as many as", "an estimated", "approximately", "roughly", "ſome", "some",
    "12", "1,200", "2,00", "one", "Twenty-one", "twenty one", "a dozen", "dozen", "hundred",
    "killed", "x12", "_5", "F-16", "5th", "people", "-", ",", "(", "\u00a0", "\t",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(COUNT_WORDS), max_size=12), st.sampled_from([" ", "  ", "\n", "", " \t"]))
@example(["killed", "at least", "12", "people", "and", "about", "three"], " ")
@example(["that least", "5"], " ")
def test_count_starts_are_the_look_ahead_matches(words: list[str], glue: str) -> None:
    sentence = glue.join(words)
    assert _count_starts(sentence) == [m.start() for m in _count_start().finditer(sentence)]


def test_count_starts_without_the_plain_quantifier_form(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another form of ``quantifiers`` falls back to the look-ahead scan."""
    assert _quantifier_lengths() is not None  # the shipped form steps back
    sentence = "Shelling killed at least 12 people and three soldiers."
    expected = [m.start() for m in _count_start().finditer(sentence)]
    module = sys.modules["etl.events.fatalities"]  # the package's ``fatalities`` is the function
    monkeypatch.setattr(module, "_quantifier_lengths", lambda: None)
    assert _count_starts(sentence) == expected == [16, 25, 39]
