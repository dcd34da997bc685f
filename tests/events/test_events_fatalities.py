"""Fatalities: a stated number of dead, or null; injured and captured never count."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from etl.events.fatalities import _compiled, fatalities, parse_number
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
