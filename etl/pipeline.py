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
import pyarrow as pa
import pyarrow.compute as pc
from filelock import FileLock, Timeout

from etl.config import DEFAULT_OUT_DIR, DEFAULT_RAW_DIR
from etl.engines import Engine, LocalEngine
from etl.errors import OutputLockedError
from etl.ingest import duplicate_problem, read_source
from etl.ingest.source import Source, is_url, list_sources
from etl.io.cache import FileCache, pipeline_key
from etl.io.parquet import TableWriter, read_table, to_arrow, write_table
from etl.io.remote import local_mirror, upload_tables
from etl.problems import Problem
from etl.schema import ARTICLES, columns

log = logging.getLogger(__name__)

BATCH_ARTICLES = 64  # articles per stage call: bounds memory on large files
Tables = dict[str, pd.DataFrame]
ArrowTables = dict[str, pa.Table]
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
STAGES: tuple[Stage, ...] = (temporal_stage, events_stage)
STAGE_TABLES: tuple[str, ...] = ("date_mentions", "events")
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


def transform_batch(articles: pd.DataFrame) -> StageResult:
    """Run every per-article stage on a batch of articles."""
    tables: Tables = {}
    problems: list[Problem] = []
    for stage in STAGES:
        produced, stage_problems = stage(articles, tables)
        tables.update(produced)
        problems.extend(stage_problems)
    return tables, problems


def process_source(source: Source, default_published: date | None) -> ArrowTables:
    """One raw file to its rows of every per-article table, as Arrow (runs in a worker)."""
    file_batch = read_source(source, default_published)
    articles = articles_frame(file_batch.articles)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in STAGE_TABLES}
    problems = list(file_batch.problems)
    for start in range(0, len(articles), BATCH_ARTICLES):
        tables, stage_problems = transform_batch(articles.iloc[start:start + BATCH_ARTICLES])
        for name in STAGE_TABLES:
            parts[name].append(to_arrow(name, tables[name]))
        problems.extend(stage_problems)
    result: ArrowTables = {"articles": to_arrow("articles", articles)}
    for name in STAGE_TABLES:
        result[name] = (pa.concat_tables(parts[name]) if parts[name]
                        else to_arrow(name, pd.DataFrame(columns=columns(name))))
    result["problems"] = to_arrow("problems", [p.as_row() for p in problems])
    return result


def _without_articles(tables: ArrowTables, drop: set[str]) -> ArrowTables:
    """The tables less the rows of the given article ids (problems are kept)."""
    mask = pa.array(sorted(drop), type=pa.string())
    return {name: table if name == "problems"
            else table.filter(pc.invert(pc.is_in(table["article_id"], value_set=mask)))
            for name, table in tables.items()}


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
    if is_url(out_dir) and not str(out_dir).startswith("file://"):
        mirror = local_mirror(str(out_dir))
        report = build(raw_dir, mirror, default_published=default_published, jobs=jobs,
                       engine=engine, full=full, on_file=on_file)
        upload_tables(mirror, str(out_dir))
        return report
    out = Path(str(out_dir).removeprefix("file://"))
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
        return _build_locked(raw_dir, out, default_published, engine or LocalEngine(jobs), cache,
                             full, on_file)
    finally:
        lock.release()


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files a killed build left behind (never the committed tables)."""
    for path in out.glob(".*.tmp"):
        path.unlink(missing_ok=True)


def _file_results(
    raw: str | os.PathLike[str], default_published: date | None, engine: Engine, cache: FileCache,
    full: bool, report: BuildReport,
) -> Iterator[tuple[str, ArrowTables]]:
    """Every raw file's tables in name order: from the cache, or computed by the engine."""
    plan: list[tuple[str, Source | None, str]] = []
    for entry in list_sources(raw):
        name = entry.source.name
        if entry.size < 0:
            plan.append((name, entry.source, ""))  # unreadable: ingest reports it, nothing cached
            continue
        key = cache.lookup(name, entry.size, entry.version, entry.hash_content)
        hit = None if full else cache.get(key)
        plan.append((name, None if hit is not None else entry.source, key))
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


def _problems_of(table: pa.Table) -> list[Problem]:
    """Problem rows back to Problem records."""
    return [Problem(**row) for row in table.to_pylist()]


def _build_locked(raw: str | os.PathLike[str], out: Path, default_published: date | None, engine: Engine,
                  cache: FileCache, full: bool, on_file: Callable[[str], None] | None) -> BuildReport:
    report = BuildReport()
    writers = {name: TableWriter(name, out) for name in FILE_TABLES}
    seen: set[str] = set()
    try:
        for name, tables in _file_results(raw, default_published, engine, cache, full, report):
            if on_file:
                on_file(name)
            ids = tables["articles"]["article_id"].to_pylist()
            repeated = {i for i in ids if i in seen}
            if repeated:
                extra = [duplicate_problem(row) for row in tables["articles"].to_pylist()
                         if row["article_id"] in repeated]
                tables = _without_articles(tables, repeated)
                tables["problems"] = pa.concat_tables(
                    [tables["problems"], to_arrow("problems", [p.as_row() for p in extra])])
            seen.update(ids)
            for table in FILE_TABLES:
                writers[table].write(tables[table])
            report.problems.extend(_problems_of(tables["problems"]))
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
    from etl.timeline.merge import MERGE_COLUMNS, build_timeline

    # The merge needs the articles' outlets and dates, not their texts; and not every column
    # of the events: memory for a large build is dominated by this step.
    articles = read_table(out, "articles", columns=["article_id", "source", "url", "published"])
    timeline = build_timeline(read_table(out, "events", columns=MERGE_COLUMNS), articles)
    write_table("timeline", timeline, out)
    report.rows["timeline"] = len(timeline)
