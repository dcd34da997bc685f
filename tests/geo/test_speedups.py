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
from etl.geo.resolve import _TOKEN, _TOKEN_SPLIT, _pair_match, _run_match, _scan, _tokens, _Words

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


_PAIR_WORDS = (
    "The the Ukrainian army New York Nova Kakhovka Kryvyi Rih South Korea United States Kingdom "
    "Kyiv Kyiv's Bila Tserkva region Donets basin of Rostov on Don North Korean said"
)


_RUNS = [
    "Rostov on Don said", "New York City", "United States of America", "The Ukrainian army said",
    "Kryvyi Rih was", "Kyiv's army", "South Korea and", "San Jose del Monte", "Rio de Janeiro",
]  # fmt: skip


@pytest.mark.parametrize("run", _RUNS)
def test_a_final_pair_matches_as_its_whole_run(run: str) -> None:
    _check_pair(run)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PAIR_WORDS.split()), min_size=1, max_size=6))
def test_a_final_pair_matches_as_its_whole_generated_run(run_words: list[str]) -> None:
    _check_pair(" ".join(run_words))


def _check_pair(run: str) -> None:
    # The pair the scan reads: the first two tokens when a single space joins them.
    head = _Words(run)
    two = len(head.raw) > 1 and head.starts[1] == head.starts[0] + len(head.raw[0]) + 1
    pair = run[: head.starts[1] + len(head.raw[1])] if two else head.raw[0]
    cut = _pair_match(pair, gazetteer())
    whole = _run_match(run, gazetteer())
    if cut.final:
        assert (cut.template, cut.n_used) == whole
    elif len(head.raw) <= 2:
        assert (cut.template, cut.n_used) == whole  # not final, yet nothing follows here


@pytest.mark.parametrize(
    ("pair", "final"),
    [
        ("The Ukrainian", True),
        ("Kyiv", True),
        ("Kyiv's army", True),
        ("New York", False),
        ("Rostov on", False),
    ],
)
def test_pair_finality(pair: str, final: bool) -> None:
    assert _pair_match(pair, gazetteer()).final is final


_PLAIN_SPLIT = re.compile(f"({_TOKEN.pattern})")  # `_TOKEN` as written: acronyms, then words
_TOKEN_TEXTS = st.text(alphabet="ABZaz.'’-_1² éÉßİǅΣς\n\t", max_size=40) | st.lists(
    st.sampled_from(["U.S.", "U.S", "A.", "x.Y.Z.", "Russia's", "F-16", "al-Qaeda", "1990s", "_x", "O’Neil",
                     "J.R.R.", "e.g.", "ab-", "-ab", "Ab.Cd.", " ", ", ", "\n", "É.U."]),
    max_size=12,
).map("".join)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(_TOKEN_TEXTS)
def test_letter_led_split_is_the_token_split(text: str) -> None:
    """The split led by a letter finds `_TOKEN`'s tokens at the same places."""
    assert _TOKEN_SPLIT.split(text) == _PLAIN_SPLIT.split(text)
