"""Fatalities: the number killed when the text states one, None when it does not.

Injured, wounded, captured and missing people are never counted, and no number is guessed:
"reports of casualties" gives None, never 0.

    >>> fatalities("The death toll rose to 28."), fatalities("Shelling wounded 5 people.")
    (28, None)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import NamedTuple

from etl.events.resources import fatality_patterns
from etl.events.text import ascii_lowered
from etl.wordlists import literal_alternation

_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


@cache
def _cue() -> re.Pattern[str]:
    """Any death word of ``fatalities.toml``: a sentence without one states no toll."""
    cues = "|".join(re.escape(c) for c in fatality_patterns()["cues"])
    return re.compile(rf"\b(?:{cues})", re.IGNORECASE)


@cache
def _number() -> str:
    """What ``{N}`` stands for: a count, in digits or words."""
    word_alt = literal_alternation(fatality_patterns()["numbers"])
    tens = "|".join(_TENS)
    units = "one|two|three|four|five|six|seven|eight|nine"
    # a count starts a word: "often died" states no ten deaths
    return rf"\b(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|(?:{tens})[- ](?:{units})|{word_alt})"


def _expand(pattern: str) -> str:
    """A pattern of ``fatalities.toml`` with ``{Q}``, ``{N}`` and ``{V}`` written out."""
    data = fatality_patterns()
    return (pattern.replace("{Q}", data["quantifiers"]).replace("{N}", _number())
            .replace("{V}", data["victims"]))


@cache
def _compiled() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(_expand(pattern), re.IGNORECASE) for pattern in fatality_patterns()["patterns"])


_COUNT = "{Q}{N}"  # how the count-led patterns start


@cache
def _count_led() -> tuple[bool, ...]:
    """For each pattern, whether it starts with a (quantified) count: "at least 12 civilians died"."""
    return tuple(pattern.startswith(_COUNT) for pattern in fatality_patterns()["patterns"])


@cache
def _count_start() -> re.Pattern[str]:
    """Where a quantified count starts: a count-led pattern's match can start nowhere else."""
    return re.compile(f"(?={_expand(_COUNT)})", re.IGNORECASE)


# The form of ``quantifiers`` whose phrases `_count_starts` can step back over: an optional
# group of plain lower-case phrases, each followed by white space.
_PHRASE = r"[a-z]+(?: [a-z]+)*"
_QUANTIFIER_FORM = re.compile(rf"\(\?:\(\?:(?P<phrases>{_PHRASE}(?:\|{_PHRASE})*)\)\\s\+\)\?")


@cache
def _quantifier_lengths() -> tuple[int, ...] | None:
    """The lengths of the quantifier phrases ("at least": 8), or None if ``quantifiers`` has
    another form. A plain phrase matches as many characters as it has, case-insensitively too."""
    form = _QUANTIFIER_FORM.fullmatch(fatality_patterns()["quantifiers"])
    if form is None:
        return None
    return tuple(sorted({len(phrase) for phrase in form.group("phrases").split("|")}))


@cache
def _count_at() -> re.Pattern[str]:
    """``{Q}{N}`` itself: ``match`` at a position says whether a quantified count starts there."""
    return re.compile(_expand(_COUNT), re.IGNORECASE)


def _count_starts(sentence: str, rules: _Rules | None = None) -> list[int]:
    """Where a quantified count starts, in order: ``[m.start() for m in _count_start().finditer(sentence)]``.

    A count starts where ``{N}`` matches, or where a quantifier phrase ends in the white space
    before such a place ("at least 12"); only those places are tried (the look-ahead pattern
    would be tried at every position of the sentence).

        >>> _count_starts("Shelling killed at least 12 people and three soldiers.")
        [16, 25, 39]
    """
    rules = rules or _rules()
    lengths = _quantifier_lengths()
    if lengths is None:
        return [m.start() for m in rules.count_start.finditer(sentence)]
    number = rules.number
    candidates: set[int] = set()
    at = 0
    while (found := number.search(sentence, at)) is not None:
        start = found.start()
        candidates.add(start)
        gap = start  # a phrase ends in a letter, then white space up to the number
        while gap > 0 and sentence[gap - 1].isspace():
            gap -= 1
        if gap < start:
            candidates.update(gap - length for length in lengths if gap >= length)
        at = start + 1
    count_at = rules.count_at
    return [start for start in sorted(candidates) if count_at.match(sentence, start)]


def _matches_from(pattern: re.Pattern[str], sentence: str, starts: Sequence[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(sentence)`` for a pattern whose matches start only at ``starts`` (ascending).

    ``finditer`` takes the leftmost match, then goes on after it; tried only where a match may
    start, in order, the first that matches is that leftmost one. A count-led pattern tried at
    every position costs the most of all: its count (with the quantifier before it) is looked
    for once, for all of them.
    """
    resume = 0
    for start in starts:
        if start < resume:
            continue
        match = pattern.match(sentence, start)
        if match is not None:
            yield match
            resume = match.end()  # never empty: it holds a count


@cache
def _any_number() -> re.Pattern[str]:
    """``{N}`` alone: where it matches nowhere, no pattern stating a count with it can match."""
    return re.compile(_number(), re.IGNORECASE)


@cache
def _states_number() -> tuple[bool, ...]:
    """For each pattern, whether it has a ``{N}`` (what it matches holds a match of ``{N}``)."""
    return tuple("{N}" in pattern for pattern in fatality_patterns()["patterns"])


@cache
def _number_words() -> dict[str, int]:
    return {**fatality_patterns()["numbers"], "a": 1, "an": 1}


def parse_number(text: str) -> int | None:
    """A stated count as an int: ``parse_number("twenty-five") == 25``, ``parse_number("1,200") == 1200``."""
    words = _number_words()
    cleaned = text.lower().replace(",", "").strip()
    if cleaned.isdigit():
        return int(cleaned)
    if cleaned in words:
        return int(words[cleaned])
    parts = re.split(r"[- ]", cleaned)
    if len(parts) == 2 and all(p in words for p in parts):
        return int(words[parts[0]]) + int(words[parts[1]])
    return None


class _Rules(NamedTuple):
    """The compiled patterns, in one of two forms (case-folding, or for lower-cased ASCII text)."""

    cue: re.Pattern[str]
    number: re.Pattern[str]
    count_at: re.Pattern[str]
    count_start: re.Pattern[str]
    patterns: tuple[re.Pattern[str], ...]


@cache
def _rules() -> _Rules:
    """The patterns as written: case-insensitive, for any text."""
    return _Rules(_cue(), _any_number(), _count_at(), _count_start(), _compiled())


@cache
def _ascii_rules() -> _Rules | None:
    """The same patterns for lower-cased ASCII text, matching without case-folding (None if one
    has no such form). Case-folding costs ``re`` its first-character skips: the count-led
    patterns, tried at every count, ran 2-3 times slower."""
    lowered = [ascii_lowered(p.pattern, p.flags) for p in (*_rules()[:4], *_compiled())]
    if any(p is None for p in lowered):
        return None
    cue, number, count_at, count_start, *patterns = lowered
    return _Rules(cue, number, count_at, count_start, tuple(patterns))  # type: ignore[arg-type]


def fatalities(sentence: str) -> int | None:
    """The largest number of dead the sentence states ("killed 12", "death toll rose to 28")."""
    # ASCII text lower-cased once is matched without case-folding: the same spans, cheaper
    rules = _ascii_rules() if sentence.isascii() else None
    text = sentence.lower() if rules is not None else sentence
    rules = rules or _rules()
    if not rules.cue.search(text):  # most sentences name no death: skip the big patterns
        return None
    # a sentence without any count skips the patterns that need one (costly: those led by a
    # count are tried at every position of the sentence)
    has_number = rules.number.search(text) is not None
    count_starts: list[int] | None = None
    found = []
    for pattern, states_number, count_led in zip(rules.patterns, _states_number(), _count_led(), strict=True):
        if states_number and not has_number:
            continue
        if count_led:
            if count_starts is None:
                count_starts = _count_starts(text, rules)
            matches: Iterator[re.Match[str]] = _matches_from(pattern, text, count_starts)
        else:
            matches = pattern.finditer(text)
        for match in matches:
            # the count's digits and offsets are the sentence's (lower-casing keeps both)
            value = parse_number(match.group("n"))
            if value is not None and _plausible(sentence, match, value):
                found.append(value)
    return max(found) if found else None


# More dead than any war has had: a number like this is an id or an amount, never a count
# (and past 64 bits it could not even be stored).
MAX_COUNT = 100_000_000


def _plausible(sentence: str, match: re.Match[str], value: int) -> bool:
    """Not a year ("killed in 2014 ...") nor a number glued to a unit ("F-16", "10-nation"),
    nor more dead than any war ("killing 99999999999 people")."""
    if value > MAX_COUNT:
        return False
    start = match.start("n")
    if start > 0 and sentence[start - 1] in "-/.":
        return False
    return not (1900 <= value <= 2100 and match.group("n").isdigit())
