"""Accuracy and speed of the temporal engine against dateparser's ``search_dates``, in one run.

    $ .venv/bin/python -m bench.temporal
    WikiWars (22 articles, 2636 gold) ...

Scores follow TempEval-3 (see ``bench/scoring.py``) on ``../shared/dev/wikiwars`` and on the
news gold set in ``tests/data/news_gold``. Speed is articles per second of each system on the
same articles, one process, one core.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from bench.scoring import Span, score
from etl.temporal import tag

REPO = Path(__file__).resolve().parents[1]
WIKIWARS = REPO.parent / "shared" / "dev" / "wikiwars"
NEWS_GOLD = REPO / "tests" / "data" / "news_gold"

Article = dict[str, Any]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSON Lines file."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def reference(article: Article) -> dt.date | None:
    """The article's publication day, or None."""
    published = article.get("published")
    return dt.date.fromisoformat(str(published)[:10]) if published else None


def ours(article: Article) -> list[Span]:
    """Our tagger's mentions as scoring spans."""
    return [(article["id"], m.start, m.end, m.value) for m in tag(article["text"], reference(article))]


def _settings(base: dt.date | None) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": dt.datetime.combine(base or dt.date(2000, 1, 1), dt.time()),
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "past",
    }


def baseline_raw(article: Article) -> list[tuple[str, dt.datetime]]:
    """``search_dates`` on the whole article, as a pipeline would call it (this is what is timed)."""
    from dateparser.search import search_dates

    found = search_dates(article["text"], languages=["en"], settings=_settings(reference(article)))
    return list(found or [])


@cache
def _period(surface: str) -> str:
    from dateparser.date import DateDataParser

    data = DateDataParser(languages=["en"]).get_date_data(surface)
    return str(data.period or "day") if data else "day"


def baseline_spans(article: Article, found: list[tuple[str, dt.datetime]]) -> list[Span]:
    """Baseline results as spans, the value written at the granularity dateparser reports."""
    spans: list[Span] = []
    cursor = 0
    for surface, when in found:
        start = article["text"].find(surface, cursor)
        if start < 0:
            continue
        cursor = start + len(surface)
        period = _period(surface)
        value = {"year": f"{when:%Y}", "month": f"{when:%Y-%m}"}.get(period, f"{when:%Y-%m-%d}")
        spans.append((article["id"], start, start + len(surface), value))
    return spans


def timed(fn: Callable[[Article], Any], articles: list[Article], repeats: int = 1) -> tuple[list[Any], float]:
    """Results of ``fn`` on every article and the best time in seconds over ``repeats`` runs."""
    best = float("inf")
    results: list[Any] = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        results = [fn(a) for a in articles]
        best = min(best, time.perf_counter() - t0)
    return results, best


def gold_spans(path: Path) -> list[Span]:
    """Gold mentions of a WikiWars-format gold file."""
    return [(g["id"], g["start"], g["end"], g["value"]) for g in read_jsonl(path)]


def _row(name: str, scores: dict[str, dict[str, float]]) -> str:
    cells = [
        f"{scores[k]['p']:.3f} {scores[k]['r']:.3f} {scores[k]['f1']:.3f}"
        for k in ("strict", "relaxed", "value")
    ]
    return f"  {name:<14} " + " | ".join(cells)


def run_set(label: str, articles: list[Article], gold: list[Span], repeats: int) -> tuple[float, float, int]:
    """Score both systems on one data set; return the seconds each took (best of ``repeats``)."""
    tag("warm-up on 1 January 2000", None)  # compile the grammar outside the timing
    baseline_raw(articles[0])  # and load dateparser's language data
    # Interleaved runs, best of each: both systems see the same machine load.
    t_ours = t_base = float("inf")
    ours_spans: list[list[Span]] = []
    base_raw: list[list[tuple[str, dt.datetime]]] = []
    for _ in range(repeats):
        ours_spans, t = timed(ours, articles)
        t_ours = min(t_ours, t)
        base_raw, t = timed(baseline_raw, articles)
        t_base = min(t_base, t)
    base = [s for a, found in zip(articles, base_raw, strict=True) for s in baseline_spans(a, found)]
    print(f"\n{label}: {len(articles)} articles, {len(gold)} gold mentions")
    print(f"  {'system':<14} {'strict P R F1':<17} | {'relaxed P R F1':<17} | value P R F1")
    print(_row("etl.temporal", score([s for spans in ours_spans for s in spans], gold)))
    print(_row("search_dates", score(base, gold)))
    n = len(articles)
    print(f"  speed: etl.temporal {n / t_ours:.1f} articles/s, search_dates {n / t_base:.1f} articles/s")
    return t_ours, t_base, n


def main() -> int:
    """Print accuracy on WikiWars and the news gold, then speed, for both systems."""
    t_ours = t_base = 0.0
    n = 0
    if WIKIWARS.is_dir():
        wikiwars = read_jsonl(WIKIWARS / "articles.jsonl")
        w_ours, w_base, w_n = run_set("WikiWars", wikiwars, gold_spans(WIKIWARS / "gold.jsonl"), repeats=1)
        t_ours, t_base, n = t_ours + w_ours, t_base + w_base, n + w_n
    else:
        print(f"WikiWars not found at {WIKIWARS}: skipped")
    news = read_jsonl(NEWS_GOLD / "articles.jsonl")
    # Short articles time in milliseconds: the best of five runs keeps machine noise out.
    g_ours, g_base, g_n = run_set("News gold", news, gold_spans(NEWS_GOLD / "gold.jsonl"), repeats=5)
    t_ours, t_base, n = t_ours + g_ours, t_base + g_base, n + g_n
    print(f"\nSpeed on all {n} articles together (one core):")
    print(f"  etl.temporal  {n / t_ours:8.1f} articles/s  ({t_ours:.2f} s)")
    print(f"  search_dates  {n / t_base:8.1f} articles/s  ({t_base:.2f} s)")
    print(f"  speed-up      {t_base / t_ours:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
