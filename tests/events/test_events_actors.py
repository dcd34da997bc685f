"""Actors: ACLED-style names, ISO3 countries and sectors from the dictionaries."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.events.actors import ArticleActors, find_mentions, find_names, main_country


@pytest.mark.parametrize(
    ("phrase", "name", "country", "sector"),
    [
        ("Russian forces", "Military Forces of Russia", "RUS", "military"),
        ("North Korean troops", "Military Forces of North Korea", "PRK", "military"),
        ("US officials", "Government of the United States", "USA", "government"),
        ("Ukraine's SBU security service", "Security Service of Ukraine", "UKR", "police"),
        ("Polish Prime Minister Donald Tusk", "Government of Poland", "POL", "government"),
        ("the Joint Expeditionary Force", "Joint Expeditionary Force", None, "international organization"),
        ("Ukrainian civilians", "Civilians (Ukraine)", "UKR", "civilians"),
        ("American civilians", "Civilians (United States)", "USA", "civilians"),
        ("Georgian police", "Police Forces of Georgia", "GEO", "police"),
        ("pro-Russian rebels", "Rebels (Ukraine)", "UKR", "rebel"),
        ("Putin", "Government of Russia", "RUS", "government"),
    ],
)
def test_actor_phrases(phrase: str, name: str, country: str | None, sector: str) -> None:
    found = [m for m in find_mentions(phrase, ArticleActors("UKR")) if m.actor is not None]
    assert (found[0].actor.name, found[0].actor.country, found[0].actor.sector) == (name, country, sector)


def test_names_learned_from_offices_resolve_later() -> None:
    article = ArticleActors("UKR")
    find_mentions("Moldovan President Maia Sandu arrived.", article)
    later = find_mentions("Sandu said the talks went well.", article)
    assert later[0].actor is not None and later[0].actor.name == "Government of Moldova"


def test_country_after_a_place_is_a_location_not_an_actor() -> None:
    kinds = {m.kind for m in find_mentions("They met in Tallinn, Estonia.", ArticleActors(None))}
    assert "country" not in kinds


def test_main_country() -> None:
    assert main_country("Ukraine said Ukrainian troops held. Russia attacked.") == "UKR"
    assert main_country("No country here.") is None


@pytest.mark.parametrize(
    ("text", "actor1", "actor2"),
    [
        ("Russian forces shelled Ukrainian positions near Bakhmut.",
         "Military Forces of Russia", "Military Forces of Ukraine"),
        ("Kharkiv was shelled by Russian forces.", "Military Forces of Russia", None),
        ("Polish Prime Minister Donald Tusk met with Ukrainian President Volodymyr Zelenskiy.",
         "Government of Poland", "Government of Ukraine"),
        ("Russia's invasion of Ukraine continued.", "Military Forces of Russia",
         "Military Forces of Ukraine"),
        ("The EU condemned Russia.", "European Union", "Government of Russia"),
    ],
)
def test_event_actors(events_of: Callable[..., pd.DataFrame], text: str, actor1: str,
                      actor2: str | None) -> None:
    row = events_of(text).iloc[0]
    assert row["actor1"] == actor1
    assert (None if pd.isna(row["actor2"]) else row["actor2"]) == actor2


def test_pronoun_takes_the_previous_actor(events_of: Callable[..., pd.DataFrame]) -> None:
    events = events_of("NATO leaders met in Brussels. They condemned the strikes.")
    assert events[events["event_type"] == "ACCUSE"]["actor1"].tolist() == [
        "North Atlantic Treaty Organization"]


@pytest.mark.parametrize(
    ("text", "acled", "sub"),
    [
        ("Russian troops attacked civilians in the village.", "Violence against civilians", "Attack"),
        ("Russian troops attacked Ukrainian positions.", "Battles", "Armed clash"),
        ("Rebels captured the town of Debaltseve.", "Battles", "Non-state actor overtakes territory"),
    ],
)
def test_acled_rules(events_of: Callable[..., pd.DataFrame], text: str, acled: str, sub: str) -> None:
    row = events_of(text, title="Ukraine").iloc[0]
    assert (row["acled_event_type"], row["acled_sub_event_type"]) == (acled, sub)


def test_specific_weapon_beats_a_generic_verb(events_of: Callable[..., pd.DataFrame]) -> None:
    row = events_of("A Russian drone strike on the city killed 12 people.", title="Ukraine").iloc[0]
    assert (row["trigger"], row["acled_sub_event_type"]) == ("drone strike", "Air/drone strike")
    assert (row["actor1"], row["actor2"], row["fatalities"]) == (
        "Military Forces of Russia", "Civilians (Ukraine)", 12)


def test_local_actors_belong_to_the_event_country(events_of: Callable[..., pd.DataFrame]) -> None:
    events = events_of("Polish farmers blocked roads near the border with Ukraine. Police detained "
                       "three protesters near Medyka.", title="Ukraine")
    coerce = events[events["event_type"] == "COERCE"].iloc[0]
    assert coerce["actor1"] == "Police Forces of Poland"


def test_office_without_country_takes_the_article_country(events_of: Callable[..., pd.DataFrame]) -> None:
    row = events_of("Prime Minister Irakli Kobakhidze rejected the criticism.",
                    title="Georgia protests").iloc[0]
    assert (row["event_type"], row["actor1"]) == ("REJECT", "Government of Georgia")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab -_.", min_size=1, max_size=5), min_size=1, max_size=5),
       st.text(alphabet="ab -_.,", max_size=40))
def test_find_names_finds_what_the_name_regex_finds(names: list[str], text: str) -> None:
    alternation = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")
    assert find_names(text, names) == [m.span() for m in pattern.finditer(text)]
