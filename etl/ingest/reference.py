"""The reference date of each article: metadata, else dateline, else URL, else a default.

"KYIV, Dec 17 (Reuters) - Russian forces..." sets 2024-12-17 when the year is known:

    >>> find_dateline("KYIV, Dec 17 (Reuters) - Shelling...").date_text
    'Dec 17'
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import dateparser

from etl.config import RESOURCES_DIR

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
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
    """A dateline's parts: where it was filed, the date text if any, the agency if any."""

    place: str
    date_text: str | None
    agency: str | None
    end: int


@lru_cache(maxsize=1)
def _resources() -> dict[str, Any]:
    with (RESOURCES_DIR / "ingest" / "dateline.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@lru_cache(maxsize=1)
def _dateline_pattern() -> re.Pattern[str]:
    data = _resources()
    agencies = "|".join(re.escape(a) for a in sorted(data["agencies"], key=len, reverse=True))
    dashes = "|".join(re.escape(d) for d in sorted(data["dashes"], key=len, reverse=True))
    date = rf"(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)"
    # Place: a city ("KYIV", "New York") optionally followed by a region or country; a title-case
    # place only counts when a date or an agency follows (see find_dateline).
    word = r"[A-Z][A-Za-z'.\-]+"
    place = rf"{word}(?:\s{word}){{0,3}}(?:,\s{word}(?:\s{word})?)?"
    return re.compile(
        rf"^\s*(?P<place>{place})\s*(?:,\s*(?P<date>{date}))?\s*"
        rf"(?:\((?P<agency>(?i:{agencies}))\))?\s*(?:{dashes})\s"
    )


def find_dateline(text: str) -> Dateline | None:
    """The dateline at the start of a text, if there is one."""
    match = _dateline_pattern().match(text[:300])
    if match is None:
        return None
    city = match["place"].split(",")[0]
    if not (city.isupper() or match["date"] or match["agency"]):
        return None
    return Dateline(match["place"], match["date"], match["agency"], match.end())


def _most_common_year(text: str) -> int | None:
    """The year the text names most often (earliest on ties), as a guess for a yearless dateline."""
    counts = Counter(int(y) for y in _YEAR_IN_TEXT.findall(text))
    if not counts:
        return None
    return min(counts, key=lambda year: (-counts[year], year))


def dateline_date(dateline: Dateline, text: str, default_year: int | None) -> date | None:
    """The dateline's date; a missing year comes from the default date, else the text's years."""
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


def assign_reference_date(row: MutableMapping[str, Any], default: date | None) -> None:
    """Fill ``published`` and ``published_basis`` in place, in the order of the contract."""
    if row.get("published") is not None:
        row["published_basis"] = "metadata"
        return
    found: date | None = None
    dateline = find_dateline(row["text"])
    if dateline is not None:
        found = dateline_date(dateline, row["text"], default.year if default else None)
        basis = "dateline"
    if found is None:
        found, basis = url_date(row.get("url")), "inferred"
    if found is None and default is not None:
        found, basis = default, "default"
    if found is None:
        row["published"], row["published_basis"] = None, "none"
        return
    row["published"] = datetime(found.year, found.month, found.day)
    row["published_basis"] = basis
