"""The pipeline: raw files → articles → date mentions → events → timeline, written as Parquet.

The unit of work is one raw file: ``process_source`` reads it and runs every per-article stage
on its articles in bounded batches, returning that file's rows of every table. Files are
processed by an engine (this process, worker processes or a Dask cluster), cached by content
hash for incremental rebuilds, and streamed to the table writers in path order; the timeline is
merged last, over all events.

    >>> tables = process_source(LocalSource(Path("data/raw/x.txt"), "x.txt"), None)  # doctest: +SKIP
    >>> sorted(tables)                                                              # doctest: +SKIP
    ['articles', 'date_mentions', 'events', 'problems']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from etl.config import DEFAULT_OUT_DIR, DEFAULT_RAW_DIR
from etl.engines import Engine, LocalEngine
from etl.errors import OutputLockedError
from etl.ingest import discover, duplicate_problem, read_source, relative_name
from etl.ingest.source import LocalSource, Source
from etl.io.cache import FileCache, pipeline_key, sha256_file
from etl.io.parquet import TableWriter, read_table, write_table
from etl.problems import Problem
from etl.schema import ARTICLES, columns

log = logging.getLogger(__name__)

BATCH_ARTICLES = 64  # articles per stage call: bounds memory on large files
Tables = dict[str, pd.DataFrame]
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
FILE_TABLES = ("articles", *STAGE_TABLES, "problems")


@dataclass
class BuildReport:
    """What a build did: files read and reprocessed, rows per table, problems recorded."""

    files: int = 0
    processed: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def articles_frame(batch: list[dict[str, Any]]) -> pd.DataFrame:
    """Article rows as a DataFrame in the ``articles`` column order."""
    frame = pd.DataFrame(batch, columns=ARTICLES.names)
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a ``problems`` DataFrame."""
    return pd.DataFrame([p.as_row() for p in problems], columns=columns("problems"))


def transform_batch(articles: pd.DataFrame) -> StageResult:
    """Run every per-article stage on a batch of articles."""
    tables: Tables = {}
    problems: list[Problem] = []
    for stage in STAGES:
        produced, stage_problems = stage(articles, tables)
        tables.update(produced)
        problems.extend(stage_problems)
    return tables, problems


def process_source(source: Source, default_published: date | None) -> Tables:
    """One raw file to its rows of every per-article table (runs in a worker)."""
    file_batch = read_source(source, default_published)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in STAGE_TABLES}
    problems = list(file_batch.problems)
    for start in range(0, len(file_batch.articles), BATCH_ARTICLES):
        articles = articles_frame(file_batch.articles[start:start + BATCH_ARTICLES])
        tables, stage_problems = transform_batch(articles)
        for name in STAGE_TABLES:
            parts[name].append(tables[name])
        problems.extend(stage_problems)
    result: Tables = {"articles": articles_frame(file_batch.articles)}
    for name in STAGE_TABLES:
        result[name] = (pd.concat(parts[name], ignore_index=True) if parts[name]
                        else pd.DataFrame(columns=columns(name)))
    result["problems"] = problems_frame(problems)
    return result


def _without_articles(tables: Tables, drop: set[str]) -> Tables:
    """The tables less the rows of the given article ids."""
    return {name: frame[~frame["article_id"].isin(drop)] if name != "problems" else frame
            for name, frame in tables.items()}


def build(
    raw_dir: str | os.PathLike[str] = DEFAULT_RAW_DIR,
    out_dir: str | os.PathLike[str] = DEFAULT_OUT_DIR,
    *,
    default_published: date | None = None,
    jobs: int = 1,
    engine: Engine | None = None,
    full: bool = False,
    on_file: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build every table from ``raw_dir`` into ``out_dir``; bad input becomes ``problems`` rows.

    Only files whose content changed since the last build are processed again, unless ``full``.
    Two builds cannot write one folder at once: the second raises ``OutputLockedError``.
    """
    raw, out = Path(raw_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / ".etl.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise OutputLockedError(
            f"another build is writing {out}; wait for it or use another folder") from None
    try:
        _remove_stale_temporaries(out)
        cache = FileCache(out / ".cache", pipeline_key(default_published))
        return _build_locked(raw, out, default_published, engine or LocalEngine(jobs), cache,
                             full, on_file)
    finally:
        lock.release()


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files a killed build left behind (never the committed tables)."""
    for path in out.glob(".*.tmp"):
        path.unlink(missing_ok=True)


def _file_results(
    raw: Path, default_published: date | None, engine: Engine, cache: FileCache, full: bool,
    report: BuildReport,
) -> Iterator[tuple[str, Tables]]:
    """Every raw file's tables in path order: from the cache, or computed by the engine."""
    plan: list[tuple[str, Source | None, str]] = []
    source: Source | None
    for path in discover(raw):
        name = relative_name(path, raw)
        try:
            stat = path.stat()
            key = cache.lookup(name, stat.st_size, stat.st_mtime_ns, partial(sha256_file, path))
        except OSError:
            source = LocalSource(path, name)
            plan.append((name, source, ""))  # unreadable: let ingest report it
            continue
        hit = None if full else cache.get(key)
        source = None if hit is not None else LocalSource(path, name)
        plan.append((name, source, key))
    report.files = len(plan)
    todo = [source for _, source, _ in plan if source is not None]
    report.processed = len(todo)
    computed = engine.map(partial(process_source, default_published=default_published), todo)
    for name, source, key in plan:
        if source is None:
            tables = cache.get(key)
            assert tables is not None
        else:
            tables = next(computed)
            if key:
                cache.put(key, tables)
        yield name, tables


def _problems_of(frame: pd.DataFrame) -> list[Problem]:
    """A problems DataFrame back to Problem records (missing values as None)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [Problem(*row) for row in clean[columns("problems")].itertuples(index=False)]


def _build_locked(raw: Path, out: Path, default_published: date | None, engine: Engine,
                  cache: FileCache, full: bool, on_file: Callable[[str], None] | None) -> BuildReport:
    report = BuildReport()
    writers = {name: TableWriter(name, out) for name in FILE_TABLES}
    seen: set[str] = set()
    try:
        for name, tables in _file_results(raw, default_published, engine, cache, full, report):
            if on_file:
                on_file(name)
            ids = tables["articles"]["article_id"]
            repeated = set(ids[ids.isin(seen)])
            extra: list[Problem] = []
            if repeated:
                articles = tables["articles"]
                extra = [duplicate_problem({str(k): v for k, v in row.items()}) for row in
                         articles[articles["article_id"].isin(repeated)].to_dict("records")]
                tables = _without_articles(tables, repeated)
            seen.update(ids)
            problems = pd.concat([tables["problems"], problems_frame(extra)], ignore_index=True)
            for table in FILE_TABLES:
                writers[table].write(problems if table == "problems" else tables[table])
            report.problems.extend(_problems_of(problems))
        for table, writer in writers.items():
            writer.commit()
            report.rows[table] = writer.rows
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    cache.commit()
    if "events" in STAGE_TABLES:
        _write_timeline(out, report)
    return report


def _write_timeline(out: Path, report: BuildReport) -> None:
    """Merge all events across articles into the timeline table."""
    from etl.timeline import build_timeline

    timeline = build_timeline(read_table(out, "events"), read_table(out, "articles"))
    write_table("timeline", timeline, out)
    report.rows["timeline"] = len(timeline)
