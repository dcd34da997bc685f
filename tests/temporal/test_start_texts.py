"""Rules tried only where a word starts with one of their start texts find what a full scan finds.

``find_matches`` tries a rule with start texts (``Rule.starts``) only at word starts of the
lower-cased text that begin with one of them: one C-level finder per trigger class and window
(``_class_scan``) gives the places and the longest start text there, which names the rules to try.
Start texts may run over whitespace (GAP for \\s+: "the" GAP "5"). ``choose`` looks up overlaps by
bisection. All are checked against the plain versions (every position scanned with ``finditer``,
every taken span compared), on tricky strings, generated text and the news gold articles.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.temporal import grammar, resolve
from etl.temporal.grammar import GAP

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
    # Whitespace runs of all kinds where rules have \s+ (GAP in start texts)
    "the\t5th of May, last\u00a0Friday, a  few  days ago, the\n1990s, early\u2009in\x1cJune 2024",
    "the end\u3000of\u0085March, two\r\nweeks later, the \u00a0 first quarter of 2024",
]

WORDS = [
    *sorted(resolve._classes_of_word()),
    "the", "early", "late", "mid-", "end", "of", "a", "few", "several", "next", "last", "first",
    "1990s", "24", "5th", "1945", "2024", "10am", "troops", "said", "Q1", "BC", "AD",
    "MAY", "March", "\u017fummer", "\u212a", "\u0130", "\u0131", "\u0661\u0662", "1\u0669", "\u00e9t\u00e9",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", "-", "_", "'", "\u2019", " (", ") ", "/", "."]
SEPARATORS += ["  ", "\u00a0", " \t", "\x1c"]  # whitespace runs: GAP in start texts
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


@cache
def _start_regex(starts: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(grammar.start_pattern(starts))


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
            assert _start_regex(rule.starts).match(lowered, m.start()), (rule.name, m.group(0))
            assert m.start() == 0 or not lowered[m.start() - 1].isalnum(), (rule.name, m.group(0))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (  # start texts have up to 8 characters
            r"\b(?:next|last)\s+(?:May|June)",
            tuple(f"{w}{GAP}{m}" for w in ("last", "next") for m in ("jun", "may")),
        ),
        (r"\b(?:the\s+)?(?:mid-|middle|mid)\s*x", ("mid", f"the{GAP}mid")),  # "mid" covers "middle"
        (r"\bthe\s+\d+th", tuple(f"the{GAP}{d}" for d in "0123456789")),  # a word after a GAP starts a word
        (r"\bthe\s+x\d", (f"the{GAP}x",)),  # a digit after a letter is not spelled out
        (r"\bthe\s+\s*x", (f"the{GAP}",)),  # whitespace after \s+: the GAP would not be the whole run
        (r"\bthe\s+\s+x", (f"the{GAP}",)),
        (r"\bthe\s+ x", (f"the{GAP}",)),
        (r"\bthe\s*x", ("the",)),  # \s* may be empty: no GAP
        (r"\ba b", ("a",)),  # a literal space is no GAP, and no start text holds one
        (r"\ba[ x]b", ("a",)),
        (r"\bthe[\s-]+x", ("the",)),  # not only whitespace: no GAP
        (r"\ba\s+(?:b|c)(?:\s+d)?", (f"a{GAP}b", f"a{GAP}c")),
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


@pytest.mark.parametrize(
    ("found", "key"),
    [
        ("the 5", f"the{GAP}5"),
        ("the\n\t 5", f"the{GAP}5"),
        ("a\u00a0few ", f"a{GAP}few{GAP}"),
        ("may", "may"),
    ],
)
def test_gap_key_writes_whitespace_runs_as_gap(found: str, key: str) -> None:
    assert grammar.gap_key(found) == key
    assert re.fullmatch(grammar.start_pattern([key]), found)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["the", "a", "few", "5", "may"]), min_size=1, max_size=3), st.data())
def test_start_pattern_prefers_the_longest_text(words: list[str], data: st.DataObject) -> None:
    """The trie alternation finds the longest start text that fits, as the finder's lookup needs."""
    texts = {GAP.join(words[: k + 1]) for k in range(len(words))}
    runs = st.sampled_from([" ", "  ", "\n", "\u00a0", "\t "])
    spaces = data.draw(st.lists(runs, min_size=len(words), max_size=len(words)))
    text = "".join(w + gap for w, gap in zip(words, spaces, strict=True)) + "x"
    found = re.match(grammar.start_pattern(texts), text)
    assert found is not None and grammar.gap_key(found.group(0)) == GAP.join(words)


def test_whitespace_stays_whitespace_when_lower_cased() -> None:
    """The class scan finds GAPs (\\s+) in the lower-cased text, the rules match \\s in the text itself."""
    space = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        lower = char.lower()
        if len(lower) == 1:
            assert bool(space.match(char)) == bool(space.match(lower)), hex(code)


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


def _class_scan_as_finditer(text: str, spans: list[tuple[int, int]]) -> None:
    lowered = text.lower()
    if not resolve._starts_hold(text, lowered, resolve._candidate_tokens(text)):
        return
    all_rules = grammar.rules()
    for trigger in {rule.trigger for rule in all_rules}:
        scan = resolve._start_finder(trigger)
        if scan is None:
            continue
        found: list[list[re.Match[str]]] = [[] for _ in all_rules]
        resolve._class_scan(scan, text, lowered, spans, found)
        for i, rule in enumerate(all_rules):
            if rule.trigger != trigger or rule.starts is None or rule.marks is not None:
                assert found[i] == [], rule.name
                continue
            expected = [m.span() for w0, w1 in spans for m in rule.regex.finditer(text, w0, w1)]
            assert [m.span() for m in found[i]] == expected, (rule.name, trigger)


@settings(max_examples=300, deadline=None)
@given(texts, st.lists(st.integers(0, 200), max_size=8))
def test_class_scan_finds_what_finditer_finds(text: str, cuts: list[int]) -> None:
    """Each class's scan (both finder forms, ``_FEW_FIRST``) gives each rule what its ``finditer`` gives,
    in any disjoint ascending spans (windows), including spans that start at 0 or cut a word."""
    points = sorted({min(c, len(text)) for c in cuts})
    spans = [(a, b) for a, b in zip(points[::2], points[1::2], strict=False) if a < b]
    spans = [s for k, s in enumerate(spans) if k == 0 or s[0] > spans[k - 1][1]]
    _class_scan_as_finditer(text, spans or [(0, len(text))])


def test_both_finder_forms_are_used() -> None:
    scans = [resolve._start_finder(t) for t in {rule.trigger for rule in grammar.rules()}]
    assert {scan.head is None for scan in scans if scan is not None} == {True, False}


@pytest.mark.parametrize("text", TRICKY)
def test_class_scan_on_tricky_strings(text: str) -> None:
    third = len(text) // 3
    _class_scan_as_finditer(text, [(0, len(text))])
    _class_scan_as_finditer(text, [(1, third), (third + 2, len(text))])


def test_class_scan_on_articles() -> None:
    for text in _corpus():
        _class_scan_as_finditer(text, [(0, len(text))])
        _class_scan_as_finditer(text, [(k, k + 150) for k in range(5, len(text), 200)])
