"""Geocoding benchmark on UCDP GED Ukraine headlines: share of rows located within 25 km.

Run from the repository root: `.venv/bin/python -m bench.geo [CSV]`. Prints, for all rows and
for rows with `where_prec` 1, the share whose first resolved place lies within 25 km of the
row's coordinates, beside a naive baseline (the largest-population GeoNames name in the
headline), plus index build and load times and throughput.

`.venv/bin/python -m bench.geo articles [RAW_DIR] [N]` times instead the events stage's use of
geo on N articles (default 300 of bench/out/corpus-2000-30): the article's context, each
paragraph's countries, each sentence's and clause's places, asked plainly and with `within=`
the article (its parts then reuse the article's one scan). It checks that both give the same
answers and prints CPU ms per article for each (medians of 3 runs).

    >>> baseline_locate("Shelling in Donetsk kills two").name
    'Donetsk'
"""

from __future__ import annotations

import csv
import math
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from etl.geo import (
    GeoContext,
    Place,
    article_context,
    context_place,
    countries_named,
    find_places,
    gazetteer,
    locate,
)
from etl.geo.index import build_index, load_index
from etl.geo.resolve import _city_place, _clear_caches, _tokens

DEFAULT_CSV = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "dev"
    / "ucdp-ged-ukraine"
    / "conflict_data_ukr.csv"
)
RADIUS_KM = 25.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres.

    >>> round(haversine_km(50.45, 30.52, 49.84, 24.02))
    468
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def baseline_locate(headline: str) -> Place | None:
    """Naive baseline: the largest-population GeoNames place whose name appears capitalized.

    Any run of up to four capitalized words that is a GeoNames main or alternate name counts;
    no context, no stoplist, no provinces or countries.

    >>> baseline_locate("Tusk met Zelenskiy in Lviv").name
    'Lviv'
    """
    gaz = gazetteer()
    toks = _tokens(headline)
    best: tuple[int, int] | None = None
    for i, tok in enumerate(toks):
        if not tok.text[:1].isupper():
            continue
        for n in range(1, 5):
            span = toks[i : i + n]
            if len(span) < n or not span[-1].text[:1].isupper():
                break
            for idx, _ in gaz.lookup_city(headline[span[0].start : span[-1].end], loose=False):
                cand = (gaz.populations[idx], -gaz.geonameid[idx])
                if best is None or cand > (gaz.populations[best[0]], -gaz.geonameid[best[0]]):
                    best = (idx, 0)
    return None if best is None else _city_place(best[0], gaz)


@dataclass
class Row:
    """One UCDP event: its headlines and true point."""

    headlines: list[str]
    latitude: float
    longitude: float
    where_prec: int


def read_rows(path: Path) -> list[Row]:
    """Rows of the UCDP CSV, skipping the HXL tag line."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for k, rec in enumerate(reader):
            if k == 0 and rec.get("year", "").startswith("#"):
                continue
            heads = [h.strip() for h in (rec.get("source_headline") or "").split(";") if h.strip()]
            rows.append(Row(heads, float(rec["latitude"]), float(rec["longitude"]), int(rec["where_prec"])))
    return rows


def system_locate(headlines: list[str], fallback: bool = False) -> Place | None:
    """The system's answer for one row: the first headline's resolved place, with the row's context.

    With `fallback`, a row whose headlines name no place gets `context_place` (its first
    division, e.g. from "DPR", else its first country).
    """
    context = article_context("", "\n".join(headlines)) if headlines else GeoContext()
    for headline in headlines:
        place = locate(headline, context)
        if place is not None:
            return place
    return context_place(context) if fallback else None


def baseline_row(headlines: list[str]) -> Place | None:
    """The baseline's answer for one row: the first headline where it finds a name."""
    for headline in headlines:
        place = baseline_locate(headline)
        if place is not None:
            return place
    return None


def _share(hits: list[bool]) -> str:
    return f"{100.0 * sum(hits) / len(hits):5.1f}% ({sum(hits)}/{len(hits)})" if hits else "n/a"


def main(argv: list[str]) -> int:
    """Run the benchmark and print the table."""
    path = Path(argv[0]) if argv else DEFAULT_CSV
    if not path.exists():
        print(f"no data at {path}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        built = build_index(Path(tmp) / "gazetteer.pickle")
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        load_index(built)
        load_s = time.perf_counter() - t0
    gazetteer()  # the process cache, outside the timed loops
    rows = read_rows(path)
    _clear_caches()  # time the cold path: no headline scanned or resolved yet
    t0 = time.perf_counter()
    system = [system_locate(r.headlines) for r in rows]
    system_s = time.perf_counter() - t0
    baseline = [baseline_row(r.headlines) for r in rows]
    with_fallback = [system_locate(r.headlines, fallback=True) for r in rows]
    _clear_caches()
    t0 = time.perf_counter()
    n_places = sum(len(find_places(h, GeoContext())) for r in rows for h in r.headlines)
    places_s = time.perf_counter() - t0

    def hits(answers: list[Place | None], prec1: bool) -> list[bool]:
        return [
            p is not None and haversine_km(p.latitude, p.longitude, r.latitude, r.longitude) <= RADIUS_KM
            for r, p in zip(rows, answers, strict=True)
            if not prec1 or r.where_prec == 1
        ]

    n_headlines = sum(len(r.headlines) for r in rows)
    print(f"UCDP GED Ukraine: {len(rows)} rows, {n_headlines} headlines; within {RADIUS_KM:g} km of the row")
    print(f"{'':24}{'system':>22}{'baseline':>22}")
    print(f"{'all rows':24}{_share(hits(system, False)):>22}{_share(hits(baseline, False)):>22}")
    print(f"{'where_prec == 1':24}{_share(hits(system, True)):>22}{_share(hits(baseline, True)):>22}")
    print(f"{'all, context fallback':24}{_share(hits(with_fallback, False)):>22}")
    print(f"{'where_prec 1, fallback':24}{_share(hits(with_fallback, True)):>22}")
    found = sum(p is not None for p in system)
    print(f"{'rows with a place':24}{found:>22}{sum(p is not None for p in baseline):>22}")
    print(f"index build {build_s:.1f} s, index load {load_s:.3f} s")
    rate = f"{len(rows) / system_s:.0f} rows/s, {n_headlines / system_s:.0f} headlines/s"
    print(f"system: {rate} (article_context + locate)")
    print(f"find_places: {n_places} places in {places_s:.1f} s, {n_places / places_s:.0f} places/s")
    return 0


DEFAULT_CORPUS = Path(__file__).resolve().parent / "out" / "corpus-2000-30"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r",\s+")


def read_articles(raw: Path, limit: int) -> list[tuple[str, str]]:
    """(title, text) of the first `limit` articles below a raw folder."""
    from etl.ingest import read_source
    from etl.ingest.source import list_sources

    found: list[tuple[str, str]] = []
    for entry in list_sources(raw):
        for article in read_source(entry.source, None).articles:
            found.append((str(article.get("title") or ""), str(article.get("text") or "")))
            if len(found) >= limit:
                return found
    return found


def article_queries(title: str, text: str, within: bool) -> list[object]:
    """The geo answers the events stage asks about one article (paragraphs, sentences, clauses)."""
    article = text if within else None
    context = article_context(title, text)
    answers: list[object] = [context]
    for paragraph in (p for p in text.split("\n\n") if p.strip()):
        answers.append(countries_named(paragraph, within=article))
        for sentence in (s for s in _SENTENCE_END.split(paragraph) if s.strip()):
            for part in (sentence, *_CLAUSE_END.split(sentence)):
                answers.append(find_places(part, context, within=article))
                answers.append(locate(part, context, within=article))
    return answers


def bench_articles(argv: list[str]) -> int:
    """Time geo the way the events stage asks it, plainly and with `within=`."""
    raw = Path(argv[0]) if argv else DEFAULT_CORPUS
    limit = int(argv[1]) if len(argv) > 1 else 300
    if not raw.exists():
        print(f"no corpus at {raw} (make one with bench.corpus)")
        return 1
    articles = read_articles(raw, limit)
    gazetteer()
    results: dict[bool, list[object]] = {}
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(3):
        for within in (False, True):
            _clear_caches()
            t0 = time.process_time()
            results[within] = [article_queries(title, text, within) for title, text in articles]
            times[within].append(time.process_time() - t0)
    same = results[False] == results[True]
    plain, fast = (statistics.median(times[w]) / len(articles) * 1000 for w in (False, True))
    print(f"{len(articles)} articles from {raw}: answers {'identical' if same else 'DIFFERENT'}")
    print(f"plain  {plain:6.2f} ms/article (CPU, median of 3)")
    print(f"within {fast:6.2f} ms/article ({plain / fast:.1f}x)")
    return 0 if same else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["articles"]:
        sys.exit(bench_articles(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
