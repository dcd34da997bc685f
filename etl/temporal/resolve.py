"""From grammar matches to resolved mentions: choose spans, then normalize them in text order.

Resolution keeps two anchors: the reference date (publication) and the narrative anchor (the
last calendar date the text itself set). Deictic words ("yesterday", "last week", weekdays)
use the reference date in news and the narrative anchor in history, where those counting from
the writer's now ("last week", "this year", "two days ago") do so only in the paragraph that set
it; anaphoric words ("the next day", "two weeks later", "that summer") always use the narrative
anchor when there is one.

    >>> [m.value for m in find("On 24 February 2022 Russia invaded. Two weeks later ...", None)]
    ['2022-02-24', '2022-W10']
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, chain
from typing import Any, NamedTuple

from etl.temporal.grammar import (
    GAP,
    NUMBER_CLASSES,
    Rule,
    gap_key,
    lexicon,
    rules,
    start_pattern,
    trigger_classes,
)
from etl.temporal.tense import direction, sentence_bounds
from etl.temporal.values import SEASON_MONTHS, Cal, at_granularity, from_date, shift
from etl.wordlists import literal_alternation

# The word before a match is what r"([A-Za-z]+-?)\W*$" finds in the 30 characters before it;
# that search tries every position, so _word_before matches this on the reversed slice instead.
_WORD_BEFORE_REVERSED = re.compile(r"\W*([A-Za-z]+)")
_WORD_AFTER = re.compile(r"^\W{0,2}([A-Za-z]+)")
ROLLOVER = False
FUTURE_WINDOW_DAYS = 90  # with no tense cue, a date this close ahead may be meant
NARRATIVE_MIN_YEARS = 6  # a text needs this many explicit years before it can count as history
NEAR_YEARS = 1  # years this close to the publication year are news, not history
ASIDE_YEARS = 10  # a jump larger than this must be confirmed by a second mention
# In news, a yearless day this close to publication (its publication-relative reading) is the
# current story ("On December 16" in a 2024-12-17 article), whatever year the paragraph set before.
RECENT_DAYS = 31
_UNIT_GRAN = {"D": "day", "W": "week", "M": "month", "Y": "year", "DE": "decade", "CE": "century"}


class Match(NamedTuple):
    """A grammar match before resolution (a named tuple: built tens of times per article, cheaply)."""

    start: int
    end: int
    rule: Rule
    groups: dict[str, str]


class Resolved(NamedTuple):
    """A resolved mention (the public ``Mention`` is built from this; a named tuple, cheap to build)."""

    start: int
    end: int
    text: str
    type: str
    value: str
    date_start: dt.date | None
    date_end: dt.date | None
    granularity: str | None
    anchor: str | None
    anchor_value: str | None
    rule: str
    tense: str | None


@cache
def _sets() -> dict[str, frozenset[str]]:
    lex = lexicon()
    return {
        "month_cue_words": frozenset(lex["month_cue_words"]),
        "counted_nouns": frozenset(lex["counted_nouns"]),
        "season_noun_heads": frozenset(lex["season_noun_heads"]),
        "name_heads": frozenset(lex["name_heads"]),
    }


def _word_before(text: str, start: int) -> str:
    """The last word of the 30 characters before ``start``, lower-cased, with a hyphen glued to it.

        >>> _word_before("fighting broke out in early- May", 28)
        'early-'
    """
    before = text[max(0, start - 30) : start]
    m = _WORD_BEFORE_REVERSED.match(before[::-1])
    if m is None:
        return ""
    end = len(before) - m.start(1)  # where the word ends in ``before``
    hyphen = "-" if before[end : end + 1] == "-" else ""
    return (m.group(1)[::-1] + hyphen).lower()


def _span_edge_before(text: str, start: int) -> bool:
    """Whether the word before ``start`` is "until", "till" or "since" (a span's end or start).

        >>> _span_edge_before("held until May", 11), _span_edge_before("held in May", 8)
        (True, False)

    ``_word_before`` lower-cases ASCII letters of the 30 characters before, so such a word leaves
    "til" or "since" in those characters lower-cased: most mentions are answered by that test.
    """
    before = text[max(0, start - 30) : start].lower()
    if "til" not in before and "since" not in before:
        return False
    return _word_before(text, start) in ("until", "till", "since")


def _word_after(text: str, end: int) -> str:
    m = _WORD_AFTER.search(text[end : end + 30])
    return m.group(1) if m else ""


_YEAR_CUES = frozenset(
    [
        "in",
        "by",
        "since",
        "until",
        "till",
        "of",
        "from",
        "to",
        "during",
        "between",
        "and",
        "before",
        "after",
        "around",
        "circa",
        "c",
        "early",
        "late",
        "mid",
        "year",
        "summer",
        "winter",
        "spring",
        "autumn",
        "fall",
        "december",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "through",
        "throughout",
        "ending",
        "end",
        "beginning",
        "start",
    ]
)
_NOT_YEAR_AFTER = frozenset(
    {"was", "saw", "as", "is", "has", "its", "this", "his", "thus", "witnessed", "marks"}
)
_PART_CUES = frozenset({"at", "by", "during", "overnight", "through", "all", "per", "every"})
_DURATION_CUES = frozenset(
    {
        "for",
        "within",
        "in",
        "over",
        "after",
        "took",
        "lasted",
        "lasting",
        "than",
        "spent",
        "endured",
        "held",
        "follows",
        "followed",
        "following",
        "amid",
    }
)


def _accept(text: str, match: Match) -> bool:
    """Rule filters: context checks that keep ambiguous words out ("May" the modal, "1500 men")."""
    g = match.groups
    rule = match.rule
    if rule.prev_in:
        month = (g.get("month") or "").lower()
        if (
            month in lexicon()["months_need_cue"]
            and not g.get("mod")
            and not g.get("month_rel")
            and _word_before(text, match.start) not in _sets()[rule.prev_in]
        ):
            return False
    if "month" in g and "year" not in g and _names_a_group(text, match, g):
        return False
    f = rule.filter
    if f is None:
        return True
    before = _word_before(text, match.start)  # only now: most rules have no filter
    if f == "year":
        year = int(g["year"])
        if g.get("mod") or g.get("the_year"):
            return True
        after = _word_after(text, match.end)
        if after.lower() in _sets()["counted_nouns"]:
            return False
        if before in _YEAR_CUES:
            return True
        if year < 1500:
            return False
        # "1939 saw ..." is a year, "2024 shells" a count.
        plural_noun = after.islower() and after.endswith("s") and len(after) > 3
        return not (plural_noun and after not in _NOT_YEAR_AFTER)
    if f == "season":
        if g["season"].lower() == "fall" and not g.get("rel") and not g.get("year_ref"):
            return _word_after(text, match.end).lower() != "of" and before in {
                "the",
                "in",
                "that",
                "this",
                "by",
            }
        return True
    if f == "part":
        if g.get("det"):
            return True
        return before in _PART_CUES
    if f == "clockword":
        return before in {"at", "by", "until", "before", "after", "around", "from", "since", "till", "about"}
    if f == "duration_adjective":
        return "-" in text[match.start : match.end]
    if f == "vague_duration":
        return bool(g.get("rel")) or before in _DURATION_CUES
    if f == "set_per":
        return g["set"].lower() == "per"
    if f == "set_adverb":
        return True
    if f == "relative_unit":
        rel = re.sub(r"\s+", " ", g["rel"].lower())
        unit = g["unit"].lower()
        if unit == "hour":
            return False
        # "said that day ..." is usually "said that" + "day ...": a complementizer, not a determiner.
        return not (
            rel == "that" and before in {"said", "says", "believed", "claimed", "announced", "reported"}
        )
    if f == "vague":
        word = g["vague_word"].lower()
        if word == "current":
            return _word_after(text, match.end).islower()
        if "future" in word or word == "the past":
            # "the future of Ukraine" and "the past of the city" name a topic, not a time.
            return _word_after(text, match.end).lower() != "of"
        return True
    return True


# What may follow a month in a name: a day ("the March 23 Movement"), then the name's head word.
_NAME_AFTER_MONTH = re.compile(r"\s*(?P<day>[0-3]?\d(?:st|nd|rd|th)?\s+)?(?P<head>[A-Z][a-z]+)\b")
_DIGIT_AFTER = re.compile(r"\s+\d")
_DAY_BEFORE = re.compile(r"(?<![\d,.])[0-3]?\d(?:st|nd|rd|th)?\s+\Z")  # "17 |February Martyrs Brigade"


def _names_a_group(text: str, match: Match, g: dict[str, str]) -> bool:
    """A yearless day and month that are part of a name ("the 1 May Brigade", "the March 23 Movement").

        >>> m = Match(4, 12, rules()[0], {"month": "March", "day": "23"})
        >>> _names_a_group("the March 23 Movement", m, m.groups)
        True

    A month alone before the head keeps its date: "the February Revolution" happened in February.
    Also "last March 5": "last" is no modifier of the day-precise date (left to ``month_day_year``).
    """
    if "month_rel" in g and _DIGIT_AFTER.match(text, match.end):
        return True
    after = _NAME_AFTER_MONTH.match(text, match.end, match.end + 40)
    if after is None:
        return False
    day_before = _DAY_BEFORE.search(text, max(0, match.start - 8), match.start)
    if "day" not in g and after.group("day") is None and day_before is None:
        return False
    return after.group("head").lower() in _sets()["name_heads"]


_TOKEN = re.compile(r"[^\W_]+")


@cache
def _classes_of_word() -> dict[str, tuple[str, ...]]:
    """Trigger word -> the classes it belongs to."""
    table: dict[str, list[str]] = {}
    for name, words in trigger_classes().items():
        for w in words:
            table.setdefault(w, []).append(name)
    return {w: tuple(names) for w, names in table.items()}


_CLOCK_AFTER = re.compile(r"[:.]\d\d|\s?[ap]\.?m\b|\s?hrs\b", re.IGNORECASE)
_MILITARY_AFTER = re.compile(r"\s?(?:GMT|UTC|Z\b|hrs\b|hours\s+(?:GMT|UTC|local))", re.IGNORECASE)


def _number_classes(word: str, text: str, end: int) -> tuple[str, ...]:
    """Finer classes of a number token, so year and clock rules skip the other numbers."""
    names = ["digit"]
    if len(word) == 4 and word[:2] in _YEAR_PREFIXES:
        names.append("year4")
    elif word.endswith("0s"):
        names.append("decade")
    if (
        (len(word) <= 2 and _CLOCK_AFTER.match(text, end))
        or (not word.isdigit() and _CLOCK_TOKEN.fullmatch(word))  # all digits: no "am", "h" to match
        or (len(word) == 4 and _MILITARY_AFTER.match(text, end))
    ):
        names.append("clock")
    return tuple(names)


_CLOCK_TOKEN = re.compile(r"\d{1,4}(?:am|pm|hrs|h)", re.IGNORECASE)
_YEAR_PREFIXES = frozenset([str(n) for n in range(10, 21)])


@cache
def _trigger_pads() -> dict[str, tuple[int, int]]:
    """Characters a match can reach before and after its trigger word, per class."""
    return {name: (int(b), int(a)) for name, (b, a) in lexicon()["trigger_pads"].items()}


@cache
def _token_finders() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """In lower-cased text: the tokens ``_windows`` can use, each with the character before it
    (trigger words, and tokens not starting with a letter a-z, such as numbers).

    Two finders split the non-word character before the token: a space, and any other one. Each
    finds the tokens the one-pass pattern ``[\\W_](token)`` finds after its characters, and together
    they find them all (``_candidate_tokens`` merges them). The space finder is a literal prefix the
    regex engine jumps to without testing each character's Unicode category; the other one tests an
    ASCII bitmap first (``[^a-z0-9 ]``) and the category (``(?<=[\\W_])``) only where that passes.
    """
    # Starting on the non-word character before a token gives the regex engine a prefix, so it jumps
    # from word start to word start in C; lower-case text keeps the trie exact.
    triggers = literal_alternation(_classes_of_word())
    token = rf"((?:{triggers})(?![^\W_])|[^\W_a-z][^\W_]*)"
    return re.compile(" " + token), re.compile(r"[^a-z0-9 ](?<=[\W_])" + token)


@cache
def _token_finder() -> re.Pattern[str]:
    """The one-pass form of ``_token_finders``: what the two of them find together (kept for tests)."""
    triggers = literal_alternation(_classes_of_word())
    return re.compile(rf"[\W_]((?:{triggers})(?![^\W_])|[^\W_a-z][^\W_]*)")


def _all_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of every token: what ``_candidate_tokens`` narrows down."""
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]


def _candidate_tokens(text: str, lowered: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, word) of tokens that may be triggers or numbers: a superset the caller checks.

        >>> _candidate_tokens("In May 2024 troops")
        [(0, 2, 'In'), (3, 6, 'May'), (7, 11, '2024')]

    ``lowered`` is ``text.lower()`` when the caller has it already.
    """
    lowered = text.lower() if lowered is None else lowered
    if len(lowered) != len(text):
        return _all_tokens(text)  # a character lower-cased to two ("İ") shifts offsets
    # Lower-casing maps one character to one here and keeps word characters word characters
    # (tests/temporal/test_scan_shortcuts.py checks every code point), so tokens keep their offsets.
    spaced, other = _token_finders()
    found = [(m.start(1), m.end(1), text[m.start(1) : m.end(1)]) for m in spaced.finditer(lowered)]
    found += [(m.start(1), m.end(1), text[m.start(1) : m.end(1)]) for m in other.finditer(lowered)]
    found.sort()  # two ascending runs, and no two tokens start at the same offset
    first = _TOKEN.match(text)
    return [(first.start(), first.end(), first.group(0)), *found] if first else found


def _windows(text: str, tokens: list[tuple[int, int, str]] | None = None) -> dict[str, list[tuple[int, int]]]:
    """Per trigger class, merged stretches of text around its words: the only places its rules can match.

    ``tokens`` defaults to ``_candidate_tokens``; ``_all_tokens`` gives the same windows, slower.
    """
    classes_of = _classes_of_word()
    pads = _trigger_pads()
    default_pad = pads["default"]
    spans: dict[str, list[tuple[int, int]]] = {name: [] for name in [*trigger_classes(), *NUMBER_CLASSES]}
    for tok_start, tok_end, word in _candidate_tokens(text) if tokens is None else tokens:
        names = _number_classes(word, text, tok_end) if word[0].isdigit() else classes_of.get(word.lower())
        if not names:
            continue
        for name in names:
            before, after = pads.get(name, default_pad)
            start, end = max(0, tok_start - before), tok_end + after
            merged = spans[name]
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
    return spans


def _season_modifies_noun(text: str, m: re.Match[str]) -> bool:
    """A bare season used as a modifier of a following noun ("the summer offensive")."""
    if not m.group(0).lower().startswith("the ") or m.end() != m.end("season"):
        return False
    return _word_after(text, m.end()).lower() in _sets()["season_noun_heads"]


# Outside ASCII, re matches these to an ASCII letter when ignoring case, yet lower() keeps them
# apart from it (the long s and dotless i; "İ" and the Kelvin sign lower-case to ASCII or change
# the length). tests/temporal/test_start_texts.py derives this from every code point.
_ODD_CASE = "\u017f\u0131"


def _starts_hold(text: str, lowered: str, tokens: list[tuple[int, int, str]]) -> bool:
    r"""Whether, in ``lowered``, every match of a rule with start texts (``Rule.starts``) begins with one.

    Start texts are ASCII, from the rule's letters lower-cased and its digits. That fails only for
    what re matches to them besides: the long s and dotless i (to "s" and "i" when ignoring case),
    and other scripts' digits (to \d), which start texts only spell at the start of a word that
    begins with a digit. ``tokens`` (``_candidate_tokens``) holds every such word.
    """
    if len(lowered) != len(text):
        return False  # a character lower-cased to two ("İ") shifts offsets
    if text.isascii():
        return True
    if any(char in text for char in _ODD_CASE):
        return False
    return all(word.isascii() for _, _, word in tokens if word[0].isdigit())


_FEW_FIRST = 16  # a class whose start texts begin with at most this many characters: finder starts on them
# A rule as the class scan tries it: its index in ``rules()``, its regex, its ``needs``.
_Tried = tuple[int, "re.Pattern[str]", "re.Pattern[str] | None"]


class _ClassScan(NamedTuple):
    """What finds the places to try the start-text rules of one trigger class (``_start_finder``)."""

    finder: re.Pattern[str]  # where a word begins with a start text; group 1 the longest such text
    # None: the finder matches from the word's first character. Else it matches from the character
    # before the word, and ``head`` finds the text at offset 0, which has no character before it.
    head: re.Pattern[str] | None
    rules_of: dict[str, tuple[_Tried, ...]]  # longest start text found -> the rules it starts


@cache
def _start_finder(trigger: str) -> _ClassScan | None:
    """In lower-cased text: the word starts where the class's start-text rules can match, and which rules.

    The trie alternation gives the longest start text at a place, so every start text found there
    begins it: a rule can match there exactly when one of its start texts begins the longest one.
    """
    all_rules = rules()
    texts = {t for rule in all_rules if rule.trigger == trigger and rule.starts for t in rule.starts}
    if not texts:
        return None
    rules_of = {
        found: tuple(
            (i, rule.regex, rule.needs)
            for i, rule in enumerate(all_rules)
            if rule.trigger == trigger and rule.marks is None and rule.starts
            and found.startswith(rule.starts)
        )
        for found in texts
    }
    # The usual whitespace run is one space: found as it is, without gap_key.
    rules_of.update({found.replace(GAP, " "): tried for found, tried in rules_of.items() if GAP in found})
    trie = start_pattern(texts)
    first = "".join(sorted({re.escape(t[0]) for t in texts}))
    if len(first) <= _FEW_FIRST:
        # Few first characters ("the" for "the 5th"): the regex engine skips to them in C, then checks
        # that no word character (but "_") comes before, and reads group 1 from the first one on.
        return _ClassScan(re.compile(rf"[{first}](?<![^\W_].)(?<=(?=({trie})).)"), None, rules_of)
    # Else it is faster to start on the character before each word.
    return _ClassScan(re.compile(rf"[\W_](?=({trie}))"), re.compile(rf"(?=({trie}))"), rules_of)


def _rule_scan(rule: Rule, text: str, spans: list[tuple[int, int]]) -> list[re.Match[str]]:
    """What ``rule.regex.finditer`` finds in each span of ``text``, for rules not tried at start texts.

    A rule whose matches start with a punctuation mark (``Rule.marks``) is tried only at those
    marks; the others scan their whole spans.
    """
    if rule.marks is None:
        return [m for w0, w1 in spans for m in rule.regex.finditer(text, w0, w1)]
    found: list[re.Match[str]] = []
    match = rule.regex.match
    # Matches start at a punctuation mark ("'90s"): try only at the marks.
    for w0, w1 in spans:
        resume = w0
        for mark in rule.marks.finditer(text, w0, w1):
            p = mark.start()
            if p >= resume and (m := match(text, p, w1)) is not None:
                found.append(m)
                resume = m.end()
    return found


def _class_scan(
    scan: _ClassScan, text: str, lowered: str, spans: list[tuple[int, int]], found: list[list[re.Match[str]]]
) -> None:
    """Add to ``found[i]`` what rule i's ``regex.finditer`` finds in each span, for start-text rules.

    One C-level pass per span finds the word starts that begin with a start text of the class and
    the longest such text; each rule is tried only at the places whose text it can start with.
    That gives what ``finditer`` over the span gives: ``finditer`` takes the first place where the
    regex matches and goes on after that match's end (``resume``), and every match starts at such
    a place. None of these rules matches empty text. Spans are disjoint and ascending, so a rule's
    last match ends before the next span starts.
    """
    rules_of = scan.rules_of
    resume = [0] * len(found)  # per rule: where its last match ended
    for w0, w1 in spans:
        # Group 1 (the longest start text) begins at the word start in both finder forms.
        places: Iterable[re.Match[str]]
        if scan.head is None:
            places = scan.finder.finditer(lowered, w0, w1)
        else:
            places = scan.finder.finditer(lowered, max(0, w0 - 1), w1)
            if w0 == 0 and (first := scan.head.match(lowered, 0, w1)) is not None:
                places = chain((first,), places)
        allowed: dict[int, bool] = {}  # rule -> its required text occurs in this span
        for place in places:
            p, start_text = place.start(1), place.group(1)
            tried = rules_of.get(start_text)
            if tried is None:  # the text holds other whitespace than one space, a GAP in the start texts
                tried = rules_of[gap_key(start_text)]
            for i, regex, needs in tried:
                if p < resume[i]:
                    continue
                if needs is not None:
                    ok = allowed.get(i)
                    if ok is None:
                        ok = allowed[i] = needs.search(text, w0, w1) is not None
                    if not ok:
                        continue
                m = regex.match(text, p, w1)
                if m is not None:
                    found[i].append(m)
                    resume[i] = m.end()


def find_matches(text: str) -> list[Match]:
    """Every rule's accepted matches, overlapping ones included."""
    found: list[Match] = []
    lowered = text.lower()
    tokens = _candidate_tokens(text, lowered)
    windows = _windows(text, tokens)
    all_rules = rules()
    # Rules with start texts are tried only at those (``_class_scan``) when lower-casing keeps them.
    by_start = _starts_hold(text, lowered, tokens)
    started: list[list[re.Match[str]]] = [[] for _ in all_rules]
    if by_start:
        for trigger, spans in windows.items():
            if spans and (scan := _start_finder(trigger)) is not None:
                _class_scan(scan, text, lowered, spans, started)
    for i, rule in enumerate(all_rules):
        spans = windows[rule.trigger]
        if not spans:
            continue
        if by_start and rule.starts is not None and rule.marks is None:
            scanned = started[i]
        else:
            if rule.needs is not None:
                spans = [(w0, w1) for w0, w1 in spans if rule.needs.search(text, w0, w1)]
            scanned = _rule_scan(rule, text, spans)
        seen: set[tuple[int, int]] = set()
        for m in scanned:
            span = m.span()
            if span in seen:
                continue
            seen.add(span)
            start, end = span
            if end == start:
                continue
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            if "season" in groups and not groups.get("rel") and _season_modifies_noun(text, m):
                # "the spring offensive": "the" belongs to the noun, the TIMEX is "spring".
                start = m.start("mod") if groups.get("mod") else m.start("season")
            match = Match(start, end, rule, groups)
            if _accept(text, match):
                found.append(match)
    return found


def choose(found: list[Match]) -> list[Match]:
    """Longest non-overlapping matches, rule priority breaking ties, in text order."""
    ranked = sorted(found, key=lambda m: (-(m.end - m.start), -m.rule.priority, m.start))
    taken: list[Match] = []
    # The spans taken so far, in text order: they do not overlap, so their ends ascend too, and
    # only the last span starting before a match ends can reach into it.
    starts: list[int] = []
    ends: list[int] = []
    for m in ranked:
        i = bisect_left(starts, m.end)
        if i and ends[i - 1] > m.start:
            continue
        taken.append(m)
        starts.insert(i, m.start)
        ends.insert(i, m.end)
    return sorted(taken, key=lambda m: m.start)


# ------------------------------------------------------------------------------------ numbers


def _number(word: str) -> float | None:
    """'three' -> 3, '48' -> 48, 'a few' -> None (vague)."""
    w = re.sub(r"\s+", " ", word.lower().strip())
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", w):
        w = w.replace(",", "")
    lex = lexicon()
    if re.fullmatch(r"\d+(?:\.\d+)?", w):
        return float(w)
    if w in lex["numbers"]:
        return float(lex["numbers"][w])
    parts = re.split(r"[\s-]", w)
    if len(parts) == 2 and parts[0] in lex["numbers"] and parts[1] in lex["numbers"]:
        return float(lex["numbers"][parts[0]] + lex["numbers"][parts[1]])
    return None


def _num_text(n: float) -> str:
    return str(int(n)) if n == int(n) else f"{n:g}"


def _unit_code(unit: str) -> str:
    return str(lexicon()["units"][unit.lower()])


# ------------------------------------------------------------------------------------ state


@dataclass
class Context:
    """What resolution knows while walking through one text."""

    reference: Cal | None
    narrative: bool
    text: str
    anchor: Cal | None = None
    pending: Cal | None = None  # a far-off year the text mentioned once: an aside until confirmed
    anchor_explicit: bool = False  # the anchor came from a date with its own year
    anchor_at: int | None = None  # where in the text the anchor was set
    position: int = 0  # where resolution stands

    def move_anchor(self, cal: Cal, explicit: bool) -> None:
        """Make ``cal`` the narrative anchor, unless it is a one-off jump of decades (an aside)."""
        far = (
            explicit
            and self.anchor is not None
            and self.anchor.year is not None
            and cal.year is not None
            and abs(cal.year - self.anchor.year) > ASIDE_YEARS
        )
        confirmed = (
            self.pending is not None
            and self.pending.year is not None
            and cal.year is not None
            and abs(cal.year - self.pending.year) <= ASIDE_YEARS
        )
        if far and not confirmed:
            self.pending = cal
            return
        self.anchor_explicit = explicit or (self.anchor_explicit and self.anchor_in_paragraph())
        self.anchor, self.pending, self.anchor_at = cal, None, self.position

    def anchor_in_paragraph(self) -> bool:
        """The text set an explicit date earlier in this paragraph ("In September 2022 ... in November")."""
        return (
            self.anchor_explicit
            and self.anchor_at is not None
            and "\n" not in self.text[self.anchor_at : self.position]
        )

    def anchor_set_in_paragraph(self) -> bool:
        """The narrative anchor was set (by any date) earlier in this paragraph."""
        return self.anchor_at is not None and "\n" not in self.text[self.anchor_at : self.position]

    def speaker_base(self) -> tuple[Cal | None, str | None]:
        """The point words counting from the writer's now ("last week", "this year", "two days
        ago") count from: ``deictic_base``, except that in a narrative the narrative anchor
        holds only while the paragraph that set it goes on (a quote in a history: "he had
        signed the pact two years ago"); a paragraph that set no date speaks from publication
        ("over last week in Donbass" after a history)."""
        if (self.narrative and self.anchor is not None and self.reference is not None
                and not self.anchor_set_in_paragraph()):
            return self.reference, "reference"
        return self.deictic_base()

    def deictic_base(self) -> tuple[Cal | None, str | None]:
        """The point deictic words ("yesterday", "on Friday") count from."""
        if self.narrative and self.anchor is not None:
            return self.anchor, "narrative"
        if self.reference is not None:
            return self.reference, "reference"
        if self.anchor is not None:
            return self.anchor, "narrative"
        return None, None

    def anaphoric_base(self) -> tuple[Cal | None, str | None]:
        """The point anaphoric words ("the next day", "that year") count from."""
        if self.anchor is not None:
            return self.anchor, "narrative"
        if self.reference is not None:
            return self.reference, "reference"
        return None, None


def _year_of(g: dict[str, str], rule: Rule) -> int | None:
    if "year" in g:
        year = int(g["year"])
        era = (g.get("era") or rule.era or "").upper().replace(".", "")
        return -year if era in ("BC", "BCE") else year
    return None


def _closest_year(month: int, day: int | None, ref: Cal, tense: str | None) -> int:
    """Year for a month (and day) with no year: tense picks the side of the reference date."""
    assert ref.year is not None and ref.month is not None
    ref_key = (ref.month, ref.day or 1) if day is not None else (ref.month, 0)
    key = (month, day or 0)
    if tense == "past":
        return ref.year if key <= ref_key else ref.year - 1
    if tense == "future":
        return ref.year if key >= ref_key else ref.year + 1
    # No cue: news mostly reports what happened, so the past, unless the next such day is near
    # and nearer ("January 20" in a December article).
    past_year = ref.year if key <= ref_key else ref.year - 1
    future_year = ref.year if key >= ref_key else ref.year + 1
    r = dt.date(ref.year, ref.month, ref.day or 15)

    def days_from_ref(year: int) -> int:
        return abs((dt.date(year, month, min(day or 15, 28 if month == 2 else 30)) - r).days)

    future_days = days_from_ref(future_year)
    if future_days <= FUTURE_WINDOW_DAYS and future_days < days_from_ref(past_year):
        return future_year
    return past_year


def _month_rel_year(rel: str, month: int, base_year: int, base_month: int) -> int:
    """Year of "last/next/this <month>" seen from ``base_year``-``base_month``.

        >>> _month_rel_year("last", 3, 2024, 12), _month_rel_year("last", 12, 2024, 12)
        (2024, 2023)
        >>> _month_rel_year("next", 1, 2024, 3), _month_rel_year("this", 3, 2024, 12)
        (2025, 2024)
    """
    if rel in ("last", "past"):
        return base_year if month < base_month else base_year - 1
    if rel in ("next", "coming"):
        return base_year if month > base_month else base_year + 1
    return base_year


def _narrative_year(month: int, anchor: Cal) -> int | None:
    """Year of a bare month in a narrative: the anchor's, rolled forward when the month is far behind."""
    if anchor.year is None:
        return None
    if ROLLOVER and anchor.month is not None and month < anchor.month - 4:
        return anchor.year + 1 if anchor.year != -1 else 1
    return anchor.year


def _anchor_nearby(ctx: Context) -> bool:
    """The paragraph's explicit anchor was set in this sentence or the one just before it."""
    if ctx.anchor_at is None:
        return False
    s_start = sentence_bounds(ctx.text, ctx.position)[0]
    if ctx.anchor_at >= s_start:
        return True
    return s_start > 0 and ctx.anchor_at >= sentence_bounds(ctx.text, s_start - 1)[0]


def _continues_paragraph(ctx: Context, month: int, day: int | None, tense: str | None) -> bool:
    """In news, whether a yearless date continues the earlier year the paragraph set.

        "In September 2022 Ukraine struck back. In November it retook Kherson." -> 2022-11
        "Russia invaded in February 2022. On December 16, drones struck Kyiv." (2024-12-17) -> no

    The year of a background sentence is not the story's: the narrative must go on right there
    (the anchor set in this sentence or the one before), a future-tense date is not in a past year,
    and a day whose publication-relative reading is within RECENT_DAYS of publication is the news,
    unless it lies in the anchor's own month ("In February 2022 ... On February 24").
    """
    anchor, ref = ctx.anchor, ctx.reference
    if anchor is None or not ctx.anchor_in_paragraph():
        return False
    if ref is None or ref.year is None or ref.month is None or anchor.year is None or anchor.year == ref.year:
        return True  # nothing to choose between: the rule as before
    if not _anchor_nearby(ctx):
        return False
    if tense == "future" and anchor.year < ref.year:
        return False
    if day is None or anchor.month == month:
        return True
    published = dt.date(ref.year, ref.month, ref.day or 15)
    try:
        recent = dt.date(_closest_year(month, day, ref, tense), month, day)
    except ValueError:  # "February 29" in a common year
        return True
    return abs((published - recent).days) > RECENT_DAYS


def _fill_year(
    ctx: Context, month: int, day: int | None, tense: str | None
) -> tuple[int | None, str | None, Cal | None]:
    """Year for an underspecified date, and which anchor supplied it."""
    if ctx.anchor is not None and (ctx.narrative or _continues_paragraph(ctx, month, day, tense)):
        return _narrative_year(month, ctx.anchor), "narrative", ctx.anchor
    if ctx.reference is not None:
        return _closest_year(month, day, ctx.reference, tense), "reference", ctx.reference
    if ctx.anchor is not None:
        return _narrative_year(month, ctx.anchor), "narrative", ctx.anchor
    return None, None, None


# ------------------------------------------------------------------------------------ kinds

Out = tuple[str, Cal | str, str | None, Cal | None]  # type, value, anchor kind, anchor point


def _resolve_date(m: Match, ctx: Context, tense: str | None) -> Out | None:
    g = m.groups
    lex = lexicon()
    year = _year_of(g, m.rule)
    anchor_kind: str | None = "absolute"
    anchor_cal: Cal | None = None
    if "year2" in g:
        two = int(g["year2"])
        pivot = ctx.anchor if ctx.anchor is not None and ctx.anchor.year is not None else ctx.reference
        pivot_year = pivot.year if pivot is not None and pivot.year is not None else 1950
        # "'89" is the nearest year ending in 89 to the story's (or the publication's) year.
        year = min(
            (c * 100 + two for c in (pivot_year // 100 - 1, pivot_year // 100, pivot_year // 100 + 1)),
            key=lambda y: abs(y - pivot_year),
        )
    if "year_end" in g:
        # "1915-17": the century comes from the range's first year.
        first = int(ctx.text[m.start - 5 : m.start - 1])
        year = first - first % 100 + int(g["year_end"])
    if "year_ref" in g:
        ref_word = re.sub(r"\s+", " ", g["year_ref"].lower()).removeprefix("of ")
        deictic = ref_word in ("this", "last", "next")
        base, anchor_kind = ctx.speaker_base() if deictic else ctx.anaphoric_base()
        if base is None or base.year is None:
            return None
        anchor_cal = base
        step = {
            "following": 1,
            "the following": 1,
            "the next": 1,
            "next": 1,
            "the previous": -1,
            "the preceding": -1,
            "last": -1,
        }.get(ref_word, 0)
        year = shift(base, step, "Y").year
    if "decade" in g or "decade2" in g:
        decade = int(g["decade"]) if "decade" in g else 190 + int(g["decade2"])
        return "DATE", Cal(decade=decade, granularity="decade"), "absolute", None
    if "century" in g:
        raw = g["century"].lower()
        n = int(lex["ordinals"].get(raw) or int(re.sub(r"\D", "", raw)))
        bc = (g.get("era") or "").upper().replace(".", "") in ("BC", "BCE")
        return "DATE", Cal(century=-(n - 1) if bc else n - 1, granularity="century"), "absolute", None
    month: int | None = None
    if "month" in g:
        month = int(lex["months"][g["month"].lower().rstrip(".")])
    elif "month_num" in g:
        month = int(g["month_num"])
    day = int(g["day"]) if "day" in g else None
    if month is not None and day is not None and month > 12 and day <= 12:
        month, day = day, month  # 16/12/2024 written day first
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    holiday = g.get("holiday")
    if holiday:
        md = lex["holidays"].get(re.sub(r"\s+", " ", holiday.lower()).replace("’", "'"))
        if not md:
            return None
        month, day = int(md[0]), int(md[1])
    season = lex["seasons"].get(g["season"].lower()) if "season" in g else None
    quarter = None
    if "quarter" in g:
        quarter = int(lex["quarters"][g["quarter"].lower()])
    elif "quarter_num" in g:
        quarter = int(g["quarter_num"])
    half = {"first": 1, "second": 2, "latter": 2}.get(g.get("half", "").lower())

    if m.rule.name == "ordinal_day":
        base, anchor_kind = ctx.anaphoric_base() if ctx.narrative else ctx.deictic_base()
        if base is None or base.month is None:
            return None
        return "DATE", Cal(year=base.year, month=base.month, day=day), anchor_kind, base

    if year is None and season is not None:
        rel = (g.get("rel") or "").lower()
        step = {
            "next": 1,
            "following": 1,
            "previous": -1,
            "preceding": -1,
            "last": -1,
            "coming": 1,
            "past": -1,
        }.get(rel, 0)
        if not rel and not ctx.narrative and not ctx.anchor_in_paragraph() and ctx.reference is not None:
            # A bare season in news: the nearest one in the tense's direction, by its middle month.
            middle = SEASON_MONTHS[season][0] % 12 + 1
            year = _closest_year(middle, None, ctx.reference, tense)
            if season == "WI":
                year -= 1  # winter is named by the year it starts in
            return "DATE", Cal(year=year, season=season, granularity="season"), "reference", ctx.reference
        deictic = rel in ("this", "coming", "past")
        base, anchor_kind = ctx.speaker_base() if deictic else ctx.anaphoric_base()
        if base is None or base.year is None:
            return "DATE", Cal(season=season, granularity="season"), None, None
        anchor_cal = base
        base_year = base.year
        if base.month is not None and season == "WI" and base.month <= 2:
            base_year -= 1  # winter is named by the year it starts in
        year = base_year + step
    elif year is None and month is not None and "month_rel" in g:
        base, anchor_kind = ctx.speaker_base()
        if base is None or base.year is None or base.month is None:
            return "DATE", f"XXXX-{month:02d}", None, None
        anchor_cal = base
        year = _month_rel_year(g["month_rel"].lower(), month, base.year, base.month)
    elif year is None and month is not None:
        year, anchor_kind, anchor_cal = _fill_year(ctx, month, day, tense)

    if season is not None:
        return "DATE", Cal(year=year, season=season, granularity="season"), anchor_kind, anchor_cal
    if quarter is not None or half is not None:
        return (
            "DATE",
            Cal(year=year, quarter=quarter, half=half, granularity="quarter"),
            anchor_kind,
            anchor_cal,
        )
    if month is None:
        if year is None:
            return None
        return "DATE", Cal(year=year, granularity="year"), anchor_kind, anchor_cal
    if day is None:
        return "DATE", Cal(year=year, month=month, granularity="month"), anchor_kind, anchor_cal
    cal = Cal(year=year, month=month, day=day)
    if "hour" in g:
        cal = cal._replace(hour=int(g["hour"]), minute=int(g.get("minute", 0)), granularity="time")
        return "TIME", cal, anchor_kind, anchor_cal
    return "DATE", cal, anchor_kind, anchor_cal


_THE = re.compile(r"\bthe\s", re.IGNORECASE)


def _resolve_relative(m: Match, ctx: Context, tense: str | None) -> Out | None:
    g = m.groups
    rel = re.sub(r"\s+", " ", g.get("rel", "the").lower())
    unit = {"day": "D", "week": "W", "month": "M", "year": "Y", "decade": "DE", "century": "CE"}[
        g["unit"].lower()
    ]
    if rel == "past":
        return "DURATION", f"P1{unit}", None, None
    # "the next year", "early the next year": anaphoric; "next year": deictic
    has_the = _THE.search(m.groups.get("_text", "")) is not None
    step = {
        "next": 1,
        "following": 1,
        "after": 1,
        "coming": 1,
        "previous": -1,
        "preceding": -1,
        "prior": -1,
        "before": -1,
        "last": -1,
    }.get(rel, 0)
    deictic = rel in ("this", "current", "coming") or (rel in ("next", "last") and not has_the)
    base, kind = ctx.speaker_base() if deictic else ctx.anaphoric_base()
    if base is None:
        gran = _UNIT_GRAN[unit]
        return "DATE", at_granularity(Cal(), gran), None, None
    cal = shift(base, step, unit)
    return "DATE", cal, kind, base


def _resolve_offset(m: Match, ctx: Context, tense: str | None) -> Out | None:
    g = m.groups
    direction_word = re.sub(r"\s+", " ", g["dir"].lower())
    forward = direction_word in ("later", "after", "afterwards", "hence", "from now")
    n = _number(g["num"]) if "num" in g else None
    if n is None:
        return "DATE", "FUTURE_REF" if forward else "PAST_REF", None, None
    unit = _unit_code(g["unit"])
    if unit in ("S", "M_time") or g["unit"].lower().startswith(("minute", "second", "hour")):
        base, kind = ctx.anaphoric_base()
        if base is None:
            return None
        return "TIME", base._replace(granularity="time", part=None, hour=None), kind, base
    if unit == "2W":
        unit, n = "W", n * 2
    deictic = direction_word in ("ago", "hence", "from now")
    base, kind = ctx.speaker_base() if deictic else ctx.anaphoric_base()
    if base is None:
        return None
    amount = int(n) if n == int(n) else None
    if amount is None:
        return None
    return "DATE", shift(base, amount if forward else -amount, unit), kind, base


def _resolve_deictic(m: Match, ctx: Context, tense: str | None) -> Out | None:
    g = m.groups
    word = re.sub(r"\s+", " ", g["deictic"].lower())
    part = lexicon()["parts_of_day"].get((g.get("part") or "").lower())
    if word == "tonight":
        part = "NI"
    if word == "overnight":
        part = "NI"  # in a report, the night that ended on the publication day
    step = {
        "yesterday": -1,
        "overnight": -1,
        "tomorrow": 1,
        "the day before yesterday": -2,
        "the day after tomorrow": 2,
    }.get(word, 0)
    if word == "last":
        step = -1 if part in ("NI", "EV") else 0
    if ctx.reference is None or ctx.narrative:
        if word == "today" and part is None:
            return "DATE", "PRESENT_REF", None, None
        cal = Cal(granularity="time" if part else "day", part=part)
        return ("TIME" if part else "DATE"), cal, None, None
    base = ctx.reference
    cal = shift(base, step, "D")
    if part:
        return "TIME", cal._replace(part=part, granularity="time"), "reference", base
    return "DATE", cal, "reference", base


def _resolve_weekend(m: Match, ctx: Context, tense: str | None) -> Out | None:
    rel = (m.groups.get("rel") or "").lower()
    base, kind = ctx.deictic_base()
    day = base.date if base is not None else None
    if day is None:
        return "DATE", "XXXX-WXX-WE", None, None
    weekday = day.isoweekday()
    in_weekend = weekday >= 6
    saturday = day + dt.timedelta(days=6 - weekday)  # this ISO week's Saturday
    if rel in ("last", "past", "previous"):
        target = saturday - dt.timedelta(days=7)
    elif rel in ("next", "coming", "following"):
        target = saturday if not in_weekend else saturday + dt.timedelta(days=7)
    elif rel == "this" or in_weekend or tense == "future":
        target = saturday
    else:  # "at the weekend" in a weekday report: the one just past
        target = saturday - dt.timedelta(days=7)
    iso = target.isocalendar()
    return "DATE", Cal(year=iso.year, week=iso.week, granularity="week", weekend=True), kind, base


def _resolve_weekday(m: Match, ctx: Context, tense: str | None) -> Out | None:
    g = m.groups
    weekday = int(lexicon()["weekdays"][g["weekday"].lower()])
    rel = (g.get("rel") or "").lower()
    part = lexicon()["parts_of_day"].get((g.get("part") or "").lower())
    base, kind = ctx.deictic_base()
    base_day = base.date if base is not None else None
    if base_day is None:
        value = f"XXXX-WXX-{weekday}"
        return ("TIME" if part else "DATE"), value + (f"T{part}" if part else ""), None, None
    delta = weekday - base_day.isoweekday()
    if rel in ("last", "past", "previous"):
        days = delta if delta < 0 else delta - 7
    elif rel in ("next", "coming", "following"):
        days = delta if delta > 0 else delta + 7
    else:
        past_days = delta if delta <= 0 else delta - 7
        future_days = delta if delta >= 0 else delta + 7
        want = tense
        if want is None:
            want = "future" if future_days < -past_days else "past"
        days = past_days if want == "past" else future_days
    cal = from_date(base_day + dt.timedelta(days=days))
    if part:
        return "TIME", cal._replace(part=part, granularity="time"), kind, base
    return "DATE", cal, kind, base


def _resolve_part(m: Match, ctx: Context, tense: str | None) -> Out | None:
    g = m.groups
    part = str(lexicon()["parts_of_day"][g["part"].lower()])
    det = re.sub(r"\s+", " ", (g.get("det") or "").lower())
    if not det:
        return "TIME", f"XXXX-XX-XXT{part}", None, None
    base, kind = ctx.anaphoric_base() if ctx.narrative or det not in ("this",) else ctx.deictic_base()
    if det == "this" and not ctx.narrative:
        base, kind = ctx.deictic_base()
    if base is None:
        return "TIME", f"XXXX-XX-XXT{part}", None, None
    step = 1 if "next" in det or "following" in det else 0
    if det == "one":
        cal = base._replace(day_unknown=True, granularity="time", part=part, hour=None)
        return "TIME", cal, kind, base
    day = shift(base, step, "D") if base.date is not None else base._replace(day_unknown=True)
    return "TIME", day._replace(part=part, granularity="time", hour=None), kind, base


def _resolve_time(m: Match, ctx: Context, tense: str | None) -> Out | None:
    g = m.groups
    if "clockword" in g:
        hour, minute = (12, 0) if g["clockword"].lower() == "noon" else (0, 0)
    else:
        hour, minute = int(g["hour"]), int(g.get("minute") or 0)
        ampm = (g.get("ampm") or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
    base, kind = ctx.anaphoric_base() if ctx.narrative else ctx.deictic_base()
    if base is None or base.date is None:
        return "TIME", f"XXXX-XX-XXT{hour:02d}:{minute:02d}", None, None
    return "TIME", base._replace(hour=hour, minute=minute, granularity="time", part=None), kind, base


def _resolve_duration(m: Match, ctx: Context, tense: str | None) -> Out | None:
    g = m.groups
    if "unit_only" in g:
        unit = _unit_code(g["unit_only"])
        amount = "X" if g["_text"].lower().startswith(g["unit_only"].lower() + "s") else "1"
        return "DURATION", f"P{'T' if unit == 'H' else ''}{amount}{unit}", None, None
    unit_word = g["unit"].lower()
    unit = _unit_code(unit_word)
    is_time = unit_word.startswith(("hour", "minute", "second"))
    n = _number(g["num"]) if "num" in g else None
    if "age" in g:
        unit = "Y"
    if unit == "2W":
        unit = "W"
        n = None if n is None else n * 2
    amount = "X" if n is None else _num_text(n)
    return "DURATION", f"P{'T' if is_time else ''}{amount}{unit}", None, None


def _resolve_set(m: Match, ctx: Context, tense: str | None) -> Out | None:
    g = m.groups
    if "adverb" in g:
        value = {
            "daily": "XXXX-XX-XX",
            "everyday": "XXXX-XX-XX",
            "weekly": "XXXX-WXX",
            "monthly": "XXXX-XX",
            "annually": "XXXX",
            "yearly": "XXXX",
            "nightly": "XXXX-XX-XXTNI",
            "hourly": "PT1H",
        }
        return "SET", value[g["adverb"].lower()], None, None
    if g.get("set", "").lower() == "per":
        unit = _unit_code(g["unit"])
        return "SET", f"P{'T' if unit == 'H' else ''}1{unit}", None, None
    if "weekday" in g:
        return "SET", f"XXXX-WXX-{lexicon()['weekdays'][g['weekday'].lower()]}", None, None
    if "part" in g:
        return "SET", f"XXXX-XX-XXT{lexicon()['parts_of_day'][g['part'].lower()]}", None, None
    unit = _unit_code(g["unit"])
    value = {
        "D": "XXXX-XX-XX",
        "W": "XXXX-WXX",
        "M": "XXXX-XX",
        "Y": "XXXX",
        "H": "PT1H",
        "DE": "P10Y",
        "CE": "P100Y",
    }
    return "SET", value.get(unit, "XXXX-XX-XX"), None, None


def _resolve_vague(m: Match, ctx: Context, tense: str | None) -> Out | None:
    word = re.sub(r"\s+", " ", m.groups["vague_word"].lower())
    return "DATE", str(lexicon()["vague"][word]), None, None


_RESOLVERS: dict[str, Any] = {
    "date": _resolve_date,
    "relative": _resolve_relative,
    "offset": _resolve_offset,
    "deictic": _resolve_deictic,
    "weekday": _resolve_weekday,
    "weekend": _resolve_weekend,
    "part": _resolve_part,
    "time": _resolve_time,
    "duration": _resolve_duration,
    "set": _resolve_set,
    "vague": _resolve_vague,
}


def _is_narrative(found: list[Match], reference: Cal | None) -> bool:
    """History rather than news: most explicit years lie far from the publication year."""
    if reference is None or reference.year is None:
        return True
    years = [y for m in found if (y := _year_of(m.groups, m.rule)) is not None]
    if len(years) < NARRATIVE_MIN_YEARS:
        return False
    near = sum(1 for y in years if abs(y - reference.year) <= NEAR_YEARS)
    return near < len(years) / 2


def resolve(text: str, chosen: list[Match], reference: Cal | None, narrative: bool) -> list[Resolved]:
    """Normalize chosen matches in text order, moving the narrative anchor as dates are set."""
    ctx = Context(reference=reference, narrative=narrative, text=text)
    out: list[Resolved] = []
    for m in chosen:
        surface = text[m.start : m.end]
        ctx.position = m.start
        m = Match(m.start, m.end, m.rule, {**m.groups, "_text": surface})
        dated = m.rule.kind in ("date", "weekday", "weekend")
        tense = direction(text, m.start, m.end) if dated else None
        result = _RESOLVERS[m.rule.kind](m, ctx, tense)
        if result is None:
            continue
        mtype, val, anchor_kind, anchor_cal = result
        if isinstance(val, Cal):
            value, (d0, d1) = val.value, val.interval
            gran: str | None = val.granularity
            if val.year is not None and mtype in ("DATE", "TIME"):
                # Span ends and starts ("until February 1945", "since 2022") and plans ("planned for
                # 1976") are not where the story stands, so they do not move the narrative anchor.
                aside = (
                    _span_edge_before(text, m.start)
                    or m.rule.name == "apostrophe_year"  # "the '99 Boys" names a group more often than a date
                    # the writer's now inside a history ("over last week") is not where its story stands
                    or (ctx.narrative and anchor_kind == "reference" and ctx.anchor is not None)
                ) or (
                    anchor_kind == "absolute"
                    and (tense if dated else direction(text, m.start, m.end)) == "future"
                )
                if not aside:
                    ctx.move_anchor(
                        val if val.granularity != "time" else val._replace(granularity="day", hour=None),
                        explicit=anchor_kind == "absolute",
                    )
        else:
            value, d0, d1 = val, None, None
            gran = _granularity_of(value) if mtype in ("DATE", "TIME") else None
        if value.startswith("XXXX") or "X" in value[:4]:
            d0 = d1 = None
        is_cal = isinstance(val, Cal)
        # Positional, in field order (start, end, text, type, value, date_start, date_end,
        # granularity, anchor, anchor_value, rule, tense): keywords cost a named tuple more.
        out.append(
            Resolved(
                m.start,
                m.end,
                surface,
                mtype,
                value,
                d0,
                d1,
                gran,
                anchor_kind if is_cal else None,
                anchor_cal.value if anchor_cal is not None and is_cal else None,
                m.rule.name,
                tense,
            )
        )
    return out


_PART_BEFORE = re.compile(
    r"(?:(?:early|late)\s+in\s+)?(?:the\s+)?(?:(?:early|late|small|wee)\s+)?(?P<part>morning|afternoon|evening|night|dawn|dusk|hours)"
    r"(?:\s+hours)?\s+of\s+$",
    re.IGNORECASE,
)
_PART_AFTER = re.compile(r"^\s+(?P<part>morning|afternoon|evening|night)\b", re.IGNORECASE)
_DATE_THEN_CLOCK = re.compile(r"^,?\s+$")
_CLOCK_JOIN = re.compile(r"^,?\s+(?:on\s+)?$", re.IGNORECASE)
_PART_JOIN = re.compile(r"^\s+on\s+$", re.IGNORECASE)


def _part_before(before: str) -> re.Match[str] | None:
    r"""``_PART_BEFORE.search(before)``, answered without the search when ``before`` does not end in " of ".

        >>> _part_before("in the early hours of ").group("part"), _part_before("the capture of Kyiv on ")
        ('hours', None)

    The search tries each of up to 60 positions against a long alternation; the pattern ends in
    r"\s+of\s+$", which most text before a date does not (rstrip() strips what \s matches).
    """
    stripped = before.rstrip()
    if len(stripped) == len(before) or stripped[-2:].lower() != "of" or not stripped[-3:-2].isspace():
        return None
    return _PART_BEFORE.search(before)


def _with_part(r: Resolved, start: int, end: int, text: str, part_word: str) -> Resolved:
    # "the early hours of Sunday" are the hours before that day's dawn.
    part = "MO" if part_word.lower() == "hours" else str(lexicon()["parts_of_day"][part_word.lower()])
    value = r.value if "T" in r.value else f"{r.value}T{part}"
    return r._replace(
        start=start, end=end, text=text[start:end], type="TIME", value=value, granularity="time"
    )


def merge_times(text: str, found: list[Resolved]) -> list[Resolved]:
    """Join a day and its part or clock time into one TIME: "the night of April 18", "7am on Saturday"."""
    out: list[Resolved] = []
    for r in found:
        if r.granularity == "day" and r.type == "DATE" and not r.value.endswith("_REF"):
            before = _part_before(text[max(0, r.start - 60) : r.start])
            if before:
                start = r.start - (len(text[max(0, r.start - 60) : r.start]) - before.start())
                while out and out[-1].end > start:
                    out.pop()
                r = _with_part(r, start, r.end, text, before.group("part"))
            else:
                after = _PART_AFTER.search(text[r.end : r.end + 20])
                if after:
                    r = _with_part(r, r.start, r.end + after.end(), text, after.group("part"))
            prev = out[-1] if out else None
            if (
                prev is not None
                and r.date_start is not None
                and (
                    (prev.rule.startswith("clock") and _CLOCK_JOIN.match(text[prev.end : r.start]))
                    # "at midnight on Sunday", "at dawn on Friday": an unanchored part of that day.
                    or (
                        prev.rule in ("part_of_day", "noon")
                        and prev.value.startswith("XXXX-XX-XXT")
                        and _PART_JOIN.match(text[prev.end : r.start])
                    )
                )
            ):
                clock = prev.value.split("T")[-1]
                out[-1] = r._replace(
                    start=prev.start,
                    text=text[prev.start : r.end],
                    type="TIME",
                    value=f"{r.value.split('T')[0]}T{clock}",
                    granularity="time",
                    rule=prev.rule,
                )
                continue
        prev = out[-1] if out else None
        if (
            r.rule.startswith("clock")
            and prev is not None
            and prev.type == "DATE"
            and prev.granularity == "day"
            and prev.date_start is not None
            and _DATE_THEN_CLOCK.match(text[prev.end : r.start])
        ):
            # "May 8 1:00AM", "June 3, 9 a.m.": the clock time of that day.
            out[-1] = prev._replace(
                end=r.end,
                text=text[prev.start : r.end],
                type="TIME",
                value=f"{prev.value}T{r.value.split('T')[-1]}",
                granularity="time",
            )
            continue
        out.append(r)
    return out


_RANGE_JOIN = re.compile(r"^\s*(?:[-–]|to|and|until|through|or)\s*$", re.IGNORECASE)
_DAY_TAIL = re.compile(r"^\s*(?:[-–]|and|to|or)\s*(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*(?:[-–:,.]?\d|%))")
_DAY_HEAD = re.compile(r"(?<![\d,.])(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s*(?:[-–]|and|to|or)\s*$")


def _with_day(r: Resolved, start: int, end: int, text: str, day: int) -> Resolved | None:
    head = r.value[:8]
    cal_day = None
    if r.date_start is not None:
        try:
            cal_day = r.date_start.replace(day=day)
        except ValueError:
            return None
    elif not 1 <= day <= 31:
        return None
    return r._replace(
        start=start,
        end=end,
        text=text[start:end],
        value=f"{head}{day:02d}",
        date_start=cal_day,
        date_end=cal_day,
        rule="day_range",
    )


_DAY_OR_MONTH_VALUE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def _calendar_interval(value: str) -> tuple[dt.date | None, dt.date | None]:
    """First and last day of a "YYYY-MM" or "YYYY-MM-DD" value (None, None if no such day).

        >>> _calendar_interval("2023-04"), _calendar_interval("2023-02-29")
        ((datetime.date(2023, 4, 1), datetime.date(2023, 4, 30)), (None, None))
    """
    m = _DAY_OR_MONTH_VALUE.fullmatch(value)
    if m is None:
        return None, None
    year, month = int(m[1]), int(m[2])
    try:
        if m[3] is not None:
            day = dt.date(year, month, int(m[3]))
            return day, day
        first = dt.date(year, month, 1)
    except ValueError:
        return None, None
    return first, (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _overlap_test(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Whether [start, end) overlaps one of ``spans``, answered by bisecting, not span by span.

    >>> _overlap_test([(0, 4), (10, 12)])(3, 6), _overlap_test([(0, 4), (10, 12)])(4, 10)
    (True, False)
    """
    spans = sorted(spans)
    starts = [s for s, _ in spans]
    reach = list(accumulate((e for _, e in spans), max))  # the furthest end among spans so far

    def overlaps(start: int, end: int) -> bool:
        # Only spans starting before ``end`` can overlap; one of them does when the furthest
        # reaching one ends after ``start``.
        k = bisect_left(starts, end)
        return k > 0 and reach[k - 1] > start

    return overlaps


def complete_ranges(text: str, found: list[Resolved]) -> list[Resolved]:
    """Ranges share what one end states: "6-7 January 1916", "April 6-7", "(August-September 1950)"."""
    out = list(found)
    # A range's first end takes the year the second end states.
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if (
            a.anchor != "absolute"
            and b.anchor == "absolute"
            and a.granularity in ("day", "month")
            and b.granularity in ("day", "month")
            and a.value[:4] != b.value[:4]
            and b.value[:4].isdigit()
            and _RANGE_JOIN.match(text[a.end : b.start])
        ):
            # The year part is "2023" or, after a BC narrative anchor, "BC0480".
            value = b.value[:4] + a.value[a.value.index("-") :]
            d0, d1 = _calendar_interval(value)
            out[i] = a._replace(value=value, date_start=d0, date_end=d1, anchor="absolute", anchor_value=None)
    extra: list[Resolved] = []
    overlaps = _overlap_test([(r.start, r.end) for r in out])
    for r in out:
        if r.granularity != "day" or r.type != "DATE" or len(r.value) != 10:
            continue
        # Each side is looked at only for dates that can have it: the searches cost more than the test.
        tail = _DAY_TAIL.match(text[r.end : r.end + 12]) if text[r.start].isalpha() else None
        if tail:  # "April 6-7": the tail day follows a month-first date
            start, end = r.end + tail.start("day"), r.end + tail.end()
            new = _with_day(r, start, end, text, int(tail.group("day")))
            if new and not overlaps(start, end):
                extra.append(new)
        head = _DAY_HEAD.search(text[max(0, r.start - 12) : r.start]) if text[r.start].isdigit() else None
        if head:  # "6-7 January 1916": the head day precedes a day-first date
            offset = max(0, r.start - 12)
            start, end = offset + head.start("day"), offset + head.end("day")
            new = _with_day(r, start, end, text, int(head.group("day")))
            if new and not overlaps(start, end):
                extra.append(new)
    return sorted(out + extra, key=lambda r: r.start)


def _granularity_of(value: str) -> str | None:
    if value.endswith("_REF"):
        return None
    if "T" in value:
        return "time"
    if "-W" in value:
        return "week"
    parts = value.split("-")
    return {1: "year", 2: "month", 3: "day"}.get(len(parts))


def find(text: str, reference: dt.date | None) -> list[Resolved]:
    """All temporal expressions of an English text, resolved against ``reference``."""
    ref = from_date(reference) if reference is not None else None
    found = find_matches(text)
    chosen = choose(found)
    return complete_ranges(text, merge_times(text, resolve(text, chosen, ref, _is_narrative(chosen, ref))))
