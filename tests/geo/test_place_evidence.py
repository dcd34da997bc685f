"""What counts as evidence of a place: capitals that prove nothing, names of divisions and of
organisations, shouted headlines, and an attacker's demonym against the places a text names.

Review 15, finding 7 and 6: "Blast kills 3" is no Plast (Russia), "Borno State" no division of
Italy, "Russian missiles struck Odesa" no story set in Russia.
"""

from __future__ import annotations

import pytest

from etl.geo import GeoContext, article_context, find_places, locate

UKRAINE = GeoContext(countries=("UKR",))


def _names(sentence: str, context: GeoContext | None = None) -> list[tuple[str, str]]:
    ctx = article_context("", sentence) if context is None else context
    return [(p.name, p.country_iso3) for _, _, p in find_places(sentence, ctx)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Blast kills 3",  # Plast, Russia ("Blast" is one of its alternate names)
        "Date set for talks",  # Date, Japan
        "Human rights groups condemned the attack on Monday.",  # Uman ("Humań")
        "Militants attacked a checkpoint on Monday, Human Rights Watch said.",
        "Gunmen attacked a police post on Monday, the Times of Israel reported.",
        "The Times of India said the talks had failed.",
        "NATO leaders met on Monday.",  # an acronym, not Nato (Philippines)
        "The UN said aid was blocked.",
        "Hamas fighters attacked the base.",  # not Hamm, Germany
        "Israeli troops fought Hamas in the north.",
        "The Taliban said the talks had failed.",
    ],
)
def test_words_that_are_no_place(sentence: str) -> None:
    assert _names(sentence) == []


def test_sentence_initial_word_needs_the_articles_support() -> None:
    text = "Date set for talks. Ukraine and Russia agree to meet."
    assert _names(text) == [("Ukraine", "UKR"), ("Russia", "RUS")]  # no Date, Japan


@pytest.mark.parametrize(
    ("sentence", "context", "expected"),
    [
        ("Human rights groups said Russian troops shelled Kharkiv.", UKRAINE, [("Kharkiv", "UKR")]),
        ("Kharkiv came under fire again.", None, [("Kharkiv", "UKR")]),  # a large city opens a sentence
        ("Aleppo was bombed on Monday.", None, [("Aleppo", "SYR")]),
        ("Avdiivka fell in February.", UKRAINE, [("Avdiivka", "UKR")]),  # a small town the article supports
        ("Troops left. Avdiivka fell in February.", UKRAINE, [("Avdiivka", "UKR")]),
        ("Shelling hit Avdiivka in Donetsk region.", None, [("Avdiivka", "UKR"), ("Donetsk Oblast", "UKR")]),
    ],
)
def test_places_still_found(
    sentence: str, context: GeoContext | None, expected: list[tuple[str, str]]
) -> None:
    assert _names(sentence, context) == expected


@pytest.mark.parametrize(
    ("sentence", "iso3", "precision"),
    [
        ("Militants attacked a military base in Borno State, killing 30 soldiers.", "NGA", 3),  # not Italy
        ("Gunmen attacked a church in Plateau State.", "NGA", 3),  # not Alabama
        ("Gunmen attacked a village in Zamfara on Monday.", "NGA", 3),
        ("Taliban fighters attacked Helmand province.", "AFG", 3),
        ("Clashes in North Darfur killed 12 people.", "SDN", 3),
        # No division so named in the gazetteer: no namesake village abroad either.
        ("Rebels attacked Phuoc Long Province in 1975.", None, None),  # not France
        ("Fighting in Hiiraan region left 5 dead.", "SOM", 3),  # Somalia's (curated), not Hīrān, Iraq
        ("Fighting in Hiraan region left 5 dead.", "SOM", 3),
        ("Coalition troops fought in Basra Governorate.", "IRQ", 3),  # not Pakistan
        ("Fighting in the Kursk region continued on Monday.", "RUS", 3),
        ("Troops shelled the Pokrovsk region on Monday.", "UKR", 2),  # the area around Pokrovsk
        ("Government forces shelled Hama province on Monday.", "SYR", 3),
    ],
)
def test_divisions_named_after_places(sentence: str, iso3: str | None, precision: int | None) -> None:
    place = locate(sentence, article_context("", sentence))
    if iso3 is None:
        assert place is None
    else:
        assert place is not None
        assert (place.country_iso3, place.geo_precision) == (iso3, precision)
        assert " division " not in place.name  # never a placeholder name


def test_no_placeholder_division_names() -> None:
    for sentence in (
        "Shelling in Borno State.",
        "Fighting in Basra Governorate.",
        "Clashes in Homs province.",
    ):
        for _, _, place in find_places(sentence, GeoContext()):
            assert " division " not in place.name


@pytest.mark.parametrize(
    "sentence",
    [
        "Russian missiles struck Kharkiv on Monday. The missile hit a building in the city's "
        "Kyivskyi district.",
        "A drone hit a house in the Kyivskyi district.",
    ],
)
def test_ambiguous_district_is_not_guessed(sentence: str) -> None:
    ctx = article_context("", sentence)
    assert all(p.admin1 not in ("Donetsk Oblast", "Poltava Oblast") for _, _, p in find_places(sentence, ctx))


@pytest.mark.parametrize(
    ("sentence", "name", "iso3"),
    [
        (
            "ISRAELI AIRSTRIKES KILLED 25 PEOPLE IN GAZA CITY ON MONDAY, THE HEALTH MINISTRY SAID.",
            "Gaza",
            "PSE",
        ),
        ("RUSSIAN MISSILES STRUCK KHARKIV ON MONDAY, KILLING FIVE PEOPLE.", "Kharkiv", "UKR"),
        ("BREAKING: SHELLING HITS ALEPPO", "Aleppo", "SYR"),
    ],
)
def test_shouted_headlines(sentence: str, name: str, iso3: str) -> None:
    ctx = article_context("", sentence)
    place = locate(sentence, ctx)
    assert place is not None
    assert (place.name, place.country_iso3) == (name, iso3)
    assert ctx.countries[0] == iso3


@pytest.mark.parametrize(
    "text",
    [
        "KYIV – Officials met on Monday to discuss aid.",  # a dateline, where the report was filed
        "KHARKIV, Ukraine (AP) — Officials met on Monday.",
    ],
)
def test_lone_capitals_are_no_place(text: str) -> None:
    assert [name for name, _ in _names(text) if name != "Ukraine"] == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (
            "Russian drones struck Odesa overnight, killing two people. Air defences shot down 20 "
            "drones, the air force said. Separately, Russian shelling killed a man near the border.",
            "UKR",
        ),
        ("Israeli airstrikes hit Rafah, killing 20 people. Israeli jets returned at night.", "PSE"),
        ("RUSSIAN MISSILES STRUCK KHARKIV ON MONDAY.", "UKR"),
        ("Russian forces attacked Ukrainian positions on Monday.", "UKR"),  # the positions' country
        ("Ukrainian drones attacked an oil depot in the Bryansk region, Russian officials said.", "RUS"),
        ("Sudanese army jets bombed El Fasher, killing 12.", "SDN"),
        ("US forces struck targets near Mosul. US jets returned at dawn.", "IRQ"),
        ("Russia's army shelled Kherson again. Russia's drones hit Odesa.", "UKR"),
    ],
)
def test_attacker_demonym_is_weak_evidence(text: str, first: str) -> None:
    assert article_context("", text).countries[0] == first
