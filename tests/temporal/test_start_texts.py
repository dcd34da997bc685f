"""Rules tried only where a word starts with one of their start texts find what a full scan finds.

``find_matches`` tries a rule with start texts (``Rule.starts``) only at word starts of the
lower-cased text that begin with one of them; ``choose`` looks up overlaps by bisection. Both are
checked against the plain versions (every position scanned, every taken span compared), on
tricky strings, generated text and the news gold articles.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.temporal import grammar, resolve

NEWS_GOLD = Path(__file__).resolve().parents[1] / "data" / "news_gold" / "articles.jsonl"
WIKIWARS = Path(__file__).resolve().parents[2] / ".." / "shared" / "dev" / "wikiwars" / "articles.jsonl"

TRICKY = [
    "",
    "May 5",
    "5 May 2024",
    "the 5th of May, 1945",
    "In early May 2024 and mid-June, the end of March 2022",
    "Q1 2024, q3/2023, the first quarter of 2024, the 1990s, the 19th century",
    "two weeks later, 3 days ago, a 30-day period, the next day, last Friday night",
    "\u017fummer 2024, \u0131n May, the end of \u017feptember",  # long s and dotless i match "s" and "i"
    "Ends: \u017ftart of May 5, 2024; early \u0131n June",  # re matches them to "s" and "i"
    "In 2024 and in 1\u066945",  # "1" and an Arabic-Indic 9: \d matches it, the start texts do not
    "\u212aEEK 5, the \u212a",  # the Kelvin sign lower-cases to "k"
    "\u0130n May 2024",  # dotted capital I lower-cases to two characters
    # Arabic-Indic digits
    "\u0661\u0669\u0669\u0660 and 1\u0669\u0669\u0660, \u0663 days later, \u0665th of May",
    "_May 2024, x2024-01-05, 10:30am on 5 June, 1400 GMT",
    "Ukraine\u2019s war: 24 February 2022 \u2013 today; the '90s",
]

WORDS = [
    *sorted(resolve._classes_of_word()),
    "the", "early", "late", "mid-", "end", "of", "a", "few", "several", "next", "last", "first",
    "1990s", "24", "5th", "1945", "2024", "10am", "troops", "said", "Q1", "BC", "AD",
    "MAY", "March", "\u017fummer", "\u212a", "\u0130", "\u0131", "\u0661\u0662", "1\u0669", "\u00e9t\u00e9",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", "-", "_", "'", "\u2019", " (", ") ", "/", "."]
texts = st.lists(st.sampled_from(WORDS) | st.sampled_from(SEPARATORS), max_size=40).map("".join)


def _matches(text: str) -> list[tuple[int, int, str, dict[str, str]]]:
    return [(m.start, m.end, m.rule.name, m.groups) for m in resolve.find_matches(text)]


_PLAIN_RULES = tuple(replace(rule, starts=None, marks=None) for rule in grammar.rules())


def _plain_matches(text: str) -> list[tuple[int, int, str, dict[str, str]]]:
    """``find_matches`` with every rule scanning its whole windows, as it did before start texts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(resolve, "rules", lambda: _PLAIN_RULES)
        resolve._start_finder.cache_clear()  # finders are built from rules(): none from the plain ones
        try:
            return _matches(text)
        finally:
            resolve._start_finder.cache_clear()


def _corpus() -> list[str]:
    found = [json.loads(line)["text"] for line in NEWS_GOLD.read_text(encoding="utf-8").splitlines()]
    if WIKIWARS.exists():
        found += [json.loads(line)["text"] for line in WIKIWARS.read_text(encoding="utf-8").splitlines()]
    return found


def test_rules_have_start_texts() -> None:
    with_starts = [rule.name for rule in grammar.rules() if rule.starts]
    assert {"month_day_year", "year_alone", "duration", "offset", "weekday"} <= set(with_starts)
    assert [rule.name for rule in grammar.rules() if rule.marks] == ["apostrophe_year"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("['\u2019](?P<y>\\d\\d)", "['\u2019]"),
        ("(?:the\\s+)?['\u2019]\\d0s", None),  # may start with a letter
        ("_x", None),  # "_" is a word character
        ("(?:-)?x", None),
    ],
)
def test_first_marks(pattern: str, expected: str | None) -> None:
    found = grammar._first_marks(pattern)
    assert (found.pattern if found else None) == expected


@pytest.mark.parametrize("text", TRICKY)
def test_start_texts_find_what_a_full_scan_finds(text: str) -> None:
    assert _matches(text) == _plain_matches(text)


def test_start_texts_on_articles() -> None:
    corpus = _corpus()
    assert any(resolve._starts_hold(t, t.lower(), resolve._candidate_tokens(t)) for t in corpus)
    for text in corpus:
        assert _matches(text) == _plain_matches(text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_start_texts_on_generated_text(text: str) -> None:
    lowered = text.lower()
    fast = resolve._starts_hold(text, lowered, resolve._candidate_tokens(text))
    plain = _plain_matches(text)
    assert _matches(text) == plain
    if not fast:
        return
    # The invariant behind it: each match of such a rule starts a word with one of its start texts.
    for rule in grammar.rules():
        if rule.starts is None:
            continue
        for m in rule.regex.finditer(text):
            assert lowered.startswith(rule.starts, m.start()), (rule.name, m.group(0))
            assert m.start() == 0 or not lowered[m.start() - 1].isalnum(), (rule.name, m.group(0))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(?:next|last)\s+(?:May|June)", ("last", "next")),
        (r"\b(?:the\s+)?(?:mid-|middle|mid)\s*x", ("mid", "the")),  # "mid" covers "middle"
        (r"\b1\d{3}", tuple(f"1{d}" for d in "0123456789")),
        (r"\bQ[1-4]\s*\d", ("q1", "q2", "q3", "q4")),
        (r"\ba\d", ("a",)),  # a digit after a letter is not spelled out: other scripts' digits
        (r"(?<![\w-])\d+", tuple("0123456789")),
        (r"(?<![\d-])\d{4}", None),  # the character before may be a letter: no word start
        (r"(?<![^\w])\d{4}", None),  # the character before must be a word character
        (r"\b(?:x)?", None),  # may match empty text
        (r"\b[\u2019']s", None),  # starts with no word character
        (r"\b(?:\w+)\s+day", None),  # no short list of first characters
    ],
)
def test_start_texts(pattern: str, expected: tuple[str, ...] | None) -> None:
    assert grammar._start_texts(pattern) == expected


def test_odd_case_characters() -> None:
    """Outside ASCII, what re matches to an ASCII letter or digit (ignoring case) or to \\d either
    lower-cases to ASCII or to two characters, is listed in ``_ODD_CASE``, or is a digit that
    ``_starts_hold`` finds in the tokens."""
    letters = re.compile(r"[a-z0-9]", re.IGNORECASE)
    digits = re.compile(r"\d")
    seen = set()
    for code in range(128, sys.maxunicode + 1):
        char = chr(code)
        if not (letters.fullmatch(char) or digits.fullmatch(char)):
            continue
        lower = char.lower()
        if len(lower) != 1 or lower.isascii():
            continue
        seen.add(char)
        assert char in resolve._ODD_CASE or char.isdigit(), hex(code)
    assert set(resolve._ODD_CASE) <= seen


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 8), st.integers(0, 3)),
        max_size=25,
    )
)
def test_choose_matches_pairwise_overlap_check(spans: list[tuple[int, int, int]]) -> None:
    base = grammar.rules()[0]
    found = [resolve.Match(s, s + n, replace(base, priority=p), {}) for s, n, p in spans]
    ranked = sorted(found, key=lambda m: (-(m.end - m.start), -m.rule.priority, m.start))
    taken: list[resolve.Match] = []
    for m in ranked:
        if not any(m.start < t.end and t.start < m.end for t in taken):
            taken.append(m)
    expected = sorted(taken, key=lambda m: m.start)
    assert [id(m) for m in resolve.choose(found)] == [id(m) for m in expected]


PART_WORDS = ["of", "OF", "Of", "the", "early", "hours", "night", "morning", "in", "x", "\u0130"]
SPACES = [" ", "  ", "\n", "\u00a0", "\u2009", "\x1c", ",", "."]  # \s also matches NBSP, thin space, \x1c


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PART_WORDS) | st.sampled_from(SPACES), max_size=12).map("".join))
def test_part_before_as_the_search(before: str) -> None:
    expected = resolve._PART_BEFORE.search(before)
    found = resolve._part_before(before)
    assert (found.span() if found else None) == (expected.span() if expected else None)
