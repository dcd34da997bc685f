"""Actors beyond Ukraine (review 16): named groups, counted demonyms, "Congo", foreign forces.

F1: "<group> militants/fighters" is the group (ISWAP apart from Boko Haram, the groups of the
conflicts ACLED records most); F2: "killed 31 Palestinians" are civilians, not the country's
forces; F12: a bare "Congo" is the DRC unless the article points to Brazzaville; F6 (actors):
"Russian fighters" in Mali are the Wagner Group, a country after "the border with" is no side.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.events.actors import (
    ArticleActors,
    Mention,
    article_country,
    dictionary,
    find_mentions,
    main_country,
    note_cues,
    org_actor,
    resolve,
)

Events = Callable[..., pd.DataFrame]
ORGANIZATIONS = Path(__file__).resolve().parents[2] / "etl" / "resources" / "events" / "organizations.tsv"


def _first_assault(events_of: Events, text: str) -> pd.Series:
    frame = events_of(text)
    rows = frame[frame["event_type"] == "ASSAULT"]
    assert not rows.empty, text
    return rows.iloc[0]


def _cell(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _actors(text: str, main: str | None, event_type: str | None = "ASSAULT") -> list[str]:
    found = find_mentions(text, ArticleActors(main))
    return [actor.name for actor in (resolve(m, event_type) for m in found) if actor is not None]


# ---- F1: a named group before a head noun is the group ----------------------------------------

@pytest.mark.parametrize(
    ("text", "actor1"),
    [
        ("JNIM militants attacked an army post in Djibo on Monday.",
         "JNIM: Group for Support of Islam and Muslims"),
        ("Al-Shabaab militants attacked an army post in Kismayo on Monday.", "Al Shabaab"),
        ("Al-Shabab fighters stormed a hotel in Mogadishu.", "Al Shabaab"),
        ("Boko Haram fighters attacked an army post in Maiduguri on Monday.", "Boko Haram"),
        ("ISWAP fighters attacked an army post in Maiduguri on Monday.",
         "Islamic State West Africa Province"),
        ("Hayat Tahrir al-Sham fighters attacked an army post in Aleppo on Monday.", "Hayat Tahrir al-Sham"),
        ("Rwandan-backed M23 fighters took control of Goma on Monday.", "M23: March 23 Movement"),
        ("Hamas gunmen attacked Israeli soldiers in Rafah.", "Hamas"),
        ("Hezbollah fighters attacked Israeli troops in southern Lebanon.", "Hezbollah"),
        ("ADF rebels killed 40 villagers in Beni, North Kivu.", "ADF: Allied Democratic Forces"),
        ("ELN guerrillas attacked a police station in Arauca, Colombia.", "ELN: National Liberation Army"),
        ("FARC dissidents killed three soldiers in Cauca, Colombia.", "FARC Dissidents"),
        ("Gran Grif gang members killed 115 people in Pont-Sonde, Haiti.", "Gran Grif"),
        ("Islamic State militants attacked a checkpoint in Deir ez-Zor, Syria.", "Islamic State"),
        ("TPLF forces clashed with Ethiopian troops in Tigray.", "Tigray People's Liberation Front"),
        ("Fighters from the al-Qaeda-linked JNIM attacked an army post in Djibo on Monday.",
         "JNIM: Group for Support of Islam and Muslims"),
    ],
)
def test_group_before_a_head_noun_is_the_group(events_of: Events, text: str, actor1: str) -> None:
    assert _first_assault(events_of, text)["actor1"] == actor1


@pytest.mark.parametrize(
    ("phrase", "main", "name"),
    [
        ("Houthi rebels", "YEM", "Houthis"),
        ("Huthi officials", "YEM", "Houthis"),
        ("Taliban officials", "AFG", "Taliban"),
        ("Kremlin officials", "RUS", "Government of Russia"),
        ("RSF's fighters", "SDN", "Rapid Support Forces"),
        ("Hamas's armed wing, the al-Qassam Brigades", "PSE", "Hamas"),
        ("Wagner mercenaries", "MLI", "Wagner Group"),
        ("Africa Corps troops", "MLI", "Africa Corps"),
        ("People's Defence Force fighters", "MMR", "PDF: People's Defense Force"),
        ("IS-Sahel fighters", "NER", "Islamic State Sahel Province"),
        ("ISGS militants", "MLI", "Islamic State Sahel Province"),
        ("Viv Ansanm gangs", "HTI", "Viv Ansanm"),
        ("Arakan Army troops", "MMR", "Arakan Army"),
        ("Fano militiamen", "ETH", "Fano Militia"),
        ("FARDC soldiers", "COD", "Military Forces of the Democratic Republic of Congo"),
        ("Ansar Allah", "YEM", "Houthis"),
    ],
)
def test_known_groups(phrase: str, main: str, name: str) -> None:
    assert _actors(phrase, main)[0] == name


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("JNIM militants attacked", [("org", 0, 14)]),
        ("U.N. peacekeepers were attacked", [("org", 0, 17)]),
        ("U.N. troops were attacked", [("org", 0, 11)]),
        ("terms of U.N. Gunmen killed three", [("org", 9, 13), ("local", 14, 20)]),  # two sentences
    ],
)
def test_the_head_noun_joins_the_group_mention(text: str, spans: list[tuple[str, int, int]]) -> None:
    found = find_mentions(text, ArticleActors("BFA"))
    assert [(m.kind, m.start, m.end) for m in found] == spans


@pytest.mark.parametrize("text", ["Red Cross volunteers were killed", "MSF doctors were killed",
                                  "Reuters journalists were killed"])
def test_civilian_heads_stay_civilians(text: str) -> None:
    assert _actors(text, "PSE")[-1] == "Civilians (Palestine)"


def test_iswap_and_boko_haram_are_two_actors() -> None:
    assert _actors("Boko Haram and ISWAP fighters", "NGA") == [
        "Boko Haram", "Islamic State West Africa Province"]


@pytest.mark.parametrize(
    ("alias", "main", "name"),
    [
        ("SNA", "SOM", "Military Forces of Somalia"),
        ("SNA", "SYR", "Syrian National Army"),
        ("SNA", "UKR", None),
        ("PDF", "MMR", "PDF: People's Defense Force"),
        ("PDF", "USA", None),  # "a PDF report"
        ("ADF", "COD", "ADF: Allied Democratic Forces"),
        ("ADF", "UGA", "ADF: Allied Democratic Forces"),
        ("ADF", "AUS", None),  # the Australian Defence Force
        ("ADF", "COG", "ADF: Allied Democratic Forces"),  # geo's "Congo": no Brazzaville cue
        ("al-Shabab", "MOZ", "Islamic State Mozambique Province"),
        ("al-Shabab", "SOM", "Al Shabaab"),
        ("al-Shabab", "KEN", "Al Shabaab"),
        ("AA", "MMR", "Arakan Army"),
        ("AA", "GBR", None),
        ("Rapid Support Forces", "GBR", "Rapid Support Forces"),
    ],
)
def test_short_aliases_name_their_group_only_in_its_countries(alias: str, main: str,
                                                               name: str | None) -> None:
    actor = org_actor(alias, ArticleActors(main))
    assert (actor.name if actor is not None else None) == name


def _rows() -> list[dict[str, str]]:
    with ORGANIZATIONS.open(encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_every_alias_names_its_row_in_its_countries() -> None:
    """An invariant over the file: each alias names its row's actor in an article of each of
    the row's context countries (the first such row), and a context-free row's everywhere else."""
    rows = _rows()
    for row in rows:
        context = [c for c in (row.get("context") or "").split("|") if c]
        for alias in (a.strip() for a in row["aliases"].split("|") if a.strip()):
            for iso3 in context or ["ZZZ"]:
                first = next(r for r in rows if alias in r["aliases"].split("|")
                             and (iso3 in (r.get("context") or "").split("|")
                                  or (not context and not r.get("context"))))
                actor = org_actor(alias, ArticleActors(iso3))
                assert actor is not None and actor.name == first["name"], (alias, iso3)


@pytest.mark.parametrize("alias", ["PDF", "ADF", "AA", "SNA", "PA", "KIA", "EMC", "AGC", "LNA", "PMF",
                                   "STC", "BLA", "OLA", "VDP", "FLA", "CPC", "3R", "G9", "NUG", "SAC",
                                   "JAS", "ISSP", "AFC", "CJTF", "TDF"])
def test_abbreviations_that_are_other_things_need_a_country(alias: str) -> None:
    """Short forms that are a file format, another country's army, a car maker or "killed in
    action" elsewhere name nobody in an article about another country."""
    assert org_actor(alias, ArticleActors("USA")) is None
    assert org_actor(alias, ArticleActors(None)) is None


def test_each_group_has_a_known_sector_and_country() -> None:
    sectors = {"military", "government", "police", "rebel", "militia", "civilians",
               "international organization", "media", "other"}
    names = dictionary().country_names
    for row in _rows():
        assert row["sector"] in sectors, row["name"]
        assert not row["iso3"].strip() or row["iso3"] in names, row["name"]
        for iso3 in (c for c in (row.get("context") or "").split("|") if c):
            assert iso3 in names, (row["name"], iso3)


# ---- F2: a counted demonym is people ------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "actor2"),
    [
        ("Israeli airstrikes killed at least 31 Palestinians in Gaza on Sunday.", "Civilians (Palestine)"),
        ("Gunmen killed 12 Nigerians in Zamfara on Sunday.", "Civilians (Nigeria)"),
        ("Russian shelling killed four Ukrainians in Kherson on Sunday.", "Civilians (Ukraine)"),
        ("RSF fighters killed 20 Sudanese in El Fasher.", "Civilians (Sudan)"),
        ("Dozens of Palestinians were killed in Israeli strikes on Khan Younis.", "Civilians (Palestine)"),
        ("Jihadists killed several Burkinabe near Djibo.", "Civilians (Burkina Faso)"),
        ("Gunmen killed two Afghans in Herat.", "Civilians (Afghanistan)"),
        ("Houthi missiles killed three Yemenis and two other Somalis in Marib.", "Civilians (Yemen)"),
    ],
)
def test_counted_demonyms_are_civilians(events_of: Events, text: str, actor2: str) -> None:
    row = _first_assault(events_of, text)
    assert row["actor2"] == actor2
    assert row["actor2_sector"] == "civilians"


def test_counted_demonyms_keep_the_killing_an_attack_on_civilians(events_of: Events) -> None:
    row = _first_assault(events_of, "Gunmen killed 12 Nigerians in Zamfara on Sunday.")
    assert (row["acled_event_type"], row["acled_sub_event_type"]) == ("Violence against civilians", "Attack")


def test_counted_demonyms_in_a_protest_are_protesters(events_of: Events) -> None:
    frame = events_of("Thousands of Israelis protested in Tel Aviv on Saturday.")
    assert frame.iloc[0]["actor1"] == "Protesters (Israel)"


@pytest.mark.parametrize(
    ("text", "actor2"),
    [
        ("Israeli troops killed 12 Palestinian fighters in Jenin.", "Rebels (Palestine)"),
        ("Russian forces shelled Ukrainian positions near Bakhmut.", "Military Forces of Ukraine"),
        ("Nigerian troops killed 30 Boko Haram fighters in Borno.", "Boko Haram"),
    ],
)
def test_a_demonym_before_a_force_noun_stays_that_force(events_of: Events, text: str, actor2: str) -> None:
    assert _first_assault(events_of, text)["actor2"] == actor2


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("killed 31 Palestinians", True),
        ("killed 1,200 Israelis", True),
        ("dozens of Nigerians", True),
        ("five other Palestinians", True),
        ("killed twenty-one Palestinians", True),
        ("killed 20 Sudanese.", True),
        ("killed 20 Sudanese in Darfur", True),
        ("20 Sudanese migrants", False),  # an adjective: the noun follows
        ("the Palestinians", False),
        ("In 2014 Ukrainians voted", False),  # a year, no count
        ("Palestinians protested", False),
        ("31 Palestinian prisoners", False),
        ("a force of 1,000 Ethiopians crossed the river", False),  # soldiers
        ("an army of 5,000 Americans", False),
        ("killed one Palestinian in Jenin", True),
    ],
)
def test_which_demonyms_are_counted_people(text: str, people: bool) -> None:
    kinds = [m.kind for m in find_mentions(text, ArticleActors("PSE")) if m.country is not None]
    assert ("people" in kinds) is people


# ---- F12: "Congo" by the article's context ------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "actor1"),
    [
        ("Congo's army clashed with M23 rebels near Goma on Sunday.",
         "Military Forces of the Democratic Republic of Congo"),
        ("Congo's army attacked rebel positions in Ituri on Sunday.",
         "Military Forces of the Democratic Republic of Congo"),
        ("Soldiers clashed with Ninja rebels in the Pool region near Brazzaville. "
         "Congo's army said it killed 10 rebels on Sunday.", "Military Forces of the Republic of Congo"),
    ],
)
def test_congo_by_the_article(events_of: Events, text: str, actor1: str) -> None:
    frame = events_of(text)
    assert actor1 in set(frame["actor1"].map(_cell))


def test_congo_defaults_to_the_drc_and_follows_cues() -> None:
    assert article_country("Congo", ArticleActors(None)) == "COD"
    assert article_country("Congo's", ArticleActors(None)) == "COD"
    article = ArticleActors(None)
    find_mentions("Troops deployed in Brazzaville and Pointe-Noire.", article)
    assert article_country("Congo", article) == "COG"
    assert _actors("Congolese soldiers", None)[0] == "Military Forces of the Democratic Republic of Congo"
    later = resolve(find_mentions("Congolese soldiers were deployed.", article)[0], "ASSAULT")
    assert later is not None and later.name == "Military Forces of the Republic of Congo"


def test_most_cues_win_and_a_tie_keeps_the_drc() -> None:
    article = ArticleActors(None)
    note_cues("Kinshasa and Brazzaville face each other across the river.", article)
    assert article_country("Congo", article) == "COD"
    note_cues("Sassou Nguesso spoke in Brazzaville.", article)
    assert article_country("Congo", article) == "COG"


def test_main_country_of_a_congo_story() -> None:
    assert main_country("Congo's army retook Goma. Congo said M23 fled.") == "COD"
    assert main_country("Congo's president spoke in Brazzaville. Congo will vote.") == "COG"


def test_unambiguous_names_of_the_two_congos() -> None:
    assert article_country("Republic of Congo", ArticleActors(None)) == "COG"
    assert article_country("Democratic Republic of Congo", ArticleActors(None)) == "COD"
    assert article_country("DRC", ArticleActors(None)) == "COD"


# ---- F6 (actors): foreign forces, neighbours -------------------------------------------------

@pytest.mark.parametrize(
    ("text", "actor1", "actor2"),
    [
        ("Malian soldiers and Russian fighters killed 24 men in Mopti on Sunday.",
         "Wagner Group", "Civilians (Mali)"),
        ("Russian mercenaries killed 12 villagers near Bambari in the Central African Republic.",
         "Wagner Group", "Civilians (Central African Republic)"),
        ("Russian paramilitaries attacked a gold mine near Ndassima in the Central African Republic.",
         "Wagner Group", None),
        ("Malian troops and Wagner fighters killed 500 people in Mopti in March 2022.",
         "Wagner Group", "Civilians (Mali)"),
    ],
)
def test_russian_fighters_abroad_are_a_foreign_force(events_of: Events, text: str, actor1: str,
                                                     actor2: str | None) -> None:
    row = _first_assault(events_of, text)
    assert (row["actor1"], _cell(row["actor2"])) == (actor1, actor2)
    assert row["actor1_sector"] == "military"  # no local rebels: their country is not the place


def test_russian_fighters_in_an_unlocated_village_are_no_rebels(events_of: Events) -> None:
    """Diafarabe is no gazetteer place: the actor is right; the place (and so the victims'
    country) is the locating fallback's, which the geo context decides."""
    row = _first_assault(events_of,
                         "Malian soldiers and Russian fighters killed 24 men in Diafarabe on Sunday.")
    assert row["actor1"] == "Wagner Group"
    assert "Rebels" not in str(row["actor2"])


@pytest.mark.parametrize(
    ("text", "main", "name"),
    [
        ("Russian fighters attacked Ukrainian positions", "UKR", "Rebels (Russia)"),  # either side there
        ("Russian fighter jets bombed Idlib", "SYR", "Military Forces of Russia"),
        ("Russian instructors trained Malian troops", "MLI", "Wagner Group"),
        ("Russian fighters and Malian soldiers", "RUS", "Wagner Group"),  # geo ranked Russia first
        ("Russian fighters crossed into Belgorod", "RUS", "Rebels (Russia)"),
    ],
)
def test_foreign_force_rows_only_abroad(text: str, main: str, name: str) -> None:
    assert _actors(text, main)[0] == name


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("In the Basra offensive, human-wave attacks were met with withering fire from the Iraqis.",
         "Military Forces of Iraq"),  # "from the Iraqis": a side, no place
        ("Troops attacked rebels in the Central African Republic.", None),  # "in the ...": a place
    ],
)
def test_the_before_a_country_or_a_people(text: str, side: str | None) -> None:
    found = [m for m in find_mentions(text, ArticleActors("IRQ")) if m.kind in ("country", "people")]
    names = [a.name for a in (resolve(m, "ASSAULT") for m in found) if a is not None]
    assert names == ([side] if side else [])


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Sudanese army jets bombed Geneina near the border with Chad on Sunday, killing 10 people.",
         "Military Forces of Chad"),
        ("Rebels captured Maungdaw on the border with Bangladesh on Sunday.",
         "Military Forces of Bangladesh"),
        ("Chad's army clashed near the border with Sudan.", "Military Forces of Sudan"),
        ("Clashes erupted on the border between Sudan and South Sudan on Sunday.",
         "Military Forces of Sudan"),
        ("Boko Haram and ISWAP fighters clashed near Lake Chad in Nigeria.", "Military Forces of Chad"),
        ("Niger Delta militants attacked an oil pipeline in Bayelsa, Nigeria.", "Rebels (Niger)"),
    ],
)
def test_a_neighbour_or_a_place_name_is_no_side(events_of: Events, text: str, absent: str) -> None:
    frame = events_of(text)
    sides = set(frame["actor1"].map(_cell)) | set(frame["actor2"].map(_cell))
    assert absent not in sides


def test_border_country_mentions_are_dropped_but_possessives_kept() -> None:
    found = find_mentions("Chad's army attacked rebels near the border with Sudan.", ArticleActors("TCD"))
    assert [m.country for m in found if m.kind in ("country", "group")] == ["TCD"]


def test_people_mentions_resolve_by_event_type() -> None:
    mention = Mention(0, 12, "people", None, "ISR")
    actors = {event_type: resolve(mention, event_type) for event_type in ("PROTEST", "ASSAULT", None)}
    assert {k: (a.name, a.sector) if a else None for k, a in actors.items()} == {
        "PROTEST": ("Protesters (Israel)", "other"), "ASSAULT": ("Civilians (Israel)", "civilians"),
        None: ("Civilians (Israel)", "civilians")}


_PIECES = ["31", "dozens of", "several", "other", "the", "Palestinians", "Sudanese", "Ukrainian",
           "Nigerians", "fighters", "soldiers", "civilians", "killed", "in", "Gaza", ".", ",", "2014",
           "JNIM", "militants", "Hamas", "near the border with", "Chad", "Lake"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=10))
def test_mentions_never_overlap_and_people_end_their_phrase(pieces: list[str]) -> None:
    """Mentions are disjoint; a counted demonym is never one before a head noun it qualifies
    (that is an actor phrase of its own: "31 Palestinian fighters")."""
    text = " ".join(pieces)
    found = find_mentions(text, ArticleActors("PSE"))
    for first, second in itertools.pairwise(found):
        assert first.end <= second.start
    heads = dictionary().heads
    for mention in found:
        if mention.kind == "people":
            following = text[mention.end :].split()[:1]
            assert not following or following[0].lower() not in heads


@pytest.mark.parametrize(("text", "expected"), [
    ("Rebels captured Maungdaw on the border with Bangladesh on Sunday.", None),
    ("Fighters crossed near the border with Chad. Sudanese jets bombed Geneina.", "SDN"),
    ("Troops massed along the frontier with Lebanon, Israel said.", "ISR"),
    ("Bangladesh reinforced its border with Myanmar.", "BGD"),
])
def test_a_neighbour_is_not_the_article_country(text: str, expected: str | None) -> None:
    assert main_country(text) == expected
