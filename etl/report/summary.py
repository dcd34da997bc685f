"""What a processed folder holds, in numbers: counts, date precision and basis, geocoding, problems.

    >>> print(format_summary(summarize(etl.load("data/processed"))))   # doctest: +SKIP
    articles 120 · events 340 · timeline 210 · problems 4
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

TOP = 10  # rows shown per ranked list in the printed summary


@dataclass
class Summary:
    """Row counts per table and the breakdowns ``etl report`` prints, each a Series."""

    rows: dict[str, int]
    breakdowns: dict[str, pd.Series] = field(default_factory=dict)
    shares: dict[str, pd.Series] = field(default_factory=dict)
    geocoded: float | None = None  # share of events with coordinates


def _counts(column: pd.Series, missing: str = "(none)") -> pd.Series:
    """Value counts with missing values named, largest first and ties by label (stable output)."""
    values = column.astype("string").fillna(missing)
    counts = values.value_counts()
    frame = counts.rename_axis("value").reset_index(name="n")
    frame = frame.sort_values(["n", "value"], ascending=[False, True], kind="mergesort")
    return pd.Series(frame["n"].to_numpy(), index=frame["value"].to_numpy(), name=column.name)


def _shares(column: pd.Series) -> pd.Series:
    counts = _counts(column)
    return counts / counts.sum() if counts.sum() else counts.astype(float)


def summarize(tables: dict[str, pd.DataFrame]) -> Summary:
    """Breakdowns of the events (and problems) of a processed folder's tables.

        >>> summarize({"events": events}).breakdowns["by type"].head(1)   # doctest: +SKIP
        ASSAULT    42
    """
    summary = Summary(rows={name: len(frame) for name, frame in tables.items()})
    events = tables.get("events")
    if events is not None and not events.empty:
        months = pd.to_datetime(events["event_date"]).dt.strftime("%Y-%m")
        by_month = _counts(months.rename("month"))
        summary.breakdowns["events by month"] = by_month.sort_index()
        summary.breakdowns["events by type"] = _counts(events["event_type"])
        summary.breakdowns["events by ACLED type"] = _counts(events["acled_event_type"])
        summary.breakdowns["events by country"] = _counts(events["country_iso3"])
        summary.shares["date precision"] = _shares(events["date_precision"])
        summary.shares["date basis"] = _shares(events["date_basis"])
        summary.shares["geo precision"] = _shares(events["geo_precision"])
        summary.geocoded = float(events["latitude"].notna().mean())
    timeline = tables.get("timeline")
    if timeline is not None and not timeline.empty:
        summary.breakdowns["timeline events by number of sources"] = (
            _counts(timeline["n_sources"].rename("sources")).sort_index(key=lambda i: i.astype(int)))
    problems = tables.get("problems")
    if problems is not None and not problems.empty:
        summary.breakdowns["problems by code"] = _counts(problems["code"])
    return summary


def format_summary(summary: Summary) -> str:
    """The summary as plain text for the terminal."""
    lines = [" · ".join(f"{name} {n}" for name, n in summary.rows.items())]
    if summary.geocoded is not None:
        lines.append(f"events with coordinates: {summary.geocoded:.0%}")
    for title, shares in summary.shares.items():
        parts = ", ".join(f"{value} {share:.0%}" for value, share in shares.items())
        lines.append(f"{title}: {parts}")
    for title, counts in summary.breakdowns.items():
        lines.append("")
        lines.append(f"{title}:")
        shown = counts if title.endswith("month") else counts.head(TOP)
        width = max(len(str(v)) for v in shown.index) if len(shown) else 0
        lines.extend(f"  {str(value).ljust(width)}  {n:>6}" for value, n in shown.items())
        if len(counts) > len(shown):
            lines.append(f"  … {len(counts) - len(shown)} more")
    return "\n".join(lines)
