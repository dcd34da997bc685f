"""Event locations through the geo stage (``etl.geo``), with the events stage's policy.

Policy: the place (below country level) named in the event's clause; else in its sentence;
else the city that "the city", "the town's", "the provincial capital" of the clause or sentence
refers to (the city named just before: geo's ``continued_place``); else, for a sentence that
continues the story of the one before (same paragraph), that sentence's place; else a country
the clause or sentence names as a place ("in Ukraine", "into southern Lebanon", not "support
from Iran" nor "near the border with Chad"); else the
article's main country, all at ``geo_precision`` 3. A dateline ("KYIV –") is never searched: it
names where the report was filed.

    >>> Location.none().location is None
    True
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from functools import cache
from types import ModuleType
from typing import Any

from etl.events.actors import country_name
from etl.events.resources import patterns


@dataclass(frozen=True)
class Location:
    """The location fields of an event, and how they were found (``source``)."""

    location: str | None
    admin1: str | None
    country_iso3: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    geonameid: int | None
    source: str | None  # clause | sentence | context | country | None

    @staticmethod
    def none() -> Location:
        """No location at all."""
        return Location(None, None, None, None, None, None, None, None)


@cache
def geo_module() -> ModuleType | None:
    """``etl.geo`` when it provides ``article_context`` and ``locate``, else None."""
    try:
        module = importlib.import_module("etl.geo")
    except ImportError:
        return None
    if not all(hasattr(module, name) for name in ("article_context", "countries_named", "locate")):
        return None
    return module


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def from_place(place: Any, source: str) -> Location:
    """A geo ``Place`` as event location fields."""
    return Location(
        getattr(place, "name", None), getattr(place, "admin1", None),
        getattr(place, "country_iso3", None), _optional_float(getattr(place, "latitude", None)),
        _optional_float(getattr(place, "longitude", None)),
        _optional_int(getattr(place, "geo_precision", None)),
        _optional_int(getattr(place, "geonameid", None)), source,
    )


class Locator:
    """Locates the events of one article; holds its geo context."""

    def __init__(self, title: str, text: str) -> None:
        self.geo = geo_module()
        self.text = text  # sentences, clauses and paragraphs come from it: geo scans it once
        self.context = self.geo.article_context(title, text) if self.geo else None
        self._found: dict[str, list[tuple[int, int, Any]]] = {}  # clause, sentence: often the same
        self._ranked: dict[str, Any] = {}  # geo's pick among several places, by text
        self._country: dict[str | None, Location] = {}  # whole countries (immutable), by ISO3
        self._continued_memo: dict[str, Location | None] = {}  # "the city" of a text, by text
        self._continued_place = getattr(self.geo, "continued_place", None)

    def _places(self, text: str) -> list[tuple[int, int, Any]]:
        if self.geo is None or not text.strip():
            return []
        found = self._found.get(text)
        if found is None:
            if hasattr(self.geo, "find_places"):
                found = list(self.geo.find_places(text, self.context, within=self.text))
            else:
                place = self.geo.locate(text, self.context, within=self.text)
                found = [] if place is None else [(0, len(text), place)]
            self._found[text] = found
        return found

    def specific(self, text: str, source: str) -> Location | None:
        """The most specific place below country level that ``text`` names, or None.

        Naming none, ``text`` may refer back to a city ("in the city's Kyivskyi district"):
        then that city (source "context").
        """
        places = [p for _, _, p in self._places(text) if getattr(p, "feature", "") != "country"]
        if not places:
            return self._continued(text)
        best = min(places, key=lambda p: p.geo_precision) if len(places) > 1 else places[0]
        if len(places) > 1 and self.geo is not None:  # let geo rank several candidates
            if text not in self._ranked:
                self._ranked[text] = self.geo.locate(text, self.context, within=self.text)
            ranked = self._ranked[text]
            if ranked is not None and getattr(ranked, "feature", "") != "country":
                best = ranked
        return from_place(best, source)

    def _continued(self, text: str) -> Location | None:
        """The city ``text`` refers back to ("the city", "the town's"), if geo finds one."""
        if self._continued_place is None or self.context is None:
            return None
        if text not in self._continued_memo:  # clause and sentence are often the same text
            place = self._continued_place(self.text, text, self.context)
            self._continued_memo[text] = None if place is None else from_place(place, "context")
        return self._continued_memo[text]

    def named_country(self, text: str, source: str) -> Location | None:
        """A country ``text`` names as a place ("in Ukraine"), not as an actor ("support from Iran")."""
        neighbour = getattr(self.geo, "names_neighbour", None)
        for start, _, place in self._places(text):
            if getattr(place, "feature", "") != "country":
                continue
            directions = self._directions()
            if neighbour is not None and neighbour(text, start):
                continue  # "near the border with Chad": the place is on this side of it
            before = text[max(0, start - 40) : start].split()
            while len(before) > 1 and before[-1].lower() in directions:
                before.pop()  # "into southern Lebanon", "in north-eastern Nigeria"
            if before and before[-1].lower() in patterns()["place_prepositions"]:
                return replace(from_place(place, source), geo_precision=3)
        return None

    def _directions(self) -> frozenset[str]:
        words = getattr(self.geo, "direction_words", None)
        return words() if words is not None else frozenset()

    def main_country(self) -> str | None:
        """The country the article's geo context ranks first, if any."""
        return next(iter(self.countries()), None)

    def countries(self, text: str | None = None) -> list[str]:
        """Countries the geo context finds, most salient first, of the article or of ``text``."""
        if text is not None and self.geo is not None:
            return [str(c) for c in self.geo.countries_named(text, within=self.text)]
        context = self.context
        return [str(c) for c in getattr(context, "countries", ())] if context is not None else []

    def countries_unless(self, text: str, iso3: str | None) -> list[str] | None:
        """``countries(text)``, or None when ``iso3`` is among them (geo then stops early)."""
        if iso3 is None or self.geo is None or not hasattr(self.geo, "countries_unless"):
            return self.countries(text)
        found = self.geo.countries_unless(text, iso3, within=self.text)
        return None if found is None else [str(c) for c in found]

    def country(self, iso3: str | None) -> Location:
        """The whole country as the location (precision 3), or no location without one."""
        found = self._country.get(iso3)
        if found is None:  # an article's unlocated events fall back to the same few countries
            found = self._country[iso3] = self._whole_country(iso3)
        return found

    def _whole_country(self, iso3: str | None) -> Location:
        name = country_name(iso3)
        if iso3 is None or name is None:
            return Location.none()
        plain = name.removeprefix("the ")
        found = [p for _, _, p in self._places(plain) if getattr(p, "country_iso3", None) == iso3]
        if found:
            return replace(from_place(found[0], "country"), geo_precision=3, admin1=None)
        return Location(plain, None, iso3, None, None, 3, None, "country")
