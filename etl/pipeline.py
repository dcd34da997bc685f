"""The pipeline: raw files → articles → date mentions → events → timeline, written as Parquet.

Only ``build`` touches files (through ``etl.ingest`` and ``etl.io``); ``transform_batch`` is a
pure function from a batch of article rows to the tables derived from them, which is what runs
in worker processes or on a Dask cluster.

    >>> tables = transform_batch([article_row])             # doctest: +SKIP
    >>> sorted(tables)                                      # doctest: +SKIP
    ['date_mentions', 'events', 'problems']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from etl.config import DEFAULT_OUT_DIR, DEFAULT_RAW_DIR
from etl.errors import OutputLockedError
from etl.ingest import discover, read_file
from etl.io.parquet import TableWriter, read_table, write_table
from etl.problems import Problem
from etl.schema import ARTICLES, columns

log = logging.getLogger(__name__)

BATCH_ARTICLES = 64  # articles per unit of work: small enough to bound memory, large enough to amortize

Batch = list[dict[str, Any]]
Tables = dict[str, pd.DataFrame]


@dataclass
class BuildReport:
    """What a build did: files read, rows written per table, and the problems it recorded."""

    files: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def articles_frame(batch: Batch) -> pd.DataFrame:
    """Article rows as a DataFrame in the ``articles`` column order."""
    frame = pd.DataFrame(batch, columns=ARTICLES.names)
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


StageResult = tuple[Tables, list[Problem]]
Stage = Callable[[pd.DataFrame, Tables], StageResult]


def temporal_stage(articles: pd.DataFrame, tables: Tables) -> StageResult:
    """Find and normalize every date expression: the ``date_mentions`` table."""
    from etl.temporal import tag_articles

    mentions, problems = tag_articles(articles)
    return {"date_mentions": mentions}, problems


def events_stage(articles: pd.DataFrame, tables: Tables) -> StageResult:
    """Dated, typed, located events from the articles and their date mentions."""
    from etl.events import extract_events

    events, problems = extract_events(articles, tables["date_mentions"])
    return {"events": events}, problems


# The per-article stages in order; each sees the tables of the stages before it.
STAGES: tuple[Stage, ...] = ()
STAGE_TABLES: tuple[str, ...] = ()


def transform_batch(batch: Batch) -> Tables:
    """Run every per-article stage on one batch of article rows; problems are a table too."""
    articles = articles_frame(batch)
    tables: Tables = {}
    problems: list[Problem] = []
    for stage in STAGES:
        produced, stage_problems = stage(articles, tables)
        tables.update(produced)
        problems.extend(stage_problems)
    tables["problems"] = pd.DataFrame(_problem_rows(problems), columns=columns("problems"))
    return tables


def iter_batches(
    raw_dir: Path, default_published: date | None, report: BuildReport,
    on_file: Callable[[str], None] | None = None,
) -> Iterator[tuple[Batch, list[Problem]]]:
    """Read raw files in order and yield (articles, ingest problems) in bounded batches.

    An article id seen before is a problem row, not a second article: ids must be unique.
    """
    seen: set[str] = set()
    pending: Batch = []
    for path in discover(raw_dir):
        file_batch = read_file(path, raw_dir, default_published)
        report.files += 1
        if on_file:
            on_file(file_batch.input_file)
        problems = list(file_batch.problems)
        for article in file_batch.articles:
            if article["article_id"] in seen:
                problems.append(Problem(
                    article["input_file"], article["input_line"], article["article_id"], "ingest",
                    "warning", "duplicate_article_id",
                    "an article with this id was already read; this one is skipped"))
                continue
            seen.add(article["article_id"])
            pending.append(article)
            if len(pending) >= BATCH_ARTICLES:
                yield pending, problems
                pending, problems = [], []
        if problems:
            yield [], problems
    if pending:
        yield pending, []


WorkItem = tuple[Batch, list[Problem]]


def _work(item: WorkItem) -> tuple[WorkItem, Tables]:
    """One unit of work for a worker: the batch's derived tables (nothing for an empty batch)."""
    articles, _ = item
    return item, (transform_batch(articles) if articles else {})


def _ordered_map(items: Iterable[WorkItem], jobs: int) -> Iterator[tuple[WorkItem, Tables]]:
    """``_work`` over items in input order, in worker processes when ``jobs > 1``."""
    if jobs <= 1:
        yield from map(_work, items)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        # Bounded look-ahead: at most 4 batches per worker in flight, so memory stays flat.
        window: list[Future[tuple[WorkItem, Tables]]] = []
        for item in items:
            window.append(pool.submit(_work, item))
            if len(window) >= 4 * jobs:
                yield window.pop(0).result()
        for future in window:
            yield future.result()


def _problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    return [p.as_row() for p in problems]


def build(
    raw_dir: str | os.PathLike[str] = DEFAULT_RAW_DIR,
    out_dir: str | os.PathLike[str] = DEFAULT_OUT_DIR,
    *,
    default_published: date | None = None,
    jobs: int = 1,
    on_file: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build every table from ``raw_dir`` into ``out_dir``; bad input becomes ``problems`` rows."""
    raw, out = Path(raw_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / ".etl.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise OutputLockedError(
            f"another build is writing {out}; wait for it or use another folder") from None
    try:
        return _build_locked(raw, out, default_published, jobs, on_file)
    finally:
        lock.release()


def _build_locked(raw: Path, out: Path, default_published: date | None, jobs: int,
                  on_file: Callable[[str], None] | None) -> BuildReport:
    report = BuildReport()
    writers = {name: TableWriter(name, out) for name in ("articles", *STAGE_TABLES, "problems")}
    try:
        items = iter_batches(raw, default_published, report, on_file)
        for (articles, problems), derived in _ordered_map(items, jobs):
            writers["articles"].write(articles)
            writers["problems"].write(_problem_rows(problems))
            report.problems.extend(problems)
            for name, frame in derived.items():
                writers[name].write(frame)
            if "problems" in derived:
                report.problems.extend(
                    Problem(**{str(k): v for k, v in r.items()})
                    for r in derived["problems"].to_dict("records"))
        for name, writer in writers.items():
            writer.commit()
            report.rows[name] = writer.rows
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    if "events" in STAGE_TABLES:
        _write_timeline(out, report)
    return report


def _write_timeline(out: Path, report: BuildReport) -> None:
    """Merge all events across articles into the timeline table."""
    from etl.timeline import build_timeline

    timeline = build_timeline(read_table(out, "events"), read_table(out, "articles"))
    write_table("timeline", timeline, out)
    report.rows["timeline"] = len(timeline)
