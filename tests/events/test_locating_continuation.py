"""'The city', 'the town's', 'the provincial capital': the city named just before, not the country.

Session 16: "Shelling hit Kharkiv on Monday. ... in the city's Kyivskyi district" was located in
Ukraine (the district is ambiguous, the fallback the country); it is Kharkiv.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from etl.events.locating import Locator, geo_module

pytestmark = pytest.mark.skipif(geo_module() is None, reason="no geo stage")

# article, the part asked about, the city it refers to (name, ISO3)
CONTINUED = [
    (
        "Shelling hit Kharkiv on Monday. A drone hit a house in the city's Kyivskyi district.",
        "A drone hit a house in the city's Kyivskyi district.",
        ("Kharkiv", "UKR"),
    ),
    (
        "Russian missiles struck Odesa overnight, killing two people.\n\n"
        "Firefighters worked through the night in the city.",
        "Firefighters worked through the night in the city.",
        ("Odesa", "UKR"),
    ),
    (
        "Israeli airstrikes hit Khan Younis on Tuesday, killing 12.\n\n"
        "Medics said the strikes also hit the city’s eastern neighbourhoods.",
        "Medics said the strikes also hit the city’s eastern neighbourhoods.",
        ("Khan Younis", "PSE"),
    ),
    (
        "Jihadists attacked Djibo on Sunday. Residents said the town had been under blockade.",
        "Residents said the town had been under blockade.",
        ("Djibo", "BFA"),
    ),
    (
        "Gunmen attacked a market in Maiduguri, the Borno State capital. "
        "Police in the provincial capital said eight people died.",
        "Police in the provincial capital said eight people died.",
        ("Maiduguri", "NGA"),
    ),
    (
        "M23 rebels entered Goma on Monday. Bodies lay in the streets of the city, residents said.",
        "Bodies lay in the streets of the city, residents said.",
        ("Goma", "COD"),
    ),
    (  # a clause after its sentence's city
        "Russian drones hit Kharkiv overnight, and in the city's Kyivskyi district a fire broke out.",
        "and in the city's Kyivskyi district a fire broke out.",
        ("Kharkiv", "UKR"),
    ),
    (  # a sentence between that names the same country does not break the thread
        "Troops entered the city of Pokrovsk. Ukraine's army said it was regrouping. Later the town fell.",
        "Later the town fell.",
        ("Pokrovsk", "UKR"),
    ),
    (  # the nearest city, not an earlier one
        "Shelling hit Kharkiv on Monday.\n\nIn Syria, government forces shelled Idlib. "
        "The city was hit again on Tuesday.",
        "The city was hit again on Tuesday.",
        ("Idlib", "SYR"),
    ),
    (  # organisations blanked by the events stage: the part is found all the same
        "Shelling hit Kherson on Monday. The Red Cross said the city's hospital was damaged.",
        "The Red Cross said the city's hospital was damaged.".replace("Red Cross", " " * 9),
        ("Kherson", "UKR"),
    ),
]


@pytest.mark.parametrize(("text", "part", "city"), CONTINUED)
def test_the_city_is_the_city_named_before(text: str, part: str, city: tuple[str, str]) -> None:
    found = Locator("", text).specific(part, "sentence")
    assert found is not None
    assert (found.location, found.country_iso3, found.geo_precision, found.source) == (*city, 1, "context")


@pytest.mark.parametrize(
    ("text", "part"),
    [
        # the place before is a division or a country: which city is unknown
        ("Fighting raged in the Donetsk region. The town was shelled again.", "The town was shelled again."),
        ("Fighting in Ukraine continued. The city was quiet.", "The city was quiet."),
        # a paragraph about another country breaks the thread
        (
            "Shelling hit Kharkiv on Monday.\n\nIn Syria, government aircraft bombed rebel positions. "
            "Two people died in the city.",
            "Two people died in the city.",
        ),
        (
            "Shelling hit Kharkiv on Monday. In Syria, two people died in the city.",
            "In Syria, two people died in the city.",
        ),
        # "the city of X" names its own place, known or not
        (
            "Shelling hit Kharkiv on Monday. Troops reached the city of Zzyzxville.",
            "Troops reached the city of Zzyzxville.",
        ),
        # the dateline names where the report was filed
        (
            "KHARKIV, Ukraine (Reuters) - Shelling hit the city's outskirts on Monday.",
            "Shelling hit the city's outskirts on Monday.",
        ),
        # too far back
        (
            "Shelling hit Kharkiv on Monday. Officials met. Talks went on. Aid arrived. Rain fell. "
            "The city was calm.",
            "The city was calm.",
        ),
        # no reference to a city at all
        ("Shelling hit Kharkiv on Monday. Two people died.", "Two people died."),
    ],
)
def test_no_city_to_refer_to(text: str, part: str) -> None:
    assert Locator("", text).specific(part, "sentence") is None


def test_own_place_comes_first() -> None:
    text = "Shelling hit Kharkiv on Monday. In the city of Lviv, a drone hit a house."
    found = Locator("", text).specific("In the city of Lviv, a drone hit a house.", "sentence")
    assert found is not None and (found.location, found.source) == ("Lviv", "sentence")


@pytest.mark.parametrize(
    ("text", "location"),
    [
        (
            "Russian shelling hit Kharkiv on Monday, the governor said.\n\n"
            "A drone struck a house in the city's Kyivskyi district, killing two people.",
            "Kharkiv",
        ),
        (
            "Israeli airstrikes pounded Rafah on Tuesday.\n\n"
            "Strikes on the city's western edge killed five people, medics said.",
            "Rafaḩ",
        ),
    ],
)
def test_events_of_the_city(events_of: Callable[..., pd.DataFrame], text: str, location: str) -> None:
    events = events_of(text)
    last = events.iloc[-1]
    assert "city's" in last["sentence"]
    assert (last["location"], last["geo_precision"]) == (location, 1)
