"""Filter and print the timeline: by dates, place, actor, type and number of sources.

    >>> query_timeline(timeline, country="UKR", min_sources=2).shape[0]   # doctest: +SKIP
    4
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd

Order = Literal["newest", "chronological"]


def _folded(column: pd.Series) -> pd.Series:
    """A string column with case folded and missing values as empty strings."""
    return column.astype("string").fillna("").str.casefold().str.strip()


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    """One value or many, comma-separated or not, folded: ``_as_list(["ukr, RUS"]) == ["ukr", "rus"]``."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip().casefold() for item in items for part in item.split(",") if part.strip()]


def query_timeline(
    timeline: pd.DataFrame,
    *,
    since: date | None = None,
    until: date | None = None,
    country: str | Sequence[str] | None = None,
    admin1: str | Sequence[str] | None = None,
    actor: str | None = None,
    event_type: str | Sequence[str] | None = None,
    min_sources: int = 1,
    order: Order = "newest",
) -> pd.DataFrame:
    """Rows of ``timeline`` that pass every given filter, newest first or chronological.

    ``since``/``until`` bound ``event_date`` (inclusive); ``country`` (ISO alpha-3), ``admin1``
    and ``event_type`` (PLOVER or ACLED name) match exactly, ignoring case, any of a list;
    ``actor`` is a case-insensitive substring of ``actor1`` or ``actor2``.

        >>> query_timeline(t, since=date(2024, 12, 1), order="chronological")  # doctest: +SKIP
    """
    if order not in ("newest", "chronological"):
        raise ValueError(f"order must be 'newest' or 'chronological', not {order!r}")
    keep = pd.Series(True, index=timeline.index)
    dates = pd.to_datetime(timeline["event_date"])
    if since is not None:
        keep &= dates >= pd.Timestamp(since)
    if until is not None:
        keep &= dates <= pd.Timestamp(until)
    if countries := _as_list(country):
        keep &= _folded(timeline["country_iso3"]).isin(countries)
    if regions := _as_list(admin1):
        keep &= _folded(timeline["admin1"]).isin(regions)
    if actor:
        needle = actor.strip().casefold()
        keep &= (_folded(timeline["actor1"]).str.contains(needle, regex=False)
                 | _folded(timeline["actor2"]).str.contains(needle, regex=False))
    if types := _as_list(event_type):
        keep &= (_folded(timeline["event_type"]).isin(types)
                 | _folded(timeline["acled_event_type"]).isin(types))
    if min_sources > 1:
        keep &= timeline["n_sources"].fillna(0) >= min_sources
    result = timeline[keep.fillna(False).astype(bool)]
    ascending = order == "chronological"
    # The id breaks ties so the order never depends on how the file was written.
    return result.sort_values(["event_date", "timeline_id"], ascending=[ascending, True],
                              kind="mergesort").reset_index(drop=True)


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def format_table(timeline: pd.DataFrame, width: int = 120) -> str:
    """A plain-text table for the terminal: one event per block, summary wrapped underneath.

        >>> print(format_table(query_timeline(t)))                       # doctest: +SKIP
        2024-12-16  ASSAULT  Pokrovsk, Donetsk Oblast, UKR  3 sources  ...
    """
    if timeline.empty:
        return "no events match"
    lines = []
    for row in timeline.to_dict("records"):
        when = pd.Timestamp(row["event_date"]).date().isoformat() if _cell(row["event_date"]) else "?"
        if _cell(row["date_start"]) and _cell(row["date_end"]) and row["date_start"] != row["date_end"]:
            start = pd.Timestamp(row["date_start"]).date().isoformat()
            end = pd.Timestamp(row["date_end"]).date().isoformat()
            when += f" ({start}..{end})"
        place = ", ".join(p for p in (_cell(row["location"]), _cell(row["admin1"]),
                                      _cell(row["country_iso3"])) if p)
        actors = " vs ".join(a for a in (_cell(row["actor1"]), _cell(row["actor2"])) if a)
        kind = _cell(row["event_type"])
        if _cell(row["acled_event_type"]):
            kind += f" / {row['acled_event_type']}"
        deaths = f"{row['fatalities']} killed" if _cell(row["fatalities"]) else ""
        n_sources = int(row["n_sources"]) if _cell(row["n_sources"]) else 0
        sources = f"{n_sources} source{'s' if n_sources != 1 else ''}"
        head = "  ".join(p for p in (when, kind, place or "place unknown", actors, deaths, sources) if p)
        lines.append(head)
        summary = " ".join(_cell(row["summary"]).split())
        lines.extend(textwrap.wrap(summary, width=width, initial_indent="    ",
                                   subsequent_indent="    ", max_lines=3, placeholder=" …"))
    return "\n".join(lines)


def _portable(value: Any) -> Any:
    """A JSON/CSV-friendly value: ISO dates, plain lists, None for missing."""
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, list):
        return [_portable(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    return value


def _portable_records(timeline: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _portable(v) for k, v in row.items()} for row in timeline.to_dict("records")]


def to_json(timeline: pd.DataFrame) -> str:
    """The rows as a JSON array of objects: ISO dates, lists as arrays.

        >>> json.loads(to_json(t))[0]["event_ids"]                      # doctest: +SKIP
        ['e1', 'e2', 'e3']
    """
    return json.dumps(_portable_records(timeline), ensure_ascii=False, indent=2) + "\n"


def to_csv(timeline: pd.DataFrame) -> str:
    """The rows as CSV: ISO dates, list columns joined with ``;``.

        >>> to_csv(t).splitlines()[0].split(",")[:2]                     # doctest: +SKIP
        ['timeline_id', 'event_date']
    """
    rows = _portable_records(timeline)
    for row in rows:
        for key, value in row.items():
            if isinstance(value, list):
                row[key] = ";".join(str(v) for v in value)
    frame = pd.DataFrame(rows, columns=list(timeline.columns))
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text
