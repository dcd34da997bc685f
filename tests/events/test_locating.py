"""The Locator asks geo about parts of its article: answers equal asking about each part alone."""

from __future__ import annotations

import pytest

from etl.events.locating import Locator, from_place
from etl.geo import article_context, find_places, locate

TITLE = "Russia strikes Ukraine's energy grid"
TEXT = (
    "KYIV, Dec 17 (Reuters) - Russian missiles hit Kharkiv and the Kyiv region overnight.\n\n"
    "Polish farmers protested in Warsaw against Ukrainian grain imports.\n\n"
    "In Pokrovsk, Donetsk region, shelling killed two people, Ukraine's army said."
)
PARAGRAPHS = TEXT.split("\n\n")
SENTENCES = [
    "Russian missiles hit Kharkiv and the Kyiv region overnight.",
    "Polish farmers protested in Warsaw against Ukrainian grain imports.",
    "In Pokrovsk, Donetsk region, shelling killed two people, Ukraine's army said.",
    "shelling killed two people",
]


@pytest.mark.parametrize("paragraph", PARAGRAPHS)
def test_paragraph_countries_are_its_own_context(paragraph: str) -> None:
    assert Locator(TITLE, TEXT).countries(paragraph) == list(article_context("", paragraph).countries)


@pytest.mark.parametrize("paragraph", PARAGRAPHS)
@pytest.mark.parametrize("iso3", [None, "UKR", "POL", "RUS", "EST"])
def test_countries_unless_is_the_countries_or_none(paragraph: str, iso3: str | None) -> None:
    locator = Locator(TITLE, TEXT)
    countries = locator.countries(paragraph)
    expected = None if iso3 is not None and iso3 in countries else countries
    assert locator.countries_unless(paragraph, iso3) == expected


@pytest.mark.parametrize("iso3", ["UKR", "POL", "RUS", "EST", None, "XXX"])
def test_whole_country_is_remembered_unchanged(iso3: str | None) -> None:
    """The per-article memo of whole-country locations answers as a fresh look-up does."""
    locator = Locator(TITLE, TEXT)
    first = locator.country(iso3)
    assert first == Locator(TITLE, TEXT)._whole_country(iso3)
    assert locator.country(iso3) is first
    if iso3 == "UKR":
        fields = (first.location, first.geo_precision, first.admin1, first.source)
        assert fields == ("Ukraine", 3, None, "country")


def test_article_countries_come_first() -> None:
    locator = Locator(TITLE, TEXT)
    assert locator.main_country() == "UKR"
    assert locator.countries() == list(article_context(TITLE, TEXT).countries)


@pytest.mark.parametrize("sentence", SENTENCES)
def test_specific_place_is_the_plain_answer(sentence: str) -> None:
    locator = Locator(TITLE, TEXT)
    context = article_context(TITLE, TEXT)
    assert locator.context == context
    places = [p for _, _, p in find_places(sentence, context) if p.feature != "country"]
    found = locator.specific(sentence, "sentence")
    if not places:
        assert found is None
        return
    best = places[0] if len(places) == 1 else locate(sentence, context)
    assert best is not None
    assert found == from_place(best, "sentence")


def test_specific_examples() -> None:
    locator = Locator(TITLE, TEXT)
    found = locator.specific(SENTENCES[2], "clause")
    assert found is not None and (found.location, found.country_iso3) == ("Pokrovsk", "UKR")
    assert locator.specific("shelling killed two people", "clause") is None


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (  # review 15, finding 6: the attacker's demonym is not where the story happens
            "",
            "Russian drones struck Odesa overnight, killing two people. Air defences shot down 20 "
            "drones, the air force said. Separately, Russian shelling killed a man near the border.",
            "UKR",
        ),
        ("", "ISRAELI AIRSTRIKES KILLED 25 PEOPLE IN GAZA CITY ON MONDAY, THE HEALTH MINISTRY SAID.", "PSE"),
        ("RUSSIAN MISSILES STRIKE KHARKIV", "Five people were killed, the governor said.", "UKR"),
        ("", "Israeli jets bombed Khan Younis. Israeli tanks pushed into Rafah.", "PSE"),
        ("", "Ukrainian drones hit an oil depot in the Bryansk region, Russian officials said.", "RUS"),
        ("", "Gunmen attacked a church in Plateau State, killing 11 worshippers.", "NGA"),
    ],
)
def test_main_country_is_where_the_places_are(title: str, text: str, expected: str) -> None:
    assert Locator(title, text).main_country() == expected
