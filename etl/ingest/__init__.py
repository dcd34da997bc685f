"""Ingest: every file under ``data/raw`` to ``articles`` rows, and problems for the rest.

One module per format (``jsonl``, ``csv_format``, ``text``, ``html``); this module finds the
files, picks the reader, turns raw records into rows and assigns each a reference date.

    >>> batch = read_file(Path("data/raw/ukraine-2024-12-17.txt"), Path("data/raw"))  # doctest: +SKIP
    >>> batch.articles[0]["published_basis"]                                            # doctest: +SKIP
    'metadata'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from etl.config import FORMATS, MAX_FILE_BYTES
from etl.ingest.base import FileTooLarge, RawRecord, ReaderOutput, file_problem
from etl.ingest.csv_format import read_csv
from etl.ingest.decode import looks_binary
from etl.ingest.html import read_html
from etl.ingest.jsonl import read_jsonl
from etl.ingest.records import RecordError, normalize_record, record_problems, truncate_text
from etl.ingest.reference import assign_reference_date
from etl.ingest.source import LocalSource, Source, list_sources
from etl.ingest.text import read_text
from etl.problems import Problem

READERS: dict[str, Callable[[Source, str], ReaderOutput]] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "text": read_text,
    "html": read_html,
}


@dataclass
class FileBatch:
    """What one raw file yields: its articles and its problems."""

    input_file: str
    articles: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def format_of(path: Path) -> str | None:
    """The format name for a file, from its (possibly double) extension; None if unknown."""
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix]
    return None


def discover(raw_dir: Path) -> list[Path]:
    """Every regular file below ``raw_dir``, in a stable order; hidden files are skipped."""
    return [Path(raw_dir) / e.source.name for e in list_sources(raw_dir)]


def relative_name(path: Path, raw_dir: Path) -> str:
    """The file's path relative to the raw folder, with forward slashes on every system."""
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return path.as_posix()


def _precheck(source: Source, input_file: str) -> Problem | None:
    """Refuse files that are unreadable, empty, oversized or binary before any parsing."""
    try:
        size = source.size()
        with source.open() as handle:
            head = handle.read(8192)
    except OSError as exc:
        return file_problem(input_file, "unreadable", f"cannot read file: {exc.strerror or exc}")
    if size == 0:
        return file_problem(input_file, "empty_file", "file is empty")
    if size > MAX_FILE_BYTES:
        return file_problem(input_file, "file_too_large",
                            f"file is {size} bytes, more than the {MAX_FILE_BYTES} limit")
    if not source.name.lower().endswith(".gz") and looks_binary(head):
        return file_problem(input_file, "binary_file", "file is binary, not text")
    return None


def _to_article(raw: RawRecord, input_file: str, default_published: date | None,
                problems: list[Problem]) -> dict[str, Any] | None:
    """Normalize a raw record and give it a reference date; a problem row if it is unusable."""
    try:
        row = normalize_record(raw.fields, input_file, raw.line, raw.encoding)
    except RecordError as exc:
        problems.append(file_problem(input_file, exc.code, str(exc), raw.line))
        return None
    except (ValueError, TypeError, OverflowError) as exc:  # one bad record spoils only itself
        problems.append(file_problem(input_file, "bad_record", f"{type(exc).__name__}: {exc}",
                                     raw.line))
        return None
    problems.extend(record_problems(row))
    row["text"] = truncate_text(row["text"])
    assign_reference_date(row, default_published)
    for scratch in ("published_raw", "published_outside", "language_raw", "ignored_fields"):
        del row[scratch]
    return row


def read_file(path: Path, raw_dir: Path, default_published: date | None = None) -> FileBatch:
    """Read one local raw file into articles and problems; never raises on bad content."""
    return read_source(LocalSource(path, relative_name(path, raw_dir)), default_published)


def read_source(source: Source, default_published: date | None = None) -> FileBatch:
    """Read one raw file (local or remote) into articles and problems, in file order.

    Ids repeated inside the file are skipped with a warning; across files the pipeline checks.
    The whole file's articles are held at once: ``FileReader`` gives them in bounded batches.
    """
    reader = FileReader(source, default_published)
    articles = [article for batch in reader.batches() for article in batch]
    return FileBatch(source.name, [] if reader.discarded else articles, reader.problems)


# Problems a FileReader holds before handing them to its ``spill`` (~2 MB of records).
PROBLEMS_HELD = 4096


class FileReader:
    """One raw file's articles in batches of at most ``size``, its problems gathered as they
    come: ``read_source`` with memory bounded by a batch, not by the file (only the ids read are
    kept, to skip repeats). Once the batches are done, ``problems`` is complete; ``discarded``
    says the articles given must be thrown away (a corrupt archive: none can be trusted).

        reader = FileReader(source, None)
        [len(b) for b in reader.batches(64)]   # [64, 64, 17]
        reader.problems, reader.discarded      # ([...], False)
    """

    def __init__(self, source: Source, default_published: date | None = None,
                 spill: Callable[[list[Problem]], None] | None = None) -> None:
        self.source = source
        self.default_published = default_published
        self.problems: list[Problem] = []
        self.count = 0  # articles given so far
        self.discarded = False
        # A file of a million bad lines has a million problems: given ``spill``, they are handed
        # to it ``PROBLEMS_HELD`` at a time (then ``problems`` holds only those not yet handed).
        self._spill = spill
        self._spilled: set[str] = set()  # the codes of problems handed on

    def batches(self, size: int = 1024) -> Iterator[list[dict[str, Any]]]:
        """The file's articles in order, ``size`` at a time (the last batch may be shorter)."""
        input_file = self.source.name
        problems = self.problems
        fmt = format_of(Path(input_file))
        if fmt is None:
            problems.append(file_problem(input_file, "unknown_format",
                                         f"unsupported file type {Path(input_file).suffix or '(none)'!r}; "
                                         f"readable: {', '.join(sorted(FORMATS))}"))
            return
        refused = _precheck(self.source, input_file)
        if refused is not None:
            problems.append(refused)
            return
        seen: set[str] = set()
        batch: list[dict[str, Any]] = []
        try:
            for item in READERS[fmt](self.source, input_file):
                if len(problems) >= PROBLEMS_HELD and self._spill is not None:
                    self._hand_on()
                if isinstance(item, Problem):
                    problems.append(item)
                    continue
                article = _to_article(item, input_file, self.default_published, problems)
                if article is None:
                    continue
                if article["article_id"] in seen:
                    problems.append(duplicate_problem(article))
                    continue
                seen.add(article["article_id"])
                batch.append(article)
                self.count += 1
                if len(batch) >= size:
                    yield batch
                    batch = []
        except FileTooLarge as exc:
            problems.append(file_problem(input_file, "file_too_large", str(exc)))
        except (OSError, MemoryError, RecursionError, ValueError) as exc:
            problems.append(file_problem(input_file, "read_failed", f"{type(exc).__name__}: {exc}"))
        if batch:
            yield batch
        if self.count and ("bad_gzip" in self._spilled or any(p.code == "bad_gzip" for p in problems)):
            # A corrupt archive can decompress to plausible but wrong records: keep none of them.
            problems.append(file_problem(
                input_file, "untrusted_archive",
                f"{self.count} records read before the archive proved corrupt were dropped"))
            self.discarded = True
        if not self.count and not problems and not self._spilled:
            problems.append(file_problem(input_file, "no_records", "file holds no articles",
                                         severity="warning"))

    def _hand_on(self) -> None:
        assert self._spill is not None
        self._spilled.update(p.code for p in self.problems)
        self._spill(self.problems.copy())
        self.problems.clear()  # in place: ``batches`` holds the list


def duplicate_problem(article: dict[str, Any]) -> Problem:
    """The warning for an article whose id was already read."""
    return Problem(article["input_file"], article["input_line"], article["article_id"], "ingest",
                   "warning", "duplicate_article_id",
                   "an article with this id was already read; this one is skipped")
