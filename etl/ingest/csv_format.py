"""CSV (``*.csv``): one article per row, the header names the fields.

    id,title,text,published        ->  RawRecord(fields={"id": ..., ...}, line=2)
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO

from etl.config import MAX_FILE_BYTES, MAX_RECORD_BYTES
from etl.ingest.base import FileTooLarge, RawRecord, ReaderOutput, encoding_problem, file_problem
from etl.ingest.decode import decode_bytes
from etl.ingest.source import Source
from etl.problems import Problem

csv.field_size_limit(min(sys.maxsize, 2 * MAX_RECORD_BYTES))


def read_csv(source: Source, input_file: str) -> ReaderOutput:
    """Read a CSV file with a header row, streaming; ``line`` is the row's first line number."""
    with source.open() as raw:
        head = raw.read(1 << 20)
        decoded = decode_bytes(_whole_characters(head))
        encoding = decoded.encoding if not decoded.replaced else "utf-8"
        if (warning := encoding_problem(decoded, input_file)) is not None:
            yield warning
        stream = io.TextIOWrapper(
            io.BufferedReader(_Prefixed(head, raw)), encoding=_codec(encoding), errors="replace",
            newline="")
        lines = _Lines(stream)
        reader = csv.DictReader(lines)
        try:
            try:
                header = reader.fieldnames
            except csv.Error as exc:
                yield file_problem(input_file, "bad_csv", f"unreadable CSV header: {exc}", 1)
                return
            if not header:
                yield file_problem(input_file, "no_header", "CSV file has no header row")
                return
            lines.take()  # the header's
            while True:
                try:
                    yield from _rows(reader, lines, input_file, encoding)
                    return
                except csv.Error as exc:  # a cell over csv's size limit
                    yield from _skip_oversized_row(lines, input_file, exc)
                # a new reader: the old one holds a cell buffer of 4 bytes a character up to the limit
                reader = csv.DictReader(lines, header)
        except FileTooLarge as exc:
            yield file_problem(input_file, "file_too_large", f"{exc}; rest skipped", lines.number)


def _rows(reader: csv.DictReader[str], lines: _Lines, input_file: str, encoding: str) -> ReaderOutput:
    """The records of the rows csv reads, and a problem for each row a stray quote spoiled."""
    for row in reader:
        start, scan = lines.take()
        trouble = scan.finish() if scan is not None else None
        if trouble is not None:
            # csv read every line up to where the quote ended into one cell: the rows in those
            # lines are lost with it, so none of them is taken as an article
            yield _unclosed_quote(input_file, start, lines.number, trouble)
            continue
        if None in row:
            yield file_problem(input_file, "bad_csv_row", "row has more cells than the header", start)
            continue
        yield RawRecord({k: v for k, v in row.items() if k}, start, encoding)


def _skip_oversized_row(
    lines: _Lines, input_file: str, exc: csv.Error,
) -> Generator[Problem, None, None]:
    r"""The problem for the row csv gave up on (a cell over its size limit), leaving ``lines`` at the
    next row: a row running over lines is followed, a line at a time and keeping none, to the line
    csv would have ended it at, so the rows after it are read as below the limit.

        2,"bb\n + 17 MiB of lines + 9,"x" y\n10,ok\n  ->  unclosed_quote at line 2; row 10 is read
    """
    scan = lines.row_scan()
    if not scan.spans and not scan.is_open:  # one line over the limit: csv read it whole, skip it
        start, _ = lines.take()
        yield file_problem(input_file, "bad_csv", f"unreadable CSV row: {exc}; line {start} skipped",
                           start)
        return
    rest = iter(lines)  # each line it reads goes to ``scan``
    try:
        while scan.is_open and next(rest, None) is not None:
            pass
    except FileTooLarge:
        start, _ = lines.take()
        yield _unclosed_quote(input_file, start, lines.number,
                              (scan.opened or 0, "is not closed before the file-size limit"))
        raise
    start, _ = lines.take()
    trouble = scan.finish()
    if trouble is not None:
        yield _unclosed_quote(input_file, start, lines.number, trouble)
    else:  # a well-formed quoted cell, just longer than csv reads
        yield file_problem(input_file, "bad_csv",
                           f"a cell of the row on line {start} is longer than the CSV limit of "
                           f"{csv.field_size_limit()} characters: lines {start}-{lines.number} "
                           "skipped", start)


def _unclosed_quote(input_file: str, start: int, end: int, trouble: tuple[int, str]) -> Problem:
    """The ``unclosed_quote`` error, at the line the quote opened on (``trouble[0]`` lines into
    the row that starts at line ``start``)."""
    opened = start + trouble[0]
    return file_problem(input_file, "unclosed_quote",
                        f"a quoted cell opened on line {opened} {trouble[1]}: lines {start}-{end} "
                        "were read as one row; skipped", opened)


class _RowScan:
    r"""Follows a CSV row's lines as csv's default dialect reads them, cell by cell, jumping from
    quote to comma with ``find``: whether a quoted cell is open at the end of the last line (the row
    goes on), and the first quote that went wrong. Lines are counted from 0.

        feed('2,"bb\n'), feed('3,cc\n'), finish()  ->  (0, "is never closed")
    """

    def __init__(self) -> None:
        self.fed = 0  # lines fed
        self.opened: int | None = None  # the line the open quoted cell began on, None outside one
        self.spans = False  # a quoted cell has run over a line break
        self.trouble: tuple[int, str] | None = None  # (line of the quote, what went wrong)
        self._crossed = False  # the open quoted cell has run over a line break

    @property
    def is_open(self) -> bool:
        """A quoted cell runs on past the last line fed."""
        return self.opened is not None

    def feed(self, line: str) -> None:
        """Take the next line (with its line break, if any)."""
        index, self.fed = self.fed, self.fed + 1
        if self.opened is not None and '"' not in line:  # a line inside a quoted cell
            if line.endswith(("\n", "\r")):
                self._crossed = self.spans = True
            return
        end = len(line)
        if end and line[end - 1] == "\n":
            end -= 1
        if end and line[end - 1] == "\r":
            end -= 1
        at = 0
        while True:
            if self.opened is None:  # at the start of a cell
                if line.startswith('"', at, end):
                    self.opened, at = index, at + 1
                    continue
                comma = line.find(",", at, end)  # unquoted: its quotes are plain characters
                if comma < 0:
                    return  # the row's last cell: the row ends with this line
                at = comma + 1
                continue
            close = line.find('"', at, end)
            while close >= 0 and line.startswith('"', close + 1, end):  # "" stands for one quote
                close = line.find('"', close + 2, end)
            if close < 0:
                if end < len(line):
                    self._crossed = self.spans = True
                return
            if self._crossed and close + 1 < end and line[close + 1] != ",":
                self._note("runs over a line break and is closed by a quote with text after it")
            self.opened, self._crossed = None, False
            comma = line.find(",", close + 1, end)  # csv keeps what follows a closing quote, to the comma
            if comma < 0:
                return
            at = comma + 1

    def finish(self) -> tuple[int, str] | None:
        """What went wrong with the quotes once the row's last line is fed: (line of the quote,
        reason), or None for a well-formed row."""
        if self._crossed:  # still open at the end of the file
            self._note("is never closed")
        return self.trouble

    def _note(self, reason: str) -> None:
        if self.trouble is None and self.opened is not None:
            self.trouble = (self.opened, reason)


def _whole_characters(head: bytes) -> bytes:
    """The sample without a UTF-8 sequence cut at its end (so UTF-8 is still recognised)."""
    for cut in range(1, 4):
        if len(head) > cut and (head[-cut] & 0xC0) == 0xC0:  # a lead byte of a cut sequence
            needed = 2 if head[-cut] < 0xE0 else 3 if head[-cut] < 0xF0 else 4
            return head[:-cut] if needed > cut else head
    return head


def _codec(encoding: str) -> str:
    return "utf-8-sig" if encoding == "utf-8" else encoding


class _Lines:
    """The lines of a text stream, stopping (FileTooLarge) past the streamed-file limit; numbers
    them, and follows the quotes of a row over several lines with a _RowScan as they pass, so no
    row's lines are kept (a row of many short lines costs no memory)."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        self._stream = stream
        self._total = 0
        self.number = 0  # lines read so far
        self._start = 1  # the first line since the last take()
        self._first: str | None = None  # that line, until a second one starts a scan
        self._scan: _RowScan | None = None

    def __iter__(self) -> Iterator[str]:
        for line in self._stream:
            self._total += len(line)
            if self._total > MAX_FILE_BYTES:
                raise FileTooLarge(f"more than {MAX_FILE_BYTES} characters")
            self.number += 1
            if self._first is None:
                self._first = line
            else:  # rows of one line, nearly all, are never scanned
                (self._scan or self.row_scan()).feed(line)
            yield line

    def row_scan(self) -> _RowScan:
        """The scan of the lines read since the last take(), started now if not yet."""
        if self._scan is None:
            self._scan = _RowScan()
            if self._first is not None:
                self._scan.feed(self._first)
        return self._scan

    def take(self) -> tuple[int, _RowScan | None]:
        """The first line number of the lines read since the last call, and their scan when they
        are several; starts the next row."""
        taken = (self._start, self._scan)
        self._start, self._first, self._scan = self.number + 1, None, None
        return taken


class _Prefixed(io.RawIOBase):
    """A raw stream that replays bytes already read, then continues from the source stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
