"""The events stage's third round of shortcuts give what the forms they replace give.

Case-insensitive patterns run as lower-case patterns over lower-cased ASCII text (fatalities,
clause cuts); the word before an end mark and the word before a country read backwards with one
anchored match; passive/co-actor look-ups skipped where their words are absent; token offsets
found only as far as asked; "to <verb>" ruled out in C; date mentions dated once per article;
``date_mentions`` cells of the usual types read without pandas checks.
Each is checked against the plain form over every sentence of the shared real texts (WikiWars,
UCDP headlines, the sample article) and over generated text.
"""

from __future__ import annotations

import csv
import json
import re
from bisect import bisect_left
from datetime import date, datetime
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from etl.events.actors import _CO_ACTOR, _LAST_WORD, _LAST_WORD_REVERSED, _PASSIVE_BY, _flag_roles
from etl.events.dating import (
    DateMentions,
    MentionRow,
    _as_date,
    _text,
    date_from_mention,
    governing_date,
)
from etl.events.fatalities import (
    _ascii_rules,
    _compiled,
    _count_led,
    _matches_from,
    _rules,
    fatalities,
    plain_fatalities,
)
from etl.events.text import (
    _END,
    _WORD_BEFORE,
    Segment,
    Words,
    _clause_pattern,
    _lowered_clause_pattern,
    _lowered_source,
    _word_before,
    ascii_lowered,
    split_clauses,
    split_sentences,
)
from etl.events.triggers import _cue_words, _infinitive_before, _words

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@cache
def _real_texts() -> tuple[str, ...]:
    """Every text of the shared development data and sample (none when it is absent)."""
    texts: list[str] = []
    wikiwars = SHARED / "dev" / "wikiwars" / "articles.jsonl"
    if wikiwars.exists():
        texts += [json.loads(line)["text"] for line in wikiwars.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    ucdp = SHARED / "dev" / "ucdp-ged-ukraine" / "conflict_data_ukr.csv"
    if ucdp.exists():
        with ucdp.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                texts += [row[k] for k in ("source_headline", "source_original", "where_description")
                          if row.get(k)]
    texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "samples").glob("*.txt"))]
    return tuple(texts)


@cache
def _real_sentences() -> tuple[str, ...]:
    sentences = [text[s.start : s.end] for text in _real_texts() for s in split_sentences(text)]
    if len(sentences) < 1000:
        pytest.skip("../shared is not beside the repository")
    return tuple(sentences)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict[str, tuple[int, int]]]]:
    """Every match's span and its named groups' spans."""
    return [(m.span(), {name: m.span(name) for name in pattern.groupindex}) for m in pattern.finditer(text)]


# --- lower-cased patterns ----------------------------------------------------------------

@pytest.mark.parametrize(("source", "lowered"), [
    ("KIA|(?P<n>\\d+)", "kia|(?P<n>\\d+)"),
    ("\\bLeft\\s+(?P<Big>X)(?P=Big)", "\\bleft\\s+(?P<Big>x)(?P=Big)"),
    ("[a-z]+ING\\b", "[a-z]+ing\\b"),
    ("[^\\W\\d_]x|[-a]|[a-]|[]a]|[0-9]", "[^\\W\\d_]x|[-a]|[a-]|[]a]|[0-9]"),
    ("(?<![\\w-])(?=[tl])A(?!\\w)(?<=a)", "(?<![\\w-])(?=[tl])a(?!\\w)(?<=a)"),
    ("\\S\\W\\D\\B\\A\\Z", "\\S\\W\\D\\B\\A\\Z"),
])
def test_lowered_source(source: str, lowered: str) -> None:
    assert _lowered_source(source) == lowered


@pytest.mark.parametrize("source", [
    "[A-Z]", "[0-a]", "[A]", "(?i:x)", "(?-i:x)", "(?x)a b", "\\x41", "\\u0041",
    "\\N{LATIN CAPITAL LETTER A}", "(a)\\1", "\u212a", "\u017f", "É", "[é]", "(?(1)a|b)",
])
def test_lowered_source_refuses(source: str) -> None:
    assert _lowered_source(source) is None


def test_ascii_lowered_needs_case_folding() -> None:
    assert ascii_lowered("KIA", 0) is None
    assert ascii_lowered("KIA", re.IGNORECASE | re.VERBOSE) is None
    pattern = ascii_lowered("KIA")
    assert pattern is not None and pattern.flags & re.IGNORECASE == 0


# pieces of patterns: literals in both cases, classes, anchors, look-arounds, groups
PATTERN_PIECE = st.sampled_from([
    "a", "B", "Ki", "lA", "s", "\\b", "\\s+", "\\w", "\\W", "[a-z]", "[^\\W\\d_]", "[-x]", "\\d+", "(?:Ab|c)",
    "(?=[kK])", "(?<![\\w-])", "(?!\\w)", "x?", "[A-Z]", "(?i:Q)", "[0-9]", ".", "-", "'", "[.!?]*",
])
ASCII_TEXT = st.text(alphabet="aAbBcCkKlLsSqQxXz 0-9'.,!?\n_", max_size=40)


@settings(max_examples=400, deadline=None)
@given(st.lists(PATTERN_PIECE, min_size=1, max_size=6), ASCII_TEXT)
@example(["Ki"], "KI kI Ki ki")
def test_ascii_lowered_matches_as_case_folding(pieces: list[str], text: str) -> None:
    source = f"(?P<g>{''.join(pieces)})"
    lowered = ascii_lowered(source)
    if lowered is None:  # refused: the caller keeps the case-folding pattern
        assert any(p in ("[A-Z]", "(?i:Q)", "(?=[kK])") for p in pieces)
        return
    assert _spans(lowered, text.lower()) == _spans(re.compile(source, re.IGNORECASE), text)


def test_lowered_forms_exist() -> None:
    """The shipped patterns all have a lower-case form (else the fast paths are never taken)."""
    assert _ascii_rules() is not None
    assert _lowered_clause_pattern() is not None


def test_lowered_patterns_over_real_sentences() -> None:
    """Fatalities' and clause cuts' patterns: the same matches on every real ASCII sentence."""
    rules, lowered = _rules(), _ascii_rules()
    assert lowered is not None
    pairs = [*zip((rules.cue, rules.number, rules.count_at, rules.count_start, *rules.patterns),
                  (lowered.cue, lowered.number, lowered.count_at, lowered.count_start, *lowered.patterns),
                  strict=True), (_clause_pattern(), _lowered_clause_pattern())]
    sentences = [s for s in _real_sentences() if s.isascii()]
    matched = 0
    for sentence in sentences:
        low = sentence.lower()
        for plain, fast in pairs:
            assert fast is not None
            expected = _spans(plain, sentence)
            assert _spans(fast, low) == expected, (plain.pattern[:40], sentence)
            matched += bool(expected)
    assert matched > 1000  # the sentences exercise the patterns


def _plain_fatalities(sentence: str) -> int | None:
    """Every pattern over the whole sentence, no pre-filter: the module's own reference."""
    return plain_fatalities(sentence)


def test_fatalities_over_real_sentences() -> None:
    sentences = _real_sentences()
    counted = 0
    for sentence in sentences:
        expected = _plain_fatalities(sentence)
        assert fatalities(sentence) == expected, sentence
        counted += expected is not None
    assert counted > 50


FATAL_WORD = st.sampled_from([
    "Killed", "KILLING", "kills", "at least", "More Than", "12", "1,200", "Twenty-Five", "five", "a", "an",
    "people", "Civilians", "soldiers", "were", "died", "dead", "death toll", "rose to", "claimed", "lives",
    "deaths", "KIA", "killed in action", "wounded", "2014", "F-16", "left", "a dozen", "é", "İ", "K",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(FATAL_WORD, max_size=10), st.sampled_from([" ", "  ", ", ", "\n", "-"]))
@example(["Shelling", "killed", "at least", "12", "people"], " ")
@example(["\u212aILLED", "5", "people"], " ")  # the Kelvin sign: only the case-folding path
@example(["K\u0130LLED", "5", "people"], " ")  # "İ" lower-cased is two characters
@example(["two", "rebels", "\u017flain"], " ")  # the long s
def test_fatalities_are_the_plain_ones(words: list[str], glue: str) -> None:
    sentence = glue.join(words) + "."
    assert fatalities(sentence) == _plain_fatalities(sentence)


def test_count_led_patterns_on_lowered_text() -> None:
    """``_matches_from`` with the lower-case rules: ``finditer`` of the case-folding pattern."""
    lowered = _ascii_rules()
    assert lowered is not None
    from etl.events.fatalities import _count_starts
    for sentence in (s for s in _real_sentences() if s.isascii() and any(c.isdigit() for c in s)):
        low = sentence.lower()
        starts = _count_starts(low, lowered)
        for plain, fast, led in zip(_compiled(), lowered.patterns, _count_led(), strict=True):
            if led:
                assert [m.span() for m in _matches_from(fast, low, starts)] == [
                    m.span() for m in plain.finditer(sentence)]


# --- the word before a mark, the word before a country -------------------------------------

def _plain_word_before(text: str, mark_end: int) -> str:
    before = _WORD_BEFORE.search(text[max(0, mark_end - 60) : mark_end])
    return before.group(1) if before else ""


def test_word_before_over_real_texts() -> None:
    checked = 0
    for text in _real_texts():
        for mark in _END.finditer(text):
            assert _word_before(text, mark.end()) == _plain_word_before(text, mark.end())
            checked += 1
    if checked < 1000:
        pytest.skip("../shared is not beside the repository")


MARK_TEXT = st.text(alphabet="aZ9_é .'’-!?\"”)]\n\u00a0", max_size=80)


@settings(max_examples=600, deadline=None)
@given(MARK_TEXT, st.sampled_from([".", "!", "?", ".'", ".”)", "?!]", ".'.", "'."]))
@example("U.S", ".")
@example("a" * 70, ".")
@example("x -’'", ".")
def test_word_before_is_the_plain_search(text: str, mark: str) -> None:
    joined = text + mark
    for end in range(len(joined) + 1):
        assert _word_before(joined, end) == _plain_word_before(joined, end)


@settings(max_examples=600, deadline=None)
@given(MARK_TEXT)
@example("said in Kyiv's")
@example("")
def test_last_word_read_backwards(text: str) -> None:
    before = text.rstrip()  # as ``_add_country`` has it: no final newline, where ``$`` differs
    plain = _LAST_WORD.search(before)
    fast = _LAST_WORD_REVERSED.match(before[::-1])
    assert (fast.group()[::-1] if fast else None) == (plain.group(1) if plain else None)


ROLE_WORD = st.sampled_from(["by", "the", "alongside", "together with", "along with", "according to",
                             "By", "BY", "with", "Together", "standby", "x", "by the", ","])


@settings(max_examples=400, deadline=None)
@given(st.lists(ROLE_WORD, max_size=6), st.sampled_from([" ", "  ", "\n", ""]),
       st.sampled_from([" ", "\n", "\t ", ""]))
@example(["supported", "by"], " ", " ")
@example(["fought", "by"], " ", "\n")
@example(["According to"], " ", " ")
def test_role_flags_are_the_plain_searches(words: list[str], glue: str, last: str) -> None:
    text = glue.join(words) + last + "Russia"
    start = len(text) - len("Russia")
    mention = _flag_roles(text, (start, len(text), "country", None, "RUS", None), 0)
    before = text[max(0, start - 20) : start].lower()
    assert mention.passive_agent == (_PASSIVE_BY.search(before) is not None)
    assert mention.co_actor == (_CO_ACTOR.search(before) is not None)


# --- token offsets found as far as asked ---------------------------------------------------

def _check_partial_offsets(raw: str, offset: int, questions: list[int]) -> None:
    full = Words(raw, offset).starts
    words = Words(raw, offset)
    for question in questions:
        if question % 3 == 0 and words.texts:
            index = question % len(words.texts)
            assert words.start(index) == full[index]
            assert words.end(index) == full[index] + len(words.texts[index])
        else:
            position = offset + question % (len(raw) + 2) - 1
            assert words.index_at(position) == bisect_left(full, position)
    assert words.starts == full


def test_partial_offsets_over_real_sentences() -> None:
    for number, sentence in enumerate(_real_sentences()[:3000]):
        _check_partial_offsets(sentence, number, [(number * 7 + k * 13) for k in range(6)])


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aZ9_ .,'’-\n\t\u00a0", max_size=40), st.integers(0, 30),
       st.lists(st.integers(0, 200), max_size=8))
@example("Troops left; others stayed.", 10, [23, 0, 3])
def test_partial_offsets_are_the_full_walk(raw: str, offset: int, questions: list[int]) -> None:
    _check_partial_offsets(raw, offset, questions)


# --- "to <verb>" -----------------------------------------------------------------------------

def _plain_infinitive_before(tokens: Words, first: int, last: int, clause_first: int) -> bool:
    lowers, texts = tokens.lowers, tokens.texts
    if any(lower in _cue_words("instrumental") for lower in lowers[clause_first:last]):
        return False
    for index in range(first, last):
        if lowers[index] != "to" or index + 1 >= len(lowers):
            continue
        following = texts[index + 1]
        if (following.isalpha() and following.islower() and lowers[index + 1] not in _words("determiners")
                and not (index > 0 and lowers[index - 1] in _cue_words("factive_to"))):
            return True
    return False


def test_infinitive_over_real_sentences() -> None:
    found = 0
    for sentence in _real_sentences()[:4000]:
        tokens = Words(sentence)
        size = len(tokens)
        for last in range(0, size, 3):
            for first in (0, max(0, last - 6)):
                for clause_first in (0, first):
                    expected = _plain_infinitive_before(tokens, first, last, clause_first)
                    assert _infinitive_before(tokens, first, last, clause_first) == expected
                    found += expected
    assert found > 100


# --- date mentions dated once ----------------------------------------------------------------

TEXT = ("It began on December 10 and went on for three days; then Dec 30, over the past two weeks, "
        "that day, for a month, and a year later.")


def _row(mention_id: str, surface: str, value: str, kind: str, start: date | None = None,
         end: date | None = None) -> MentionRow:
    at = TEXT.index(surface)
    return MentionRow(mention_id, at, at + len(surface), value, kind, start, end, surface)


MENTIONS = [
    _row("m1", "December 10", "2024-12-10", "DATE", date(2024, 12, 10)),
    _row("m2", "three days", "P3D", "DURATION"),
    _row("m3", "Dec 30", "2024-12-30", "DATE", date(2024, 12, 30)),
    _row("m4", "two weeks", "P2W", "DURATION"),
    _row("m5", "that day", "2024-12-15", "DATE", date(2024, 12, 15), date(2024, 12, 16)),
    _row("m6", "a month", "P1M", "DURATION"),
    _row("m7", "a year", "P1Y", "DURATION"),
]


@pytest.mark.parametrize("published", [date(2024, 12, 17), None])
def test_dates_worked_out_once_are_the_same(published: date | None) -> None:
    dates = DateMentions(MENTIONS, published, TEXT)
    for mention in MENTIONS * 2:
        before = TEXT[max(0, mention.start - 30) : mention.start]
        assert dates.date_of(mention) == date_from_mention(mention, published, before)
    for start, end, anchor in [(0, 120, 40), (0, 50, 12), (30, 100, 95), (50, 60, 0)]:
        assert governing_date(MENTIONS, start, end, anchor, published, TEXT, dates.date_of) == governing_date(
            MENTIONS, start, end, anchor, published, TEXT)
    assert dates.date_of(MENTIONS[1]) is not None or published is None


def _plain_clauses(text: str, sentence: Segment) -> list[Segment]:
    """``split_clauses`` as it was: the case-folding pattern over the sentence as it is."""
    body = text[sentence.start : sentence.end]
    cuts = [0]
    for match in _clause_pattern().finditer(body):
        cut = match.start() + len(match.group()) - len(match.group().lstrip(",; "))
        if cut - cuts[-1] >= 3:
            cuts.append(cut)
    cuts.append(len(body))
    clauses = []
    for begin, finish in pairwise(cuts):
        piece = body[begin:finish].rstrip(",; ")
        if piece.strip():
            start = sentence.start + begin
            clauses.append(Segment(start, start + len(piece), sentence.paragraph))
    return clauses


def test_clauses_of_real_sentences_are_cut_alike() -> None:
    checked = 0
    for text in _real_texts():
        for sentence in split_sentences(text):
            clauses = split_clauses(text, sentence)
            assert clauses == _plain_clauses(text, sentence)
            checked += len(clauses) > 1
    if checked < 100:
        pytest.skip("../shared is not beside the repository")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Troops", "İ", "\u212a", ", WHILE", ", while", "; ", ", Killing",
                                 ", killing", ", during", " As well as ", "x", "ſ", ", which"]), max_size=8))
@example(["İİ", ", WHILE", "x"])
def test_clauses_are_cut_alike(pieces: list[str]) -> None:
    text = " ".join(pieces) + "."
    sentence = Segment(0, len(text), 0)
    assert split_clauses(text, sentence) == _plain_clauses(text, sentence)


def _plain_as_date(value: Any) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


class _Text(str):
    """A str subclass: not the fast path's exact type."""


CELLS = [None, float("nan"), pd.NA, pd.NaT, "", "x", _Text("y"), 3, 2.5, date(2024, 12, 17),
         datetime(2024, 12, 17, 13, 5), pd.Timestamp("2024-12-17 10:00"), "2024-12-17", "nonsense"]


@pytest.mark.parametrize("value", CELLS)
def test_cells_read_as_before(value: Any) -> None:
    """The fast paths for ``str`` and ``date`` cells give what the pandas checks gave."""
    plain_text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    assert _text(value) == plain_text and type(_text(value)) is type(plain_text)
    # repr: pd.NA and "" give NaT (as they did), which equals nothing
    assert repr(_as_date(value)) == repr(_plain_as_date(value))
