"""Trigger lexicon: types in both vocabularies, longest match, idioms, lexicon integrity."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.events.resources import lexicon
from etl.events.text import word_tokens
from etl.events.triggers import IGNORE, find_triggers, match_tokens, may_have_triggers

PLOVER_TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}


def first(text: str) -> tuple[str, str, str | None, str | None]:
    match = find_triggers(text)[0]
    sense = match.sense
    return match.text, sense.plover, sense.acled_event_type, sense.acled_sub_event_type


@pytest.mark.parametrize(
    ("sentence", "trigger", "plover", "acled", "sub"),
    [
        ("Russian artillery shelled Kharkiv overnight.", "shelled", "ASSAULT",
         "Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("An airstrike on the village destroyed homes.", "airstrike", "ASSAULT",
         "Explosions/Remote violence", "Air/drone strike"),
        ("A drone strike hit the depot.", "drone strike", "ASSAULT",
         "Explosions/Remote violence", "Air/drone strike"),
        ("A roadside bomb exploded near the convoy.", "roadside bomb", "ASSAULT",
         "Explosions/Remote violence", "Remote explosive/landmine/IED"),
        ("A suicide bomber blew himself up at the checkpoint.", "suicide bomber", "ASSAULT",
         "Explosions/Remote violence", "Suicide bomb"),
        ("Gunmen threw a grenade into the market.", "threw a grenade", "ASSAULT",
         "Explosions/Remote violence", "Grenade"),
        ("Clashes erupted near Bakhmut.", "Clashes", "ASSAULT", "Battles", "Armed clash"),
        ("Rebels captured the airport.", "captured", "ASSAULT", "@territory", "@territory"),
        ("Militants kidnapped two aid workers.", "kidnapped", "ASSAULT",
         "Violence against civilians", "Abduction/forced disappearance"),
        ("Police detained 40 people.", "detained", "COERCE", "Strategic developments", "Arrests"),
        ("The SBU dismantled a spy ring in Odesa.", "dismantled a spy ring", "COERCE",
         "Strategic developments", "Arrests"),
        ("Troops seized a cache of weapons.", "seized a cache of weapons", "COERCE",
         "Strategic developments", "Disrupted weapons use"),
        ("Soldiers looted shops in the town.", "looted", "COERCE",
         "Strategic developments", "Looting/property destruction"),
        ("Riot police dispersed the crowd.", "dispersed", "COERCE", "Protests",
         "Protest with intervention"),
        ("Thousands protested in Tbilisi.", "protested", "PROTEST", "Protests", "Peaceful protest"),
        ("Rioting broke out in the capital.", "Rioting", "PROTEST", "Riots", "Violent demonstration"),
        ("The EU imposed sanctions on Moscow.", "imposed sanctions", "SANCTION", None, None),
        ("Russia deployed troops to the border.", "deployed", "MOBILIZE",
         "Strategic developments", "Change to group/activity"),
        ("Moscow threatened retaliation.", "threatened", "THREATEN", None, None),
        ("Kyiv rejected the proposal.", "rejected", "REJECT", None, None),
        ("The ministry condemned the attack.", "condemned", "ACCUSE", None, None),
        ("Zelenskiy urged allies to send jets.", "urged", "REQUEST", None, None),
        ("Leaders reiterated their unwavering support for Kyiv.",
         "reiterated their unwavering support", "SUPPORT", None, None),
        ("The two sides released dozens of prisoners.", "released dozens of prisoners", "CONCEDE",
         None, None),
        ("The services shared intelligence on the plot.", "shared intelligence", "COOPERATE",
         None, None),
        ("Volunteers evacuated residents from the town.", "evacuated", "AID", None, None),
        ("Russian forces withdrew from Kherson.", "withdrew", "RETREAT", "Strategic developments",
         "Non-violent transfer of territory"),
        ("Both sides signed a ceasefire agreement.", "signed a ceasefire agreement", "AGREE",
         "Strategic developments", "Agreement"),
        ("Tusk met with Zelenskiy in Lviv.", "met with", "CONSULT", None, None),
        ("JEF leaders convened in Tallinn.", "convened", "CONSULT", None, None),
    ],
)
def test_trigger_types(sentence: str, trigger: str, plover: str, acled: str | None,
                       sub: str | None) -> None:
    assert first(sentence) == (trigger, plover, acled, sub)


@pytest.mark.parametrize(
    "sentence",
    [
        "The minister suffered a heart attack.",
        "Russian troops seized the strategic initiative.",
        "The story made headlines worldwide.",
        "She spoke at a news conference.",
    ],
)
def test_idioms_are_not_events(sentence: str) -> None:
    assert find_triggers(sentence) == []


def test_all_sixteen_plover_types_are_reachable() -> None:
    reachable = {form.sense.plover for form in lexicon().forms} - {IGNORE}
    assert reachable == PLOVER_TYPES
    assert set(lexicon().types) == PLOVER_TYPES


def test_lexicon_acled_pairs_are_acled_vocabulary() -> None:
    rules = {"@victim", "@territory"}
    for form in lexicon().forms:
        sense = form.sense
        if sense.plover == IGNORE or sense.acled_event_type in rules:
            continue
        if sense.acled_event_type is None:
            assert sense.acled_sub_event_type is None
        else:
            assert (sense.acled_event_type, sense.acled_sub_event_type) in lexicon().acled, form


def test_quad_classes() -> None:
    quads = lexicon().types
    assert {t for t, q in quads.items() if q == "material_conflict"} == {
        "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
    assert {t for t, q in quads.items() if q == "verbal_cooperation"} == {
        "AGREE", "CONSULT", "SUPPORT", "CONCEDE"}


@pytest.mark.parametrize("sentence", ["The reforms broadened its appeal to voters.", "He fired a shell."])
def test_verb_only_forms_after_a_determiner_are_no_triggers(sentence: str) -> None:
    assert find_triggers(sentence) == []


_TRIGGER_WORDS = sorted(lexicon().by_first_word)[::7]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_TRIGGER_WORDS), st.sampled_from(
    ["the", "Troops", "’s", "'s", "-", ".", ",", "counter", "12", "Kyiv", "SHELLED", "’"])),
    max_size=12), st.sampled_from([" ", "", "-"]))
def test_a_sentence_without_trigger_words_has_no_triggers(words: list[str], joiner: str) -> None:
    sentence = joiner.join(words)
    if not may_have_triggers(sentence):
        assert match_tokens(word_tokens(sentence), sentence) == []
