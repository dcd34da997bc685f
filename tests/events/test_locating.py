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
