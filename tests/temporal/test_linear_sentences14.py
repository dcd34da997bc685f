"""Speed pass 14: a long sentence with no clause break costs time in proportion to its length.

- ``tense.direction`` bisects a sentence's cues for the nearest one before and after a mention,
  and looks for a clause break before a far cue by bisecting the sentence's breaks, found once;
  it used to test every cue of the sentence, searching the text between each later cue and the
  mention: cubic in the length of a run-on sentence ("... shelled Kharkiv on Friday ..." * 800).
- ``complete_ranges`` asks whether a range end overlaps a mention by bisection, not mention by
  mention.

Each is checked against the code it replaces (written out here as the reference) on the real
sentences of ``../shared`` and the gold, on tricky strings and on generated sentences; the work
done (cues read, characters searched) is counted, not timed, at one size and four times that.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, SupportsIndex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.temporal import resolve, tense
from tests.temporal.test_exact_shortcuts13 import SHARED, all_texts

REFERENCE_DAY = dt.date(2024, 12, 17)
# With ../shared present (WikiWars, the UCDP file), many more real sentences are compared.
WITH_SHARED = (SHARED / "dev" / "wikiwars" / "articles.jsonl").is_file()


def reference_direction(text: str, position: int, span_end: int | None = None) -> str | None:
    """``tense.direction`` as it was before pass 14: every cue of the sentence, one by one."""
    s_start, s_end = tense.sentence_bounds(text, position)
    span_end = position if span_end is None else span_end
    best: tuple[int, str] | None = None
    # Session 15: the comma closing a fronted date ("On Friday, gunmen killed") is no clause break.
    after_date = tense._fronted_comma_end(text, s_start, position, span_end)
    for pos, kind in tense._sentence_cues(text, s_start, s_end):
        if position <= pos < span_end:
            continue
        if pos >= span_end and tense._CLAUSE_BREAK.search(text, after_date, pos):
            continue
        distance = position - pos if pos < position else tense.AFTER_PENALTY * (pos - span_end)
        if best is None or distance < best[0]:
            best = (distance, kind)
    return best[1] if best else None


@pytest.fixture(params=["near", "far"])
def near(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of finding a clause break: searching the gap, and bisecting (as if every gap were far)."""
    if request.param == "far":
        monkeypatch.setattr(tense, "_NEAR", -1)
    return str(request.param)


def mention_spans(text: str) -> Iterator[tuple[int, int | None]]:
    """The spans the pipeline asks about (chosen matches), each also without its end."""
    for m in resolve.choose(resolve.find_matches(text)):
        yield m.start, m.end
        yield m.start, None


def word_spans(text: str) -> Iterator[tuple[int, int | None]]:
    """Every word of the text as a span, and the word with the next one: more cases than mentions."""
    starts = [m.start() for m in re.finditer(r"\w+", text)]
    ends = [m.end() for m in re.finditer(r"\w+", text)]
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        yield start, end
        if k + 1 < len(ends):
            yield start, ends[k + 1]


def test_direction_as_before_on_mentions_of_real_texts(near: str) -> None:
    compared = 0
    for text in all_texts():
        for start, end in mention_spans(text):
            expected = reference_direction(text, start, end)
            assert tense.direction(text, start, end) == expected, (near, text[start:])
            compared += 1
    assert compared > (10_000 if WITH_SHARED else 300)


def test_direction_as_before_on_every_word_of_real_texts(near: str) -> None:
    compared = 0
    futures = 0
    for text in all_texts()[::3]:  # a third of them: every word is many calls
        for start, end in word_spans(text):
            expected = reference_direction(text, start, end)
            assert tense.direction(text, start, end) == expected, (near, text[start:])
            compared += 1
            futures += expected == "future"
    assert compared > (100_000 if WITH_SHARED else 1000)
    assert futures > (1000 if WITH_SHARED else 10)  # both directions were seen


# Sentences made of cue words, clause breaks and words that hold one ("andes", "sand"), dates,
# and the characters next to which a word boundary is odd (digits, "_", "é", the Kelvin sign).
WORDS = [
    "will", "would", "to", "be", "been", "have", "not", "going", "'ll", "said", "seized", "attacked",
    "killed", "fired", "needed", "agreed", "held", "expected", "plans", "next", "last", "ago",
    "and", "but", "that", "which", "while", "as", "AND", "andes", "sand", "asked", "thatch",
    "Friday", "May", "5", "12", "December", "2024", "on", "the", "troops", "talks",
    "_", "\u00e9t\u00e9", "\u212aed", "x5", "5and", "and_",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", " ", ", ", "; ", ": ", ". ", ".\n", "\n", "-", "'", "\u2019", " (", ") "]
sentences = st.lists(st.sampled_from(WORDS) | st.sampled_from(SEPARATORS), max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(sentences, st.data())
def test_direction_as_before_on_generated_sentences(text: str, data: st.DataObject) -> None:
    for near_limit in (tense._NEAR, -1):
        saved, tense._NEAR = tense._NEAR, near_limit
        try:
            for _ in range(8):
                position = data.draw(st.integers(0, max(0, len(text) - 1)))
                span_end = data.draw(st.none() | st.integers(0, len(text)))  # before the start too
                got = tense.direction(text, position, span_end)
                assert got == reference_direction(text, position, span_end), (near_limit, position, span_end)
        finally:
            tense._NEAR = saved


@settings(max_examples=300, deadline=None)
@given(sentences, st.data())
def test_direction_as_before_with_cues_anywhere(text: str, data: st.DataObject) -> None:
    """Cues at any offset, in a word too ("sand|will"): exact even where no real cue starts."""
    offsets = data.draw(st.sets(st.integers(0, max(0, len(text) - 1)), max_size=12))
    kinds = {pos: data.draw(st.sampled_from(["past", "future"])) for pos in sorted(offsets)}

    def cues_anywhere(text: str, s_start: int, s_end: int) -> tuple[tuple[int, str], ...]:
        return tuple((pos, kind) for pos, kind in kinds.items() if s_start <= pos < s_end)

    saved_cues, saved_near = tense._sentence_cues, tense._NEAR
    tense._sentence_cues = cues_anywhere  # type: ignore[assignment]
    try:
        for near_limit in (saved_near, -1):
            tense._NEAR = near_limit
            for _ in range(6):
                position = data.draw(st.integers(0, max(0, len(text) - 1)))
                span_end = data.draw(st.none() | st.integers(0, len(text)))
                got = tense.direction(text, position, span_end)
                assert got == reference_direction(text, position, span_end), (near_limit, position, span_end)
    finally:
        tense._sentence_cues, tense._NEAR = saved_cues, saved_near


@pytest.mark.parametrize("near_limit", [tense._NEAR, -1])
def test_a_break_cut_off_by_a_cue_inside_a_word(near_limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cue inside "andes" sees "and" before it (the search stops there); the next cue does not."""
    text = "On Friday andes will come."
    cues = ((text.index("es"), "past"), (text.index("will"), "future"))
    monkeypatch.setattr(tense, "_sentence_cues", lambda t, a, b: cues)
    monkeypatch.setattr(tense, "_NEAR", near_limit)
    assert reference_direction(text, 0, 9) == "future"
    assert tense.direction(text, 0, 9) == "future"


@pytest.mark.parametrize(
    ("text", "position", "span_end", "expected"),
    [
        ("Troops seized the town on Friday.", 25, 32, "past"),
        ("Talks will be held on January 20.", 22, 32, "future"),
        # The cue after the mention counts when no clause break lies between them ...
        ("On Friday troops will attack.", 0, 9, "future"),
        # ... and not when one does, wherever the gap is searched.
        ("On Friday and troops will attack.", 0, 9, None),
        ("On Friday" + " x" * 200 + " and troops will attack.", 0, 9, None),
        ("On Friday" + " x" * 200 + " troops will attack.", 0, 9, "future"),
        # "andes" holds no break; a near cue after the mention beats a farther one before it.
        ("On Friday andes troops will attack.", 0, 9, "future"),
        ("The talks held last Friday will resume.", 15, 26, "future"),
        ("The talks held last Friday, and will resume.", 15, 26, "past"),
    ],
)
def test_direction_examples(text: str, position: int, span_end: int, expected: str | None) -> None:
    assert tense.direction(text, position, span_end) == expected
    assert reference_direction(text, position, span_end) == expected


# ------------------------------------------------------------------------------ work counted


class CountedCues(tuple[tuple[int, str], ...]):
    """A sentence's cues that count how many are read, one at a time or by iterating."""

    reads = 0

    def __getitem__(self, index: Any) -> Any:
        CountedCues.reads += 1
        return super().__getitem__(index)

    def __iter__(self) -> Iterator[tuple[int, str]]:
        for i in range(len(self)):
            yield self[i]

    def index(self, value: Any, start: SupportsIndex = 0, stop: SupportsIndex = 2**62) -> int:
        raise AssertionError("not used")  # pragma: no cover


class CountedBreaks:
    """``_CLAUSE_BREAK`` that counts the characters it is asked to search."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.chars = 0

    def search(self, text: str, pos: int = 0, endpos: int = 2**62) -> re.Match[str] | None:
        self.chars += max(0, min(endpos, len(text)) - pos)
        return self.pattern.search(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = 2**62) -> Iterator[re.Match[str]]:
        self.chars += max(0, min(endpos, len(text)) - pos)
        return self.pattern.finditer(text, pos, endpos)


RUN_ON = [
    "Russian forces shelled Kharkiv on Friday ",  # the reviewer's sentence: a cue after each date
    "on Friday and Saturday ",  # no cue at all
    "12 December 2024 ",  # dates only, then one cue at the very end
    "the talks that will be held on 5 May ",  # future cues, and a break before each
    "shelled on 12 December 2024 then last week 3 days ago in March 2023 on Friday the 2nd of May ",
]


def work(unit: str, repeats: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, int, int]:
    """Cues read, characters searched for breaks, ``direction`` calls and cues, for a run-on sentence."""
    text = "T\n\n" + unit * repeats + " troops seized it."
    breaks = CountedBreaks(tense._CLAUSE_BREAK)
    plain_cues, plain_direction = tense._sentence_cues, tense.direction
    calls = 0

    def counted_direction(text: str, position: int, span_end: int | None = None) -> str | None:
        nonlocal calls
        calls += 1
        return plain_direction(text, position, span_end)

    monkeypatch.setattr(tense, "_CLAUSE_BREAK", breaks)
    monkeypatch.setattr(tense, "_sentence_cues", lambda t, a, b: CountedCues(plain_cues(t, a, b)))
    monkeypatch.setattr(resolve, "direction", counted_direction)
    CountedCues.reads = 0
    resolve.find(text, REFERENCE_DAY)
    monkeypatch.undo()
    s_start, s_end = tense.sentence_bounds(text, len(text) - 1)
    return CountedCues.reads, breaks.chars, calls, len(plain_cues(text, s_start, s_end))


@pytest.mark.parametrize("unit", RUN_ON)
def test_tense_work_grows_linearly_with_a_run_on_sentence(unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _, chars_1, calls_1, _ = work(unit, 60, monkeypatch)
    reads_4, chars_4, calls_4, cues_4 = work(unit, 240, monkeypatch)
    assert calls_1 >= 60 and calls_4 >= 4 * calls_1 - 4  # every repeat holds a dated mention
    # The code before pass 14 read every cue of the sentence for every mention (here hundreds)
    # and searched the text up to each later one: up to 64 times the characters at four times
    # the length. Two bisections read about 2 log2(cues) cues, and the cues found a few more.
    assert reads_4 <= calls_4 * (2 * cues_4.bit_length() + 4), (reads_4, calls_4, cues_4)
    assert chars_4 <= 4.5 * max(chars_1, 1), (chars_1, chars_4)


# ------------------------------------------------------------------------------ overlaps


def reference_overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """How ``complete_ranges`` asked before pass 14: span by span."""
    return any(s < end and start < e for s, e in spans)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)).map(lambda t: (t[0], sum(t))), max_size=12),
    st.lists(st.tuples(st.integers(0, 70), st.integers(-2, 12)), max_size=12),
)
def test_overlap_test_as_before(spans: list[tuple[int, int]], queries: list[tuple[int, int]]) -> None:
    overlaps = resolve._overlap_test(spans)
    for start, width in queries:  # empty and reversed queries too
        assert overlaps(start, start + width) == reference_overlaps(spans, start, start + width)


def test_complete_ranges_as_before_on_real_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    found_new = [resolve.find(text, REFERENCE_DAY) for text in all_texts()]
    monkeypatch.setattr(resolve, "_overlap_test", lambda spans: lambda s, e: reference_overlaps(spans, s, e))
    found_old = [resolve.find(text, REFERENCE_DAY) for text in all_texts()]
    assert found_new == found_old
    assert sum(r.rule == "day_range" for found in found_new for r in found) > 0  # ranges were completed
