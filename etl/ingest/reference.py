"""The reference date of each article: metadata, else dateline, else URL, else a default.

"KYIV, Dec 17 (Reuters) - Russian forces..." sets 2024-12-17 when the year is known:

    >>> find_dateline("KYIV, Dec 17 (Reuters) - Shelling...").date_text
    'Dec 17'
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import dateparser

from etl.config import RESOURCES_DIR, in_published_years

_YEAR_IN_TEXT = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

_DATELINE_SETTINGS = {
    "PARSERS": ["absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "RELATIVE_BASE": datetime(2000, 1, 1),
}


@dataclass(frozen=True)
class Dateline:
    """A dateline's parts, as written: ``KRAMATORSK, Ukraine, Dec 17 (Reuters) -`` gives place
    'KRAMATORSK', region 'Ukraine', date_text 'Dec 17', agency 'Reuters'; `end` is the offset
    just past the dash and the one space after it, where the story begins."""

    place: str
    region: str | None
    date_text: str | None
    agency: str | None
    end: int

    @property
    def places(self) -> tuple[str, ...]:
        """The places of a shared dateline, first named first: 'KYIV/MOSCOW' -> ('KYIV', 'MOSCOW')."""
        return tuple(self.place.split("/"))


@lru_cache(maxsize=1)
def _resources() -> dict[str, Any]:
    with (RESOURCES_DIR / "ingest" / "dateline.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _alternation(items: list[str]) -> str:
    """A regex alternation of literal strings, longest first so that '--' wins over '-'."""
    return "|".join(re.escape(item) for item in sorted(items, key=len, reverse=True))


# Upper-case Latin letters (accented ones too: "BOGOTÁ", "ZÜRICH"); `re` has no \p{Lu}.
_UPPER = "".join(c for c in map(chr, range(0x41, 0x250)) if c.isupper())


@lru_cache(maxsize=1)
def _dateline_pattern() -> re.Pattern[str]:
    """The dateline grammar (the one copy in the project; geo and events call find_dateline).

    PLACE[/PLACE] [, REGION] [,|. DATE[.]] [(AGENCY) | /AGENCY/] DASH, on one line, where
    PLACE is 1-4 capitalized words ("KYIV", "KRYVYI RIH", "ST. PETERSBURG", "Rostov-on-Don"),
    REGION 1-3 capitalized words, perhaps ending in a region word ("Ukraine", "D.C.",
    "Kharkiv region"), DATE "Dec 17", "Dec. 17, 2024" or "17 December 2024". Whether the
    place's case needs a date or an agency is decided by find_dateline, not here.
    """
    data = _resources()
    letter = r"[^\W\d_]"
    word = rf"[{_UPPER}]{letter}*(?:['’.\-]{letter}+)*\.?"  # a capital, then letters: "N'Djamena"
    place = rf"{word}(?: {word}){{0,3}}"
    region_word = _alternation(data["region_words"])
    region = rf"{word}(?: {word}){{0,2}}(?: (?:{region_word}))?"
    month = rf"(?:{_alternation(data['months'])})\.?"
    date = rf"(?:{month} \d{{1,2}}(?:,? \d{{4}})?|\d{{1,2}} {month}(?:,? \d{{4}})?)"
    agency = r"[^\W\d_][\w .&'’/\-]{0,39}?"
    dash = _alternation(data["dashes"])
    glued = _alternation(data["glued_dashes"])
    end = rf"(?:(?:{dash})\s|(?:{glued})(?=\S))"  # "KYIV - x", "KYIV, Ukraine—Russian"
    gap = r"[^\S\n]*"  # a dateline stays on one line: "UKRAINE\n- item" is a list, not one
    return re.compile(
        rf"^\s*(?P<place>{place}(?:/{place})*)"
        rf"(?:,{gap}(?P<region>{region}))?"
        rf"(?:[,.]{gap}(?P<date>{date})\.?)?{gap}"
        rf"(?:\((?P<agency>{agency})\){gap}{end}"
        rf"|/(?P<slash_agency>{agency})/(?:{gap}{end}|\.?\s)"  # TASS: "December 17. /TASS/."
        rf"|{end})"
    )


@lru_cache(maxsize=1)
def _listed_agencies() -> frozenset[str]:
    return frozenset(a.casefold() for a in _resources()["agencies"])


@lru_cache(maxsize=1)
def _kickers() -> frozenset[str]:
    return frozenset(_resources()["kickers"])


def find_dateline(text: str) -> Dateline | None:
    """The dateline that opens a text, if there is one.

    An upper-case place stands alone ("KYIV – ..."); a title-case one needs a date or a listed
    agency after it, else "Russian forces – ..." would be a dateline.

    >>> find_dateline("KRAMATORSK, Ukraine — Shelling...")
    Dateline(place='KRAMATORSK', region='Ukraine', date_text=None, agency=None, end=22)
    """
    match = _dateline_pattern().match(text[:300])
    if match is None:
        return None
    place = match["place"]
    agency = match["agency"] or match["slash_agency"]
    listed = agency is not None and agency.casefold() in _listed_agencies()
    if place.isupper():
        if place in _kickers() or sum(map(str.isalpha, place)) < 2:
            return None  # "WRAP: Death toll rises", "A - the first option"
    elif not (match["date"] or listed):
        return None
    return Dateline(place, match["region"], match["date"], agency, match.end())


def _most_common_year(text: str) -> int | None:
    """The year the text names most often (earliest on ties), as a guess for a yearless dateline."""
    counts = Counter(int(y) for y in _YEAR_IN_TEXT.findall(text))
    if not counts:
        return None
    return min(counts, key=lambda year: (-counts[year], year))


def dateline_date(dateline: Dateline, text: str, default_year: int | None) -> date | None:
    """The dateline's date; a missing year comes from the default date, else the text's years.

    >>> dateline_date(find_dateline("KYIV, Dec 17 (Reuters) - x"), "x", 2024)
    datetime.date(2024, 12, 17)
    """
    if not dateline.date_text:
        return None
    date_text = dateline.date_text
    if not re.search(r"\d{4}", date_text):
        year = default_year or _most_common_year(text)
        if year is None:
            return None
        date_text = f"{date_text} {year}"
    parsed = dateparser.parse(date_text, languages=["en"], settings=_DATELINE_SETTINGS)
    return parsed.date() if parsed else None


def url_date(url: str | None) -> date | None:
    """A date written in a URL path (``/2024/12/17/``), as news sites often do."""
    if not url:
        return None
    for pattern in _resources()["url_date_patterns"]:
        match = re.search(pattern, url)
        if match:
            try:
                return date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                continue
    return None


def _plausible(found: date | None) -> date | None:
    """A date that can be a publication date ("/9999/12/31/" in a URL is none)."""
    return found if found is not None and in_published_years(found.year) else None


def assign_reference_date(row: MutableMapping[str, Any], default: date | None) -> None:
    """Fill ``published``, ``published_basis`` and ``published_local_date`` in place, in the
    order of the contract. The local date is the metadata's day as written (its own time zone),
    else the day found: a dateline, URL or default date has no time and no zone."""
    if row.get("published") is not None:
        row["published_basis"] = "metadata"
        if row.get("published_local_date") is None:  # a row made without it: UTC's day
            row["published_local_date"] = row["published"].date()
        return
    found: date | None = None
    dateline = find_dateline(row["text"])
    if dateline is not None:
        found = _plausible(dateline_date(dateline, row["text"], default.year if default else None))
        basis = "dateline"
    if found is None:
        found, basis = _plausible(url_date(row.get("url"))), "inferred"
    if found is None and default is not None:
        found, basis = default, "default"
    if found is None:
        row["published"], row["published_basis"], row["published_local_date"] = None, "none", None
        return
    row["published"] = datetime(found.year, found.month, found.day)
    row["published_basis"] = basis
    row["published_local_date"] = date(found.year, found.month, found.day)


# --- publication times with a named time zone -------------------------------------------------

# "2024-12-17T10:00:00 Europe/Kyiv" (a name with an area), "2024-12-17 10:00 [Europe/Kyiv]" and
# "2024-12-17T10:00:00+02:00[Europe/Kyiv]" (RFC 9557: the name in brackets, "!" = critical).
_ZONED = re.compile(
    r"(?P<stamp>\d{4}-\d\d-\d\d(?:[T ][\d:.,]+)?(?:Z|[+-]\d\d(?::?\d\d)?)?)"
    r"(?:\s*\[!?(?P<bracketed>[^\[\]\s]+)\]|\s+(?P<named>[A-Za-z][\w+-]*(?:/[\w+-]+)+))",
    re.ASCII,
)


class UnknownZone(ValueError):
    """A publication time whose time zone name is no IANA name (``Europe/Kiyv``)."""


@cache
def _zone_names() -> dict[str, str]:
    """Every IANA zone name of the ``tzdata`` package, by its lower-case form."""
    names = resources.files("tzdata").joinpath("zones").read_text("utf-8").split()
    return {name.lower(): name for name in names}


@cache
def _zone_areas() -> frozenset[str]:
    """The areas of IANA names, lower-case ("europe", "america", …): a name in one of them that
    is no zone is a misspelt zone ("Europe/Kiyv"), not some other text ("GMT/UTC")."""
    return frozenset(name.split("/", 1)[0] for name in _zone_names() if "/" in name)


def zone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA time zone from the ``tzdata`` package's files, never the system's, so two machines
    read a time the same way; any case is accepted. Raises ``UnknownZone`` for no such name.

        >>> zone("europe/kyiv").key
        'Europe/Kyiv'
    """
    key = _zone_names().get(name.lower())
    if key is None:
        raise UnknownZone(f"names the unknown time zone {name!r} (not an IANA name such as 'Europe/Kyiv')")
    return _zone_file(key)


@cache
def _zone_file(key: str) -> zoneinfo.ZoneInfo:
    """The zone of an IANA key, read once from tzdata's file (not ZoneInfo(key): that searches
    the system's TZPATH first)."""
    with resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).open("rb") as handle:
        return zoneinfo.ZoneInfo.from_file(handle, key=key)


def parse_zoned(value: str) -> tuple[datetime, date] | None:
    """A publication time with an IANA zone name: (naive UTC, local day as written), or None
    when the value names no zone this way. An offset written beside the name wins (RFC 9557);
    a wall time the zone skips or repeats (a DST change) takes the offset before the change.
    Raises ``UnknownZone`` for a name that is no zone.

        >>> parse_zoned("2024-12-17T01:30:00 Europe/Kyiv")
        (datetime.datetime(2024, 12, 16, 23, 30), datetime.date(2024, 12, 17))
    """
    match = _ZONED.fullmatch(value.strip())
    if match is None:
        return None
    named = match["named"]
    if named is not None and named.lower() not in _zone_names() \
            and named.split("/", 1)[0].lower() not in _zone_areas():
        return None  # "10:00 GMT/UTC" is no zone name: left to the other readers
    tz = zone(match["bracketed"] or named)
    try:
        stamp = datetime.fromisoformat(match["stamp"].replace("Z", "+00:00"))
    except ValueError:
        return None
    if not isinstance(stamp, datetime):  # pragma: no cover - fromisoformat of datetime gives one
        stamp = datetime.combine(stamp, time())
    local_day = stamp.date()
    try:
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=tz)
        else:  # "…T23:30:00Z[Europe/Kyiv]": the instant is given, the day is the zone's (01:30)
            local_day = stamp.astimezone(tz).date()
        utc = stamp.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    except OverflowError:  # 0001-01-01T00:30 Europe/Kyiv: before the start of the calendar
        return None
    return utc, local_day


def zone_problem(value: str) -> str | None:
    """Why a publication value with a zone name is unusable, for the ``bad_published`` row:
    ``zone_problem("2024-12-17 10:00 Europe/Kiyv")`` names the zone; None when it is no such case."""
    try:
        parse_zoned(value)
    except UnknownZone as exc:
        return str(exc)
    return None
