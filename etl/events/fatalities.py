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

from etl.events.resources import fatality_patterns, patterns
from etl.events.text import ascii_lowered
from etl.events.triggers import find_triggers
from etl.wordlists import literal_alternation

_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


@cache
def _cue() -> re.Pattern[str]:
    """Any death word of ``fatalities.toml``: a sentence without one states no toll."""
    cues = "|".join(re.escape(c) for c in fatality_patterns()["cues"])
    return re.compile(rf"\b(?:{cues})", re.IGNORECASE)


@cache
def _number() -> str:
    """What ``{N}`` stands for: a count, in digits or words ("one hundred and twenty")."""
    word_alt = literal_alternation(fatality_patterns()["numbers"])
    tens = "|".join(_TENS)
    units = "one|two|three|four|five|six|seven|eight|nine"
    word = rf"(?:{tens})[- ](?:{units})|{word_alt}"
    # a multiplier after a number is part of it, and so is the number after it: "One hundred
    # and twenty people" is not 1, "two hundred thousand", "a hundred", "2 thousand", "two dozen"
    times = "(?:hundred|thousand|million|dozen)"
    more = rf"(?:\s+{times}(?:\s+(?:and\s+)?(?:{word})\b)?)*"
    # a count starts a word: "often died" states no ten deaths
    return rf"\b(?P<n>(?:\d{{1,3}}(?:,\d{{3}})+|\d+|{word}|a(?=\s+{times}\b)){more})"


def _expand(pattern: str) -> str:
    """A pattern of ``fatalities.toml`` with ``{Q}``, ``{N}``, ``{V}``, ``{S}``, ``{ITEM}`` and
    ``{SEP}`` written out."""
    data = fatality_patterns()
    return (pattern.replace("{ITEM}", data["item"]).replace("{SEP}", data["separator"])
            .replace("{Q}", data["quantifiers"]).replace("{N}", _number())
            .replace("{V}", data["victims"]).replace("{S}", data["singular"]))


def _sources() -> list[str]:
    """The patterns that state one count (group ``n``): those of one event, then the tolls."""
    data = fatality_patterns()
    return [*data["patterns"], *data["tolls"]]


@cache
def _compiled() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(_expand(pattern), re.IGNORECASE) for pattern in _sources())


@cache
def _is_toll() -> tuple[bool, ...]:
    """For each of ``_compiled()``, whether it states a toll (which supersedes other counts)."""
    return (False,) * len(fatality_patterns()["patterns"]) + (True,) * len(fatality_patterns()["tolls"])


_GROUP = re.compile(r"\(\?P<(?!list>)\w+>")


@cache
def _list_patterns() -> tuple[re.Pattern[str], ...]:
    """The victim-group lists; a repeated item cannot hold named groups, so only ``list`` stays."""
    return tuple(re.compile(_GROUP.sub("(?:", _expand(pattern)), re.IGNORECASE)
                 for pattern in fatality_patterns()["lists"])


def _alternation(key: str, *, case: str = "(?i:") -> str:
    """The phrases of ``fatalities.toml`` ``key`` as a group (case-insensitive by default),
    longest first, white space in a phrase matching any."""
    phrases = sorted(fatality_patterns()[key], key=len, reverse=True)
    return case + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases) + ")"


class _Named(NamedTuple):
    """The patterns of one named person killed (see ``named`` in ``fatalities.toml``)."""

    named: re.Pattern[str]
    others: re.Pattern[str]
    more: re.Pattern[str]


@cache
def _named() -> _Named:
    """``named``, ``named_others`` and ``named_more`` compiled, case-sensitive (names are capitalised)."""
    data = fatality_patterns()
    word = (rf"(?!{_alternation('not_names', case='(?:')}\b)"
            r"(?:(?:al|el|bin|bint|ibn|abu|de|da|del|van|von|der|du|ul)[-\s])?[A-Z](?:[\w-]|['’](?!s\b))*")
    modifier = rf"(?:[A-Z][\w'’.-]*|{_alternation('name_modifiers')})"

    def expand(pattern: str) -> str:
        return (_expand(pattern).replace("{MOD}", modifier).replace("{TITLE}", _alternation("titles"))
                .replace("{NAME}", rf"(?P<name>{word}(?:\s+{word}){{0,3}})"))

    return _Named(re.compile(expand(data["named"])), re.compile(expand(data["named_others"])),
                  re.compile(_GROUP.sub("(?:", expand(data["named_more"]))))


def _named_counts(sentence: str) -> Iterator[_Count]:
    """One named person killed, with the others killed beside them: "killed Hezbollah leader
    Hassan Nasrallah" is 1, "killed Hamas commander Marwan Issa and 12 others" 13."""
    patterns = _named()
    for match in patterns.named.finditer(sentence):
        end = match.end()
        others = patterns.others.match(sentence, end)
        if others is not None:
            value = parse_number(others.group("n"))
            if value is None or not _plausible_at(sentence, others.start("n"), others.end("n"), value):
                continue
            yield _Count(1 + value, match.start(), others.end(), listed=True)
        elif patterns.more.match(sentence, end) is None:
            yield _Count(1, match.start(), end, listed=True)


@cache
def _item() -> re.Pattern[str]:
    """One victim group of a list: a count (``n``), "himself" (``self``) or one victim (``one``)."""
    return re.compile(_expand(fatality_patterns()["item"]), re.IGNORECASE)


_COUNT = "{Q}{N}"  # how the count-led patterns start
_LIST = "(?P<list>"


@cache
def _count_led() -> tuple[bool, ...]:
    """For each pattern, whether it starts with a (quantified) count: "at least 12 civilians died"."""
    return tuple(pattern.startswith(_COUNT) for pattern in _sources())


@cache
def _list_count_led() -> tuple[bool, ...]:
    """For each list, whether it starts with a count: "Three civilians, two soldiers killed"."""
    return tuple(pattern.removeprefix(_LIST).startswith(_COUNT) for pattern in fatality_patterns()["lists"])


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
    return tuple("{N}" in pattern for pattern in _sources())


@cache
def _number_words() -> dict[str, int]:
    return {**fatality_patterns()["numbers"], "a": 1, "an": 1}


def parse_number(text: str) -> int | None:
    """A stated count as an int: ``parse_number("twenty-five") == 25``, ``parse_number("1,200") == 1200``,
    ``parse_number("one hundred and twenty") == 120``."""
    words = _number_words()
    cleaned = text.lower().replace(",", "").strip()
    if cleaned.isdigit():
        return int(cleaned)
    if cleaned in words:
        return int(words[cleaned])
    multipliers: dict[str, int] = fatality_patterns()["multipliers"]
    total = current = 0
    seen = False
    for part in re.split(r"[-\s]+", cleaned):
        if part == "and" and seen:
            continue
        if part in multipliers:
            # "hundred" multiplies what comes before it within the thousand, "thousand" and
            # "million" the group before them ("two hundred thousand")
            factor = multipliers[part]
            if factor >= 1000:
                total, current = total + (current or 1) * factor, 0
            else:
                current = (current or 1) * factor
        elif part.isdigit():
            current += int(part)
        elif part in words:
            current += int(words[part])
        else:
            return None
        seen = True
    return total + current if seen else None


class _Rules(NamedTuple):
    """The compiled patterns, in one of two forms (case-folding, or for lower-cased ASCII text)."""

    cue: re.Pattern[str]
    number: re.Pattern[str]
    count_at: re.Pattern[str]
    count_start: re.Pattern[str]
    patterns: tuple[re.Pattern[str], ...]
    lists: tuple[re.Pattern[str], ...]


@cache
def _rules() -> _Rules:
    """The patterns as written: case-insensitive, for any text."""
    return _Rules(_cue(), _any_number(), _count_at(), _count_start(), _compiled(), _list_patterns())


@cache
def _ascii_rules() -> _Rules | None:
    """The same patterns for lower-cased ASCII text, matching without case-folding (None if one
    has no such form). Case-folding costs ``re`` its first-character skips: the count-led
    patterns, tried at every count, ran 2-3 times slower."""
    simple = [ascii_lowered(p.pattern, p.flags) for p in (*_rules()[:4], *_compiled(), *_list_patterns())]
    if any(p is None for p in simple):
        return None
    lowered: list[re.Pattern[str]] = simple  # type: ignore[assignment]
    cue, number, count_at, count_start = lowered[:4]
    n_patterns = len(_compiled())
    return _Rules(cue, number, count_at, count_start, tuple(lowered[4 : 4 + n_patterns]),
                  tuple(lowered[4 + n_patterns :]))


class _Count(NamedTuple):
    """One stated count: its value, where its number (or list) is, and what states it."""

    value: int
    start: int
    end: int
    toll: bool = False  # "the death toll rose to 28"
    listed: bool = False  # "five soldiers and three civilians"


def fatalities(sentence: str) -> int | None:
    """The number killed in the sentence's event ("killed 12", "death toll rose to 28"), or None.

    A revised toll supersedes the other counts, victim groups joined by "and" add up, a subset
    ("including two children") adds nothing, and a number that is part of a date, road or age,
    or a cumulative or historical toll, is no count.

        >>> fatalities("A strike on December 16 killed five soldiers and three civilians.")
        8
    """
    # ASCII text lower-cased once is matched without case-folding: the same spans, cheaper
    rules = _ascii_rules() if sentence.isascii() else None
    lowered = rules is not None
    text = sentence.lower() if lowered else sentence
    rules = rules or _rules()
    if not rules.cue.search(text):  # most sentences name no death: skip the big patterns
        return None
    sentence = _without_subsets(sentence)
    text = sentence.lower() if lowered else sentence
    return _choose(sentence, _counts(sentence, text, rules, fast=True))


def plain_fatalities(sentence: str) -> int | None:
    """``fatalities`` without its shortcuts: every pattern case-folding, ``finditer`` over the
    whole sentence, no pre-filter (what the shortcuts must not change)."""
    sentence = _without_subsets(sentence)
    return _choose(sentence, _counts(sentence, sentence, _rules(), fast=False))


def _counts(sentence: str, text: str, rules: _Rules, *, fast: bool) -> list[_Count]:
    """Every plausible count the sentence states (``text`` is it, or it lower-cased)."""
    # a sentence without any count skips the patterns that need one (costly: those led by a
    # count are tried at every position of the sentence)
    has_number = not fast or rules.number.search(text) is not None
    count_starts: list[int] | None = None

    def matches(pattern: re.Pattern[str], count_led: bool) -> Iterator[re.Match[str]]:
        nonlocal count_starts
        if fast and count_led:
            if count_starts is None:
                count_starts = _count_starts(text, rules)
            return _matches_from(pattern, text, count_starts)
        return pattern.finditer(text)

    found: list[_Count] = []
    for pattern, states_number, count_led, toll in zip(
        rules.patterns, _states_number(), _count_led(), _is_toll(), strict=True
    ):
        if states_number and not has_number:
            continue
        for match in matches(pattern, count_led):
            # the count's digits and offsets are the sentence's (lower-casing keeps both)
            value = parse_number(match.group("n"))
            if value is not None and _plausible(sentence, match, value):
                found.append(_Count(value, match.start("n"), match.end("n"), toll=toll))
    for pattern, count_led in zip(rules.lists, _list_count_led(), strict=True):
        if count_led and not has_number:
            continue
        for match in matches(pattern, count_led):
            total = _list_total(sentence, match.start("list"), match.end("list"))
            if total is not None:
                found.append(_Count(total, match.start("list"), match.end("list"), listed=True))
    found.extend(_named_counts(sentence))  # case matters: ``sentence``, never ``text``
    return found


def _list_total(sentence: str, start: int, end: int) -> int | None:
    """The dead of a list of victim groups: their sum, or the first when it is a total the rest
    break down ("12 people, three soldiers and nine civilians"); None if a group is no count."""
    items = list(_item().finditer(sentence, start, end))
    # "killing at least 20 soldiers, a military officer said": a group the report is told by is
    # its source, no victim (the list ends before it)
    source = _source_after()
    items = next((items[:i] for i, item in enumerate(items) if i and source.match(sentence, item.end())),
                 items)
    values: list[int] = []
    for item in items:
        if item.group("n") is not None:
            value = parse_number(item.group("n"))
            if value is None or not _plausible_at(sentence, item.start("n"), item.end("n"), value):
                return None
            values.append(value)
        else:  # "himself", "soldier"
            values.append(1)
    if len(values) < 2:
        return None
    first = items[0]
    head = first.group(0).split()[-1].lower()
    if head in fatality_patterns()["totals"] and sentence[first.end() : first.end() + 1] == ",":
        return values[0]
    return sum(values)


@cache
def _source_after() -> re.Pattern[str]:
    """What follows the source of a report: "(a military officer) said", "('s spokesman) told"
    (the reporting verbs and speaker words of ``patterns.toml``, as ``actors.is_reporter`` reads them)."""
    p = patterns()
    verbs, speakers = (_any_phrase(p[key]) for key in ("reporting_verbs", "speaker_words"))
    return re.compile(rf"(?:'s|’s)?(?:\s+(?:{speakers}|on\s+[A-Z][a-z]+)){{0,3}}\s*,?\s+(?:{verbs})\b")


def _any_phrase(phrases: Sequence[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


def _choose(sentence: str, found: list[_Count]) -> int | None:
    """The event's count among those stated: cumulative and historical ones dropped, a list
    standing for the counts within it, a toll superseding the rest unless it is an aggregate the
    event adds to ("killed 25, bringing the toll to 45,000" is 25)."""
    if not found:
        return None
    clauses = _clauses(sentence)
    # a list may span clauses: its last group's clause holds the predicate ("68 servicemen, five
    # civilians killed over the past year")
    found = [c for c in found if not _cumulative(sentence, clauses, c.start)
             and not (c.listed and _cumulative(sentence, clauses, c.end - 1))
             and not _background(sentence, c.start)]
    lists = [c for c in found if c.listed]
    counts: dict[int, _Count] = {}  # one count per number: several patterns state the same
    for count in sorted(found, key=lambda c: (c.start, -c.end)):
        if count.toll or any(lst is not count and lst.start <= count.start < lst.end for lst in lists):
            continue
        if count.start not in counts:
            counts[count.start] = count
    tolls = [c for c in found if c.toll]
    if tolls:
        last = max(tolls, key=lambda c: c.start)
        own = [c for c in counts.values() if not _incremental(sentence, c)]
        if not (own and _aggregate(sentence, clauses, last.start)):
            return last.value
        return own[0].value
    if not counts:
        return None
    # independent counts: the first belongs to the sentence's first (main) clause, the one its
    # event is read from
    return next(iter(counts.values())).value


# More dead than any war has had: a number like this is an id or an amount, never a count
# (and past 64 bits it could not even be stored).
MAX_COUNT = 100_000_000


def _plausible(sentence: str, match: re.Match[str], value: int) -> bool:
    """Whether the number of ``match`` (group ``n``) may be a count: see ``_plausible_at``."""
    return _plausible_at(sentence, match.start("n"), match.end("n"), value)


def _plausible_at(sentence: str, start: int, end: int, value: int) -> bool:
    """Not a year ("killed in 2014 ...") nor a number glued to a unit ("F-16", "10-nation",
    "an 8-year-old"), nor part of a date, road or age ("on December 16 killed", "Route 66",
    "aged 15 and 16"), nor more dead than any war ("killing 99999999999 people")."""
    if value > MAX_COUNT:
        return False
    if start > 0 and sentence[start - 1] in "-/.":
        return False
    if 1900 <= value <= 2100 and sentence[start:end].isdigit():
        return False
    if end + 1 < len(sentence) and sentence[end] == "-" and sentence[end + 1].isalpha():
        return False
    context = _context()
    if context.before.search(sentence, max(0, start - 30), start):  # "December 15 and 16" fits
        return False
    return context.after.match(sentence, end, min(len(sentence), end + 20)) is None


class _Context(NamedTuple):
    """The compiled context rules of ``fatalities.toml`` (see there)."""

    before: re.Pattern[str]
    after: re.Pattern[str]
    cumulative: re.Pattern[str]
    superlatives: frozenset[str]
    referring: re.Pattern[str]
    aggregate: frozenset[str]
    incremental: frozenset[str]
    clause_break: re.Pattern[str]
    subsets: re.Pattern[str]
    relative: re.Pattern[str]
    background: re.Pattern[str]
    course: re.Pattern[str]


def _words(key: str, but: str = "") -> str:
    """An alternation of the phrases listed under ``key`` (``but`` left out), longest first."""
    words = (w for w in fatality_patterns()[key] if w != but)
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _context() -> _Context:
    data = fatality_patterns()
    return _Context(
        # a date's or age's number may be the second of a pair ("December 15 and 16", "aged 15 to
        # 17"); not after a comma: "On December 16, 2 soldiers were killed"
        before=re.compile(rf"(?<!\w)(?:{_words('not_count_before')})\.?\s*(?:\d+\s*(?:and|or|to|-|–)\s*)*$",
                          re.IGNORECASE),
        after=re.compile(rf"\s*(?:{_words('not_count_after')})(?!\w)", re.IGNORECASE),
        # "since" marks a count unless a moment of the same day or a day of the last week
        # follows ("since early morning", "since Thursday", "since late Friday")
        cumulative=re.compile(rf"\b(?:{_words('cumulative', but='since')})\b"
                              rf"|\bsince\b(?!\s+(?:(?:early|late)\s+)?(?:{_words('same_day')}|{_words('recent')})\b)",
                              re.IGNORECASE),
        superlatives=frozenset(data["superlatives"]),
        referring=re.compile(rf"\s*(?:{_words('referring')})\b", re.IGNORECASE),
        aggregate=frozenset(data["aggregate"]),
        incremental=frozenset(data["incremental"]),
        # a comma between digits groups a number ("45,000"); a dash between spaces breaks
        clause_break=re.compile(r"[;:()\[\]]|,(?!\d)|\s[-–—]+\s|[–—]"),
        subsets=re.compile(data["subsets"], re.IGNORECASE),
        # a relative clause that opens up to six words before the count, no comma between
        # ("which killed about |1,200", "in which |2,000 died"); searched up to the count
        relative=re.compile(rf"\b(?:{_words('relative')})(?:\s+[\w'’-]+){{0,6}}?\s+$", re.IGNORECASE),
        background=re.compile(rf"\b(?:{_words('background')})\b", re.IGNORECASE),
        course=re.compile(rf"\b(?:{_words('course')})\b", re.IGNORECASE),
    )


def _without_subsets(sentence: str) -> str:
    """The sentence without its subset appositives ("Five people, including two children, were
    killed" -> "Five people were killed"): a subset names some of the dead, never more."""
    return _context().subsets.sub("", sentence)


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """The sentence's clauses as spans, split at punctuation."""
    spans = []
    at = 0
    for mark in _context().clause_break.finditer(sentence):
        spans.append((at, mark.start()))
        at = mark.end()
    spans.append((at, len(sentence)))
    return spans


def _clause_at(clauses: list[tuple[int, int]], position: int) -> int:
    return next((i for i, (_, end) in enumerate(clauses) if position < end), len(clauses) - 1)


_WORD = re.compile(r"[\w'’-]+")


def _marked(clause: str, *, comparisons: bool) -> re.Match[str] | None:
    """The first cumulative marker of the clause ("since", "this year"); one after a superlative
    ("the deadliest attack since 2019") compares and counts only with ``comparisons``."""
    context = _context()
    for marker in context.cumulative.finditer(clause):
        before = _WORD.findall(clause, max(0, marker.start() - 60), marker.start())[-5:]
        if comparisons or not any(w.lower() in context.superlatives for w in before):
            return marker
    return None


def _cumulative(sentence: str, clauses: list[tuple[int, int]], position: int) -> bool:
    """Whether the count at ``position`` is cumulative or historical: its clause has a marker,
    or follows a fronted one ("Since October, 45,000 people have been killed"), or refers back
    to one ("the deadliest since 2019, when 2,000 were killed")."""
    index = _clause_at(clauses, position)
    clause = sentence[slice(*clauses[index])]
    if _marked(clause, comparisons=False):
        return True
    if index == 0:
        return False
    previous = sentence[slice(*clauses[index - 1])]
    if _context().referring.match(clause) and _marked(previous, comparisons=True):
        return True
    fronted = _marked(previous, comparisons=False) if index == 1 else None
    return fronted is not None and not previous[: fronted.start()].strip()


# The antecedent of a relative clause is a short noun phrase: "the Hamas-led attack of October
# 7, 2023" (a comma only before a year's or day's digits, or the one before the clause).
_ANTECEDENT = re.compile(r"(?:[^,;:()\[\]]|,(?=\s*\d))*,?\s*")
_ANTECEDENT_WORDS = 12


def _background(sentence: str, position: int) -> bool:
    """Whether the count at ``position`` is the toll of an earlier event the sentence names as
    background, in a relative clause after it, besides a violent act of its own.

        >>> text = "Houthis fired missiles at Israel since the attack of October 7, which killed 1,200."
        >>> _background(text, text.index("1,200"))
        True
        >>> text = "Rebels captured Goma after days of fighting that killed at least 100 people."
        >>> _background(text, text.index("100"))
        False
    """
    context = _context()
    opener = context.relative.search(sentence, max(0, position - 60), position)
    if opener is None:
        return False
    before = sentence[max(0, opener.start() - 160) : opener.start()]
    prepositions = list(context.background.finditer(before))
    if not prepositions:
        return False
    preposition = prepositions[-1]  # the last one governs the antecedent
    antecedent = before[preposition.end() :]
    if _ANTECEDENT.fullmatch(antecedent) is None or len(_WORD.findall(antecedent)) > _ANTECEDENT_WORDS:
        return False
    if context.course.search(antecedent):  # "after days of fighting that killed 100": this act's
        return False
    # the sentence's own act: before the background phrase, or after the relative clause when
    # the phrase is fronted ("Since the attack ..., which killed 1,200, the Houthis have fired")
    clause_end = context.clause_break.search(sentence, position)
    own = [sentence[: opener.start() - len(before) + preposition.start()],
           sentence[clause_end.end() :] if clause_end is not None else ""]
    # the antecedent is an event ("attack", "the bombing of"), and so is the sentence's own act
    # (else the count is the only violent event's, the one it attaches to)
    return (any(m.sense.plover == "ASSAULT" for m in find_triggers(antecedent))
            and any(m.sense.plover == "ASSAULT" for part in own for m in find_triggers(part)))


def _aggregate(sentence: str, clauses: list[tuple[int, int]], position: int) -> bool:
    """Whether the toll at ``position`` is one the event is added to ("bringing the toll to")."""
    start = clauses[_clause_at(clauses, position)][0]
    words = {w.lower() for w in _WORD.findall(sentence, start, position)}
    return not words.isdisjoint(_context().aggregate)


def _incremental(sentence: str, count: _Count) -> bool:
    """Whether a count adds to an earlier one: "two more people died", "another five"."""
    before = _WORD.findall(sentence, max(0, count.start - 20), count.start)[-1:]
    after = _WORD.findall(sentence, count.end, min(len(sentence), count.end + 30))[:2]
    return any(w.lower() in _context().incremental for w in (*before, *after))
