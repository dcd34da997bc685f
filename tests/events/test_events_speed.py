"""The events stage's shortcuts give what the plain forms they replace give.

Each fast path (a regex rewritten to skip positions, a pre-filter, a binary search, an offset
passed down) is checked against the straightforward form, on tricky cases and random text.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from etl.events.actors import (
    _LAST_WORD,
    _NAME,
    _PRONOUN,
    ArticleActors,
    _casefolded_view,
    _first_char,
    dictionary,
    find_mentions,
)
from etl.events.dating import DateMentions, MentionRow
from etl.events.fatalities import fatalities, plain_fatalities
from etl.events.text import _WORD_BEFORE, split_sentences
from etl.wordlists import literal_alternation

# the plain forms: the leftmost match of a pattern ending in "$", tried at every position
PLAIN_WORD_BEFORE = re.compile(r"([\w.'’-]*\w)[.!?]*[\"'”’)\]]*$")
PLAIN_LAST_WORD = re.compile(r"([\w'’-]+)$")
PLAIN_PRONOUN = re.compile(r"\b(?:[Tt]hey|[Hh]e|[Ss]he)\b")

TRICKY = st.text(alphabet="aZé9 .,!?'’\"”)-_\nHhSsTtey", max_size=40)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), m.groups()) for m in pattern.finditer(text)]


def _examples(*texts: str) -> Any:
    """Hand-picked cases ahead of hypothesis's own (``@example`` for each text)."""
    def decorate(test: Any) -> Any:
        for text in reversed(texts):
            test = example(text)(test)
        return test
    return decorate


@settings(max_examples=500, deadline=None)
@given(TRICKY)
@_examples("the U.S.", "Mr.", "it ended.”)", "a--b.", "x", "", "...", "He said 'no.'", "re-elected.")
def test_anchored_searches_are_the_plain_ones(text: str) -> None:
    assert _spans(_WORD_BEFORE, text) == _spans(PLAIN_WORD_BEFORE, text)
    assert _spans(_LAST_WORD, text) == _spans(PLAIN_LAST_WORD, text)


@settings(max_examples=500, deadline=None)
@given(TRICKY)
@_examples("They said he and she left.", "The shelter", "Then she", "ashe he", "_he", "He", "éhe")
def test_pronoun_pattern_is_the_plain_one(text: str) -> None:
    assert _spans(_PRONOUN, text) == _spans(PLAIN_PRONOUN, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcXYZ éÉ.", max_size=30))
def test_casefolded_view_counts_lowercase_as_before(text: str) -> None:
    lowercase = sum(text.count(c) for c in "abcdefghijklmnopqrstuvwxyz")
    letters = [c for c in text if c.isalpha()]
    capitals = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    titled = 5 * lowercase < len(text) and capitals and len(text.title()) == len(text)
    plain = text.title() if titled else text
    assert _casefolded_view(text) == plain


@pytest.mark.parametrize(
    "text", ["Polish Prime Minister Donald Tusk said they were supported by the Ukrainian army.",
             "North Korean troops fought alongside Russian forces.", "Nothing here."],
)
def test_mentions_shifted_by_an_offset(text: str) -> None:
    plain = find_mentions(text, ArticleActors("UKR"))
    shifted = find_mentions(text, ArticleActors("UKR"), 100)
    assert [(m.start + 100, m.end + 100) for m in plain] == [(m.start, m.end) for m in shifted]
    assert [(m.kind, m.actor, m.passive_agent, m.co_actor) for m in plain] == [
        (m.kind, m.actor, m.passive_agent, m.co_actor) for m in shifted]


def _plain_word_start(words: list[str]) -> str:
    return rf"(?<![\w-]){_first_char(words)}(?:{literal_alternation(words)})"


@cache
def _plain_dictionary_patterns() -> dict[str, re.Pattern[str]]:
    """The actor patterns as first written: a look-behind and a look-ahead, then the words."""
    d = dictionary()
    refs = [*d.alias_to_iso3, *d.demonym_to_iso3]
    ref = rf"{_plain_word_start(refs)}(?:'s|’s)?(?![\w-])"
    modifiers = ["top", "senior", "former", "acting", "deputy"]
    office = (rf"{_first_char([*refs, *modifiers, *d.offices])}"
              rf"(?:(?P<ref>{ref})\s+)?(?:(?:{'|'.join(modifiers)})\s+)?"
              rf"(?P<office>{literal_alternation(list(d.offices))})\s+(?P<name>{_NAME})")
    group = (rf"(?P<refs>{ref}(?:(?:\s*,\s*|\s+and\s+|\s+or\s+){ref})*)"
             rf"\s+(?:[\w-]+\s+){{0,2}}?(?i:(?P<head>{literal_alternation(list(d.heads))}))(?![\w])")
    return {"ref": re.compile(ref), "group": re.compile(group), "office": re.compile(office),
            "org": re.compile(rf"{_plain_word_start(list(d.orgs))}(?![\w-])"),
            "person": re.compile(rf"{_plain_word_start(list(d.persons))}(?![\w-])")}


def _dictionary_words() -> list[str]:
    d = dictionary()
    words = [*d.alias_to_iso3, *d.demonym_to_iso3, *d.orgs, *d.persons, *d.heads, *d.offices]
    return [*sorted(words)[::7], "President", "Minister", "Donald Tusk"]  # a spread, every letter


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_dictionary_words()),
                          st.sampled_from(["", " ", ", ", " and ", "-", "'s ", "x", "Anti", "_", "\n"])),
                max_size=12))
def test_dictionary_patterns_are_the_plain_ones(pieces: list[str]) -> None:
    text = "".join(pieces)
    d = dictionary()
    for name, plain in _plain_dictionary_patterns().items():
        assert _spans(getattr(d, name), text) == _spans(plain, text), name


def _row(start: int, end: int) -> MentionRow:
    return MentionRow(f"m{start}-{end}", start, end, "2024-12-16", "DATE", date(2024, 12, 16), None, "x")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 8)), max_size=12),
       st.integers(0, 40), st.integers(0, 40), st.booleans())
def test_date_mentions_inside_is_the_linear_filter(
    spans: list[tuple[int, int]], start: int, end: int, ordered: bool,
) -> None:
    rows = [_row(s, s + length) for s, length in spans]
    if ordered:
        rows.sort(key=lambda m: (m.start, m.end))
    plain = [m for m in rows if m.start >= start and m.end <= end]
    assert DateMentions(rows).inside(start, end) == plain


def _unfiltered(sentence: str) -> int | None:
    """Every pattern over the whole sentence, no pre-filter: the module's own reference."""
    return plain_fatalities(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["Russian missiles killed 12 civilians in Kharkiv.", "A soldier was killed.",
     "Civilians killed in the east.", "The death toll rose to twenty-five.",
     "Shelling killed a civilian and wounded two.", "1 KIA, 3 WIA in Donbas.",
     "Someone died.", "Often died", "They were killed in 2014.", "Ten dead bodies were found."],
)
def test_number_pre_filter_changes_nothing(sentence: str) -> None:
    assert fatalities(sentence) == _unfiltered(sentence)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["killed", "a", "soldier", "12", "one", "was", "dead", "toll", "rose to",
                                 "people", "someone", "at least", ",", "died", "KIA"]), max_size=10))
def test_number_pre_filter_on_random_sentences(words: list[str]) -> None:
    sentence = " ".join(words)
    assert fatalities(sentence) == _unfiltered(sentence)


def test_long_paragraph_splits_into_its_sentences() -> None:
    paragraph = " ".join(f"Troops shelled village {n}." for n in range(2000))
    assert len(split_sentences(paragraph)) == 2000
