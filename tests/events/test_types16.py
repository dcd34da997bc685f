"""Event types on common verbs and constructions (review 16, F16 and the bench sample):
halted talks, "demonstrated that", "executed a plan", "accepted this number", "was called
on", negated deaths, participles describing a noun, generic noun phrases, and weapons that
refine a generic trigger ("US warplanes struck", "detonated a suicide bomb")."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.events.resources import lexicon, read_toml
from etl.events.text import Words, word_tokens
from etl.events.triggers import assess, find_triggers, is_refiner, refined_trigger

Events = Callable[..., pd.DataFrame]


def kinds(frame: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(event type, ACLED sub-event type) of each row."""
    return [(str(kind), sub if isinstance(sub, str) else None)
            for kind, sub in zip(frame["event_type"], frame["acled_sub_event_type"], strict=True)]


# --- halting talks is SANCTION (CAMEO 164 "halt negotiations"), not CONSULT ------------------

@pytest.mark.parametrize("text", [
    "President Gustavo Petro suspended peace talks with the ELN on Friday.",
    "The government broke off talks with the rebels on Friday.",
    "Hamas pulled out of the negotiations in Doha on Sunday.",
    "The TPLF walked out of the peace talks in Pretoria.",
    "Sudan's army suspended its participation in the Jeddah talks on Monday.",
    "The junta called off talks with the Arakan Army.",
    "Kinshasa has halted negotiations with M23.",
])
def test_halted_talks_are_sanction(events_of: Events, text: str) -> None:
    assert [kind for kind, _ in kinds(events_of(text))] == ["SANCTION"]


@pytest.mark.parametrize("text", [
    "The government held talks with the ELN in Caracas on Friday.",
    "The talks ended on Friday without a deal.",
    "Negotiators resumed talks in Jeddah on Monday.",
])
def test_talks_held_stay_consult(events_of: Events, text: str) -> None:
    assert [kind for kind, _ in kinds(events_of(text))] == ["CONSULT"]


# --- the other sense of a trigger word -------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The attacks demonstrated that the militants were well armed.",
    "Their attacks had demonstrated that the Chinese were well-trained.",
    "The raid demonstrated how far the insurgents could reach.",
    "The army demonstrated its resolve in the north.",
    "Veterans who had demonstrated their ability were promoted.",
    "The parade was a demonstration of force by the junta.",
    "Pyongyang staged a demonstration of its new missile.",
    "Crucial to U.S. participation was the propaganda campaign executed by the Committee on "
    "Public Information.",
    "The militants executed a plan to seize the airport.",
    "The commanders executed the strategy flawlessly.",
    "Among modern scholars some have accepted this number.",
    "Most historians accepted the figure given by the ministry.",
    "A congress was called on the holy island of Delos to institute a new alliance.",
    "The envoy called on the governor in Kano on Monday.",
])
def test_other_senses_give_no_event(events_of: Events, text: str) -> None:
    assert kinds(events_of(text)) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("Thousands demonstrated in Khartoum on Friday against the coup.", "PROTEST"),
    ("Students demonstrated outside parliament in Dhaka.", "PROTEST"),
    ("Demonstrations of students blocked roads in Nairobi.", "PROTEST"),
    ("Soldiers executed 24 men in Diafarabe, Mali on Sunday.", "ASSAULT"),
    ("The Taliban accepted the ceasefire on Tuesday.", "AGREE"),
    ("The UN called on both sides to exercise restraint.", "REQUEST"),
    ("Britain was called on to intervene.", "REQUEST"),
    ("Qatar called on Israel for an immediate halt to the strikes.", "REQUEST"),
])
def test_the_event_sense_stays(events_of: Events, text: str, kind: str) -> None:
    assert [k for k, _ in kinds(events_of(text))] == [kind]


def test_executed_attack_is_the_attack(events_of: Events) -> None:
    assert kinds(events_of("The army executed a coordinated attack on the rebel base.")) == [
        ("ASSAULT", "Armed clash")]


# --- negated deaths ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Nobody was killed in Kidal.",
    "None of the soldiers were killed.",
    "No one died, officials said.",
    "Neither soldier was killed.",
])
def test_negated_deaths_are_no_events(events_of: Events, text: str) -> None:
    assert kinds(events_of(text)) == []


@pytest.mark.parametrize(("text", "expected"), [
    # the attack named in the negated sentence is presupposed: its own type, no killing
    ("Nobody was killed in the attack on the convoy.", [("ASSAULT", "Armed clash")]),
    ("No one was killed in the arson attack.", [("COERCE", "Looting/property destruction")]),
])
def test_the_attack_of_a_negated_death_keeps_its_own_type(events_of: Events, text: str,
                                                          expected: list[tuple[str, str]]) -> None:
    assert kinds(events_of(text)) == expected


@pytest.mark.parametrize("text", [
    "Junta troops torched around 200 homes in Tabayin township, residents said. "
    "No one was killed in the arson attack.",
    "Gunmen set fire to a market in Zamfara on Sunday. No one was killed in the arson attack.",
])
def test_arson_back_reference_adds_no_row(events_of: Events, text: str) -> None:
    assert kinds(events_of(text)) == [("COERCE", "Looting/property destruction")]


# --- participles that describe a noun -------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The army used captured rebel vehicles in Goma.",
    "The Germans employed captured Allied tanks and small numbers of their own design.",
    "The militants paraded captured soldiers through the town.",
    "Aid convoys reached besieged El Fasher on Sunday.",
    "Doctors worked in hospitals in besieged Biafra.",
    "Bodies from downed jet piled in boxcars in Ukraine.",
    "Families returned to occupied villages near Kherson.",
    "Police questioned elderly residents accused of practicing voodoo.",
])
def test_participles_describing_a_noun_are_no_events(events_of: Events, text: str) -> None:
    assert kinds(events_of(text)) == []


def test_accused_participle_inside_a_killing_sentence(events_of: Events) -> None:
    text = ("A gang leader in Haiti's Cite Soleil slum ordered the killing of at least 184 people "
            "over the weekend, mostly elderly residents accused of practicing voodoo, a human "
            "rights group said.")
    assert [kind for kind, _ in kinds(events_of(text))] == ["ASSAULT"]


@pytest.mark.parametrize(("text", "kind"), [
    ("M23 rebels captured the town of Sake on Monday.", "ASSAULT"),
    ("Russian troops in occupied Kherson shelled a village on Monday.", "ASSAULT"),
    ("Russia accused Ukraine of shelling the plant.", "ACCUSE"),
    ("He was accused of ordering the massacre.", "ACCUSE"),
    ("The minister was accused by rights groups of covering up abuses.", "ACCUSE"),
    ("Two men accused of spying for Russia were arrested in Warsaw.", "COERCE"),
    ("Kyiv reported power cuts, which Zelensky blamed on Russia.", "ACCUSE"),
    ("The wounded died in hospital in Gaza on Sunday.", "ASSAULT"),
])
def test_finite_verbs_stay_events(events_of: Events, text: str, kind: str) -> None:
    assert [k for k, _ in kinds(events_of(text))] == [kind]


# --- a trigger inside a generic noun phrase --------------------------------------------------

@pytest.mark.parametrize("text", [
    "It was a Napoleonic plan in an age of barbed wire, machine guns, and indirect artillery fire.",
    "It marked one of the poorest examples of a strategic withdrawal in modern military history.",
    "Veterans marked the anniversary of the Srebrenica massacre.",
    "They lacked the organization for that type of assault.",
    "The manual describes the tactics of urban combat.",
])
def test_generic_noun_phrases_are_no_events(events_of: Events, text: str) -> None:
    assert kinds(events_of(text)) == []


@pytest.mark.parametrize("text", [
    "Amid fears of escalation, a Russian offensive began near Kharkiv on Monday.",
    "Russia marked the anniversary of the invasion, and a fresh offensive began in Kharkiv.",
    "The most widespread use of such operations was during the battle for Aleppo.",
])
def test_a_new_phrase_after_a_generic_one_is_an_event(events_of: Events, text: str) -> None:
    assert [kind for kind, _ in kinds(events_of(text))] == ["ASSAULT"]


# --- a weapon refines a generic trigger ------------------------------------------------------

SUICIDE = ("ASSAULT", "Suicide bomb")
AIR = ("ASSAULT", "Air/drone strike")
SHELLING = ("ASSAULT", "Shelling/artillery/missile attack")
IED = ("ASSAULT", "Remote explosive/landmine/IED")
GRENADE = ("ASSAULT", "Grenade")


@pytest.mark.parametrize(("text", "kind"), [
    ("Al-Shabaab militants detonated a suicide bomb at Lido beach in Mogadishu on Friday, "
     "killing 32 people.", SUICIDE),
    ("A militant detonated an explosive vest at a mosque in Peshawar.", SUICIDE),
    ("A suicide bomb killed 12 worshippers in Maiduguri on Friday.", SUICIDE),
    ("US warplanes struck the Ras Isa port in Yemen on Thursday night, killing 74 people.", AIR),
    ("Israeli jets struck targets in southern Lebanon on Sunday.", AIR),
    ("Russian drones struck energy facilities in Odesa overnight.", AIR),
    ("Two people were killed by a Russian drone in Kherson on Monday.", AIR),
    ("Houthi drones attacked a tanker in the Red Sea on Tuesday.", AIR),
    ("Sudanese army helicopters attacked a market in Nyala.", AIR),
    ("A drone exploded over a market in Sumy on Friday.", AIR),
    ("A Russian missile hit an apartment block in Dnipro on Saturday, killing 40 people.", SHELLING),
    ("Hezbollah attacked the base with rockets on Sunday.", SHELLING),
    ("Ten civilians were killed when a rocket hit a bus near Volnovakha.", SHELLING),
    ("A passenger jet was hit by a missile over Donetsk.", SHELLING),
    ("Separatists repulsed mortar attacks near Debaltseve.", SHELLING),
    ("A bomb killed five soldiers in Helmand on Tuesday.", IED),
    ("Three servicemen were killed by an explosive device in Donbas.", IED),
    ("Gunmen killed two police officers with grenades in Bujumbura.", GRENADE),
])
def test_a_weapon_refines_the_generic_trigger(events_of: Events, text: str,
                                              kind: tuple[str, str]) -> None:
    assert kinds(events_of(text))[0] == kind


@pytest.mark.parametrize("text", [
    "Russian warplanes flew over the border on Monday.",
    "Police found a suicide vest in a house in Kano.",
    "The militants did not detonate the suicide vest.",
    "Israeli warplanes did not strike the hospital, the army said.",
    "A helicopter crashed in Mali on Sunday, killing 12 soldiers.",
    "Turkey showed its new drones at a fair in Istanbul.",
])
def test_a_weapon_alone_reports_nothing(events_of: Events, text: str) -> None:
    assert kinds(events_of(text)) == []


@pytest.mark.parametrize(("text", "kind"), [
    # a weapon that names something else ("bomb disposal squad") refines nothing
    ("A member of a bomb disposal squad was killed by gunmen in Quetta.", ("ASSAULT", "Armed clash")),
    # a specific verb keeps its own type
    ("Russian artillery shelled Kharkiv overnight.", SHELLING),
])
def test_no_refinement(events_of: Events, text: str, kind: tuple[str, str]) -> None:
    assert kinds(events_of(text))[0] == kind


def test_a_refiner_is_assessed_as_its_trigger() -> None:
    text = "US warplanes did not hit the hospital in Hodeidah."
    words, refiner = Words(text), find_triggers(text)[0]
    assert is_refiner(refiner)
    refined = refined_trigger(words, refiner)
    assert refined is not None and words.lowers[refined.first_token] == "hit"
    assert assess(words, refiner) == "negated"


# --- data integrity ---------------------------------------------------------------------------

def _form_key(form: str) -> tuple[str, ...]:
    return tuple(t.lower for t in word_tokens(form))


def test_every_refiner_is_a_weapon_noun_of_the_lexicon() -> None:
    refiners = {_form_key(form) for form in read_toml("senses.toml")["refiners"]["forms"]}
    weapon_nouns = {form.words for form in lexicon().forms if form.sense.pos == "noun"
                    and form.sense.acled_event_type == "Explosions/Remote violence"}
    assert refiners <= weapon_nouns


def test_every_sense_rule_names_lexicon_forms() -> None:
    forms = {form.words for form in lexicon().forms}
    for rule in read_toml("senses.toml")["sense"]:
        for form in rule["forms"]:
            assert _form_key(form) in forms, form


_WEAPONS = sorted(read_toml("senses.toml")["refiners"]["forms"])
_FILLER = ["the", "a", "Russian", "Houthi", "new", "were", "seen", "near", "Kyiv", "over", "flew",
           "parked", "displayed", "and", ",", "on", "Monday", "stored", "in", "Gaza"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WEAPONS), st.sampled_from(_FILLER)), min_size=1, max_size=10))
def test_weapons_without_a_trigger_report_nothing(words: list[str]) -> None:
    text = " ".join(words) + "."
    tokens = Words(text)
    assert all(assess(tokens, match) == "other_sense" for match in find_triggers(text) if is_refiner(match))


@pytest.mark.parametrize("text", [
    "Their attacks had demonstrated that the Chinese were particularly adept at night fighting.",
    "The recruits had little experience in urban combat.",
    "Some scholars accepted this number, although suggesting that the number must have been lower.",
    "Analysts suggested that the group had changed its tactics.",
])
def test_skills_and_guesses_are_no_events(events_of: Events, text: str) -> None:
    assert kinds(events_of(text)) == []


def test_a_suggestion_without_a_finite_verb_is_a_request(events_of: Events) -> None:
    text = "Egypt suggested that both sides halt the fighting in Gaza."
    assert kinds(events_of(text)) == [("REQUEST", None)]
