"""Fatalities, review 16: killing verbs with a count, "since <day>", revised tolls, the report's
source, and a background event's toll in a relative clause.

Each table starts with the reviewer's repros (F7, F8, F9, F10, F13), then varied wording from
several conflicts, then sentences the new rules must leave alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.events.fatalities import fatalities, plain_fatalities
from etl.events.triggers import find_triggers

Events = Callable[..., pd.DataFrame]

# F9: verbs that name killing alone, "the killing of N", one named person
KILLING_VERBS = [
    ("Gunmen massacred 184 people in Port-au-Prince on Sunday.", 184),
    ("Soldiers executed 24 men in Diafarabe, Mali on Sunday.", 24),
    ("Gunmen shot dead 12 villagers in Zamfara on Sunday.", 12),
    ("Jihadists slaughtered 50 villagers in Barsalogho, Burkina Faso on Sunday.", 50),
    ("A gang leader ordered the killing of at least 184 people in Port-au-Prince over the weekend.", 184),
    ("Israeli strikes on Beirut on Friday killed Hezbollah leader Hassan Nasrallah.", 1),
    ("Bandits gunned down at least nine farmers in Katsina State.", 9),
    ("Militants beheaded three soldiers near Mocimboa da Praia.", 3),
    ("Cartel gunmen murdered 11 people at a bar in Guanajuato.", 11),
    ("Government troops summarily executed 14 civilians in Tigray, witnesses said.", 14),
    ("RSF fighters massacred more than 200 people in the village of Wad al-Nourah.", 200),
    ("Islamic State militants shot dead two policemen and a teacher in Kirkuk.", 3),
    ("Attackers hacked 12 villagers to death in Ituri province.", 12),
    ("At least 24 men were executed by soldiers in central Mali.", 24),
    ("Some 50 villagers were slaughtered in the attack, officials said.", 50),
    ("Eleven people were massacred in Cite Soleil overnight.", 11),
    ("Human rights groups condemned the deaths of 12 soldiers in the ambush.", 12),
    ("The massacre of 30 worshippers in a mosque in Borno shocked the country.", 30),
    ("A US drone strike killed IRGC Quds Force commander Qassem Soleimani near Baghdad airport.", 1),
    ("Israeli forces shot dead Palestinian journalist Shireen Abu Akleh in Jenin.", 1),
    ("A US raid killed ISIS leader Abu Bakr al-Baghdadi in Idlib.", 1),
    ("An airstrike killed senior Hamas military commander Mohammed Deif, Israel said.", 1),
    ("An Israeli strike killed Hamas commander Marwan Issa and 12 others in Nuseirat.", 13),
    ("Al-Shabaab gunmen assassinated district commissioner Ahmed Nur in Beledweyne.", 1),
    ("The drone killed a Hamas commander in Gaza.", 1),
    # other senses and unclear numbers stay null
    ("The army executed 3 operations in the region last month.", None),
    ("The general executed a plan to encircle the town.", None),
    ("Villagers slaughtered 50 cattle for the festival.", None),
    ("The court ordered the killing of stray dogs to stop.", None),
    ("The strike killed Hezbollah leader Hassan Nasrallah and several other commanders.", None),
    ("The strike killed Hezbollah leader Hassan Nasrallah, his daughter and two bodyguards.", None),
    ("An air strike killed Hamas political chief Ismail Haniyeh and his bodyguard in Tehran.", None),
    ("Israeli strikes killed Hezbollah leader Hassan Nasrallah's driver.", None),
    ("Troops killed the group's leader on Monday.", None),
    ("The massacre of 1994 is remembered every April.", None),
]

# F8: "since" a day of the last week bounds this event; a month, year or war does not
SINCE = [
    ("Fighting between ELN guerrillas and FARC dissidents in Catatumbo has killed at least "
     "80 people since Thursday.", 80),
    ("Clashes in Tripoli have killed 27 people since Sunday, the health ministry said.", 27),
    ("Fighting in Goma has killed at least 700 people since late Sunday, the UN said.", 700),
    ("Clashes between Druze fighters and Bedouin tribes in Sweida have killed 89 people "
     "since the weekend.", 89),
    ("Fighting in Khartoum has killed 56 civilians since early Saturday, a doctors' union said.", 56),
    ("Gang violence in Port-au-Prince has killed 70 people since last week.", 70),
    ("Israeli strikes have killed 45,000 people since October, the ministry said.", None),
    ("Attacks have killed 2,000 people in Burkina Faso since 2019.", None),
    ("The war has killed at least 150,000 people since it began in April 2023.", None),
    ("More than 8,000 people have been killed since the war began.", None),
    ("Israeli strikes have killed 45,000 Palestinians since October 7, health officials say.", None),
]

# F10: a revised toll, however worded
TOLLS = [
    ("The toll later rose to 52.", 52),
    ("Local officials later put the toll at 32.", 32),
    ("The health ministry raised the death toll to 41 on Monday.", 41),
    ("Hospital sources put the toll at more than 60.", 60),
    ("The Red Cross revised the toll up to 19.", 19),
    ("Rescuers put the number of dead at 23.", 23),
    ("Police said the toll from Friday's bombing in Quetta had risen to 28.", 28),
    # an aggregate the event adds to stays the event's count
    ("Israeli strikes killed 25 people on Monday, raising the toll to 45,000.", 25),
]

# F13: the group the report is told by is no victim
SOURCES = [
    ("Al-Shabaab fighters attacked a base in Mogadishu on Wednesday, killing at least 20 "
     "soldiers, a military officer said.", 20),
    ("Gunmen killed 12 villagers in Katsina on Sunday, a police officer said.", 12),
    ("Jihadists ambushed a convoy near Djibo, killing 15 soldiers, a security officer told AFP.", 15),
    ("The blast killed four soldiers and a civilian, an army officer said.", 5),
    ("Suspected ADF rebels killed 22 civilians, a local official said on Tuesday.", 22),
    ("Rebels killed eight soldiers, a police officer and two children, a soldier said.", 11),
]

# F7: a background event's toll in a relative clause is not the sentence's own event's
BACKGROUND = [
    ("The Houthis have fired missiles at Israel since the Hamas-led attack of October 7, "
     "2023, which killed about 1,200 people.", None),
    ("Israel struck Hezbollah targets in Lebanon after a rocket attack that killed 12 "
     "children in Majdal Shams.", None),
    ("Russia has shelled Kharkiv daily since the 2022 invasion, in which thousands were killed.", None),
    ("The army bombed rebel positions in retaliation for an ambush in which 15 soldiers died.", None),
    ("Fighting has raged in El Fasher since the RSF offensive in May, which killed 300 people.", None),
    ("An airstrike hit a market in Sagaing on Monday, the deadliest since the 2023 bombing "
     "of Pazigyi, which killed 170 people.", None),
    ("Since the Hamas-led attack of October 7, which killed about 1,200 people, the Houthis have "
     "fired missiles at Israel.", None),
    # the antecedent is the event itself, or the only violent one: the count stays
    ("Talks stalled after the Hamas-led attack of October 7, which killed about 1,200 people.", 1200),
    ("Russian forces launched a missile strike on Dnipro on Friday, which killed 12 people.", 12),
    ("Gunmen attacked the village, which left 12 people dead.", 12),
    ("Thousands protested in Tel Aviv after a rocket attack, which killed 12 children.", 12),
    ("Russia launched its deadliest attack on Kyiv since the war began, which killed 30 people.", 30),
    ("The bombing of the hospital, which killed 20 patients, drew condemnation.", 20),
    # the course of fighting that led to the act is no earlier event: its toll is this one's
    ("M23 rebels said they had captured Goma on Monday, after days of fighting that killed at "
     "least 100 people, according to the UN.", 100),
    ("The army retook the town following heavy clashes in which 30 fighters died.", 30),
    ("Government forces recaptured Wad Madani after weeks of combat that killed 70 people.", 70),
]

ALL = [*KILLING_VERBS, *SINCE, *TOLLS, *SOURCES, *BACKGROUND]


@pytest.mark.parametrize(("sentence", "expected"), ALL)
def test_fatalities(sentence: str, expected: int | None) -> None:
    assert fatalities(sentence) == expected


@pytest.mark.parametrize(("sentence", "expected"), ALL)
def test_shortcuts_change_nothing(sentence: str, expected: int | None) -> None:
    assert plain_fatalities(sentence) == fatalities(sentence) == expected


@pytest.mark.parametrize("verb", ["slaughtered", "beheaded", "murdered", "assassinated", "butchered"])
def test_killing_verbs_are_triggers(verb: str) -> None:
    matches = find_triggers(f"Militants {verb} five villagers near the town.")
    assert [m.sense.plover for m in matches] == ["ASSAULT"]


@pytest.mark.parametrize(("text", "fatalities_of_first"), [
    ("Jihadists slaughtered 50 villagers in Barsalogho, Burkina Faso on Sunday.", 50),
    ("Al-Shabaab militants beheaded four people in Lamu County on Sunday.", 4),
    # F10: the revised toll restates the event of the sentence before (same paragraph)
    ("A drone strike killed 40 people in Djibo on Saturday. The toll later rose to 52.", 52),
    ("Suicide bombers killed 18 people in Gwoza on Saturday. Local officials later put the toll at 32.", 32),
    ("An air strike killed 9 people in Sagaing on Monday. Residents put the toll at 15.", 15),
])
def test_the_event_carries_the_count(events_of: Events, text: str, fatalities_of_first: int) -> None:
    frame = events_of(text)
    assaults = frame[frame["event_type"] == "ASSAULT"]
    assert len(assaults) == 1
    assert assaults["fatalities"].iloc[0] == fatalities_of_first


def test_a_background_toll_goes_to_no_event(events_of: Events) -> None:
    frame = events_of("The Houthis have fired missiles at Israel since the Hamas-led attack of "
                      "October 7, 2023, which killed about 1,200 people.")
    assert not frame.empty
    assert frame["fatalities"].isna().all()


_WORDS = st.sampled_from([
    "killed", "massacred", "executed", "slaughtered", "shot", "dead", "since", "Thursday", "October",
    "the", "toll", "put", "at", "to", "which", "after", "attack", "12", "five", "people", "villagers",
    "leader", "Hassan", "Nasrallah", "and", "others", ",", "a", "military", "officer", "said", "of",
    "killing", "rose", "raised", "commander", "in", "strike",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=18))
def test_word_soup_same_either_way(words: list[str]) -> None:
    """The shortcuts (lower-cased ASCII, count positions) give what the plain patterns give."""
    sentence = " ".join(words)
    assert fatalities(sentence) == plain_fatalities(sentence)
    count = fatalities(sentence)
    assert count is None or count >= 1
