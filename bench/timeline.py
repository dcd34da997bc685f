"""Cross-article merging measured on UCDP GED Ukraine: one article per headline, rows are gold.

Each GED row lists the reports that a UCDP coder used for one event (``source_headline`` and
``source_date``, ``;``-separated, same order). Every distinct (headline, date) becomes an
article of its own, published on its ``source_date``, and goes through the whole pipeline
(``etl.temporal.tag_articles`` → ``etl.events.extract_events`` → ``build_timeline``). Articles
linked through any timeline row form one predicted group; the gold group is the GED row.

A headline that appears in several GED rows (a situation report such as "Donetsk airport"
cited for 37 events) is fed to the pipeline but not scored: its gold group is not one event.
Pairwise recall only counts rows with two or more headlines; B-cubed covers every scored one.

Beside the merge, the same scores for two trivial baselines: every article separate, and
articles merged when published the same day.

    python -m bench.timeline                 # all rows (about a minute)
    python -m bench.timeline --years 2014    # a contiguous slice, for a quick look
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from etl.timeline import build_timeline, typed_frame
from etl.timeline.evaluate import Scores, bcubed_scores, connected_groups, pairwise_scores

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GED = SHARED / "dev" / "ucdp-ged-ukraine" / "conflict_data_ukr.csv"


@dataclass
class Corpus:
    """Articles to feed, and the gold row of each article that has exactly one."""

    articles: pd.DataFrame
    gold: dict[str, int]
    rows: int
    skipped_rows: int  # headline and date lists of different lengths (a ";" inside a headline)
    ambiguous: int  # articles cited by several rows: fed, not scored


def read_corpus(path: Path = GED, years: list[int] | None = None) -> Corpus:
    """One article per distinct (headline, source_date) of the GED rows (HXL line skipped)."""
    ged = pd.read_csv(path, skiprows=[1], dtype=str, keep_default_na=False)
    if years:
        ged = ged[ged["year"].astype(int).isin(years)]
    rows_of: dict[tuple[str, str], set[int]] = defaultdict(set)
    outlet_of: dict[tuple[str, str], str] = {}
    skipped = 0
    for row in ged.to_dict("records"):
        headlines = str(row["source_headline"]).split(";")
        dates = str(row["source_date"]).split(";")
        outlets = str(row["source_office"]).split(";")
        if len(headlines) != len(dates):
            skipped += 1
            continue
        for k, (headline, day) in enumerate(zip(headlines, dates, strict=True)):
            key = (headline.strip(), day.strip())
            if not key[0] or not key[1]:
                continue
            rows_of[key].add(int(row["id"]))
            outlet = outlets[k].strip() if len(outlets) == len(headlines) else ""
            outlet_of.setdefault(key, outlet)
    records = []
    gold: dict[str, int] = {}
    for n, key in enumerate(sorted(rows_of)):
        headline, day = key
        article_id = f"ged-{n:05d}"
        records.append({
            "article_id": article_id, "title": headline, "text": headline, "url": None,
            "source": outlet_of[key] or None, "language": "en",
            "published": datetime.fromisoformat(day), "published_basis": "metadata",
            "input_file": path.name, "input_line": None, "content_sha256": None, "encoding": "utf-8",
        })
        if len(rows_of[key]) == 1:
            gold[article_id] = next(iter(rows_of[key]))
    return Corpus(typed_frame("articles", records), gold, len(ged), skipped,
                  sum(1 for rows in rows_of.values() if len(rows) > 1))


def run_pipeline(articles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """The whole per-article pipeline, then the merge; returns events, timeline and stage seconds."""
    from etl.events import extract_events
    from etl.temporal import tag_articles

    seconds: dict[str, float] = {}
    start = time.perf_counter()
    mentions, _ = tag_articles(articles)
    seconds["temporal"] = time.perf_counter() - start
    start = time.perf_counter()
    events, _ = extract_events(articles, mentions)
    seconds["events"] = time.perf_counter() - start
    start = time.perf_counter()
    timeline = build_timeline(events, articles)
    seconds["timeline"] = time.perf_counter() - start
    return events, timeline, seconds


def same_day_groups(articles: pd.DataFrame) -> dict[str, Hashable]:
    """Baseline: articles published the same day report the same event."""
    days = pd.to_datetime(articles["published"]).dt.strftime("%Y-%m-%d")
    return dict(zip(articles["article_id"].astype(str), days, strict=True))


def _fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.3f}"


def format_scores(results: dict[str, tuple[Scores, Scores]]) -> str:
    """A table: one line per method, pairwise and B-cubed P/R/F1."""
    head = f"{'method':<22} {'pair P':>6} {'pair R':>6} {'pair F1':>7}   {'B3 P':>5} {'B3 R':>5} {'B3 F1':>5}"
    lines = [head]
    for name, (pair, cubed) in results.items():
        lines.append(f"{name:<22} {_fmt(pair.precision):>6} {_fmt(pair.recall):>6} {_fmt(pair.f1):>7}   "
                     f"{_fmt(cubed.precision)} {_fmt(cubed.recall)} {_fmt(cubed.f1)}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=GED, help="conflict_data_ukr.csv")
    parser.add_argument("--years", type=int, nargs="*", help="only GED rows of these years")
    args = parser.parse_args()
    if not args.csv.exists():
        raise SystemExit(f"{args.csv} not found: ../shared/dev must sit beside the repository")

    corpus = read_corpus(args.csv, args.years)
    articles = corpus.articles
    ids = [str(a) for a in articles["article_id"]]
    events, timeline, seconds = run_pipeline(articles)

    merged = connected_groups(([str(a) for a in row] for row in timeline["article_ids"]), ids)
    gold = corpus.gold
    separate = {i: i for i in ids}
    same_day = same_day_groups(articles)
    with_event_ids = set(events["article_id"].astype(str))
    subsets = {
        "all scored headlines": corpus.gold,
        "headlines with an event": {a: g for a, g in corpus.gold.items() if a in with_event_ids},
    }
    tables = {}
    for subset, gold in subsets.items():
        tables[subset] = {
            "timeline merge": (pairwise_scores(gold, merged), bcubed_scores(gold, merged)),
            "all separate": (pairwise_scores(gold, separate), bcubed_scores(gold, separate)),
            "same day": (pairwise_scores(gold, same_day), bcubed_scores(gold, same_day)),
        }
    gold = corpus.gold
    gold_sizes = pd.Series(list(gold.values())).value_counts()
    with_events = events["article_id"].nunique()
    multi = int((gold_sizes >= 2).sum())
    print(f"UCDP GED Ukraine: {corpus.rows} rows ({corpus.skipped_rows} skipped: headline list does not "
          f"split), {len(articles)} distinct headlines as articles")
    print(f"scored: {len(gold)} articles cited by one row ({corpus.ambiguous} cited by several: fed, "
          f"not scored); {multi} rows with 2+ scored headlines make the "
          f"{sum(n * (n - 1) // 2 for n in gold_sizes)} gold pairs")
    print(f"pipeline: {len(events)} events from {with_events} articles "
          f"({with_events / max(len(articles), 1):.0%} of headlines yield an event), "
          f"{len(timeline)} timeline rows")
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    for subset, results in tables.items():
        sizes = pd.Series(list(subsets[subset].values())).value_counts()
        print(f"\n{subset}: {len(subsets[subset])} articles, "
              f"{sum(n * (n - 1) // 2 for n in sizes)} gold pairs")
        print(format_scores(results))


if __name__ == "__main__":
    main()
