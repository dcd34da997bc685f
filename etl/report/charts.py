"""PNG charts of a processed folder (matplotlib, Agg backend: no display needed).

    >>> [p.name for p in write_charts(etl.load("data/processed"), Path("charts"))]  # doctest: +SKIP
    ['events_per_week_by_type.png', 'events_over_time_by_country.png', 'top_locations.png']
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never a window, works on servers and in CI

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

TOP_TYPES = 6  # more stacked colours than this cannot be told apart; the rest become "other"
TOP_COUNTRIES = 12
TOP_LOCATIONS = 15
DPI = 120
# No software version or date in the PNG, so the same data gives the same file.
PNG_METADATA: dict[str, str | None] = {"Software": None}


def _date_axis(ax: Axes, dates: pd.Series) -> None:
    """Readable dates whatever the span: concise labels, no overlap, a week of margin."""
    margin = pd.Timedelta(days=7)
    ax.set_xlim(dates.min() - margin, dates.max() + margin)  # a single day must not span years
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, metadata=PNG_METADATA)
    plt.close(fig)
    return path


def _axes(title: str, xlabel: str, ylabel: str, size: tuple[float, float] = (10, 5)) -> tuple[Figure, Axes]:
    """A figure with one titled, labelled plot."""
    fig, ax = plt.subplots(figsize=size)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig, ax


def _most_common(values: pd.Series, top: int) -> list[str]:
    """The ``top`` most frequent values, ties in label order (so charts never depend on row order)."""
    counts = values.value_counts()
    return sorted(counts.index, key=lambda v: (-counts[v], v))[:top]


def _empty(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what}", ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def events_per_week_by_type(events: pd.DataFrame, path: Path) -> Path:
    """Stacked bars: events per ISO week, one colour per PLOVER type (the most common ones)."""
    fig, ax = _axes("Events per week by type", "Week (starting Monday)", "Events")
    dates = pd.to_datetime(events["event_date"]) if not events.empty else pd.Series(dtype="datetime64[s]")
    if dates.notna().any():
        types = events["event_type"].astype("string").fillna("(untyped)")
        types = types.where(types.isin(_most_common(types, TOP_TYPES)), "other")
        weeks = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
        table = pd.crosstab(weeks, types).sort_index()
        bottom = pd.Series(0, index=table.index)
        for column in sorted(table.columns, key=lambda c: (c == "other", -table[c].sum(), c)):
            ax.bar(table.index, table[column], width=6, bottom=bottom, label=column, align="edge")
            bottom += table[column]
        ax.legend(title="PLOVER type", fontsize="small")
        _date_axis(ax, pd.Series([table.index.min(), table.index.max() + pd.Timedelta(days=7)]))
    else:
        _empty(ax, "dated events")
    return _save(fig, path)


def events_over_time_by_country(points: pd.DataFrame, path: Path) -> Path:
    """Scatter: one dot per event at its date, one row per country; size grows with sources."""
    fig, ax = _axes("Events over time by country", "Event date", "Country (ISO 3166 alpha-3)")
    frame = points.assign(country=points["country_iso3"].astype("string").fillna("(unknown)"),
                          date=pd.to_datetime(points["event_date"])).dropna(subset=["date"])
    if frame.empty:
        _empty(ax, "dated events")
        return _save(fig, path)
    order = _most_common(frame["country"], TOP_COUNTRIES)
    frame = frame[frame["country"].isin(order)]
    row_of = {country: i for i, country in enumerate(reversed(order))}
    sources = frame["n_sources"].astype("Float64").fillna(1) if "n_sources" in frame else 1
    ax.scatter(frame["date"], frame["country"].map(row_of), s=20 + 15 * sources, alpha=0.6)
    ax.set_yticks(list(row_of.values()), list(row_of.keys()))
    ax.set_ylim(-0.5, len(row_of) - 0.5)
    _date_axis(ax, frame["date"])
    if "n_sources" in points:
        ax.annotate("dot size: number of sources", xy=(1, 1.01), xycoords="axes fraction",
                    ha="right", fontsize="small")
    return _save(fig, path)


def top_locations(events: pd.DataFrame, path: Path) -> Path:
    """Horizontal bars: the places with the most events."""
    fig, ax = _axes("Locations with the most events", "Events", "Location", size=(9, 6))
    located = events.dropna(subset=["location"])
    if located.empty:
        _empty(ax, "located events")
        return _save(fig, path)
    labels = located["location"].astype(str) + located["country_iso3"].map(
        lambda c: f" ({c})" if isinstance(c, str) else "")
    counts = labels.value_counts()
    order = _most_common(labels, TOP_LOCATIONS)
    ax.barh(list(reversed(order)), [counts[c] for c in reversed(order)])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no half events
    return _save(fig, path)


def write_charts(tables: dict[str, pd.DataFrame], charts_dir: Path) -> list[Path]:
    """The three charts of ``etl report`` as PNG files in ``charts_dir``; returns their paths."""
    charts_dir.mkdir(parents=True, exist_ok=True)
    events = tables.get("events")
    if events is None:
        raise ValueError("charts need the events table")
    timeline = tables.get("timeline")
    points = timeline if timeline is not None else events
    return [
        events_per_week_by_type(events, charts_dir / "events_per_week_by_type.png"),
        events_over_time_by_country(points, charts_dir / "events_over_time_by_country.png"),
        top_locations(events, charts_dir / "top_locations.png"),
    ]
