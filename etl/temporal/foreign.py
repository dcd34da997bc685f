"""Dates in languages other than English, through dateparser's language data.

Only absolute dates and simple relative words ("вчора", "hier") are taken: each candidate
that ``search_dates`` finds is kept when it holds a digit or a known relative word, and is
re-parsed alone to learn its granularity. All settings are explicit; nothing reads the clock.

    >>> [m.value for m in find_foreign("Le 16 décembre 2024, l'armée a frappé.", None, "fr")]
    ['2024-12-16']
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, lru_cache
from typing import Any

from etl.temporal.resolve import Resolved
from etl.temporal.values import Cal, from_date

# dateparser needs *some* base for relative words; with no reference date we pass a fixed one
# and then drop whatever depended on it, so the clock is never read.
_NO_REFERENCE = dt.datetime(2000, 1, 1)
_HAS_DIGIT = re.compile(r"\d")
_FULL_YEAR = re.compile(r"\d{4}")
_YEAR_ONLY = re.compile(r"(?:1[5-9]|20)\d\d")
_MONTHISH = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


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


@cache
def _parser(language: str) -> Any:
    from dateparser.date import DateDataParser

    # Explicit settings here too: this first pass only detects a date and its period.
    return DateDataParser(languages=[language], settings=_settings(_NO_REFERENCE, "past"))


@lru_cache(maxsize=65536)
def _parse(
    surface: str, language: str, base: dt.datetime, prefer: str
) -> tuple[dt.datetime | None, str | None]:
    """One candidate string parsed alone: (datetime, period) or (None, None)."""
    data = _parser(language).get_date_data(surface)
    if data is None or data.date_obj is None:
        return None, None
    # get_date_data honours settings given at construction only; re-run with ours for the base.
    from dateparser import parse as dp_parse

    when = dp_parse(surface, languages=[language], settings=_settings(base, prefer))
    return when, str(data.period or "day")


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


def find_foreign(text: str, reference: dt.date | None, language: str) -> list[Resolved]:
    """Date mentions of a non-English text: absolute dates and simple relative words."""
    from dateparser.search import search_dates

    language = _DATEPARSER_CODES.get(language, language)
    base = dt.datetime.combine(reference, dt.time()) if reference is not None else _NO_REFERENCE
    try:
        found = search_dates(text, languages=[language], settings=_settings(base, "past")) or []
    except (ValueError, KeyError):
        return []
    relative = _relative_words(language)
    out: list[Resolved] = []
    cursor = 0
    for found_surface, _ in found:
        start = text.find(found_surface, cursor)
        if start < 0:
            continue
        cursor = start + len(found_surface)
        surface = _trim(found_surface, relative)
        lowered = surface.lower().strip()
        is_relative = lowered in relative or any(lowered.startswith(w + " ") for w in relative if len(w) > 3)
        # Keep a day or month with a number ("16 грудня"), a year, or a known relative word;
        # search_dates' other finds in running text are mostly noise ("we", "may", "now 19").
        dated = bool(_HAS_DIGIT.search(surface) and _MONTHISH.search(surface))
        if not (dated or is_relative or _YEAR_ONLY.fullmatch(lowered)):
            continue
        when, period = _parse(surface, language, base, "past")
        if when is None:
            continue
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
        out.append(
            Resolved(
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
                tense=None,
            )
        )
    return out
