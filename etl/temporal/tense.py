"""Which way in time a sentence points: the cue nearest to a date mention decides.

>>> direction("Talks will be held on January 20.", 22)
'future'
>>> direction("Troops seized the town on Friday.", 25)
'past'
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cache, lru_cache
from itertools import accumulate
from operator import itemgetter

from etl.temporal.grammar import lexicon

_TOKEN_SPLIT = re.compile(r"([A-Za-z']+)")
_LOWER_TOKEN_SPLIT = re.compile(r"([a-z']+)")
# The only character outside [A-Za-z'] whose lower-case form is one character inside it: the Kelvin
# sign (to "k"). "İ" lower-cases to two characters, which the length test catches.
_LOWERS_TO_LETTER = "\u212a"
# r"[.!?]\s+(?=[A-Z\"“(])|\n" written to start with a character set, which the regex engine jumps to.
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=\n)|\s+(?=[A-Z\"“(]))")
# A participle right after these is not a past event but a future or modal one ("will be held").
_FUTURE_AUX = {"will", "would", "shall", "'ll", "to", "going"}
_AUX_GAP = {"be", "been", "have", "not"}
AFTER_PENALTY = 3
_CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:and|but|that|which|while|as)\b")
# A date opening its sentence ("On Friday, gunmen killed ...", "In January, rebels seized ...") is a
# fronted adverbial: the comma after it ends the adverbial, not a clause, and the verb after it is
# the one the date belongs to. Only these words may stand before such a date in its sentence,
# after a dateline ("KANO, Nigeria - On Friday, gunmen killed ...").
_FRONTED = re.compile(
    r"(?:[^\n]{0,80}?\s[-–—]{1,2}\s)?"
    r"[\s\"“‘'(]*(?:(?:on|in|at|by|during|early|late|until|till|since|from|through|and|but|then)\s+)*",
    re.IGNORECASE,
)
_COMMA_AFTER = re.compile(r"\s*,")
# A gap up to this long between a mention and the cue after it is searched for a clause break
# directly; a longer one by bisecting the sentence's breaks, found once (a run-on sentence).
_NEAR = 160
_OFFSET = itemgetter(0)  # of a cue (offset, kind)


@cache
def _cues() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    lex = lexicon()
    return (
        frozenset(lex["past_cue_words"]),
        frozenset(w for w in lex["future_cue_words"] if " " not in w),
        frozenset(lex["not_past_ed"]),
    )


@cache
def _future_phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Future cues of several words by first word: ``_future_phrases()["due"]`` holds ``("on",)``."""
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for cue in lexicon()["future_cue_words"]:
        words = cue.lower().split()
        if len(words) > 1:
            phrases.setdefault(words[0], []).append(tuple(words[1:]))
    return {first: tuple(rests) for first, rests in phrases.items()}


@lru_cache(maxsize=8)
def _sentence_breaks(text: str) -> tuple[list[int], list[int]]:
    """Sentence end offsets (exclusive) and next-sentence start offsets of a text, computed once."""
    found = list(_SENTENCE_END.finditer(text))
    return [m.start() + 1 for m in found], [m.end() for m in found]


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end offsets of the sentence holding ``position`` (a cheap splitter, no model)."""
    ends, starts = _sentence_breaks(text)
    i = bisect_right(starts, position)
    start = starts[i - 1] if i else 0
    j = bisect_left(ends, position + 1)
    return start, (ends[j] if j < len(ends) else len(text))


@cache
def _word_kinds() -> dict[str, str]:
    """Listed cue word -> its kind: ``_word_kinds()["will"] == "future"``."""
    past, future, _ = _cues()
    kinds = dict.fromkeys(past, "past")
    kinds.update(dict.fromkeys(future, "future"))
    return kinds


def _cue_kind(words: list[str], i: int) -> str | None:
    kinds = _word_kinds()
    w = words[i]
    rests = _future_phrases().get(w)
    if rests and any(tuple(words[i + 1 : i + 1 + len(rest)]) == rest for rest in rests):
        return "future"  # "due on", "set to": the phrase, not its first word alone
    kind = kinds.get(w)
    if kind == "future":
        return "future"
    is_past = kind == "past" or (len(w) > 4 and w.endswith("ed") and w not in _cues()[2])
    if not is_past:
        return None
    back = [x for x in words[max(0, i - 3) : i] if x not in _AUX_GAP]
    if back and back[-1] in _FUTURE_AUX:
        return "future"
    return "past"


@lru_cache(maxsize=256)
def _sentence_cues(text: str, s_start: int, s_end: int) -> tuple[tuple[int, str], ...]:
    """(offset, 'past' | 'future') of every tense cue in one sentence, computed once per sentence."""
    sentence = text[s_start:s_end]
    lowered = sentence.lower()
    if len(lowered) == len(sentence) and _LOWERS_TO_LETTER not in sentence:
        # One character to one, and a character is a token character exactly when its lower-case
        # form is (tests/temporal/test_exact_shortcuts13.py checks every code point): the lower-cased
        # sentence splits into the same parts, lower-cased.
        parts = _LOWER_TOKEN_SPLIT.split(lowered)
        words = parts[1::2]
    else:
        parts = _TOKEN_SPLIT.split(sentence)  # gap, word, gap, word, ..., gap
        # Tokens are ASCII letters and apostrophes: lower-casing them joined is lower-casing each.
        words = " ".join(parts[1::2]).lower().split(" ")
    if len(parts) == 1:
        return ()
    kinds = _word_kinds()
    phrases = _future_phrases()
    # Most words are no cue: only listed words, first words of phrases and "-ed" forms need the
    # full test.
    maybe = [i for i, w in enumerate(words) if w in kinds or w.endswith("ed") or w in phrases]
    if not maybe:
        return ()
    ends = list(accumulate(map(len, parts)))  # word i starts where part 2i (its gap) ends
    cues = []
    for i in maybe:
        kind = _cue_kind(words, i)
        if kind is not None:
            cues.append((s_start + ends[2 * i], kind))
    return tuple(cues)


@lru_cache(maxsize=256)
def _clause_breaks(text: str, s_start: int, s_end: int) -> tuple[list[int], list[int]]:
    """Start and end offsets of the clause breaks of one sentence, found in one pass."""
    found = list(_CLAUSE_BREAK.finditer(text, s_start, s_end))
    return [m.start() for m in found], [m.end() for m in found]


def _break_between(text: str, s_start: int, s_end: int, start: int, end: int) -> bool:
    """``_CLAUSE_BREAK.search(text, start, end)`` found, by bisecting, when text[end - 1] is no letter.

    The search sees the text cut at ``end``: a word ending there counts as whole ("and" in "andes").
    Only a letter before ``end`` can end such a word; a cue starts a token, so none does.
    """
    starts, ends = _clause_breaks(text, s_start, s_end)
    # Breaks do not overlap: the first one starting at ``start`` or later also ends first.
    i = bisect_left(starts, start)
    return i < len(starts) and ends[i] <= end


def direction(text: str, position: int, span_end: int | None = None) -> str | None:
    """'past', 'future' or None (no cue) for a mention at ``position`` in ``text``."""
    s_start, s_end = sentence_bounds(text, position)
    span_end = position if span_end is None else span_end
    cues = _sentence_cues(text, s_start, s_end)
    if not cues:
        return None
    if span_end < position:
        return _direction_by_scan(text, position, span_end, cues)
    # A date usually follows the verb it dates ("seized ... on Friday"): the nearest cue before the
    # mention wins, and a cue after it only when nearer even at AFTER_PENALTY times its distance.
    # The mention's own words ("last Friday") are handled by its rule: no cue inside it counts.
    # Bisecting, not looping over the cues, keeps a long run-on sentence linear.
    before = bisect_left(cues, position, key=_OFFSET) - 1
    best = (position - cues[before][0], cues[before][1]) if before >= 0 else None
    after = bisect_left(cues, span_end, key=_OFFSET)
    if after < len(cues):
        pos, kind = cues[after]
        distance = AFTER_PENALTY * (pos - span_end)
        if best is None or distance < best[0]:
            # A cue in the next clause ("... on Sunday and will travel ...") dates another verb; so
            # do the cues after it, as the same break lies before them (unless the break is a word
            # ending right at the cue, as the search sees it: see _break_between).
            if text[pos - 1 : pos].isascii() and text[pos - 1 : pos].isalpha():
                return _direction_by_scan(text, position, span_end, cues)  # no cue starts so: a safety net
            after_date = _fronted_comma_end(text, s_start, position, span_end)
            if pos - span_end <= _NEAR:
                broken = _CLAUSE_BREAK.search(text, after_date, pos) is not None
            else:
                broken = _break_between(text, s_start, s_end, after_date, pos)
            if not broken:
                best = (distance, kind)
    return best[1] if best else None


def _fronted_comma_end(text: str, s_start: int, position: int, span_end: int) -> int:
    """Where to look for a clause break after a mention: past the comma closing a fronted date.

        >>> _fronted_comma_end("On Friday, gunmen killed 12.", 0, 3, 9)
        10
        >>> _fronted_comma_end("Gunmen struck on Friday, police said.", 0, 17, 23)
        23
    """
    comma = _COMMA_AFTER.match(text, span_end)
    if comma is None or _FRONTED.fullmatch(text, s_start, position) is None:
        return span_end
    return comma.end()


def _direction_by_scan(
    text: str, position: int, span_end: int, cues: tuple[tuple[int, str], ...]
) -> str | None:
    """``direction`` cue by cue as first written: for a span ending before it starts, a cue inside a word."""
    best: tuple[int, str] | None = None
    after_date = _fronted_comma_end(text, sentence_bounds(text, position)[0], position, span_end)
    for pos, kind in cues:
        if position <= pos < span_end:
            continue
        if pos >= span_end and _CLAUSE_BREAK.search(text, after_date, pos):
            continue
        distance = position - pos if pos < position else AFTER_PENALTY * (pos - span_end)
        if best is None or distance < best[0]:
            best = (distance, kind)
    return best[1] if best else None
