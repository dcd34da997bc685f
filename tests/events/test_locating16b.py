"""Review 16, finding 6 (events side): a country the clause names as the place, past a compass
word ("into southern Lebanon"), and never a neighbour ("near the border with Chad").
"""

from __future__ import annotations

import pytest

from etl.events.locating import Locator, geo_module

pytestmark = pytest.mark.skipif(geo_module() is None, reason="no geo stage")


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Israel launched ground raids into southern Lebanon on Sunday.", "LBN"),
        ("Turkey launched a ground attack into northern Iraq.", "IRQ"),
        ("Jihadists killed 20 soldiers in north-eastern Nigeria.", "NGA"),
        ("Russian troops pushed deeper into eastern Ukraine.", "UKR"),
        ("Gunmen killed 10 people in Mali.", "MLI"),
        ("Troops advanced into south-western Niger.", "NER"),
    ],
)
def test_a_country_after_a_locative_and_a_compass_word(text: str, iso3: str) -> None:
    found = Locator("", text).named_country(text, "clause")
    assert found is not None and (found.country_iso3, found.geo_precision) == (iso3, 3)


@pytest.mark.parametrize(
    "text",
    [
        "Rebels captured Maungdaw on the border with Bangladesh on Sunday.",
        "Sudanese army jets bombed a town near the border with Chad.",
        "Militants attacked a post near the frontier with Niger.",
        "Russia received drones from Iran.",  # an actor, not a place
    ],
)
def test_no_country_as_the_place(text: str) -> None:
    assert Locator("", text).named_country(text, "clause") is None


@pytest.mark.parametrize(
    ("text", "name", "iso3"),
    [
        (
            "The U.S. military said it conducted an airstrike against militants in Puntland.",
            "Puntland",
            "SOM",
        ),
        ("Gunmen killed 10 people in Darfur on Sunday.", "Darfur", "SDN"),
        ("Clashes in Catatumbo killed 80 people.", "Catatumbo", "COL"),
    ],
)
def test_a_named_region_is_the_place(text: str, name: str, iso3: str) -> None:
    found = Locator("", text).specific(text, "clause")
    assert found is not None and (found.location, found.country_iso3) == (name, iso3)


def test_border_neighbour_is_not_the_main_country() -> None:
    text = "Rebels captured Maungdaw on the border with Bangladesh. Fighting went on in Rakhine State."
    assert Locator("", text).main_country() == "MMR"
