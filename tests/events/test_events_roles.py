"""Who acted, who suffered, who only reported; which deaths are political violence at all.

Review 15 findings: victims re-homed to where the event happened (#5), report sources and
victims never actor1 (#11), restated tolls add no event (#12), accidents, disasters and
natural deaths are no ASSAULT (#10), a capitalized "Die" opening German text is no trigger (#15).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from etl.events.actors import ArticleActors, find_mentions, is_patient, is_reporter
from etl.events.text import Words
from etl.events.triggers import is_victim_reference, match_tokens, nonviolent_death

Events = Callable[..., pd.DataFrame]


def _cell(value: object) -> str | None:
    return value if isinstance(value, str) else None  # None, NaN or pd.NA: no actor


def _assaults(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["event_type"] == "ASSAULT"]


# ---- #5: victims without a stated nationality belong where the event happened ------------------

@pytest.mark.parametrize(
    ("text", "victims"),
    [
        ("Russian missiles struck Kharkiv, killing five people.", "Civilians (Ukraine)"),
        ("Israeli airstrikes hit Rafah, killing 20 people.", "Civilians (Palestine)"),
        ("Russian drones attacked Odesa overnight, injuring and killing several residents.",
         "Civilians (Ukraine)"),
        ("Sudanese paramilitary fighters attacked El Fasher, killing 40 villagers.", "Civilians (Sudan)"),
        ("Ethiopian troops shelled Mekelle, killing 14 civilians.", "Civilians (Ethiopia)"),
        ("A Russian drone crashed into an apartment block in Kyiv, killing two people.",
         "Civilians (Ukraine)"),
    ],
)
def test_victims_of_a_killing_clause_take_the_event_country(events_of: Events, text: str,
                                                              victims: str) -> None:
    row = _assaults(events_of(text)).iloc[0]
    assert row["actor2"] == victims


def test_the_attacker_is_not_the_victims_country(events_of: Events) -> None:
    row = _assaults(events_of("A Russian drone crashed into an apartment block in Kyiv, "
                              "killing two people.")).iloc[0]
    assert row["actor1"] == "Military Forces of Russia"


# ---- #11: a report's source is no participant; victims are actor2 -----------------------------

@pytest.mark.parametrize(
    ("text", "actor1", "actor2", "acled"),
    [
        ("Gunmen attacked a church in Bokkos on December 15, killing 11 worshippers, police said.",
         "Rebels (Nigeria)", "Civilians (Nigeria)", "Violence against civilians"),
        ("Ukrainian drones attacked an oil depot in Bryansk on December 16, Russian officials said.",
         "Military Forces of Ukraine", None, "Explosions/Remote violence"),
        ("Twenty-three people died when a Russian missile struck Zaporizhzhia on December 16.",
         "Military Forces of Russia", "Civilians (Ukraine)", "Explosions/Remote violence"),
        ("More than 40 people were injured in Monday evening's attack on Kharkiv.",
         None, "Civilians (Ukraine)", "Violence against civilians"),
        ("Two Ukrainian soldiers were killed in a Russian attack near Bakhmut.",
         "Military Forces of Russia", "Military Forces of Ukraine", "Battles"),
        ("Five people died after a Russian drone hit their car near Kherson.",
         "Military Forces of Russia", "Civilians (Ukraine)", "Explosions/Remote violence"),
        ("Bandits killed 12 farmers near Kano, said a police spokesman.",
         "Rebels (Nigeria)", "Civilians (Nigeria)", "Violence against civilians"),
        ("Russian shelling killed three civilians in Kherson, the regional governor told reporters.",
         "Military Forces of Russia", "Civilians (Ukraine)", "Explosions/Remote violence"),
        ("Three Ukrainian soldiers killed in clashes with separatists in Donetsk.",
         "Rebels (Ukraine)", "Military Forces of Ukraine", "Battles"),
        ("Ukrainian soldier reported killed in Donbas.", None, "Military Forces of Ukraine", "Battles"),
    ],
)
def test_sources_and_victims(events_of: Events, text: str, actor1: str | None, actor2: str | None,
                             acled: str) -> None:
    row = _assaults(events_of(text)).iloc[0]
    assert (_cell(row["actor1"]), _cell(row["actor2"]), row["acled_event_type"]) == (actor1, actor2, acled)


def test_a_party_reporting_what_it_suffered_is_actor2(events_of: Events) -> None:
    row = events_of("DPR reports four ceasefire violations by Ukrainian troops in past day.").iloc[0]
    assert (row["actor1"], row["actor2"]) == (
        "Military Forces of Ukraine", "DPR: Donetsk People's Republic")


@pytest.mark.parametrize(
    ("text", "actor", "reporter"),
    [
        ("Gunmen attacked a church, police said.", "police", True),
        ("Gunmen attacked a church, Nigerian police said on Monday.", "Nigerian police", True),
        ("Militants attacked a convoy, said a police spokesman.", "police", True),
        ("Police on Monday said gunmen attacked a church.", "Police", True),
        ("The Ukrainian military told Reuters that rebels attacked.", "Ukrainian military", True),
        ("The Ukrainian military said it shot down 20 drones.", "Ukrainian military", False),  # its own act
        ("Ukrainian soldier reported killed in Donbas.", "Ukrainian soldier", False),  # who suffered
        ("Police fired tear gas at protesters.", "Police", False),
        ("Gunmen attacked a church, police said.", "Gunmen", False),
    ],
)
def test_is_reporter(text: str, actor: str, reporter: bool) -> None:
    mention = next(m for m in find_mentions(text, ArticleActors("NGA")) if text[m.start : m.end] == actor)
    assert is_reporter(text, mention) == reporter


@pytest.mark.parametrize(
    ("text", "patient"),
    [
        ("Twelve people were killed in the attack.", True),
        ("Five civilians died in hospital.", True),
        ("Four border guards killed in a Russian helicopter attack.", True),
        ("Two civilians said killed.", True),
        ("Ukrainian soldiers killed in Donbas.", True),
        ("Gunmen killed 12 villagers.", False),
        ("Russian forces killed at least 12 civilians.", False),
        ("Russian forces killed as many as 30 soldiers.", False),
        ("Rebels attacked the town.", False),
    ],
)
def test_is_patient(text: str, patient: bool) -> None:
    first = find_mentions(text, ArticleActors("UKR"))[0]
    assert is_patient(text, first) == patient


# ---- #12: restating the toll adds no event ---------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Russian missiles struck Kharkiv in Ukraine on December 16, killing at least 12 people. "
        "Of the 12 dead, five were children, the governor said. The 12 killed included a family of four.",
        "Gunmen stormed a village in Borno, killing 20 people.\n\nThose killed were buried on Tuesday.",
        "Israeli airstrikes hit Khan Younis, killing 30 people. Among the 30 dead were 11 children.",
        "Russian forces attacked Kharkiv on Monday. The two soldiers killed in the attack were from Lviv.",
    ],
)
def test_restated_toll_adds_no_event(events_of: Events, text: str) -> None:
    assert len(_assaults(events_of(text))) == 1


def test_a_toll_naming_another_place_stays_its_own(events_of: Events) -> None:
    events = _assaults(events_of(
        "A Russian missile struck Kharkiv on Monday, killing 12 people. In Odesa, a drone attack "
        "killed three. The 12 killed in Kharkiv included two children."))
    assert len(events) == 2
    assert events[events["location"] == "Kharkiv"]["fatalities"].tolist() == [12]


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("Of the 12 dead, five were children.", True),
        ("The 12 people killed included a family.", True),
        ("Those who died were buried.", True),
        ("The soldiers killed three rebels.", False),  # active: an object follows
        ("Gunmen killed 12 villagers.", False),
        ("Those fascists killed this girl.", False),
        ("An attack that killed 12 people.", False),
    ],
)
def test_is_victim_reference(text: str, reference: bool) -> None:
    words = Words(text)
    death = next(m for m in match_tokens(words, text) if m.text.lower() in ("dead", "killed", "died"))
    assert is_victim_reference(words, death) == reference


# ---- #10: accidents, disasters, disease and natural deaths are no conflict event ----------------

@pytest.mark.parametrize(
    "text",
    [
        "Floods killed 30 people in Maiduguri on Monday, officials said.",
        "A bus crash on the highway near Kano killed 12 people on Monday.",
        "The former president died on Monday at the age of 92.",
        "Cholera has killed 120 people in Sudan since August.",
        "A landslide killed 9 miners in Kachin state.",
        "A fire at a market in Kano killed five traders.",
        "A 6.1-magnitude earthquake struck eastern Afghanistan, killing 40 people.",
        "Heavy rains caused flooding in Lagos, killing 12 people.",
        "Nigerian soldiers died in a helicopter crash in Kaduna.",
        "A boat capsized on Lake Kivu, and 20 passengers drowned or died.",
    ],
)
def test_nonviolent_deaths_are_no_assault(events_of: Events, text: str) -> None:
    assert _assaults(events_of(text)).empty


@pytest.mark.parametrize(
    "text",
    [
        "Russian shelling killed 5 people in Kherson, which was hit by floods last year.",
        "Gunmen set fire to a market in Zamfara, killing five traders.",
        "A Russian drone crashed into an apartment block in Kyiv, killing two people.",
        "Two soldiers died of their wounds after an ambush near Goma.",
        "The bus was hit by a Russian missile near Kharkiv, killing 12 passengers.",
        "Militants killed 8 people in Mali.",
    ],
)
def test_violent_deaths_stay(events_of: Events, text: str) -> None:
    assert not _assaults(events_of(text)).empty


def test_nonviolent_death_reads_the_clause_and_the_sentence() -> None:
    text = "Heavy rains caused flooding in Lagos, killing 12 people."
    words = Words(text)
    matches = match_tokens(words, text)
    killing = next(m for m in matches if m.text == "killing")
    # the clause ", killing 12 people" names no cause: its sentence does
    assert nonviolent_death(words, killing, matches, (killing.first_token, len(words)))


@pytest.mark.parametrize(
    ("text", "actor1", "actor2"),
    [
        ("Police fired tear gas at protesters in Nairobi on Monday.",
         "Police Forces of Kenya", "Protesters (Kenya)"),
        ("Riot police fired tear gas and rubber bullets at demonstrators in Dhaka.",
         "Police Forces of Bangladesh", "Protesters (Bangladesh)"),
        ("Georgian police used water cannon against protesters in Tbilisi.",
         "Police Forces of Georgia", "Protesters (Georgia)"),
    ],
)
def test_tear_gas_is_protest_with_intervention(events_of: Events, text: str, actor1: str,
                                                actor2: str) -> None:
    row = events_of(text).iloc[0]
    assert (row["event_type"], row["acled_event_type"], row["acled_sub_event_type"]) == (
        "COERCE", "Protests", "Protest with intervention")
    assert (row["actor1"], row["actor2"]) == (actor1, actor2)


# ---- #15: a capitalized "Die" is a name or a German word --------------------------------------

@pytest.mark.parametrize(
    ("text", "triggers"),
    [
        ("Die Armee meldete Angriffe auf Kramatorsk.", []),
        ("Die Welt reported that Russian forces attacked Kupiansk.", ["attacked"]),
        ("Tourists swam in the Dead Sea.", []),
        ("Soldiers Die as Russia Shells Kharkiv", ["Die", "Shells"]),
        ("SOLDIERS DIE IN KHARKIV", ["DIE"]),
        ("Three soldiers die in Kharkiv.", ["die"]),
    ],
)
def test_capitalized_die_is_no_trigger(text: str, triggers: list[str]) -> None:
    assert [m.text for m in match_tokens(Words(text), text)] == triggers
