"""Dates in languages other than English, through dateparser's language data.

Absolute dates and simple relative words ("вчора", "hier") come from dateparser: each candidate
that ``search_dates`` finds is kept when it holds a digit or a known relative word, and is
re-parsed alone to learn its granularity. All settings are explicit; nothing reads the clock.
Weekdays ("dimanche", "am Sonntag"), "il y a trois jours", "la semaine dernière" and a month
after a preposition ("en février") are read from our word lists (foreign_relative.json) and
coded as the English grammar codes them (``_relative_finds``).

dateparser costs a millisecond or more for each number or date word it reads (24 KB of
numbers took 20 s), so it is not handed the article: one regular expression, built once per
language from dateparser's own words (month and weekday names, units, relative words) plus
four-digit years, finds candidates, and only a short window around each (the words and
numbers that can belong to the same date, at most 8 tokens each side) is searched. Text
without a candidate costs one scan; a time of day alone ("2:50 Uhr") is no candidate.

    >>> [m.value for m in find_foreign("Le 16 décembre 2024, l'armée a frappé.", None, "fr")]
    ['2024-12-16']
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from etl.temporal.resolve import Resolved
from etl.temporal.values import Cal, from_date

# dateparser needs *some* base for relative words; with no reference date we pass a fixed one
# and then drop whatever depended on it, so the clock is never read.
_NO_REFERENCE = dt.datetime(2000, 1, 1)
_LAST_SECOND = dt.timedelta(days=1, seconds=-1)  # from a day's midnight to its last second
_HAS_DIGIT = re.compile(r"\d")
_FULL_YEAR = re.compile(r"\d{4}")
_MONTHISH = re.compile(r"[^\W\d_]{3,}", re.UNICODE)

# Window shape. dateparser cuts a text into chunks of words it knows and tokens with digits,
# and reads dates only inside a chunk; a window that reaches, on each side, the first token
# that cannot belong to a chunk gives it the same chunk as the whole text did. The caps only
# bite in runs no date is made of (tables of numbers, lists of month names).
_SIDE_TOKENS = 8  # at most this many tokens taken on each side of a candidate
_SIDE_CHARS = 96  # ... and at most this many characters, so one huge token stays cheap
_WINDOW_CHARS = 1024  # merged windows are cut here: one dateparser call stays short
_SIDE_CHARS_UNSPACED = 24  # languages written without spaces (zh, ja): characters each side
_TOKEN = re.compile(r"\S+")
_TOKEN_END = re.compile(r"\S*\Z")  # the part of a token before an offset
_TOKEN_START = re.compile(r"\S*")  # the part of a token after an offset
_NUMBER_ONLY = re.compile(r"[\W\d_]*\d[\W\d_]*")
_WORD_PARTS = re.compile(r"[^\W\d_]+")
_YEAR_PATTERN = r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)"
_GLUED_BEFORE = re.compile(r"\d[./:]\Z")
_GLUED_AFTER = re.compile(r"[./:]\d")


def _settings(base: dt.datetime, prefer: str) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": base,
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "STRICT_PARSING": False,
        "REQUIRE_PARTS": [],
        "DATE_ORDER": "DMY",
        "RETURN_TIME_AS_PERIOD": True,
    }


# ISO 639-1 codes dateparser knows under another name: Norwegian as its written standard Bokmål.
_DATEPARSER_CODES = {"no": "nb"}


@cache
def supports(language: str) -> bool:
    """Whether dateparser has data for a language code (``uk`` and ``no`` yes, ``und`` no)."""
    from dateparser.languages.loader import default_loader

    return _DATEPARSER_CODES.get(language, language) in default_loader.get_locale_map()


@lru_cache(maxsize=1024)
def _parser(language: str, base: dt.datetime, prefer: str) -> Any:
    """dateparser's parser of one language with our settings (it reads them only when built)."""
    from dateparser.date import DateDataParser

    return DateDataParser(languages=[language], settings=_settings(base, prefer))


@lru_cache(maxsize=65536)
def _parse(
    surface: str, language: str, base: dt.datetime, prefer: str
) -> tuple[dt.datetime | None, str | None]:
    """One candidate string parsed alone: (datetime, period) or (None, None)."""
    # One parse gives both: the date (what ``dateparser.parse`` returns) and its period.
    data = _parser(language, base, prefer).get_date_data(surface)
    if data is None or data.date_obj is None:
        return None, None
    return data.date_obj, str(data.period or "day")


@cache
def _relative_words(language: str) -> frozenset[str]:
    """Words dateparser treats as relative in this language (e.g. "вчора", "hier")."""
    from dateparser.languages.loader import default_loader

    locale = default_loader.get_locale(language)
    words: set[str] = set()
    info = locale.info
    for key in ("yesterday", "today", "tomorrow", "now", "ago", "in"):
        for w in info.get(key, []) or []:
            words.add(str(w).lower())
    for pattern in (info.get("relative-type") or {}).values():
        for w in pattern:
            words.add(str(w).lower())
    return frozenset(w for w in words if w and not re.search(r"[\\(\[]", w))


def _trim(surface: str, relative: frozenset[str]) -> str:
    """Cut words search_dates swept in after a relative word: "Hier, trois" -> "Hier"."""
    lowered = surface.lower()
    for word in sorted(relative, key=len, reverse=True):
        if lowered.startswith(word) and not _HAS_DIGIT.search(surface[len(word) :]):
            return surface[: len(word)]
    return surface.rstrip(" ,;:")


# --- candidate windows -------------------------------------------------------------------

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")
_STANDALONE_KEYS = ("yesterday", "today", "tomorrow", "now")


def _strip_marks(word: str) -> str:
    """A word without its accents, as dateparser compares it: "décembre" -> "decembre"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if unicodedata.category(c) != "Mn")


def _literal_words(values: Iterable[Any]) -> set[str]:
    """The plain words of a list of dateparser entries, lower-cased, with accentless forms."""
    out: set[str] = set()
    for value in values:
        word = " ".join(str(value).lower().split())
        if word and not re.search(r"[\\(\[|]", word):
            out.add(word)
            out.add(_strip_marks(word))
    return out


def _phrase_pattern(phrases: Iterable[str]) -> str:
    """One pattern for many phrases, as a trie so a scan tries one branch per character.

    Spaces match any white space and an apostrophe either apostrophe; a longer phrase wins.

        >>> _phrase_pattern(["hier", "hiver"])
        'hi(?:er|ver)'
    """
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie) or r"(?!)"


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [
        _CHAR_PATTERNS.get(char, re.escape(char)) + _trie_pattern(node[char]) for char in sorted(node) if char
    ]
    if not branches:
        return ""
    if len(branches) == 1 and "" not in node:
        return branches[0]
    # Greedy: the longer phrase is tried first, the shorter one when the word goes on.
    return "(?:" + "|".join(branches) + (")?" if "" in node else ")")


_CHAR_PATTERNS = {" ": r"\s+", "'": "['’]"}


@dataclass(frozen=True)
class _Lexicon:
    """What finds candidate windows in one language (built once from dateparser's data)."""

    anchors: re.Pattern[str]  # groups: standalone relative word, year, other date word
    chunk_words: frozenset[str]  # words dateparser keeps inside a chunk
    date_words: frozenset[str]  # month, weekday, unit and relative words, without marks
    number_words: Any  # a `regex` pattern: words it turns into digits before reading ("трьох")
    unspaced: bool  # written without spaces between words (zh, ja)
    lead: str  # put before each window so dateparser takes it for this language (see _surfaces)


@cache
def _lexicon(language: str) -> _Lexicon:
    """The candidate finder of a language: ``_lexicon("fr").anchors.search("hier")`` matches."""
    from dateparser.languages.loader import default_loader

    info = default_loader.get_locale(language).info
    standalone = _literal_words(w for key in _STANDALONE_KEYS for w in info.get(key) or [])
    for values in (info.get("relative-type") or {}).values():
        standalone |= _literal_words(values)
    dated = _literal_words(w for key in (*_MONTHS, *_WEEKDAYS, *_UNITS, "ago", "in")
                           for w in info.get(key) or [])  # fmt: skip
    unspaced = "no_word_spacing" in info
    # A word of one or two letters is no candidate ("en", "in", "a"): too common, and it makes
    # no date alone; it still joins a window as part of a chunk.
    words = {w for w in dated - standalone if unspaced or len(w.replace(" ", "")) >= 3}
    if unspaced:
        left, right = "", ""
    else:
        left, right = r"(?<![^\W\d_])", r"(?![^\W\d_])"
    anchors = re.compile(
        rf"{left}(?:(?P<standalone>{_phrase_pattern(standalone)}){right}"
        rf"|(?P<word>{_phrase_pattern(words)}){right})"
        rf"|(?P<year>{_YEAR_PATTERN})",
        re.IGNORECASE,
    )
    chunk = set(standalone | dated | _literal_words(info.get("skip") or []))
    for key in ("am", "pm"):
        chunk |= _literal_words(info.get(key) or [])
    chunk |= set(_quirks(language).month_forms)  # "в феврале": rewritten to a month name
    chunk = {_strip_marks(part) for phrase in chunk for part in _WORD_PARTS.findall(phrase)}
    # Words a date may end with: not the "in" words ("в", "in"), which only start one.
    ending = standalone | _literal_words(
        w for key in (*_MONTHS, *_WEEKDAYS, *_UNITS, "ago") for w in info.get(key) or []
    )
    date_words = frozenset(_strip_marks(_WORD_PARTS.findall(w)[-1]) for w in ending if _WORD_PARTS.search(w))
    return _Lexicon(anchors, frozenset(chunk), date_words, _number_words(info), unspaced, _lead(info))


def _lead(info: dict[str, Any]) -> str:
    """A made-up word of the language's letters, then a paragraph break: "jjjjjj\\n\\n" in French.

    dateparser searches a text only if it shares a letter with the language's date words; an
    article always does, a window ("2023 —", a year between foreign names) may not. The word is
    no date word and the break ends its sentence, so the window is read as it stood alone.
    """
    if "no_word_spacing" in info:  # each character of a zh/ja month name is a date word itself
        return ""
    letters = [
        c for w in info.get("january") or [] for c in str(w).lower() if c.isalpha() and c not in "qamp"
    ]
    return (letters[0] * 6 if letters else "") + "\n\n"


def _number_words(info: dict[str, Any]) -> Any:
    """dateparser's simplifications of a language as one pattern, compiled as dateparser does."""
    import regex  # dateparser's own regular-expression engine: its patterns are written for it

    keys = [_strip_marks(str(key)) for item in info.get("simplifications") or [] for key in item]
    if not keys:
        return None
    either = "|".join(f"(?:{key})" for key in keys)
    return regex.compile(rf"(?<=\A|\W|_)(?:{either})(?=\Z|\W|_)", flags=regex.I | regex.U)


def _chunkable(token: str, lexicon: _Lexicon) -> bool:
    """Whether dateparser could keep ``token`` in a date's chunk (generous: more is only slower)."""
    if _HAS_DIGIT.search(token):
        return True
    bare = _strip_marks(token.lower())
    parts = _WORD_PARTS.findall(bare)
    if not parts or any(len(p) <= 2 or p in lexicon.chunk_words for p in parts):
        return True
    return lexicon.number_words is not None and lexicon.number_words.search(bare) is not None


def _reach(
    tokens: Iterable[tuple[int, int, str]], lexicon: _Lexicon, numbers: bool
) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """The farthest of ``tokens`` (nearest first) a window takes, those that can share a chunk,
    and the token that ends the chunk, if one does within reach.

    With ``numbers`` False a number alone ("30", "4.06.1991") ends the window too.
    """
    farthest = None
    for taken, (start, end, token) in enumerate(tokens):
        if taken >= _SIDE_TOKENS:
            break
        if not _chunkable(token, lexicon):
            return farthest, (start, end)
        if not numbers and _NUMBER_ONLY.fullmatch(token):
            break
        farthest = (start, end)
    return farthest, None


def _window(text: str, start: int, end: int, lexicon: _Lexicon, numbers: bool) -> tuple[int, int, int, int]:
    """The stretch of ``text`` around a candidate at ``start:end`` that can hold its date, and
    that stretch with the word ending the chunk on each side (what dateparser is given).

    The word before matters: some of dateparser's rewrites apply only at the start of a text
    (Ukrainian "^година" -> "1 hour"), and in the article the date did not start it.
    """
    if lexicon.unspaced:
        low, high = max(0, start - _SIDE_CHARS_UNSPACED), min(len(text), end + _SIDE_CHARS_UNSPACED)
        return low, high, low, high
    low = max(0, start - _SIDE_CHARS)
    high = min(len(text), end + _SIDE_CHARS)
    # The candidate's own token ("16décembre", "2024р."), then whole tokens on each side; a
    # token cut by the character cap is not taken.
    head = _TOKEN_END.search(text, low, start)
    first = head.start() if head is not None else start
    tail = _TOKEN_START.match(text, end, high)
    last = tail.end() if tail is not None else end
    before = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, low, first)]
    if before and before[0][0] == low and low > 0 and not text[low - 1].isspace():
        before = before[1:]
    after = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, last, high)]
    if after and after[-1][1] == high and high < len(text) and not text[high].isspace():
        after = after[:-1]
    left, left_end = _reach(reversed(before), lexicon, numbers)
    right, right_end = _reach(after, lexicon, numbers)
    core = (left[0] if left else first), (right[1] if right else last)
    return (*core, left_end[0] if left_end else core[0], right_end[1] if right_end else core[1])


def _glued(text: str, start: int, end: int) -> bool:
    """Whether the year at ``start:end`` is part of a numeric date or number ("4.06.1991")."""
    return bool(_GLUED_BEFORE.search(text, max(0, start - 2), start) or _GLUED_AFTER.match(text, end))


def _promising(text: str, found: list[tuple[str | None, int, int, int, int, int, int]], k: int) -> bool:
    """Whether the window of candidate ``k`` can hold a date that is kept.

    A kept date is a relative word, a year alone, or a number with a word ("16 грудня",
    "del 22/03/2024"); a month or unit word alone makes one only with a number or another
    such word ("il y a trois jours"). Numeric dates in a table of numbers are not searched.
    """
    kind, start, end, low, high, _, _ = found[k]
    if kind == "standalone" or (kind == "year" and not _glued(text, start, end)):
        return True
    if _HAS_DIGIT.search(text, low, high) and (kind == "word" or _MONTHISH.search(text, low, high)):
        return True
    return kind == "word" and any(
        0 <= j < len(found) and low <= found[j][1] and found[j][2] <= high for j in (k - 1, k + 1)
    )


def candidate_windows(text: str, language: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` that may hold a date, merged, in order.

    >>> text = "Selon le ministère, l'armée a frappé Kyiv le 3 mars 2024 vers minuit."
    >>> [text[start:end] for start, end in candidate_windows(text, "fr")]
    ['Kyiv le 3 mars 2024 vers']
    """
    lexicon = _lexicon(_DATEPARSER_CODES.get(language, language))
    found = []
    for match in lexicon.anchors.finditer(text):
        kind, start, end = match.lastgroup, match.start(), match.end()
        # A year alone is read alone: numbers next to it never make a kept date with it, and a
        # table of numbers would otherwise be searched whole ("1990 2014 2023").
        numbers = kind != "year" or _glued(text, start, end)
        found.append((kind, start, end, *_window(text, start, end, lexicon, numbers)))
    kept = sorted(
        (outer_low, outer_high)
        for k, (_, _, _, _, _, outer_low, outer_high) in enumerate(found)
        if _promising(text, found, k)
    )
    merged: list[tuple[int, int]] = []
    for start, end in kept:
        if merged and start <= merged[-1][1]:
            first, last = merged[-1]
            if max(last, end) - first <= _WINDOW_CHARS:
                merged[-1] = (first, max(last, end))
                continue
            if end <= last:
                continue
            start = last  # the window before is full: this one starts where it ends
        merged.append((start, end))
    return merged


# --- locale quirks --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Quirks:
    """What is rewritten in a window before dateparser reads it (built once per language)."""

    pattern: re.Pattern[str]  # groups: year word after/before a year, ordinal, month form, marked word
    month_forms: dict[str, str]  # lower-cased form -> a form of the same length dateparser knows
    abbreviations: frozenset[str]  # month/weekday abbreviations of <= 3 letters ("sie", "may")
    full_names: frozenset[str]  # the other month names and forms
    days: re.Pattern[str] | None  # day numbers before the last day of one month ("11 und 12 Juli")


@cache
def _fixes() -> dict[str, Any]:
    text = resources.files("etl").joinpath("resources", "temporal", "foreign_fixes.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _quirks(language: str) -> _Quirks:
    """The rewrites of one language: ``_quirks("uk").pattern.search("2022 року")`` matches "року"."""
    from dateparser.languages.loader import default_loader

    info = default_loader.get_locale(language).info
    forms = _quirks_forms(language)
    if any(len(k) != len(v) for k, v in forms.items()):
        raise ValueError(f"month_forms of {language} must keep the length")
    # dateparser reads a year word beside a number as a count ("2022 року" = 2022 years ago ->
    # year 2); beside a four-digit year it is only a label ("1994 году", "im Jahr 2022").
    years = _literal_words(info.get("year") or [])
    years = {w for w in years if not re.search(r"\s", w)}
    # A one-letter year word ("р.", "г.", "r.") only with its period: "2022 a été" keeps its "a".
    year_words = _phrase_pattern(sorted(w for w in years if len(w) > 1))
    year_letters = _phrase_pattern(sorted(w for w in years if len(w) == 1))
    suffixes = "|".join(re.escape(x) for x in sorted(_fixes()["ordinal_suffixes"], key=len, reverse=True))
    word = r"(?<![^\W\d_])"
    abbreviations: set[str] = set()
    full: set[str] = set()
    for key in (*_MONTHS, *_WEEKDAYS):
        names = {_strip_marks(w) for w in _literal_words(info.get(key) or [])}
        short = {w for w in names if len(w) <= 3 and any(o != w and o.startswith(w) for o in names)}
        abbreviations |= short
        if key in _MONTHS:
            full |= names - short
    # dateparser compares words without their marks, so Polish "się" ("itself") is the August
    # abbreviation "sie" to it; a short abbreviation written with marks it lacks is another word.
    # A word dateparser misreads before a weekday or a day ("يوم الاثنين 9 ديسمبر": "يوم" is the unit
    # "day"; "С 24 февраля": "с" is "second") is blanked there.
    leads = {w.lower() for w in (_fixes().get("leads") or {}).get(language) or []}
    weekdays = _phrase_pattern(sorted(_literal_words(w for key in _WEEKDAYS for w in info.get(key) or [])))
    marked = _marked_words(abbreviations, set(_literal_words(w for k in info for w in _listed(info, k))))
    pattern = re.compile(
        rf"(?<={_YEAR_PATTERN}\s)(?P<after>(?:{year_words})(?![^\W\d_])|(?:{year_letters})\.)"
        rf"|{word}(?P<before>{year_words})(?=\s+{_YEAR_PATTERN})"
        rf"|(?<![\d.,])(?:[12]?\d|3[01])(?P<ordinal>{suffixes})(?=\s)"
        rf"|{word}(?P<form>{_phrase_pattern(sorted(forms)) if forms else '(?!)'})(?![^\W\d_])"
        rf"|{word}(?P<marked>{_phrase_pattern(sorted(marked)) if marked else '(?!)'})(?![^\W\d_])"
        rf"|{word}(?P<lead>{_phrase_pattern(sorted(leads)) if leads else '(?!)'})(?=\s+(?:{weekdays}"
        rf"|(?:[12]?\d|3[01])\s+(?:{_phrase_pattern(sorted(full - abbreviations)) or '(?!)'}))(?![^\W\d_]))"
        rf"|(?P<count>{_COUNT})",
        re.IGNORECASE,
    )
    return _Quirks(
        pattern,
        forms,
        frozenset(abbreviations),
        frozenset(full - abbreviations),
        _days_pattern(info, language),
    )


@cache
def _day_data() -> dict[str, Any]:
    text = resources.files("etl").joinpath("resources", "temporal", "foreign_days.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _days_pattern(info: dict[str, Any], language: str) -> re.Pattern[str] | None:
    """The days of a coordination or range before its last day, which names the month: group
    ``days`` is "11. und " in "11. und 12. Juli", "1, 2 et " in "les 1, 2 et 3 mars"."""
    joiners = _day_data()["joiners"].get(language)
    if not joiners:
        return None
    months = _literal_words(w for key in _MONTHS for w in info.get(key) or [])
    months |= set(_quirks_forms(language))
    suffix = "|".join(re.escape(x) for x in sorted(_day_data()["day_suffixes"], key=len, reverse=True))
    day = rf"(?:[12]?\d|3[01])(?:{suffix})?"
    joiner = "|".join(
        re.escape(j).replace(r"\ ", r"\s+") + r"\s*" for j in sorted(joiners, key=len, reverse=True)
    )
    # A day, more days after commas, a joiner; then the last day, an optional short word ("de"
    # in "11 y 12 de julio") and a month name: "11 und 12 Menschen" is no date.
    return re.compile(
        rf"(?<![\d.,/:])(?P<days>{day}(?:\s*,\s*{day})*\s*(?:{joiner}))"
        rf"(?=(?P<last>[12]?\d|3[01])(?:{suffix})?\s+(?:[^\W\d_]{{1,3}}\s+)?"
        rf"(?:{_phrase_pattern(sorted(months))})(?![^\W\d_]))",
        re.IGNORECASE,
    )


def _quirks_forms(language: str) -> dict[str, str]:
    return {k.lower(): v.lower() for k, v in (_fixes()["month_forms"].get(language) or {}).items()}


def _listed(info: dict[str, Any], key: str) -> list[Any]:
    value = info.get(key)
    return value if isinstance(value, list) else []


def _marked_words(abbreviations: set[str], known: set[str]) -> set[str]:
    """Words spelled like an abbreviation with marks added on its letters ("się" for "sie"),
    which the language's date words do not hold: from Unicode data, no word list needed."""
    out: set[str] = set()
    marks = ["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u030c", "\u0328", "\u0306", "\u0307"]
    for abbreviation in abbreviations:
        for i, letter in enumerate(abbreviation):
            for mark in marks:
                composed = unicodedata.normalize("NFC", letter + mark)
                if len(composed) == 1 and composed != letter:
                    variant = abbreviation[:i] + composed + abbreviation[i + 1 :]
                    if variant not in known:
                        out.add(variant)
    return out


_DAY_NUMBER = re.compile(r"\d+")
# A count with a thousands separator ("2.500", "13 000") is no day or year: "de marzo, 2.500
# soldados" was read as "marzo, 2". Not a numeric date ("24.02.2022": groups of three only).
_COUNT = r"(?<![\d.,/:])\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?!\d|[.,/:]\d)"


def _normalise(
    window: str, language: str
) -> tuple[str, tuple[tuple[int, int], ...], tuple[tuple[int, tuple[tuple[int, int], ...]], ...]]:
    """The window with the locale's quirks rewritten, of the same length, the blanked spans,
    and the days blanked before a last day: (where the last day starts, the days' spans).

    >>> _normalise("У березні 2022 року", "uk")[0]
    'У березня 2022     '
    >>> _normalise("am 11. und 12. Juli", "de")[::2]
    ('am         12. Juli', ((11, ((3, 6),)),))
    """
    quirks = _quirks(language)
    out = list(window)
    blanks = []
    days = []
    # dateparser reads "11. und 12. Juli" as "und 12" (December) and "Juli": the first days go,
    # and each is given the month and year of the last one after it is read.
    for match in quirks.days.finditer(window) if quirks.days is not None else ():
        numbers = [int(n.group()) for n in _DAY_NUMBER.finditer(match.group("days"))] + [int(match["last"])]
        if any(a >= b for a, b in itertools.pairwise(numbers)):
            continue  # "30 und 2. Juli" crosses a month: left to dateparser
        low, high = match.span("days")
        spans = tuple(
            (low + m.start(), low + m.end())
            for m in re.finditer(r"\d+(?:[^\s\d,]{1,3}(?=[\s,]))?", match.group("days"))
        )
        out[low:high] = " " * (high - low)
        days.append((high, spans))
    for match in quirks.pattern.finditer(window):
        kind = match.lastgroup
        start, end = match.span(kind or 0)
        if kind == "form":
            form = quirks.month_forms[match.group(kind).lower()]
            out[start:end] = [
                c.upper() if o.isupper() else c for c, o in zip(form, window[start:end], strict=True)
            ]
            continue
        out[start:end] = " " * (end - start)
        if kind == "after":  # a year word is part of the date it follows
            blanks.append((start, end))
    return "".join(out), tuple(blanks), tuple(days)


def _search_dates(text: str, language: str, settings: dict[str, Any]) -> list[tuple[str, dt.datetime]]:
    """dateparser's search of one window (a function of its own so tests can count its input)."""
    from dateparser.search import search_dates

    return [
        (found[0], found[1]) for found in search_dates(text, languages=[language], settings=settings) or []
    ]


@lru_cache(maxsize=4096)
def _surfaces(window: str, language: str, base: dt.datetime) -> tuple[str, ...] | None:
    """What dateparser finds in one window, or None where it fails; cached because news repeats
    its phrasing ("Hier,", "le 16 décembre 2024 à") across articles of one day."""
    lead = _lexicon(language).lead
    try:
        found = _search_dates(lead + window, language, _settings(base, "past"))
    except (ValueError, KeyError):  # dateparser fails on some inputs: the window is lost
        return None
    return tuple(surface for surface, _ in found)


_Days = tuple[tuple[int, int], ...]


def _found(text: str, language: str, base: dt.datetime) -> Iterator[tuple[int, str, str, _Days]]:
    """(offset, surface, the surface as dateparser read it: same length, the spans of days
    coordinated before it: "11." of "11. und 12. Juli") of dateparser's finds in ``text``."""
    coordinated = _quirks(language).days
    for start, end in candidate_windows(text, language):
        if coordinated is not None and start:
            # "vom 3. bis 5. Oktober": the window starts at "bis" (dateparser's chunk ends
            # there); it takes the days coordinated before the last one too.
            for near in coordinated.finditer(text, max(0, start - _SIDE_CHARS), end):
                if near.start() < start <= near.end():
                    start = near.start()
                    break
        window, blanks, days = _normalise(text[start:end], language)
        cursor = 0
        for found_surface in _surfaces(window, language, base) or ():
            # dateparser gives the surface with its white space collapsed ("1   mars" -> "1 mars").
            spaced = r"\s+".join(re.escape(part) for part in found_surface.split())
            match = re.compile(spaced).search(window, cursor) if spaced else None
            if match is None:
                continue
            at, stop = match.span()
            # A blanked year word right after the date belongs to it: "16 грудня 2024 року".
            for low, high in blanks:
                if low >= stop and not window[stop:low].strip():
                    stop = high
                    break
            cursor = stop
            digit = _HAS_DIGIT.search(window, at, stop)
            chains = [
                (last, spans)
                for last, spans in days
                if digit is not None and last <= digit.start() and not window[last : digit.start()].strip()
            ]
            before = tuple((start + low, start + high) for _, spans in chains for low, high in spans)
            if chains and at < chains[-1][0]:  # "del 4 al 5 de mayo" read as "del 5 de mayo"
                at = digit.start() if digit is not None else at
            yield start + at, text[start + at : start + stop], window[at:stop], before


def numeric_dates(text: str) -> list[tuple[int, int, dt.date, str]]:
    """Day-first numeric dates and ISO dates with a four-digit year: (start, end, day, rule).

    dateparser misreads them in running text ("am 24.02.2022 um 5 Uhr": "am 24" and "2022 um 5
    Uhr"), so they are read here; a day no calendar has ("31.02.2022") is none.

        >>> numeric_dates("am 24.02.2022 um 5 Uhr")
        [(3, 13, datetime.date(2022, 2, 24), 'dotted_date')]
    """
    if not _HAS_DIGIT.search(text):
        return []
    found = []
    for rule, pattern in _numeric_patterns():
        for match in pattern.finditer(text):
            try:
                day = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                continue
            found.append((match.start(), match.end(), day, rule))
    found.sort()
    out: list[tuple[int, int, dt.date, str]] = []
    for item in found:
        if not out or item[0] >= out[-1][1]:
            out.append(item)
    return out


@cache
def _numeric_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((rule, re.compile(pattern)) for rule, pattern in _day_data()["numeric_dates"].items())


_COMMA_TAIL = re.compile(r"(.*\d\S*)\s*[,;]\D*\Z", re.DOTALL)
_YEAR_WITH_WORDS = re.compile(rf"(?:[^\W\d_]{{1,3}}\s+){{0,2}}{_YEAR_PATTERN}")
_LEADING_WORD = re.compile(r"\s*[^\W\d_]+[.,]?\s+")
_LAST_WORD = re.compile(r"\s+(\S+)\s*\Z")
_TAIL_CUTS = 4  # words a surface may lose at its end to read as a plausible date
_WRITTEN_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def _kept(surface: str, after: str, quirks: _Quirks) -> bool:
    """Whether a surface without a relative word is a date kept: a number with a word of three
    letters or more that is no bare short abbreviation ("16 грудня", not "się 4"), or a year
    after at most two short words ("2014", "en 2019", "im Jahr 2022" read as "im 2022").
    ``after`` is the character after the surface: "4 sie." is written as an abbreviation."""
    if _HAS_DIGIT.search(surface) and _MONTHISH.search(surface):
        return not _bare_abbreviation(surface + after, quirks)
    return _YEAR_WITH_WORDS.fullmatch(" ".join(surface.lower().split())) is not None


def _bare_abbreviation(surface: str, quirks: _Quirks) -> bool:
    """Whether the surface's only month word is a short abbreviation written as a plain word:
    "się 4" (Polish "itself", the August abbreviation "sie" without marks) but not "4 sie. 2022".

    A month abbreviation of three letters or fewer is often a common word; it is taken as a
    month only with a period after it or a four-digit year beside it.
    """
    if _WRITTEN_YEAR.search(surface):
        return False
    short = False
    for match in _WORD_PARTS.finditer(surface):
        word = _strip_marks(match.group().lower())
        if word in quirks.full_names:
            return False
        if word in quirks.abbreviations and not surface.startswith(".", match.end()):
            short = True
    return short


def _cut(read: str, raw: str, at: int) -> tuple[str, str]:
    """Both forms of a surface cut before ``at``, punctuation and spaces dropped as the text
    has them (a blanked year word stays): ("2023      і", "2023 року і", 12) -> "2023 року"."""
    keep = len(raw[:at].rstrip(" ,;:"))
    return read[:keep], raw[:keep]


def _plausible(when: dt.datetime, surface: str, base: dt.datetime, relative: bool) -> bool:
    """Whether a value can be what the surface says: a written four-digit year is the value's
    year ("2022 року" read as 2022 years ago gave the year 2); without one, a day or month
    ("17. Dezember") falls within a year of the reference ("um 15 Uhr" read as 2015 is not),
    and a relative phrase at least after the year 999.
    """
    written = {int(y) for y in _WRITTEN_YEAR.findall(surface)}
    if written:
        return when.year in written
    return when.year >= 1000 if relative else abs(when.year - base.year) <= 1


@cache
def _tense_data() -> dict[str, Any]:
    text = resources.files("etl").joinpath("resources", "temporal", "foreign_tense.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class _Tense:
    """What tells a future clause in one language (built once from foreign_tense.json)."""

    future: re.Pattern[str] | None  # a future marker ("wird", "aura", "se celebrará")
    breaks: re.Pattern[str]  # what ends a clause: punctuation and conjunctions


_SENTENCE_END = re.compile(r"(?<!\d)[.!?]\s|\n")  # "14. März": a period after a number is no end
_FRONT_WORD = re.compile(r"[^\W\d_]{4,}")  # "Le", "Am", "El", "В" may stand before a fronted date
_CLAUSE_CHARS = 120  # a clause without a break is read this far on each side of its date


@cache
def _tense(language: str) -> _Tense:
    """The clause reader of a language: ``_tense("de").future.search("findet am 3. statt")``."""
    data = _tense_data()
    word = r"(?<![^\W\d_])", r"(?![^\W\d_])"
    markers = data["future"].get(language) or []
    not_future = data.get("not_future", {}).get(language) or []
    future = None
    if markers:
        unless = "|".join(re.escape(w) for w in not_future) or "(?!)"
        either = "|".join("(?:" + m.replace(" ", r"\s+") + ")" for m in markers)
        future = re.compile(rf"{word[0]}(?!(?:{unless}){word[1]})(?:{either}){word[1]}")
    conjunctions = "|".join(re.escape(w) for w in data["clause_words"].get(language) or []) or "(?!)"
    breaks = re.compile(rf"(?<!\d)[.!?]|[,;:\n]|{word[0]}(?:{conjunctions}){word[1]}")
    return _Tense(future, breaks)


def speaks_of_future(text: str, start: int, end: int, language: str) -> bool:
    """Whether the clause around ``text[start:end]`` holds a future marker of its language.

    The clause runs from the last break before the date to the first after it; a date that
    opens its sentence ("Le 3 mars, le sommet aura lieu") also takes the clause after its comma.

        >>> speaks_of_future("Die Wahl findet am 14. März statt.", 19, 27, "de")
        True
        >>> speaks_of_future("Die Wahl fand am 14. März statt, und sie wird wiederholt.", 17, 25, "de")
        False
    """
    tense = _tense(language)
    if tense.future is None:
        return False
    low = max(0, start - _CLAUSE_CHARS)
    breaks = [m.end() for m in tense.breaks.finditer(text, low, start)]
    clause_start = breaks[-1] if breaks else low
    after = tense.breaks.search(text, end, end + _CLAUSE_CHARS)
    clause_end = after.start() if after is not None else min(len(text), end + _CLAUSE_CHARS)
    if after is not None and after.group() == "," and not text[end : after.start()].strip():
        sentence = [m.end() for m in _SENTENCE_END.finditer(text, low, start)]
        if not _FRONT_WORD.search(text, sentence[-1] if sentence else low, start):
            following = tense.breaks.search(text, after.end(), after.end() + _CLAUSE_CHARS)
            clause_end = (
                following.start() if following is not None else min(len(text), after.end() + _CLAUSE_CHARS)
            )
    # The whole clause: a marker may enclose the date ("findet am 14. März statt").
    return tense.future.search(text, clause_start, clause_end) is not None


def _numeric_mention(start: int, end: int, day: dt.date, rule: str, text: str) -> Resolved:
    """A numeric date as a mention: "24.02.2022" = 2022-02-24, absolute."""
    cal = from_date(day, "day")
    d0, d1 = cal.interval
    return Resolved(
        start=start, end=end, text=text[start:end], type="DATE", value=cal.value, date_start=d0, date_end=d1,
        granularity="day", anchor="absolute", anchor_value=None, rule=rule, tense=None,
    )  # fmt: skip


def _touches(start: int, end: int, spans: list[tuple[int, int]], text: str) -> bool:
    """Whether ``start:end`` overlaps one of ``spans`` or only white space parts them (a time
    of day after a numeric date: "24.02.2022 um 5 Uhr")."""
    for low, high in spans:
        if start < high and low < end:
            return True
        if (high <= start and not text[high:start].strip()) or (end <= low and not text[end:low].strip()):
            return True
    return False


def find_foreign(text: str, reference: dt.date | None, language: str) -> list[Resolved]:
    """Date mentions of a non-English text: absolute dates and simple relative words."""
    language = _DATEPARSER_CODES.get(language, language)
    base = dt.datetime.combine(reference, dt.time()) if reference is not None else _NO_REFERENCE
    try:
        found = list(_found(text, language, base))
    except (ValueError, KeyError):  # a language dateparser does not know
        return []
    relative = _relative_words(language)
    numeric = numeric_dates(text)
    out: list[Resolved] = [_numeric_mention(*item, text) for item in numeric]
    numeric_spans = [(low, high) for low, high, _, _ in numeric]
    # Weekdays, "il y a trois jours", "la semaine dernière", "en février": read from our word
    # lists; dateparser's finds inside them go ("Il y a 3 jours" was "a 3 jours").
    own = [m for m in _relative_finds(text, reference, language) if not _touches_any(m, numeric_spans)]
    # A month with its year ("d'août 2022") is dateparser's where dateparser reads the month.
    spare = [m for m in own if m.rule == "month_year"]
    own = [m for m in own if m.rule != "month_year"]
    out.extend(own)
    own_spans = [(m.start, m.end) for m in own]
    first_read = len(out)
    quirks = _quirks(language)
    lexicon = _lexicon(language)
    for start, raw, read, days in found:
        if numeric_spans and _touches(start, start + len(raw), numeric_spans, text):
            continue  # read above; dateparser split it ("am 24", "2022 um 5 Uhr")
        if any(start < high and low < start + len(raw) for low, high in own_spans):
            continue
        if _is_duration(read, language):
            continue  # "2 тижнів", "протягом 24 годин", "44 дня": a length of time, not a date
        trimmed = _trim(read, relative)
        # Cut after a relative word as dateparser's reading says, else where the text ends:
        # a blanked year word ends the surface ("2022 року").
        keep = len(trimmed) if len(trimmed) < len(read.rstrip(" ,;:")) else len(raw.rstrip(" ,;:"))
        raw, read = raw[:keep], read[:keep]
        if (comma := _COMMA_TAIL.match(read)) is not None:
            # "et 2019, le": words after a comma that holds no number are the next clause's.
            raw, read = raw[: comma.end(1)], read[: comma.end(1)]
        lowered = " ".join(read.lower().split())
        is_relative = lowered in relative or any(lowered.startswith(w + " ") for w in relative if len(w) > 3)
        # "Протягом 2023 року" (during 2023) starts with a relative word but names its year.
        is_relative = is_relative and not _WRITTEN_YEAR.search(read)
        # Keep a day or month with a number ("16 грудня"), a year with or without a preposition
        # ("2014", "en 2019", "im Jahr 2022"), or a known relative word; search_dates' other finds
        # in running text are mostly noise ("we", "may", "now 19").
        # The character after the surface tells "4 sie." (an abbreviation) from "się 4".
        if not (is_relative or _kept(read, text[start + len(read) : start + len(read) + 1], quirks)):
            continue
        # A day without its year is the last such day, unless its clause speaks of the future
        # ("Die Wahl findet am 14. März statt"); coordinated days count from the first one.
        # Without a reference the year is unknown either way (XXXX-03-14).
        # The whole reference day is past: "martes 17 de diciembre a las 15:00" in a paper of the
        # 17th is that day (read from its midnight, 15:00 was still to come: 2023-12-17).
        prefer, parse_base = "past", base + _LAST_SECOND if reference is not None else base
        if reference is not None and not is_relative and not _WRITTEN_YEAR.search(read):
            since = days[0][0] if days else start
            if speaks_of_future(text, since, start + len(raw), language):
                # The reference day itself is still to come ("se réunira mardi 17 décembre"
                # in a paper of the 17th): the next such day is counted from just before it.
                prefer, parse_base = "future", base - dt.timedelta(seconds=1)
        when, period = _parse(" ".join(read.split()), language, parse_base, prefer)
        while when is None and (cut := _LEADING_WORD.match(read)) is not None and _HAS_DIGIT.search(read):
            # "Am 16. Dezember 2024": alone, dateparser reads "Am" as a.m. and fails; a leading
            # word without digits is dropped and the rest read again.
            start, raw, read = start + cut.end(), raw[cut.end() :], read[cut.end() :]
            when, period = _parse(" ".join(read.split()), language, parse_base, prefer)
        for _ in range(_TAIL_CUTS):
            if (when is not None and _plausible(when, read, base, is_relative)) or len(read.split()) < 2:
                break
            # "mardi 17 décembre à 15 heures" read whole gives 2015: a time of day after the
            # date is dropped word by word until the rest reads as a plausible date.
            last = _LAST_WORD.search(read)
            read, raw = _cut(read, raw, last.start(1) if last else len(read))
            when, period = _parse(" ".join(read.split()), language, parse_base, prefer)
        if (
            when is None
            or not _plausible(when, read, base, is_relative)
            or not (is_relative or _HAS_DIGIT.search(read))
        ):
            continue
        while (tail := _LAST_WORD.search(read)) is not None and _HAS_DIGIT.search(read[: tail.start()]):
            # Words dateparser swept in after the date ("29. März 2022 in", "2023 року і") go
            # when the date reads the same without them.
            word = _strip_marks(tail.group(1).lower())
            if _HAS_DIGIT.search(word) or not _WORD_PARTS.fullmatch(word) or word in lexicon.date_words:
                break
            shorter, shorter_raw = _cut(read, raw, tail.start(1))
            if _parse(" ".join(shorter.split()), language, parse_base, prefer) != (when, period):
                break
            read, raw = shorter, shorter_raw
        # What is left must still be a date: not "6".
        if not (is_relative or _kept(read, text[start + len(read) : start + len(read) + 1], quirks)):
            continue
        surface = raw
        if is_relative and reference is None:
            value, d0, d1, gran, anchor = "XXXX-XX-XX", None, None, "day", None
        else:
            gran = {"year": "year", "month": "month", "week": "week"}.get(period or "day", "day")
            if period == "time":
                gran = "day"
            cal = from_date(when.date(), gran)
            if gran == "year":
                cal = Cal(year=when.year, granularity="year")
            elif gran == "month":
                cal = Cal(year=when.year, month=when.month, granularity="month")
            value = cal.value
            d0, d1 = cal.interval
            anchor = "reference" if is_relative else "absolute"
            if not is_relative and not _FULL_YEAR.search(surface):
                # "16 грудня": the year came from the reference date, not from the text.
                anchor = "reference"
                if reference is None:
                    value, d0, d1, anchor = "XXXX" + value[4:], None, None, None
        mention = Resolved(
            start=start,
            end=start + len(surface),
            text=surface,
            type="DATE",
            value=value,
            date_start=d0,
            date_end=d1,
            granularity=gran,
            anchor=anchor,
            anchor_value=reference.isoformat() if anchor == "reference" and reference else None,
            rule="dateparser",
            tense="future" if prefer == "future" else None,
        )
        if gran == "day" and not is_relative:
            out.extend(_earlier_days(mention, days, text))
        out.append(mention)
    if spare:
        parsed = out[first_read:]
        for month in spare:
            word_end = month.start + len(month.text.split()[0])
            if not any(m.start < word_end and month.start < m.end for m in parsed):
                out = [
                    m
                    for m in out
                    if not (m.rule == "dateparser" and m.start < month.end and month.start < m.end)
                ]
                out.append(month)
    out.sort(key=lambda m: (m.start, m.end))
    return [_in_written_year(m, out, text) for m in out]


def _in_written_year(mention: Resolved, mentions: list[Resolved], text: str) -> Resolved:
    """A month alone in the past takes the year written just before it, in its sentence or the one
    before, as in English ("W 2022 roku … a w listopadzie" = 2022-11, anchor narrative)."""
    if mention.rule != "month_alone" or mention.anchor != "reference" or mention.tense != "past":
        return mention
    if len(mention.text.split()) > 1:  # "octobre dernier": counted from the publication day
        return mention
    before = [
        m for m in mentions if m.end <= mention.start and m.anchor == "absolute" and m.value[:4].isdigit()
    ]
    if not before:
        return mention
    anchor = before[-1]
    if len(_SENTENCE_END.findall(text, anchor.end, mention.start)) > 1:
        return mention
    cal = Cal(year=int(anchor.value[:4]), month=int(mention.value[5:7]), granularity="month")
    d0, d1 = cal.interval
    return mention._replace(
        value=cal.value, date_start=d0, date_end=d1, anchor="narrative", anchor_value=anchor.value
    )


@cache
def _duration_words(language: str) -> tuple[frozenset[str], frozenset[str]]:
    """dateparser's unit words ("тижнів", "jours") and "in" words ("протягом", "dans") of a language."""
    from dateparser.languages.loader import default_loader

    info = default_loader.get_locale(language).info

    def parts(keys: Iterable[str]) -> frozenset[str]:
        words = _literal_words(w for key in keys for w in info.get(key) or [])
        return frozenset(_strip_marks(part) for phrase in words for part in _WORD_PARTS.findall(phrase))

    return parts(_UNITS), parts(["in"])


def _is_duration(surface: str, language: str) -> bool:
    """Whether a surface is only a count, a unit word and "in" words: "протягом 24 годин" is
    dateparser's "in 24 hours", "44 дня" its "44 days ago"; neither is said so in the text. A
    written year is a date ("В течение 2023 года")."""
    if not _HAS_DIGIT.search(surface) or _WRITTEN_YEAR.search(surface):
        return False
    units, ins = _duration_words(language)
    parts = _WORD_PARTS.findall(_strip_marks(surface.lower()))
    return any(p in units for p in parts) and all(p in units or p in ins for p in parts)


def _touches_any(mention: Resolved, spans: list[tuple[int, int]]) -> bool:
    """Whether a mention overlaps one of ``spans``."""
    return any(mention.start < high and low < mention.end for low, high in spans)


def _earlier_days(last: Resolved, days: _Days, text: str) -> Iterator[Resolved]:
    """The days coordinated before a day ("11." of "am 11. und 12. Juli 2023"), each with the
    last day's month and year, as the English grammar codes "July 11 and 12" (rule day_range)."""
    for low, high in days:
        number = int(_DAY_NUMBER.findall(text[low:high])[0])
        value = last.value
        if not re.fullmatch(r"(\d{4}|XXXX)-\d\d-\d\d", value):
            return
        value = f"{value[:8]}{number:02d}"
        d0 = d1 = None
        if last.date_start is not None:
            try:
                d0 = d1 = last.date_start.replace(day=number)
            except ValueError:
                continue
        yield Resolved(
            start=low, end=high, text=text[low:high], type="DATE", value=value, date_start=d0, date_end=d1,
            granularity="day", anchor=last.anchor, anchor_value=last.anchor_value, rule="day_range",
            tense=last.tense,
        )  # fmt: skip


# --- relative dates read without dateparser: weekdays, "il y a trois jours", "la semaine
# dernière", a month alone ("en février") -------------------------------------------------------

_WEEK_UNITS = {"day": 1, "week": 7}
_BEFORE_WINDOW = 48  # characters looked at before a weekday for a habitual word ("tous les")
_OPENERS = "«»\"“”„'‘’([—–-"


@cache
def _relative_data() -> dict[str, Any]:
    text = (
        resources.files("etl").joinpath("resources", "temporal", "foreign_relative.json").read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


def _alternation(words: Iterable[str]) -> str:
    """A trie pattern of phrases, lower-cased, with accentless forms too (never matches if empty)."""
    return _phrase_pattern(sorted(_literal_words(words)))


def _key(word: str) -> str:
    """How a listed word is looked up: lower case, no marks, one space, one apostrophe ("п’ятницю")."""
    return _strip_marks(" ".join(word.lower().split())).replace("’", "'")


def _indexed(groups: Iterable[Iterable[str]]) -> dict[str, int]:
    """Each form of a list of lists, lower-cased and without marks -> its list's index."""
    return {_key(str(w)): i for i, forms in enumerate(groups) for w in forms}


_LEFT, _RIGHT = r"(?<![^\W\d_])", r"(?![^\W\d_])"


@dataclass(frozen=True)
class _RelativeLexicon:
    """The relative-date readers of one language (built once from foreign_relative.json)."""

    weekday: re.Pattern[str] | None  # groups: last_b/next_b, day, last_a/next_a
    weekday_index: dict[str, int]  # form -> 0 (Monday) .. 6
    not_before: re.Pattern[str] | None  # searched in the text before a weekday, ends at it
    not_after: re.Pattern[str] | None  # matched right after a weekday
    lower_case: bool
    after_capital_is_name: bool
    date_after: re.Pattern[str]  # a day and month right after a weekday: the date holds it
    ago: tuple[re.Pattern[str], ...]  # groups: num, unit (count and unit before/after an "ago" word)
    ago_not_after: re.Pattern[str] | None
    later: re.Pattern[str] | None  # "dans une semaine": groups num, unit
    numbers: dict[str, int]
    units: dict[str, tuple[str, int]]  # unit word -> (unit, count it carries; 0 = none)
    relative_units: re.Pattern[str] | None
    relative_index: dict[str, tuple[str, int]]
    month: re.Pattern[str] | None  # groups: month, last, next
    month_join: re.Pattern[str] | None  # another month after a joiner: groups month, last, next
    month_index: dict[str, int]  # form -> 1..12
    month_after: re.Pattern[str]  # a day or year right after a month: not alone


def _optional(words: Iterable[str]) -> str | None:
    listed = list(words)
    return _alternation(listed) if listed else None


@cache
def _relative_lexicon(language: str) -> _RelativeLexicon:
    """``_relative_lexicon("fr").weekday.search("Les rebelles sont entrés dimanche")`` matches."""
    from dateparser.languages.loader import default_loader

    data = _relative_data()
    flags = re.IGNORECASE
    info = default_loader.get_locale(language).info
    month_words = _literal_words(w for key in _MONTHS for w in info.get(key) or [])
    month_words |= set(_quirks_forms(language))
    day_then_month = (
        rf"\s*,?\s*(?:[^\W\d_]{{1,3}}\s+)?(?:(?:[12]?\d|3[01])(?:\.|er|º)?\s*(?:[^\W\d_]{{1,3}}\s+)?"
        rf"(?:{_phrase_pattern(sorted(month_words))}){_RIGHT}|\d{{1,2}}[./]\d{{1,2}}(?!\d))"
    )
    week = data["weekdays"].get(language) or {}
    weekday = None
    if week:
        parts = []
        for kind, side in (("last", "before"), ("next", "before")):
            words = week[kind][side]
            if words:
                parts.append(rf"(?P<{kind}_b>{_alternation(words)})\s+")
        before = "(?:" + "|".join(parts) + ")?" if parts else ""
        after_parts = [
            rf"\s+(?P<{kind}_a>{_alternation(week[kind]['after'])}){_RIGHT}"
            for kind in ("last", "next")
            if week[kind]["after"]
        ]
        after = "(?:" + "|".join(after_parts) + ")?" if after_parts else ""
        prefixes = _optional(week.get("prefixes") or [])
        glue = rf"(?:{prefixes})?" if prefixes else ""
        names = _alternation(w for forms in week["names"] for w in forms)
        weekday = re.compile(rf"{_LEFT}{glue}{before}(?P<day>{names}){_RIGHT}{after}", flags)
    not_before = _optional(week.get("not_before") or [])
    not_after = _optional(week.get("not_after") or [])
    ago_words = data["ago"].get(language) or {}
    numbers = {_key(k): int(v) for k, v in (data["numbers"].get(language) or {}).items()}
    units: dict[str, tuple[str, int]] = {}
    for word, unit in (data["units"].get(language) or {}).items():
        units[_key(word)] = (unit, 0) if isinstance(unit, str) else (str(unit[0]), int(unit[1]))
    count = rf"(?:(?P<num>\d{{1,3}}|{_alternation(numbers)})\s+)?"
    unit_pattern = rf"(?P<unit>{_alternation(data['units'].get(language) or {})}){_RIGHT}"
    ago = []
    if ago_words.get("before"):
        ago.append(rf"{_LEFT}(?:{_alternation(ago_words['before'])})\s+{count}{unit_pattern}")
    if ago_words.get("after"):
        ago.append(rf"{_LEFT}{count}{unit_pattern}\s+(?:{_alternation(ago_words['after'])}){_RIGHT}")
    ago_not_after = _optional(data["ago_not_after"].get(language) or [])
    later_words = data["later"].get(language) or []
    later = (
        re.compile(rf"{_LEFT}(?:{_alternation(later_words)})\s+{count}{unit_pattern}", flags)
        if later_words and units
        else None
    )
    phrases = data["relative_units"].get(language) or {}
    relative_index = {_key(k): (str(v[0]), int(v[1])) for k, v in phrases.items()}
    relative_units = re.compile(rf"{_LEFT}(?:{_alternation(phrases)}){_RIGHT}", flags) if phrases else None
    months = data["months"].get(language) or {}
    month = month_join = None
    if months:
        glued = [w for w in months["before"] if w.endswith(("'", "-"))]
        spaced = [w for w in months["before"] if not w.endswith(("'", "-"))]
        prep = "|".join(
            [rf"(?:{_alternation(spaced)})\s+"] * bool(spaced)
            + [rf"(?:{_alternation(glued)})\s*"] * bool(glued)
        )
        mods = "".join(
            rf"(?:\s+(?P<{kind}>{_alternation(months[kind])}){_RIGHT})?"
            for kind in ("last", "next")
            if months[kind]
        )
        names = _alternation(w for forms in months["names"] for w in forms)
        month = re.compile(rf"{_LEFT}(?:{prep})(?P<month>{names}){_RIGHT}{mods}", flags)
        join_names = _alternation(
            w for forms in [*months["names"], *(months.get("join_names") or [])] for w in forms
        )
        month_join = re.compile(
            rf"\A\s*(?:{_alternation(months['joiners'])})\s*(?:{prep})?(?P<month>{join_names}){_RIGHT}{mods}",
            flags,
        )
    # "join_names" are the nominatives after a joiner ("с марта по май"): months 1..12 again.
    month_index = {
        k: i % 12 + 1 for k, i in _indexed([*months.get("names", []), *months.get("join_names", [])]).items()
    }
    return _RelativeLexicon(
        weekday=weekday,
        weekday_index=_indexed(week.get("names") or []),
        not_before=re.compile(rf"{_LEFT}(?:{not_before})\s+\Z", flags) if not_before else None,
        not_after=re.compile(rf"\s+(?:{not_after}){_RIGHT}", flags) if not_after else None,
        lower_case=bool(week.get("lower_case")),
        after_capital_is_name=language == "de",
        date_after=re.compile(day_then_month, flags),
        ago=tuple(re.compile(p, flags) for p in ago) if units else (),
        ago_not_after=re.compile(rf"\s+(?:{ago_not_after}){_RIGHT}", flags) if ago_not_after else None,
        later=later,
        numbers=numbers,
        units=units,
        relative_units=relative_units,
        relative_index=relative_index,
        month=month,
        month_join=month_join,
        month_index=month_index,
        month_after=re.compile(
            r"\s*,?\s*(?:[^\W\d_]{1,3}\s+)?(?:(?:1[5-9]|20)\d\d(?!\d)|\d{1,2}(?![\d]|[.,\s]\d{3}))"
        ),
    )


def _sentence_start(text: str, at: int) -> bool:
    """Whether only opening quotes, dashes and spaces stand between ``at`` and the sentence start."""
    before = text[max(0, at - 200) : at].rstrip().rstrip(_OPENERS).rstrip()
    return not before or before[-1] in ".!?:\n" or (at <= 200 and not text[:at].strip(_OPENERS + " \t"))


def _is_name(text: str, start: int, end: int, words: _RelativeLexicon) -> bool:
    """Whether the weekday at ``start:end`` is a name: "Plácido Domingo", "Santo Domingo", "Domingo
    Cavallo" in a language writing weekdays in lower case; German "Sprecher Freitag"."""
    word = text[start:end]
    following = re.match(r"\s+(\S)", text[end : end + 4])
    if words.lower_case and word[:1].isupper():
        if not _sentence_start(text, start):
            return True
        return following is not None and following.group(1).isupper()
    if words.after_capital_is_name:
        previous = re.search(r"([^\W\d_]+)\s+\Z", text[max(0, start - 40) : start])
        if previous is not None and previous.group(1)[:1].isupper():
            return not _sentence_start(text, start - len(previous.group(0)))
    return False


def _count(match: re.Match[str], words: _RelativeLexicon) -> tuple[str, int] | None:
    """(unit, count) of "trois jours", "يومين" (two days), "неделю" (one week); None for "несколько"."""
    unit, carried = words.units[_key(match["unit"])]
    number = match["num"]
    if number is None:
        return unit, carried or 1
    value = int(number) if number.isdigit() else words.numbers.get(_key(number), 0)
    return (unit, value) if value > 0 else None


def _unit_mention(
    start: int,
    end: int,
    text: str,
    reference: dt.date | None,
    unit: str,
    day: dt.date | None,
    rule: str,
    tense: str | None = None,
) -> Resolved | None:
    """A day, week, month or year counted from the reference as a mention (English's coding:
    "la semaine dernière" = 2024-W50, anchor reference, rule relative_unit)."""  # fmt: skip
    gran = unit if unit in ("week", "month", "year") else "day"
    if reference is None or day is None:
        if rule == "offset":
            return None  # English codes no "three days ago" without a publication day either
        value = {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "month": "XXXX-XX", "year": "XXXX"}[gran]
        d0 = d1 = None
        anchor, anchor_value = None, None
    else:
        cal = from_date(day, gran)
        value = cal.value
        d0, d1 = cal.interval
        anchor, anchor_value = "reference", reference.isoformat()
    return Resolved(
        start=start, end=end, text=text[start:end], type="DATE", value=value, date_start=d0, date_end=d1,
        granularity=gran, anchor=anchor, anchor_value=anchor_value, rule=rule, tense=tense,
    )  # fmt: skip


def _shifted(reference: dt.date, unit: str, amount: int) -> dt.date:
    """The reference day moved by whole units: (2024-12-17, month, -1) -> 2024-11-17 (day 1 of
    a month is used for months and years, which is all their values need)."""
    if unit in _WEEK_UNITS:
        return reference + dt.timedelta(days=_WEEK_UNITS[unit] * amount)
    months = reference.year * 12 + reference.month - 1 + (amount if unit == "month" else 12 * amount)
    return dt.date(months // 12, months % 12 + 1, 1)


def _weekday_mentions(
    text: str, reference: dt.date | None, language: str, words: _RelativeLexicon
) -> Iterator[Resolved]:
    """Weekdays as the English grammar codes them: past -> the last such day on or before the
    publication day, a future clause -> the next on or after it; "dernier"/"prochain" exclude it."""
    if words.weekday is None:
        return
    for match in words.weekday.finditer(text):
        start, end = match.start(), match.end()
        day_start = match.start("day")
        if match.group("day") and (
            (
                words.not_before is not None
                and words.not_before.search(text, max(0, start - _BEFORE_WINDOW), start)
            )
            or (words.not_after is not None and words.not_after.match(text, match.end("day")))
            or words.date_after.match(text, match.end("day"))
            or _is_name(text, day_start, match.end("day"), words)
        ):
            continue
        if start != day_start and not any(
            match.group(g) for g in ("last_b", "next_b") if g in match.groupdict()
        ):
            start = day_start  # a joined prefix ("والأحد"): the mention is the weekday
        index = words.weekday_index[_key(match.group("day"))]
        last = bool(match.groupdict().get("last_b") or match.groupdict().get("last_a"))
        following = bool(match.groupdict().get("next_b") or match.groupdict().get("next_a"))
        future = following or (not last and speaks_of_future(text, start, end, language))
        tense = None if following else ("future" if future else "past")
        if reference is None:
            yield Resolved(
                start=start, end=end, text=text[start:end], type="DATE", value=f"XXXX-WXX-{index + 1}",
                date_start=None, date_end=None, granularity="week", anchor=None, anchor_value=None,
                rule="weekday", tense=tense,
            )  # fmt: skip
            continue
        if future:
            delta = (index - reference.weekday()) % 7 or (7 if following else 0)
        else:
            delta = -((reference.weekday() - index) % 7 or (7 if last else 0))
        day = reference + dt.timedelta(days=delta)
        mention = _unit_mention(start, end, text, reference, "day", day, "weekday", tense)
        if mention is not None:
            yield mention


def _offset_mentions(text: str, reference: dt.date | None, words: _RelativeLexicon) -> Iterator[Resolved]:
    """ "il y a trois jours" = 2024-12-14, "три недели назад" = a week, "dans une semaine" = the
    week ahead (English "three days ago": rule offset, anchor reference)."""
    for pattern, sign in [*((p, -1) for p in words.ago), *([(words.later, 1)] if words.later else [])]:
        for match in pattern.finditer(text):
            if sign < 0 and words.ago_not_after is not None and words.ago_not_after.match(text, match.end()):
                continue  # "قبل ثلاثة أيام من الانتخابات": three days before the election
            if _NUMBER_NEXT.match(text, match.end()):
                continue  # "منذ عام 2011": since the year 2011, not a year ago
            counted = _count(match, words)
            if counted is None:
                continue
            unit, amount = counted
            day = _shifted(reference, unit, sign * amount) if reference is not None else None
            mention = _unit_mention(match.start(), match.end(), text, reference, unit, day, "offset")
            if mention is not None:
                yield mention


def _relative_unit_mentions(
    text: str, reference: dt.date | None, words: _RelativeLexicon
) -> Iterator[Resolved]:
    """ "la semaine dernière" = the week before the publication week, "cette année" = its year."""
    if words.relative_units is None:
        return
    for match in words.relative_units.finditer(text):
        unit, amount = words.relative_index[_key(match.group())]
        day = _shifted(reference, unit, amount) if reference is not None else None
        mention = _unit_mention(match.start(), match.end(), text, reference, unit, day, "relative_unit")
        if mention is not None:
            yield mention


_MONTH_YEAR = re.compile(rf"\s+(?:(?:de|del)\s+)?({_YEAR_PATTERN})")
_NUMBER_NEXT = re.compile(r"\s*\d")
_YEAR_AFTER = re.compile(rf"\s+(?:[^\W\d_]{{1,3}}\s+)?({_YEAR_PATTERN})")


def _month_mentions(
    text: str, reference: dt.date | None, language: str, words: _RelativeLexicon
) -> Iterator[Resolved]:
    """A month without a day or year after a preposition ("en février", "im Februar", "з серпня"),
    and the months joined to it ("в жовтні та листопаді"): past -> the last such month up to the
    publication month, a future clause -> the next from it ("dernier"/"prochain" exclude it)."""
    if words.month is None:
        return
    cursor = 0
    for first in words.month.finditer(text):
        if first.start() < cursor:
            continue
        chain = [first]
        end = first.end()
        while words.month_join is not None and (more := words.month_join.match(text[end : end + 80])):
            chain.append(more)
            end += more.end()
        cursor = end
        # A year after the last month of a range is the year of all of them ("с марта по май 2022
        # года"; the last, with its year, is dateparser's). A day or year after the first: not alone.
        year_after = _YEAR_AFTER.match(text, end)
        spans: list[tuple[int, int, re.Match[str]]] = [(first.start("month"), first.end(), first)]
        base = first.end()
        for more in chain[1:]:
            spans.append((base + more.start("month"), base + more.end(), more))
            base += more.end()
        if words.month_after.match(text, spans[0][1]) and len(spans) == 1:
            own_year = _MONTH_YEAR.match(text, spans[0][1])
            if (
                own_year is not None
                and not first.groupdict().get("last")
                and not first.groupdict().get("next")
            ):
                # "d'août 2022": dateparser's when it reads the month ("En mars 2022"); this one
                # only when it does not (it gave "2022" alone).
                month = words.month_index[_key(first.group("month"))]
                cal = Cal(year=int(own_year.group(1)), month=month, granularity="month")
                low, high = spans[0][0], own_year.end()
                d0, d1 = cal.interval
                yield Resolved(
                    start=low, end=high, text=text[low:high], type="DATE", value=cal.value, date_start=d0,
                    date_end=d1, granularity="month", anchor="absolute", anchor_value=None, rule="month_year",
                    tense=None,
                )  # fmt: skip
            continue
        if year_after is not None:
            spans = spans[:-1]
        for low, high, match in spans:
            number = words.month_index[_key(match.group("month"))]
            yield from _month_mention(text, low, high, number, reference, language, match, year_after)


def _month_mention(
    text: str,
    start: int,
    end: int,
    number: int,
    reference: dt.date | None,
    language: str,
    match: re.Match[str],
    year_after: re.Match[str] | None,
) -> Iterator[Resolved]:
    """One month of ``_month_mentions``, resolved."""  # fmt: skip
    groups = match.groupdict()
    last, following = bool(groups.get("last")), bool(groups.get("next"))
    future = following or (not last and speaks_of_future(text, start, end, language))
    tense = "future" if future else "past"
    anchor: str | None = "reference"
    if year_after is not None:
        later_month = _month_number_before(text, year_after.start(), language)
        year = int(year_after.group(1)) - (1 if later_month is not None and number > later_month else 0)
        anchor, anchor_value = "absolute", None
    elif reference is None:
        yield Resolved(
            start=start, end=end, text=text[start:end], type="DATE", value=f"XXXX-{number:02d}",
            date_start=None, date_end=None, granularity="month", anchor=None, anchor_value=None,
            rule="month_alone", tense=tense,
        )  # fmt: skip
        return
    else:
        anchor_value = reference.isoformat()
        if future:
            year = reference.year + (number < reference.month or (following and number == reference.month))
        else:
            year = reference.year - (number > reference.month or (last and number == reference.month))
    cal = Cal(year=year, month=number, granularity="month")
    d0, d1 = cal.interval
    yield Resolved(
        start=start, end=end, text=text[start:end], type="DATE", value=cal.value, date_start=d0, date_end=d1,
        granularity="month", anchor=anchor, anchor_value=anchor_value, rule="month_alone", tense=tense,
    )  # fmt: skip


def _month_number_before(text: str, at: int, language: str) -> int | None:
    """The month named by the word just before ``at`` ("май" of "май 2022"), if one is."""
    words = _relative_lexicon(language)
    previous = re.search(r"([^\W\d_]+)\s*\Z", text[max(0, at - 30) : at])
    if previous is None:
        return None
    return words.month_index.get(_key(previous.group(1)))


def _relative_finds(text: str, reference: dt.date | None, language: str) -> list[Resolved]:
    """Weekdays, "N days ago", "last week" and months alone of a non-English text, in order; where
    two overlap the longer wins."""
    words = _relative_lexicon(language)
    found = [
        *_relative_unit_mentions(text, reference, words),
        *_offset_mentions(text, reference, words),
        *_weekday_mentions(text, reference, language, words),
        *_month_mentions(text, reference, language, words),
    ]
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    out: list[Resolved] = []
    for mention in found:
        if out and mention.start < out[-1].end:
            continue
        out.append(mention)
    return out
