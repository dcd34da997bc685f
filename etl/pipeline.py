"""The pipeline: raw files → articles → date mentions → events → timeline, written as Parquet.

The unit of work is one raw file: ``write_source`` reads it a batch of articles at a time, runs
every per-article stage on each batch and writes the batch's rows of every table at once, so a
large file costs a batch of memory, not its size. Files are processed by an engine (this process,
worker processes or a Dask cluster) into cache entries (by content hash, for incremental
rebuilds), which are read back a piece at a time into the table writers in path order; the
timeline is merged last, over all events. ``process_source`` gives one file's tables whole.

    >>> tables = process_source(LocalSource(Path("data/raw/x.txt"), "x.txt"), None)  # doctest: +SKIP
    >>> sorted(tables)                                                              # doctest: +SKIP
    ['articles', 'date_mentions', 'events', 'problems']
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from etl.config import DEFAULT_OUT_DIR, DEFAULT_RAW_DIR, OUTSIDE_PUBLISHED_YEARS, in_published_years
from etl.engines import Engine, LocalEngine, WorkerDied
from etl.errors import ConfigError, OutputLockedError
from etl.ingest import FileReader, duplicate_problem
from etl.ingest.source import (
    FsspecSource,
    LocalSource,
    RemoteStamp,
    Source,
    SourceEntry,
    is_url,
    list_sources,
    local_path,
    name_problems,
    same_remote_stamp,
)
from etl.io.cache import (
    TIMELINE_CACHE,
    EntryWriter,
    FileCache,
    Frames,
    entry_frames,
    pipeline_key,
    table_stamp,
    temporary_entry,
)
from etl.io.dataset import DatasetWriter, part_name, recover_tables
from etl.io.memory import bounded_allocations, collecting_less, release_memory
from etl.io.parquet import to_arrow
from etl.io.remote import UploadReport, check_output_url, local_mirror, upload_tables
from etl.io.spool import ProblemSpool
from etl.problems import Problem
from etl.schema import ARTICLES

log = logging.getLogger(__name__)

BATCH_ARTICLES = 64  # articles per stage call: bounds memory on large files
Row = dict[str, Any]
Rows = dict[str, list[Row]]
ArrowTables = dict[str, pa.Table]
StageResult = tuple[Rows, list[Problem]]
Stage = Callable[[list[Row], Rows], StageResult]


def temporal_stage(articles: list[Row], tables: Rows) -> StageResult:
    """Find and normalize every date expression: the ``date_mentions`` rows."""
    from etl.temporal import tag_rows

    mentions, problems = tag_rows(articles)
    return {"date_mentions": mentions}, problems


def events_stage(articles: list[Row], tables: Rows) -> StageResult:
    """Dated, typed, located events from the articles and their date mentions."""
    from etl.events import event_rows

    events, problems = event_rows(articles, tables["date_mentions"])
    return {"events": events}, problems


# The per-article stages in order; each sees the rows of the stages before it. Stages work on
# plain row dicts: a DataFrame per batch costs more than the work on a short article.
STAGES: tuple[Stage, ...] = (temporal_stage, events_stage)
STAGE_TABLES: tuple[str, ...] = ("date_mentions", "events")
FILE_TABLES = ("articles", *STAGE_TABLES, "problems")


@dataclass
class BuildReport:
    """What a build did: files read and reprocessed, rows per table, problems recorded."""

    files: int = 0
    processed: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # the first REPORTED_PROBLEMS
    problem_count: int = 0  # all of them (the ``problems`` table's rows)
    upload: UploadReport | None = None  # for an output URL: what was sent there

    def add_problems(self, problems: pa.Table | list[Problem]) -> None:
        """Count problem rows, keeping the first ``REPORTED_PROBLEMS`` as records (the table
        has every one: a file of a million bad lines must not cost a million records here)."""
        room = max(0, REPORTED_PROBLEMS - len(self.problems))
        if isinstance(problems, pa.Table):
            self.problem_count += problems.num_rows
            self.problems.extend(_problems_of(problems.slice(0, room)) if room else [])
        else:
            self.problem_count += len(problems)
            self.problems.extend(problems[:room])


# Problem records a BuildReport keeps (for messages and tests); the count covers the rest.
REPORTED_PROBLEMS = 10_000


def articles_frame(batch: list[dict[str, Any]]) -> pd.DataFrame:
    """Article rows as a DataFrame in the ``articles`` column order."""
    frame = pd.DataFrame(batch, columns=ARTICLES.names)
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


def transform_batch(articles: list[Row]) -> StageResult:
    """Run every per-article stage on a batch of article rows (an article a stage fails on is
    left out with an ``internal_error`` problem: see ``_isolated``)."""
    return _isolated(articles, _run_stages, _empty_rows, _joined_rows)


def _stage_tables(articles: list[Row]) -> tuple[ArrowTables, list[Problem]]:
    """``transform_batch`` with the rows made Arrow tables: a row Arrow cannot hold (a count
    beyond 64 bits) is a failure of its stage, contained the same way."""
    return _isolated(articles, _run_and_convert, _empty_tables, _joined_tables)


class _StageFailed(Exception):
    """An exception out of a stage (or out of converting its rows): a bug hit by some article."""

    def __init__(self, stage: str, error: Exception) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.stage = stage


W = TypeVar("W")


def _isolated(articles: list[Row], work: Callable[[list[Row]], tuple[W, list[Problem]]],
              empty: Callable[[], W], joined: Callable[[list[W]], W]) -> tuple[W, list[Problem]]:
    """``work`` on a batch; when it fails, each article alone finds the ones it fails on, and the
    batch runs again without them: the others' rows are what they would be without the failure
    (same order, same problems), the failed ones get an ``internal_error`` problem each."""
    try:
        return work(articles)
    except _StageFailed:
        log.debug("a stage failed on a batch of %d articles; finding the article", len(articles))
    failures: dict[int, _StageFailed] = {}
    for index, article in enumerate(articles):
        try:
            work([article])
        except _StageFailed as failed:
            log.warning("%s", failed, exc_info=True)
            failures[index] = failed
    good = [article for index, article in enumerate(articles) if index not in failures]
    try:
        result, problems = work(good) if good else (empty(), [])
    except _StageFailed:  # fails only together: then article by article (never seen)
        results = [work([article]) for article in good]
        result, problems = joined([r for r, _ in results]), [p for _, found in results for p in found]
    return result, problems + [_internal_error(failed.stage, articles[index], failed)
                               for index, failed in failures.items()]


def _run_stages(articles: list[Row]) -> StageResult:
    """The stages in order, each seeing the rows of the ones before."""
    tables: Rows = {}
    problems: list[Problem] = []
    for stage in STAGES:
        try:
            produced, stage_problems = stage(articles, tables)
        except Exception as exc:
            raise _StageFailed(stage.__name__.removesuffix("_stage"), exc) from exc
        tables.update(produced)
        problems.extend(stage_problems)
    return tables, problems


_TABLE_STAGE = {"date_mentions": "temporal", "events": "events"}


def _run_and_convert(articles: list[Row]) -> tuple[ArrowTables, list[Problem]]:
    tables, problems = _run_stages(articles)
    converted: ArrowTables = {}
    for name in STAGE_TABLES:
        try:
            converted[name] = to_arrow(name, tables[name])
        except Exception as exc:
            raise _StageFailed(_TABLE_STAGE.get(name, name), exc) from exc
    return converted, problems


def _empty_rows() -> Rows:
    return {name: [] for name in STAGE_TABLES}


def _joined_rows(parts: list[Rows]) -> Rows:
    return {name: [row for part in parts for row in part[name]] for name in STAGE_TABLES}


def _empty_tables() -> ArrowTables:
    return {name: to_arrow(name, []) for name in STAGE_TABLES}


def _joined_tables(parts: list[ArrowTables]) -> ArrowTables:
    return {name: pa.concat_tables([part[name] for part in parts]) for name in STAGE_TABLES}


def _internal_error(stage: str, article: Row, failed: _StageFailed) -> Problem:
    """The problem row of an article a stage failed on."""
    return Problem(article.get("input_file"), article.get("input_line"), article.get("article_id"),
                   stage, "error", "internal_error",
                   f"the {stage} stage failed on this article ({failed}); the article has no rows "
                   "in date_mentions and events. This is a bug: please report it")


class TableSink(Protocol):
    """Where ``write_source`` puts a file's rows, a piece at a time (an ``EntryWriter``)."""

    def write(self, table: str, rows: pa.Table) -> None: ...

    def reset(self) -> None: ...


class _Collected:
    """A ``TableSink`` keeping the pieces, for a file's tables whole (``process_source``)."""

    def __init__(self) -> None:
        self.parts: dict[str, list[pa.Table]] = {name: [] for name in FILE_TABLES}

    def write(self, table: str, rows: pa.Table) -> None:
        self.parts[table].append(rows)

    def reset(self) -> None:
        self.parts = {name: [] for name in FILE_TABLES}

    def tables(self) -> ArrowTables:
        return {name: pa.concat_tables([to_arrow(name, []), *parts]) for name, parts in self.parts.items()}


@dataclass
class FileProblems:
    """What a file's ``problems`` rows were, once written: how many of each code, and whether
    one was a failure of the environment (see ``environmental``)."""

    codes: Counter[str] = field(default_factory=Counter)
    environmental: bool = False


def write_source(source: Source, default_published: date | None, sink: TableSink) -> FileProblems:
    """One raw file to its rows of every per-article table, as Arrow, written to ``sink`` a
    batch of articles at a time (runs in a worker): memory holds a batch, not the file. The
    ``problems`` rows are written last (they are known once the file is read), kept meanwhile in
    spools that go to disk past a few thousand rows (a file of a million bad lines).

        write_source(LocalSource(Path("a.jsonl"), "a.jsonl"), None, writer).codes  # Counter()
    """
    read, staged = ProblemSpool(), ProblemSpool()
    reader = FileReader(source, default_published, spill=read.extend)
    for articles in reader.batches(BATCH_ARTICLES):
        tables, found = _stage_tables(articles)
        # as Arrow at once: rows as Python dicts are not compact; a batch's articles go before
        # its other rows (the build drops the rows of an article repeated from another file)
        sink.write("articles", to_arrow("articles", articles))
        for name in STAGE_TABLES:
            sink.write(name, tables[name])
        staged.extend(found)
    read.extend(reader.problems)
    if reader.discarded:  # a corrupt archive: its articles' rows are dropped, not its problems
        sink.reset()
        staged.close()
        staged = ProblemSpool()
    named = ProblemSpool()
    named.extend(name_problems(source))
    result = FileProblems()
    for spool in (named, read, staged):
        result.codes.update(spool.codes)
        for rows in spool.tables():
            sink.write("problems", rows)
            result.environmental = result.environmental or environmental(rows)
    if not result.codes:
        sink.write("problems", to_arrow("problems", []))  # in the entry even when there are none
    return result


def process_source(source: Source, default_published: date | None) -> ArrowTables:
    """One raw file to its rows of every per-article table, as Arrow tables held whole.

        sorted(process_source(LocalSource(Path("a.txt"), "a.txt"), None))  # ['articles', ...]
    """
    collected = _Collected()
    write_source(source, default_published, collected)
    return collected.tables()


# A local file's size, mtime, change time (ns) and inode; a remote one's size and version
# fields (``remote_stamp``)
Stamp = tuple[int, int, int, int] | RemoteStamp


def file_stamp(source: Source) -> Stamp | None:
    """What changes whenever a file's bytes do: for a local file its stat (the change time even
    when the mtime is set back), for a remote one what its store says now (ETag, mtime, …);
    None if it cannot be had."""
    if isinstance(source, FsspecSource):
        try:
            return source.stamp()
        except Exception:  # each store raises its own errors: then the file is not cached
            log.debug("no stamp for %s", source.name, exc_info=True)
            return None
    if not isinstance(source, LocalSource):
        return None
    try:
        stat = os.stat(source.path)
    except (OSError, ValueError):
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def unchanged(expected: Stamp, now: Stamp | None) -> bool:
    """Whether a file's stamp now is the one it had when hashed (a remote one: on the fields
    both stamps have)."""
    if now is None:
        return False
    if expected and isinstance(expected[0], tuple):
        return same_remote_stamp(expected, now)  # type: ignore[arg-type]
    return now == expected


# Problems that say the file could not be read now, not what its bytes hold: a result with one
# is not cached, so the next build reads the file again (see ``environmental``).
ENVIRONMENTAL_CODES = frozenset({"unreadable", "worker_died"})


def _environmental_error(name: str) -> bool:
    """Whether an exception class name (``read_failed`` messages start with it) is of an error
    of the machine: memory or the operating system (``FileNotFoundError``, …), not of the bytes."""
    if name == "MemoryError":
        return True
    classes: list[type[BaseException]] = [OSError]
    while classes:  # every OSError subclass loaded now (fsspec's, s3fs's too)
        cls = classes.pop()
        if cls.__name__ == name:
            return True
        classes.extend(cls.__subclasses__())
    return False


def environmental(problems: pa.Table) -> bool:
    """Whether a file's problems include a failure of the environment rather than of its
    content: ``unreadable``, ``worker_died``, or ``read_failed`` from MemoryError or an OSError.

        environmental(to_arrow("problems", [{..., "code": "read_failed",
                                              "message": "MemoryError: "}]))  # True
    """
    for code, message in zip(problems["code"].to_pylist(), problems["message"].to_pylist(), strict=True):
        if code in ENVIRONMENTAL_CODES or (
                code == "read_failed" and _environmental_error(str(message).split(":", 1)[0])):
            return True
    return False


def compute_file(job: tuple[Source, str | None, Stamp | None],
                 default_published: date | None) -> tuple[bytes | str, bool]:
    """``write_source`` as the engines run it: the tables as a cache entry, and whether they may
    be cached. They may not when the file changed since the build hashed it (its stamp is no
    longer ``job[2]``: the bytes read are not the bytes hashed) or met an ``environmental``
    failure. Given the entry's path (``job[1]``), the entry is written to a file there piece by
    piece and the file's path returned: the entry itself when it may be cached, else a temporary
    file beside it that the build's parent deletes once read. Else (Dask) the entry's bytes.

        compute_file((source, "/out/.cache/k/ab/ab12.pkl", stamp), None)  # ('/out/.cache/…', True)
    """
    source, entry, expected = job
    if entry is None:
        stream = io.BytesIO()
        writer = EntryWriter(stream)
        problems = write_source(source, default_published, writer)
        writer.finish()
        return stream.getvalue(), _cacheable(source, expected, problems)
    path = temporary_entry(Path(entry))
    try:
        with open(path, "wb") as file:
            writer = EntryWriter(file)
            problems = write_source(source, default_published, writer)
            writer.finish()
        cacheable = _cacheable(source, expected, problems)
        if cacheable:
            os.replace(path, entry)
            return entry, True
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return str(path), False


def _cacheable(source: Source, expected: Stamp | None, problems: FileProblems) -> bool:
    return (expected is None or unchanged(expected, file_stamp(source))) and not problems.environmental


def _whole(tables: ArrowTables) -> Frames:
    """Tables held whole as the pieces of a file's result."""
    return iter(tables.items())


def _read_once(path: Path) -> Frames:
    """The frames of a temporary entry file, deleted once read (or abandoned)."""
    try:
        yield from entry_frames(path)
    finally:
        path.unlink(missing_ok=True)


def _problem_only(input_file: str, code: str, message: str) -> ArrowTables:
    """The tables of a file with no rows but one problem."""
    problem = Problem(input_file, None, None, "ingest", "error", code, message)
    tables = {name: to_arrow(name, []) for name in ("articles", *STAGE_TABLES)}
    tables["problems"] = to_arrow("problems", [problem.as_row()])
    return tables


def _died(input_file: str, died: WorkerDied) -> ArrowTables:
    """The tables of a file whose worker died: no rows but its ``worker_died`` problem."""
    return _problem_only(input_file, "worker_died",
                         f"{died.reason}; none of its articles are in the tables")


def _without_articles(table: pa.Table, drop: set[str]) -> pa.Table:
    """A table's rows less those of the given article ids."""
    mask = pa.array(sorted(drop), type=pa.string())
    return table.filter(pc.invert(pc.is_in(table["article_id"], value_set=mask)))


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
    Two builds cannot write one folder at once: the second raises ``OutputLockedError``. An
    output folder that is the raw folder or inside it raises ``ConfigError``.
    """
    if default_published is not None and not in_published_years(default_published.year):
        raise ConfigError(f"default_published {default_published} {OUTSIDE_PUBLISHED_YEARS} "
                          "of publication dates")
    remote = is_url(out_dir) and not str(out_dir).startswith("file://")
    if remote:  # an output that cannot be written stops the build now, not after it
        check_output_url(str(out_dir))
    # an output URL is built in a local mirror (which keeps the cache), then uploaded
    out = local_mirror(str(out_dir)) if remote else Path(str(out_dir).removeprefix("file://"))
    raw: str | os.PathLike[str] = raw_dir
    local_raw = local_path(raw_dir)
    if local_raw is not None:
        # absolute before any engine sees it: a Dask worker's working folder is not this one
        raw = local_raw.absolute()
        if not remote:
            _refuse_output_in_raw(raw, out, raw_dir, out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / ".etl.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise OutputLockedError(
            f"another build is writing {out}; wait for it or use another folder") from None
    try:
        recover_tables(out)
        bounded_allocations()
        cache = FileCache(out / ".cache", pipeline_key(default_published))
        with collecting_less():
            report = _build_locked(raw, out, default_published, engine or LocalEngine(jobs),
                                   cache, full, on_file)
        if remote:  # still under the lock: a second build cannot change the mirror meanwhile
            report.upload = upload_tables(out, str(out_dir))
        return report
    finally:
        lock.release()


def _refuse_output_in_raw(raw: Path, out: Path, raw_given: object, out_given: object) -> None:
    """ConfigError if the output folder is the raw folder or below it: the next build would
    read its own tables (and cache) as raw files."""
    try:
        raw_real, out_real = raw.resolve(), out.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the listing reports what it can
        return
    if out_real == raw_real or raw_real in out_real.parents:
        raise ConfigError(f"the output folder {out_given} is inside the raw folder {raw_given}: "
                          "a build would read its own tables as raw files; choose an output "
                          "folder outside it")


# About this many raw files share a part file of each table (``etl.io.dataset``), and never
# more than twice as many: a rebuild writes again only the parts holding changed files, and
# links the others.
FILES_PER_PART = 128


def starts_part(name: str) -> bool:
    """Whether a raw file opens a new part. Decided by the file's name alone, so a file that
    changes, appears or goes does not move the boundaries between the other files' parts."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:4], "big") % FILES_PER_PART == 0


def _parts(names: list[str]) -> list[list[int]]:
    """Positions of the raw files (in name order) grouped into parts: a part ends before a file
    that ``starts_part``, or when it is full (a cut that the next name-chosen boundary undoes,
    so an added or deleted file shifts at most the files up to that boundary)."""
    parts: list[list[int]] = []
    for k, name in enumerate(names):
        if not parts or starts_part(name) or len(parts[-1]) == 2 * FILES_PER_PART:
            parts.append([])
        parts[-1].append(k)
    return parts


def _reusable(previous: dict[str, Any] | None, key: str) -> bool:
    """A file whose rows the last build wrote whole, from the same content and code."""
    return (previous is not None and previous.get("entry") == key and "rows" in previous
            and not previous.get("filtered", True))


@dataclass
class _Part:
    """One part of the tables: its files, each with a call giving its tables (from the cache
    or computed by the engine), and where the last build's copy of the same part lies (the
    part files and rows per table) when no file in it changed."""

    index: int
    files: list[tuple[str, Callable[[], tuple[Frames, bool]]]]  # the bool: may be reused
    changed: set[str] = field(default_factory=set)  # its files whose content or key is new
    old: dict[str, Path] | None = None
    old_rows: dict[str, dict[str, int]] = field(default_factory=dict)


def _old_part(out: Path, cache: FileCache, index: int | None) -> dict[str, Path] | None:
    """The last build's files of its part ``index``, if they are still the ones its manifest
    describes (a build killed before writing its manifest leaves some of them different)."""
    if index is None:
        return None
    paths: dict[str, Path] = {}
    for table in FILE_TABLES:
        path = out / f"{table}.parquet" / part_name(index)
        stamp = cache.parts[index].get("stamps", {}).get(table)
        try:
            if (stamp is None) != (not path.exists()) or (stamp and table_stamp(path) != stamp):
                return None
        except OSError:
            return None
        if stamp:
            paths[table] = path
    return paths


def _unreadable_message(error: OSError) -> str:
    """Why a listed file could not be stat'ed or hashed, as an ``unreadable`` problem says it."""
    if isinstance(error, FileNotFoundError):
        return "cannot read file: no such file (deleted or moved since the folder was listed?)"
    return f"cannot read file: {error.strerror or error}"


def _lookup(cache: FileCache, entry: SourceEntry) -> tuple[str, Stamp | None]:
    """A listed file's cache key, and the stamp it had when hashed: for a local file taken now,
    before the hash (a file changed during the hashing has another stamp by the next build), for
    a remote one the listing's. OSError if the file cannot be stat'ed or hashed."""
    stamp: Stamp | None = entry.stamp
    if isinstance(entry.source, LocalSource):
        stat = os.stat(entry.source.path)
        stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        key = cache.lookup(entry.source.name, stat.st_size, stat.st_mtime_ns, entry.hash_content,
                           ctime_ns=stat.st_ctime_ns, inode=stat.st_ino)
    else:
        key = cache.lookup(entry.source.name, entry.size, entry.version, entry.hash_content)
    return key, stamp


def _file_results(
    raw: str | os.PathLike[str], out: Path, default_published: date | None, engine: Engine,
    cache: FileCache, full: bool, report: BuildReport,
) -> Iterator[_Part]:
    """Every part of the tables in order, with calls giving its files' tables (results come in
    order: call each before taking the next part). A part none of whose files changed also
    says where the last build's part files are, to be taken whole. The caller may write what
    came before a file while the engine works on it."""
    # name, source, cache key, where from, and for a file to compute the stamp it was hashed at
    plan: list[tuple[str, Source, str, str, Stamp | None]] = []
    unreadable: dict[str, str] = {}  # why, for files that could not be stat'ed or hashed
    for entry in list_sources(raw):
        name = entry.source.name
        if entry.size < 0:
            plan.append((name, entry.source, "", "compute", None))  # unreadable: ingest reports it
            continue
        try:
            key, stamp = _lookup(cache, entry)
        except OSError as error:  # gone since the listing, a FIFO, …: not cached, read next time
            unreadable[name] = _unreadable_message(error)
            plan.append((name, entry.source, "", "unreadable", None))
            continue
        if full:
            where = "compute"
        elif _reusable(cache.previous(name), key):
            where = "previous"
        else:
            where = "cache" if cache.has(key) else "compute"
        plan.append((name, entry.source, key, where, stamp if where == "compute" else None))
    report.files = len(plan)
    stores = engine.shares_files  # the worker writes the cache entry; else this process does
    if stores:
        cache.claim()
    # A file is checked against its stamp once processed: if it changed since it was hashed, its
    # tables are not stored under the old hash (the next build processes it again).
    todo = [(source, str(cache.entry_path(key)) if key and stores else None, stamp if key else None)
            for _, source, key, where, stamp in plan if where == "compute"]
    report.processed = len(todo) + len(unreadable)
    computed = engine.map(partial(compute_file, default_published=default_published), todo)

    def tables_of(source: Source, key: str, where: str) -> tuple[Frames, bool]:
        if where == "unreadable":
            return _whole(_problem_only(source.name, "unreadable", unreadable[source.name])), False
        if where == "compute":
            result = next(computed)
            if isinstance(result, WorkerDied):  # no cache entry: the next build tries it again
                return _whole(_died(source.name, result)), False
            data, cacheable = result
            if isinstance(data, str):  # a file the worker wrote: the entry, or a temporary one
                return (entry_frames(Path(data)) if cacheable else _read_once(Path(data))), cacheable
            if key and cacheable and not stores:
                cache.put(key, data)
            return entry_frames(data), cacheable
        frames = cache.frames(key)
        if frames is None:
            # A damaged entry: the file is computed again here, but not stored under the key
            # (it may have changed since it was hashed); the next build computes and stores it.
            cache.discard(key)
            return _whole(process_source(source, default_published)), False
        return frames, True

    old_parts = {tuple(part.get("files", ())): index for index, part in enumerate(cache.parts)}
    try:
        for index, positions in enumerate(_parts([name for name, *_ in plan])):
            files: list[tuple[str, Callable[[], tuple[Frames, bool]]]] = [
                (plan[k][0], partial(tables_of, *plan[k][1:4])) for k in positions]
            part = _Part(index, files, {plan[k][0] for k in positions if plan[k][3] != "previous"})
            if all(plan[k][3] == "previous" for k in positions):
                part.old = _old_part(out, cache, old_parts.get(tuple(name for name, _ in files)))
                part.old_rows = {name: (cache.previous(name) or {})["rows"] for name, _ in files}
            yield part
    finally:
        # The workers end here, not when the last part (which holds ``tables_of``) is dropped:
        # idle, they would keep their memory through the timeline merge.
        close = getattr(computed, "close", None)
        if close is not None:
            close()


def _problems_of(table: pa.Table) -> list[Problem]:
    """Problem rows back to Problem records."""
    return [Problem(**row) for row in table.to_pylist()]


class _TableSink:
    """Writes the parts of the tables in order: drops repeated article ids, takes unchanged
    parts whole."""

    def __init__(self, out: Path, cache: FileCache, report: BuildReport,
                 on_file: Callable[[str], None] | None) -> None:
        self.writers = {name: DatasetWriter(name, out) for name in FILE_TABLES}
        self.cache, self.report, self.on_file = cache, report, on_file
        self.seen: set[str] = set()
        # the article ids of files whose rows may differ from the last build's (the timeline
        # re-reads only their events), before repeated ids are dropped
        self.changed_articles: set[str] = set()

    def add(self, part: _Part) -> None:
        if part.old is not None and self._take_whole(part, part.old):
            return
        for writer in self.writers.values():
            writer.start_part(part.index)
        for name, tables_of in part.files:
            frames, reusable = tables_of()
            self._file(name, frames, name in part.changed, reusable)

    def _take_whole(self, part: _Part, old: dict[str, Path]) -> bool:
        """Link the last build's files of an unchanged part, unless one of its article ids was
        seen in an earlier part now (then its files are written again, repeats dropped)."""
        ids: list[str] = []
        if "articles" in old:
            ids = pq.read_table(old["articles"], columns=["article_id"])["article_id"].to_pylist()
        if not self.seen.isdisjoint(ids) or len(set(ids)) != len(ids):
            return False
        self.seen.update(ids)
        for table, writer in self.writers.items():
            if table in old:
                writer.link_part(part.index, old[table], sum(r[table] for r in part.old_rows.values()))
            else:
                writer.start_part(part.index)
        if "problems" in old:
            with pq.ParquetFile(old["problems"]) as file:  # its head: the rows are counted
                head = next(file.iter_batches(batch_size=REPORTED_PROBLEMS), None)
                if head is not None:
                    self.report.add_problems(pa.Table.from_batches([head]))
                self.report.problem_count += file.metadata.num_rows - (head.num_rows if head else 0)
        for name, _ in part.files:
            self._announce(name, part.old_rows[name], False)
        return True

    def _file(self, name: str, frames: Frames, changed: bool, reusable: bool) -> None:
        """Write a file's rows as its pieces come, less those of articles an earlier file gave
        (each with a ``duplicate_article_id`` warning after the file's problems). A piece's
        articles come before its other rows, so the repeats are known when those pass."""
        repeated: set[str] = set()
        extra: list[Problem] = []
        rows = dict.fromkeys(FILE_TABLES, 0)
        for table, piece in frames:
            if table == "articles":
                ids = piece["article_id"].to_pylist()
                if changed:
                    self.changed_articles.update(ids)
                again = {i for i in ids if i in self.seen}
                if again:
                    extra.extend(duplicate_problem(row) for row in piece.to_pylist()
                                 if row["article_id"] in again)
                    repeated |= again
                self.seen.update(ids)  # ids are unique within a file (ingest drops repeats)
            if repeated and table != "problems":
                piece = _without_articles(piece, repeated)
            elif table == "problems":
                self.report.add_problems(piece)
            self.writers[table].write(piece)
            rows[table] += piece.num_rows
        if extra:
            self.writers["problems"].write(to_arrow("problems", [p.as_row() for p in extra]))
            self.report.add_problems(extra)
            rows["problems"] += len(extra)
        # a file whose worker died, that could not be read now or that changed while it was read
        # is never reused whole: the next build processes it again
        self._announce(name, rows, bool(repeated) or not reusable)

    def _announce(self, name: str, rows: dict[str, int], filtered: bool) -> None:
        if self.on_file:
            self.on_file(name)
        if name in self.cache.used:
            self.cache.record(name, rows, filtered)

    def commit(self) -> None:
        for table, writer in self.writers.items():
            writer.commit()
            self.report.rows[table] = writer.rows

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()


def _committed_parts(out: Path, parts: list[list[str]]) -> list[dict[str, Any]]:
    """What the manifest keeps of each part: its files and the stamp of each table's part file."""
    committed = []
    for index, files in enumerate(parts):
        stamps = {}
        for table in FILE_TABLES:
            path = out / f"{table}.parquet" / part_name(index)
            stamps[table] = table_stamp(path) if path.exists() else None
        committed.append({"files": files, "stamps": stamps})
    return committed


def _build_locked(raw: str | os.PathLike[str], out: Path, default_published: date | None, engine: Engine,
                  cache: FileCache, full: bool, on_file: Callable[[str], None] | None) -> BuildReport:
    report = BuildReport()
    # the events table as this build found it: the changed articles are counted from it
    events = out / "events.parquet"
    since = None if full or not events.exists() else table_stamp(events)
    sink = _TableSink(out, cache, report, on_file)
    parts: list[list[str]] = []
    try:
        for part in _file_results(raw, out, default_published, engine, cache, full, report):
            parts.append([name for name, _ in part.files])
            sink.add(part)
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    cache.commit(_committed_parts(out, parts))
    changed = sink.changed_articles
    # what the merge does not need goes before it starts: the merge is the build's peak
    del sink, parts
    gc.collect()
    release_memory()
    if "events" in STAGE_TABLES:
        _write_timeline(out, report, full, changed, since)
    return report


def _write_timeline(out: Path, report: BuildReport, full: bool, changed_articles: set[str],
                    since: dict[str, int] | None) -> None:
    """Merge all events across articles into the timeline table, re-merging only what changed
    since the last build (``etl.timeline.build``): the events of ``changed_articles``, counted
    from the events table stamped ``since``."""
    from etl.timeline.build import write_timeline

    report.rows["timeline"] = write_timeline(out, out / ".cache" / TIMELINE_CACHE, full=full,
                                             changed_articles=changed_articles, changed_since=since)
