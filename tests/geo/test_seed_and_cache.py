"""The seed article's places, determinism, and the on-disk gazetteer cache."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.geo import article_context, find_places, gazetteer, locate
from etl.geo.index import KeyTable, build_index, cache_path, load_index

SEED = Path(__file__).resolve().parents[2] / "data" / "raw" / "ukraine-2024-12-17.txt"


def _seed() -> tuple[str, str]:
    if not SEED.exists():
        pytest.skip("seed article absent")
    raw = SEED.read_text(encoding="utf-8")
    body = raw.split("---", 2)[2] if raw.startswith("---") else raw
    title, text = body.strip().split("\n", 1)
    return title, text.strip()


def _sentence(text: str, needle: str) -> str:
    return next(s for s in re.split(r"(?<=[.!?])\s+", text) if needle in s)


def test_seed_context() -> None:
    title, text = _seed()
    ctx = article_context(title, text)
    assert ctx.countries[0] == "UKR"
    assert {"RUS", "PRK", "USA", "POL", "EST"} <= set(ctx.countries)
    assert ctx.dateline is not None and ctx.dateline.name == "Kyiv"


@pytest.mark.parametrize(
    ("needle", "name", "iso3", "precision"),
    [
        ("Kursk region", "Kursk Oblast", "RUS", 3),
        ("North Korean troops fighting alongside", "Kursk", "RUS", 1),
        ("Pokrovsk", "Pokrovsk", "UKR", 1),
        ("Lviv", "Lviv", "UKR", 1),
        ("Tallinn", "Tallinn", "EST", 1),
    ],
)
def test_seed_locations(needle: str, name: str, iso3: str, precision: int) -> None:
    title, text = _seed()
    ctx = article_context(title, text)
    place = locate(_sentence(text, needle), ctx)
    assert place is not None
    assert (place.name, place.country_iso3, place.geo_precision) == (name, iso3, precision)
    if name == "Pokrovsk":
        assert abs(place.latitude - 48.28) < 0.05 and abs(place.longitude - 37.18) < 0.05


def test_deterministic_results() -> None:
    title, text = _seed()
    first = [find_places(s, article_context(title, text)) for s in text.split(". ")]
    second = [find_places(s, article_context(title, text)) for s in text.split(". ")]
    assert first == second


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Kyiv Lviv Pokrovsk,. in the region Donetsk -'")), max_size=80))
def test_spans_are_ordered_and_inside(sentence: str) -> None:
    found = find_places(sentence, article_context("", sentence))
    ends = [0]
    for start, end, _ in found:
        assert ends[-1] <= start < end <= len(sentence)
        ends.append(end)


def test_key_table_roundtrip() -> None:
    mapping = {"kyiv": (3,), "lviv": (1, 2), "a": (0,), "zz": (9, 8, 7)}
    table = pickle.loads(pickle.dumps(KeyTable.pack(mapping)))
    assert all(table.get(k) == v for k, v in mapping.items())
    assert table.get("kyi") == () and table.get("") == () and len(table) == 4


def test_cache_is_reused_and_reloads_equal(tmp_path: Path) -> None:
    gaz = gazetteer()
    assert cache_path().exists()
    again = load_index(cache_path())
    assert len(again) == len(gaz)
    assert again.lookup_city("Pokrovsk") == gaz.lookup_city("Pokrovsk")
    assert again.admin1s == gaz.admin1s


@pytest.mark.slow
def test_build_is_deterministic_and_atomic(tmp_path: Path) -> None:
    first = build_index(tmp_path / "a.pickle", "cities15000.json")
    reference = first.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
    # A corrupt cache file is rebuilt on load instead of failing, to the same bytes.
    first.write_bytes(b"not a pickle")
    gaz = load_index(first, "cities15000.json")
    assert gaz.lookup_city("Lviv")
    assert first.read_bytes() == reference
