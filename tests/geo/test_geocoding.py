"""Geocoding tables: ambiguous names, provinces, variants, qualifiers, non-places, context."""

from __future__ import annotations

import pytest

from etl.geo import (
    GeoContext,
    Place,
    article_context,
    context_place,
    find_places,
    locate,
    name_key,
    parse_dateline,
)
from etl.geo.resolve import MIN_BARE_POPULATION

UKRAINE = GeoContext(countries=("UKR", "RUS"))
RUSSIA = GeoContext(countries=("RUS",))
NONE = GeoContext()


def _near(place: Place | None, lat: float, lon: float, tol: float = 0.1) -> bool:
    return place is not None and abs(place.latitude - lat) < tol and abs(place.longitude - lon) < tol


# sentence, context, expected (name, country_iso3, geo_precision), (lat, lon) or None
LOCATE_TABLE = [
    ("Russian forces advanced on Pokrovsk.", UKRAINE, ("Pokrovsk", "UKR", 1), (48.28, 37.18)),
    ("Fighting continued near Pokrovsk.", NONE, ("Pokrovsk", "UKR", 1), (48.28, 37.18)),
    (
        "Ukrainian forces hold back Russian advances in the Donetsk city of Pokrovsk.",
        NONE,
        ("Pokrovsk", "UKR", 1),
        (48.28, 37.18),
    ),
    ("Shelling hit Pokrovsk in Donetsk region overnight.", RUSSIA, ("Pokrovsk", "UKR", 1), (48.28, 37.18)),
    ("Shelling hit Pokrovsk, Donetsk Oblast, overnight.", RUSSIA, ("Pokrovsk", "UKR", 1), (48.28, 37.18)),
    ("Troops intensified the assault in the Kursk region.", UKRAINE, ("Kursk Oblast", "RUS", 3), None),
    ("Troops intensified the assault in Kursk Oblast.", UKRAINE, ("Kursk Oblast", "RUS", 3), None),
    ("North Korean troops are fighting in Kursk.", UKRAINE, ("Kursk", "RUS", 1), (51.73, 36.19)),
    ("Explosions were heard in Kiev.", NONE, ("Kyiv", "UKR", 1), (50.45, 30.52)),
    ("Explosions were heard in Kyiv.", NONE, ("Kyiv", "UKR", 1), (50.45, 30.52)),
    ("Drones struck the Kyiv region.", UKRAINE, ("Kyiv Oblast", "UKR", 3), None),
    ("Missiles hit Kharkov.", NONE, ("Kharkiv", "UKR", 1), (49.98, 36.25)),
    ("Missiles hit Kharkiv.", NONE, ("Kharkiv", "UKR", 1), (49.98, 36.25)),
    ("Clashes near Artemivsk.", NONE, ("Bakhmut", "UKR", 1), (48.59, 38.0)),
    ("Clashes near Bakhmut.", NONE, ("Bakhmut", "UKR", 1), (48.59, 38.0)),
    ("A strike on Zaporozhye killed two.", NONE, ("Zaporizhzhia", "UKR", 1), (47.82, 35.19)),
    ("A strike on Zaporizhzhia killed two.", NONE, ("Zaporizhzhia", "UKR", 1), (47.82, 35.19)),
    ("The port of Nikolaev was shelled.", NONE, ("Mykolaiv", "UKR", 1), (46.97, 32.0)),
    ("Rebels in Lugansk said.", NONE, ("Luhansk", "UKR", 1), (48.57, 39.32)),
    (
        "JEF leaders convened in Tallinn, Estonia, on December 17.",
        NONE,
        ("Tallinn", "EST", 1),
        (59.44, 24.75),
    ),
    ("Tusk met Zelenskiy in Lviv.", UKRAINE, ("Lviv", "UKR", 1), (49.84, 24.02)),
    ("The SBU disrupted a spy network in Ukraine.", NONE, ("Ukraine", "UKR", 3), None),
    ("Fighting flared in the Donbas.", NONE, ("Donbas", "UKR", 3), None),
    ("Attacks in the Donetsk and Luhansk regions continued.", UKRAINE, ("Donetsk Oblast", "UKR", 3), None),
    ("Shelling in southern Kherson region.", UKRAINE, ("Kherson Oblast", "UKR", 2), None),
    ("Fighting in Pokrovsk district.", UKRAINE, ("Pokrovsk", "UKR", 2), (48.28, 37.18)),
    # A name in another country when the context says so: Donetsk in Rostov region, Russia.
    ("Shells landed in Donetsk, Rostov region.", UKRAINE, ("Donetsk", "RUS", 1), (48.34, 39.95)),
    ("A drone fell on Donetsk.", UKRAINE, ("Donetsk", "UKR", 1), (48.02, 37.8)),
]


@pytest.mark.parametrize(("sentence", "context", "expected", "point"), LOCATE_TABLE)
def test_locate(
    sentence: str, context: GeoContext, expected: tuple[str, str, int], point: tuple[float, float] | None
) -> None:
    place = locate(sentence, context)
    assert place is not None, sentence
    assert (place.name, place.country_iso3, place.geo_precision) == expected
    if point is not None:
        assert _near(place, *point)


@pytest.mark.parametrize(
    ("sentence", "admin1"),
    [
        ("Russian forces advanced on Pokrovsk.", "Donetsk Oblast"),
        ("Tusk met Zelenskiy in Lviv.", "Lviv Oblast"),
        ("North Korean troops are fighting in Kursk.", "Kursk Oblast"),
        ("Explosions were heard in Kyiv.", "Kyiv City"),
    ],
)
def test_admin1_names(sentence: str, admin1: str) -> None:
    place = locate(sentence, UKRAINE)
    assert place is not None and place.admin1 == admin1


@pytest.mark.parametrize(
    "sentence",
    [
        "However, General Syrskiy said the operations continued.",
        "President Donald Trump spoke on Monday.",
        "Putin and Zelenskiy should be ready to negotiate, Trump said.",
        "Western allies were urged to expedite aid in March and May.",
        "The SBU and NATO issued a statement.",
        "Ukrainian and Russian officials met.",
        "North Korean troops were seen.",
        "Reports of casualties emerged, officials said.",
    ],
)
def test_non_places(sentence: str) -> None:
    assert find_places(sentence, UKRAINE) == []
    assert locate(sentence, UKRAINE) is None


def test_lowercase_names_are_not_places() -> None:
    assert find_places("the troops moved to kyiv and lviv", UKRAINE) == []


def test_small_ambiguous_name_needs_context() -> None:
    # "Rivne" is a city in Rivne Oblast and several villages; alone it is the city.
    place = locate("Protesters gathered in Rivne.", NONE)
    assert place is not None and place.geonameid == 695594
    assert MIN_BARE_POPULATION > 10_000


def test_context_prefers_the_article_country() -> None:
    # Donetsk exists in Ukraine (large) and Russia (Rostov region, small); a Russian-only
    # article with a Rostov region mention picks the Russian town.
    ctx = article_context("Shelling in Rostov", "Shells hit the Rostov region. Donetsk was hit too.")
    assert ctx.countries[0] == "RUS"
    assert "RU.61" in ctx.admin1s
    place = locate("Donetsk was hit too.", ctx)
    assert place is not None and place.country_iso3 == "RUS"


def test_spans_slice_to_surface_text() -> None:
    sentence = "Ukrainian forces hold back Russian advances in the Donetsk city of Pokrovsk."
    found = find_places(sentence, NONE)
    surfaces = [sentence[s:e] for s, e, _ in found]
    assert surfaces == ["Donetsk", "Pokrovsk"]
    assert [p.feature for _, _, p in found] == ["admin1", "city"]


def test_kursk_region_span_includes_region_word() -> None:
    sentence = "Troops intensified the assault in the Kursk region."
    [(start, end, place)] = find_places(sentence, UKRAINE)
    assert sentence[start:end] == "Kursk region"
    assert place.feature == "admin1" and place.geonameid is None


def test_country_place_fields() -> None:
    [(_, _, place)] = find_places("Aid arrived in Estonia.", NONE)
    assert place.feature == "country"
    assert (place.country_iso3, place.geo_precision, place.admin1) == ("EST", 3, None)
    assert place.geonameid == 453733


@pytest.mark.parametrize(
    ("text", "name", "iso3"),
    [
        ("KYIV – Russian forces pressed on.", "Kyiv", "UKR"),
        ("Tallinn, Estonia (Reuters) - Leaders met.", "Tallinn", "EST"),
        ("MOSCOW — The Kremlin said.", "Moscow", "RUS"),
    ],
)
def test_dateline(text: str, name: str, iso3: str) -> None:
    place = parse_dateline(text)
    assert place is not None and (place.name, place.country_iso3) == (name, iso3)


def test_no_dateline() -> None:
    assert parse_dateline("Russian forces pressed on in the east.") is None


def test_dateline_is_context_not_location() -> None:
    ctx = article_context("Talks", "KYIV – Leaders convened in Tallinn, Estonia.")
    assert ctx.dateline is not None and ctx.dateline.name == "Kyiv"
    place = locate("Leaders convened in Tallinn, Estonia.", ctx)
    assert place is not None and place.name == "Tallinn"


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [("Kiev", "Kyiv"), ("Kharkov", "Kharkiv"), ("Artemivsk", "Bakhmut"), ("Zaporozhye", "Zaporizhzhia")],
)
def test_variants_resolve_to_one_place(variant: str, canonical: str) -> None:
    a = locate(f"Shelling hit {variant}.", NONE)
    b = locate(f"Shelling hit {canonical}.", NONE)
    assert a is not None and a == b


def test_name_key_folds() -> None:
    assert name_key("Pokrovs’k") == name_key("Pokrovsk") == "pokrovsk"
    assert name_key("Ivano-Frankivsk") == "ivano frankivsk"
    assert name_key("Lääne-Viru") == "laane viru"


@pytest.mark.parametrize(
    ("variant", "canonical_id"),
    [("Shchastia", 694725), ("Stanytsia Luhanska", 692953), ("Avdiivka", 713122)],
)
def test_transliteration_fold(variant: str, canonical_id: int) -> None:
    place = locate(f"Shelling near {variant} was reported.", UKRAINE)
    assert place is not None and place.geonameid == canonical_id


def test_partial_multiword_name_is_not_a_place() -> None:
    # "Nizhni" alone is a Russian village; "Nizhni Lozovoe" is a village GeoNames lacks.
    assert locate("Shelling near Nizhni Lozovoe.", NONE) is None


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        ("A militiaman was killed, the DPR said.", "UA.05"),
        ("The LPR command reported shelling.", "UA.14"),
    ],
)
def test_context_cues(text: str, admin1: str) -> None:
    ctx = article_context("", text)
    assert ctx.admin1s[:1] == (admin1,)
    assert ctx.countries[:1] == ("UKR",)
    assert locate(text, ctx) is None  # a cue informs the context, it is not a place
    fallback = context_place(ctx)
    assert fallback is not None and fallback.feature == "admin1" and fallback.geo_precision == 3


def test_context_place_falls_back_to_country() -> None:
    place = context_place(GeoContext(countries=("EST",)))
    assert place is not None and (place.name, place.feature) == ("Estonia", "country")
    assert context_place(GeoContext()) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Drones attacked Odesa, Mykolaiv and Kherson overnight.", ["Odesa", "Mykolaiv", "Kherson"]),
        ("Shelling hit Pokrovsk, Donetsk, and Kramatorsk.", ["Pokrovsk", "Donetsk", "Kramatorsk"]),
        ("The Washington Post reported that talks in Washington failed.", ["Washington"]),
        ("The Minsk Protocol was signed in Minsk.", ["Minsk"]),
        ("Russia's Defence Ministry said the Black Sea Fleet was attacked.", ["Russia"]),
        ("Strikes hit Rafah and Khan Younis in the Gaza Strip.", ["Rafaḩ", "Khan Younis", "Gaza Strip"]),
    ],
)
def test_lists_and_names_of_things(sentence: str, expected: list[str]) -> None:
    assert [p.name for _, _, p in find_places(sentence, UKRAINE)] == expected


def test_big_foreign_city_beats_village_in_context_country() -> None:
    # Russia in context must not turn Berlin into the Chelyabinsk village Berlin.
    place = locate("Scholz and Macron met in Berlin.", GeoContext(countries=("RUS", "UKR")))
    assert place is not None and place.country_iso3 == "DEU"
