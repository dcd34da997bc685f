"""The scanning shortcuts give exactly what the plain scans they replace give.

Each shortcut (``_windows`` on lower-cased text, ``_word_before`` on the reversed slice,
``_sentence_cues`` on split tokens, ``_SENTENCE_END`` starting with a character set, rules
skipping windows without their required text) is checked
against the straightforward version, written out here as the reference, on tricky strings and
on generated text.
"""

from __future__ import annotations

import json
import re
import string
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.temporal import grammar, resolve, tense

_WORD_BEFORE = re.compile(r"([A-Za-z]+-?)\W*$")
_TENSE_TOKEN = re.compile(r"[A-Za-z']+")


def reference_word_before(text: str, start: int) -> str:
    m = _WORD_BEFORE.search(text[max(0, start - 30) : start])
    return m.group(1).lower() if m else ""


def reference_sentence_cues(text: str, s_start: int, s_end: int) -> tuple[tuple[int, str], ...]:
    tokens = [(m.start(), m.group(0).lower()) for m in _TENSE_TOKEN.finditer(text, s_start, s_end)]
    words = [w for _, w in tokens]
    return tuple((pos, kind) for i, (pos, _) in enumerate(tokens) if (kind := tense._cue_kind(words, i)))


TRICKY = [
    "",
    "May",
    "5",
    "In May 2024 troops moved.",
    "_May 2024",  # a token after an underscore: no word boundary, still a token
    "foo_May 2024 and 12May",
    "MAY 5, mAy 6, may",
    "\u017feptember 2024",  # long s: matches "s" case-insensitively, but lower() keeps it
    "\u212aEEK 5 and WEE\u212a 6",  # Kelvin sign lower-cases to "k"
    "\u0130n May",  # dotted capital I lower-cases to two characters
    "\u0661\u0662 May, \u00b2 days",  # Arabic-Indic digits and a superscript
    "\u03a3 days ago \u0391\u03a3'\u0392",  # final sigma
    "day-by-day, 1990s, 10:30am, 1400 GMT",
    "Ukraine\u2019s war: 24 February 2022 \u2013 today.",
]


@pytest.mark.parametrize("text", TRICKY)
def test_windows_match_token_by_token_scan(text: str) -> None:
    assert resolve._windows(text) == resolve._windows(text, resolve._all_tokens(text))


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("fighting broke out in early- May", 28, "early-"),
        ("said on May 5", 8, "on"),
        ("on 5 May", 5, ""),
        ("in 2024 May", 8, ""),
        ("caf\u00e9 May", 5, ""),
        ("", 0, ""),
        ("a" * 40 + " May", 41, "a" * 29),
    ],
)
def test_word_before(text: str, start: int, expected: str) -> None:
    assert resolve._word_before(text, start) == expected == reference_word_before(text, start)


WORDS = [
    *sorted(resolve._classes_of_word()),
    "1990s", "24", "10am", "troops", "said", "will", "be", "held", "attacked", "bed", "'ed",
    "May", "MARCH", "\u017fummer", "\u212a", "\u0130", "\u03a3", "_", "\u0661",
]  # fmt: skip
SEPARATORS = [" ", ", ", ". ", "\n", "-", "_", "'", "\u2019", " (", ") "]
texts = st.lists(st.sampled_from(WORDS) | st.sampled_from(SEPARATORS), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_windows_on_generated_text(text: str) -> None:
    assert resolve._windows(text) == resolve._windows(text, resolve._all_tokens(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZb- _\u00e91\n,.'\u2019", max_size=45), st.integers(min_value=0, max_value=45))
def test_word_before_on_generated_text(text: str, start: int) -> None:
    start = min(start, len(text))
    assert resolve._word_before(text, start) == reference_word_before(text, start)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=0, max_value=20))
def test_sentence_cues_on_generated_text(text: str, cut: int) -> None:
    s_start = min(cut, len(text))
    assert tense._sentence_cues(text, s_start, len(text)) == reference_sentence_cues(text, s_start, len(text))


def test_lower_casing_keeps_tokens_in_place() -> None:
    """What ``_candidate_tokens`` relies on, for every code point lower-cased to one character:
    word characters stay word characters, digits do not become a-z, trigger words are a-z."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        lower = char.lower()
        if len(lower) != 1:
            continue
        assert char.isalnum() == lower.isalnum(), hex(code)
        assert not (char.isdigit() and lower in string.ascii_lowercase), hex(code)
    assert all(set(word) <= set(string.ascii_lowercase) for word in resolve._classes_of_word())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=".!?\n \tA\u201c(a\"\u2029x", max_size=30))
def test_sentence_ends_as_first_written(text: str) -> None:
    first_written = re.compile(r"[.!?]\s+(?=[A-Z\"\u201c(])|\n")
    spans = [m.span() for m in tense._SENTENCE_END.finditer(text)]
    assert spans == [m.span() for m in first_written.finditer(text)]


NEWS_GOLD = Path(__file__).resolve().parents[1] / "data" / "news_gold" / "articles.jsonl"


def test_required_text_only_skips_windows_without_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipping windows that lack a rule's required text finds the same matches as scanning them all."""
    texts = [json.loads(line)["text"] for line in NEWS_GOLD.read_text(encoding="utf-8").splitlines()]
    texts += ["the first quarter of 2024, a 30-day period, 2024-02-01, 5/6/2024, 10:30, the 1990s", *TRICKY]
    assert any(rule.needs is not None for rule in grammar.rules())

    def matches() -> list[list[tuple[int, int, str, dict[str, str]]]]:
        return [[(m.start, m.end, m.rule.name, m.groups) for m in resolve.find_matches(t)] for t in texts]

    with_needs = matches()
    plain = tuple(replace(rule, needs=None) for rule in grammar.rules())
    monkeypatch.setattr(resolve, "rules", lambda: plain)
    assert matches() == with_needs


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        (r"(?:the\s+)?(?P<q>first|last)\s+quarter\b", "quarter"),
        (r"(?P<y>\d{4})-(?P<m>\d\d)", "-"),
        (r"(?:period)?\s+of", None),  # optional text and short words are not required text
        (r"half|quarter", None),
    ],
)
def test_required_text(pattern: str, needed: str | None) -> None:
    found = grammar._required_text(pattern)
    assert (found.pattern if found else None) == (re.escape(needed) if needed else None)
