"""The scan's shortcuts (word-prefix filter, split tokens, caches) never change what is found."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.geo import GeoContext, article_context, find_places, gazetteer, locate
from etl.geo.index import Gazetteer, cache_path, load_index
from etl.geo.resolve import _scan, _tokens, _Words

SEED = Path(__file__).resolve().parents[2] / "data" / "raw" / "ukraine-2024-12-17.txt"

MULTIWORD = [
    "Russian troops shelled Nova Kakhovka and Kryvyi Rih overnight.",
    "Fighting near Rostov-on-Don and in Ivano-Frankivsk Oblast.",
    "Separatists hold much of the Donets basin, officials in Stanytsia Luhanska said.",
    "North Korean troops arrived as South Korea and the United States met in New York.",
    "Drones hit Bila Tserkva, Kyiv region, and the port of Chornomorsk in Odesa Oblast.",
    "President Zelenskiy met Donald Trump; the Washington Post reported on Minsk Protocol talks.",
    "U.S. officials said the Kursk and Belgorod regions of Russia's west were shelled.",
    "Nizhni Lozovoe and Novi Sanzhary, near Zaporizhzhia's southern front, in the Donetsk city of Pokrovsk.",
]


class _AllPrefixes(frozenset[str]):
    """A prefix set that admits every run of words: the scan without its filter."""

    def __contains__(self, item: object) -> bool:
        return True


@lru_cache(maxsize=1)
def _unfiltered() -> Gazetteer:
    gaz = load_index(cache_path())  # a second instance: its own cache entries
    gaz.name_prefixes = _AllPrefixes()
    return gaz


def _sentences() -> list[str]:
    found = list(MULTIWORD)
    if SEED.exists():
        body = SEED.read_text(encoding="utf-8").split("---", 2)[-1]
        found += [s for s in re.split(r"(?<=[.!?])\s+", body) if s.strip()]
    return found


@pytest.mark.parametrize("sentence", _sentences())
def test_prefix_filter_finds_the_same_mentions(sentence: str) -> None:
    assert _scan(sentence, gazetteer()) == _scan(sentence, _unfiltered())


_RUN_WORDS = (
    "Nova Kakhovka Kryvyi Rih Rostov on Don the in of Donets basin New York North Korean Ivano-Frankivsk "
    "Oblast region Russia's U.S. Kyiv, Lviv. Bila Tserkva city President"
)
_NAMEISH = st.lists(st.sampled_from(_RUN_WORDS.split()), max_size=14).map(" ".join)


@settings(max_examples=80, deadline=None)
@given(_NAMEISH)
def test_prefix_filter_on_generated_runs(sentence: str) -> None:
    assert _scan(sentence, gazetteer()) == _scan(sentence, _unfiltered())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*"aZé'’s-. \n1U.S_", "'s ", "’s", "A.B.", "Kyiv"]), max_size=30).map("".join)
)
def test_split_tokens_match_regex_tokens(text: str) -> None:
    words = _Words(text)
    tokens = _tokens(text)
    assert words.words == [t.text for t in tokens]
    assert words.starts == [t.start for t in tokens]
    assert words.ends == [t.end for t in tokens]
    assert words.capitals == [k for k, t in enumerate(tokens) if t.text[:1].isupper()]


def test_cached_results_are_not_shared_lists() -> None:
    sentence = "Shelling hit Pokrovsk, Donetsk Oblast, overnight."
    first = find_places(sentence, GeoContext())
    first.clear()
    assert find_places(sentence, GeoContext()) != []
    ctx = article_context("", sentence)
    assert locate(sentence, ctx) == locate(sentence, article_context("", sentence))
