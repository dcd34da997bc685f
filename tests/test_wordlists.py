"""literal_alternation: the trie matches what the longest-first alternation matches."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.events.actors import dictionary
from etl.wordlists import literal_alternation


def _plain(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _spans(pattern: str, text: str) -> list[tuple[int, int]]:
    bounded = rf"(?<![\w-])(?:{pattern})(?:'s)?(?![\w-])"
    return [m.span() for m in re.finditer(bounded, text)]


_WORDS = st.lists(st.text(alphabet="abK .'-", min_size=1, max_size=6), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(words=_WORDS, text=st.text(alphabet="abK .'-", max_size=40))
def test_same_matches_as_the_longest_first_alternation(words: list[str], text: str) -> None:
    assert _spans(literal_alternation(words), text) == _spans(_plain(words), text)


def test_same_matches_on_the_country_names() -> None:
    d = dictionary()
    words = [*d.alias_to_iso3, *d.demonym_to_iso3]
    text = " ".join(words[::7]) + " the Ukrainian's army, South Korea and North Korean troops"
    assert _spans(literal_alternation(words), text) == _spans(_plain(words), text)
    assert _spans(literal_alternation(words), text)


def test_prefers_the_longest_word() -> None:
    pattern = re.compile(literal_alternation(["Kyiv", "Kyiv Oblast", "Kharkiv"]))
    assert [m.group() for m in pattern.finditer("Kyiv Oblast and Kyiv, Kharkiv")] == [
        "Kyiv Oblast", "Kyiv", "Kharkiv"]
