"""Negation, modality and reported speech: what did not happen is not an event.

Negated and irrealis triggers are DROPPED from the events table; reported ones are kept
with lower confidence.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from etl.events.text import word_tokens
from etl.events.triggers import assess, find_triggers


def status(sentence: str, trigger: str) -> str:
    tokens = word_tokens(sentence)
    match = next(m for m in find_triggers(sentence) if m.text.lower() == trigger)
    return assess(tokens, match)


@pytest.mark.parametrize(
    ("sentence", "trigger", "expected"),
    [
        ("Russia denied attacking the convoy.", "attacking", "negated"),
        ("Troops did not shell the village.", "shell", "negated"),
        ("The army didn't withdraw.", "withdraw", "negated"),
        ("Officials have yet to meet the delegation.", "meet", "negated"),
        ("He refrained from condemning the strike.", "condemning", "negated"),
        ("Russian forces could attack Kharkiv.", "attack", "irrealis"),
        ("Tusk plans to meet Zelenskiy.", "meet", "irrealis"),
        ("Both sides are ready to negotiate.", "negotiate", "irrealis"),
        ("Moscow threatened to attack Kyiv.", "attack", "irrealis"),
        ("Moscow threatened to attack Kyiv.", "threatened", "asserted"),
        ("The possibility of Ukraine ceding territory was raised.", "ceding", "irrealis"),
        ("Allies may deploy troops.", "deploy", "irrealis"),
        ("The government will impose sanctions.", "impose sanctions", "irrealis"),
        ("Russia is racing to expedite military assistance.", "military assistance", "irrealis"),
        ("Russian forces continued to shell Kharkiv.", "shell", "asserted"),
        ("Ukrainian forces are working to hold back the Russian advances.", "advances", "asserted"),
        ("Russian troops shelled Kharkiv.", "shelled", "asserted"),
    ],
)
def test_assess(sentence: str, trigger: str, expected: str) -> None:
    assert status(sentence, trigger) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Russia denied attacking the convoy near Kupiansk.",
        "Russian forces could attack Kharkiv next week.",
        "Tusk plans to meet Zelenskiy in Lviv.",
        "Ukraine will not withdraw from Pokrovsk.",
        "If talks fail, Moscow might launch an offensive.",
    ],
)
def test_unreal_events_are_dropped(events_of: Callable[..., pd.DataFrame], text: str) -> None:
    events = events_of(text)
    assert not events["event_type"].isin(["ASSAULT", "CONSULT", "RETREAT"]).any()


def test_denial_is_itself_a_reject_event(events_of: Callable[..., pd.DataFrame]) -> None:
    events = events_of("Russia denied attacking the convoy.")
    assert events["event_type"].tolist() == ["REJECT"]


def test_reported_event_is_kept_with_lower_confidence(events_of: Callable[..., pd.DataFrame]) -> None:
    plain = events_of("Russian forces shelled Kharkiv.")
    reported = events_of("Russian forces shelled Kharkiv, officials said.")
    assert plain["event_type"].tolist() == reported["event_type"].tolist() == ["ASSAULT"]
    assert reported["confidence"].iloc[0] < plain["confidence"].iloc[0]


def test_request_complement_is_not_a_done_event(events_of: Callable[..., pd.DataFrame]) -> None:
    events = events_of("Zelenskiy urged his Western allies to expedite military aid.")
    assert events["event_type"].tolist() == ["REQUEST"]


def test_what_was_used_to_do_something_was_done(events_of: Callable[..., pd.DataFrame]) -> None:
    events = events_of("Georgian police used water cannon and tear gas to disperse the protesters.")
    assert events["event_type"].tolist() == ["COERCE"]
    assert events.loc[0, "acled_sub_event_type"] == "Protest with intervention"


@pytest.mark.parametrize(
    ("sentence", "trigger", "expected"),
    [
        ("The general vowed to keep fighting and rejected calls for a truce.", "rejected", "asserted"),
        ("Russian forces could attack and kill civilians.", "kill", "irrealis"),
    ],
)
def test_coordinated_predicates(sentence: str, trigger: str, expected: str) -> None:
    assert status(sentence, trigger) == expected


@pytest.mark.parametrize(
    ("sentence", "trigger", "expected"),
    [
        ("A larger offensive might provoke a reaction.", "offensive", "irrealis"),
        ("The offensive could end soon.", "offensive", "asserted"),
    ],
)
def test_indefinite_subject_of_a_modal(sentence: str, trigger: str, expected: str) -> None:
    assert status(sentence, trigger) == expected
