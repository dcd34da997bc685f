"""A country name or demonym inside an organisation's or outlet's name is no country (review finding 7)."""

from __future__ import annotations

import pytest

from etl.events.actors import ArticleActors, find_mentions, in_org_name, main_country


def _actor_countries(text: str) -> set[str | None]:
    """Countries of the mentions ``find_mentions`` makes of a country name or demonym."""
    kinds = {"country", "group", "modifier"}
    return {m.country for m in find_mentions(text, ArticleActors(None)) if m.kind in kinds}


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen attacked a police post on Monday, the Times of Israel reported.",  # the reviewer's repro
        "Armed men stormed a checkpoint, according to the Times of Israel.",
        "A professor at the University of Ukraine said the shelling lasted all night.",
        "Gunmen attacked a police post, said a researcher at the Institute of Nigeria.",
        "Rebels seized the town, a Voice of America correspondent said.",
        "Rebels seized the town, Radio Free Europe/Radio Liberty reported.",
        "Police dispersed the protest, Russia Today reported.",
        "Police dispersed the protest, RFE/RL reported.",
        "A bomb killed four, the Ukraine Post said in a statement.",
        "A lecturer at the American University said the town was shelled.",
    ],
)
def test_no_country_from_an_organisation_name(text: str) -> None:
    assert main_country(text) is None
    assert _actor_countries(text) == set()


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Gunmen attacked a police post in Israel, the Times of Israel reported.", "ISR"),
        ("Russian troops shelled Kharkiv, Voice of America reported.", "RUS"),
        ("Ukraine's Independent Anti-Corruption Bureau said troops shelled Kharkiv.", "UKR"),
        ("Sudan's army shelled the market, the Sudan Tribune reported in Sudan.", "SDN"),
        ("Forces of Ukraine retook the village.", "UKR"),  # "Forces" is no org word
        ("Israeli strikes hit Rafah.", "ISR"),
        ("Ships of the Russian Fleet shelled the port.", "RUS"),
    ],
)
def test_the_country_still_counts_outside_the_name(text: str, country: str) -> None:
    assert main_country(text) == country


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("Jets hit Rafah, the Times of Israel military reporter said.", "Military Forces of Israel"),
        ("Gunmen attacked a police post on Monday, the Times of Israel reported.", "Police Forces of Israel"),
        ("Militants attacked a base, the University of Nigeria said.", "Government of Nigeria"),
    ],
)
def test_no_actor_from_an_organisation_name(text: str, forbidden: str) -> None:
    names = {m.actor.name for m in find_mentions(text, ArticleActors(None)) if m.actor is not None}
    assert forbidden not in names
    assert all(m.country is None or m.kind == "modifier" for m in find_mentions(text, ArticleActors(None))
               if text[m.start : m.end] in {"Israel", "Nigeria"})


@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [
        ("the Times of Israel reported", "Israel", True),
        ("the University of the Philippines said", "Philippines", True),
        ("THE TIMES OF ISRAEL SAYS".title(), "Israel", True),  # a title-cased shouted headline
        ("the Kyiv Post and the Ukraine Post", "Ukraine", True),
        ("troops in Israel", "Israel", False),
        ("the Ministry of Defence of Ukraine", "Ukraine", False),  # "Defence" is no org word
        ("Ukraine's Independent bureau", "Ukraine's", False),  # a possessive: Ukraine's own body
        ("the Institute of Russian studies", "Russian", False),  # a demonym after "of" names no country
        ("Israel\nPost office", "Israel", False),  # the next line's word is not part of the name
        ("vessels of the Russian Fleet", "Russian", False),  # a force: the country's navy
        ("the Russian Group of Forces", "Russian", False),
    ],
)
def test_in_org_name(text: str, surface: str, expected: bool) -> None:
    start = text.index(surface)
    assert in_org_name(text, start, start + len(surface)) is expected


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen attacked a convoy on Monday, killing four soldiers, Voice of America reported.",
        "Gunmen attacked a convoy on Monday, killing four soldiers, the Bank of England said.",
        "Rebels stormed a village on Monday, the Times of Israel reported.",
    ],
)
def test_the_whole_stage_places_no_event_in_an_outlets_country(text: str) -> None:
    """Geo's article context and the actors' fallback read the same organisation words."""
    import pandas as pd

    from etl.events import extract_events
    from etl.temporal import tag_articles

    articles = pd.DataFrame([{"article_id": "a", "title": "", "text": text, "language": "en",
                              "published": pd.Timestamp("2024-12-17"), "input_file": "a.jsonl",
                              "input_line": 1}])
    mentions, _ = tag_articles(articles)
    events, _ = extract_events(articles, mentions)
    assert len(events) == 1
    row = events.iloc[0]
    assert pd.isna(row["country_iso3"]), row.to_dict()
    assert row["actor1_country"] is None or pd.isna(row["actor1_country"]), row.to_dict()
