"""CSV (``*.csv``): one article per row, the header names the fields.

    id,title,text,published        ->  RawRecord(fields={"id": ..., ...}, line=2)
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Generator, Iterator, Sequence

from etl.config import MAX_FILE_BYTES, MAX_RECORD_BYTES
from etl.ingest.base import FileTooLarge, RawRecord, ReaderOutput, encoding_problem, file_problem
from etl.ingest.decode import (
    MARK,
    MARK_ERRORS,
    Decoded,
    Prefixed,
    declared_encoding,
    decode_bytes,
    stream_codec,
)
from etl.ingest.source import Source
from etl.problems import Problem

csv.field_size_limit(min(sys.maxsize, 2 * MAX_RECORD_BYTES))


def read_csv(source: Source, input_file: str) -> ReaderOutput:
    """Read a CSV file with a header row, streaming; ``line`` is the row's first line number."""
    with source.open() as raw:
        head = raw.read(1 << 20)
        declared = declared_encoding(head)
        if declared is not None:  # UTF-16 or UTF-32 with a byte order mark: no guess to warn of
            encoding, warned = declared, False
        else:
            decoded = decode_bytes(_whole_characters(head))
            encoding = decoded.encoding if not decoded.replaced else "utf-8"
            warned = decoded.replaced  # the warning says replacement characters are used
            if (warning := encoding_problem(decoded, input_file)) is not None:
                yield warning
        stream = io.TextIOWrapper(
            io.BufferedReader(Prefixed(head, raw)), encoding=stream_codec(encoding),
            errors=MARK_ERRORS, newline="")
        lines = _Lines(stream, input_file, encoding, declared is not None, warned)
        yield from _records(lines, input_file, encoding)
        # bytes that did not decode in the header, or in lines read after the last row
        if (late := lines.replacement_problem()) is not None:
            yield late


def _records(lines: _Lines, input_file: str, encoding: str) -> ReaderOutput:
    """The header's problems, then each row's record or problem."""
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
        names = _field_names(header)
        yield from _duplicate_columns(header, names, input_file)
        reader.fieldnames = names
        lines.take()  # the header's
        while True:
            try:
                yield from _rows(reader, lines, input_file, encoding)
                return
            except csv.Error as exc:  # a cell over csv's size limit
                yield from _skip_oversized_row(lines, input_file, exc)
            # a new reader: the old one holds a cell buffer of 4 bytes a character up to the limit
            reader = csv.DictReader(lines, names)
    except FileTooLarge as exc:
        yield file_problem(input_file, "file_too_large", f"{exc}; rest skipped", lines.number)


def _field_names(header: Sequence[str]) -> list[str]:
    """The header's names as records use them: lower case, outer spaces dropped (as front matter
    keys are); a name already used is blanked, so the first column of that name is read.

        ["ID", " Text ", "text"]  ->  ["id", "text", ""]
    """
    names: list[str] = []
    used: set[str] = set()
    for name in header:
        key = name.strip().lower()
        names.append("" if key in used else key)
        used.add(key)
    return names


def _duplicate_columns(header: Sequence[str], names: list[str], input_file: str) -> Iterator[Problem]:
    """A ``duplicate_column`` warning for each field name the header gives more than once."""
    for key in dict.fromkeys(names):
        if not key:
            continue
        columns = [n for n, name in enumerate(header, 1) if name.strip().lower() == key]
        if len(columns) > 1:
            given = ", ".join(f"{n} ({header[n - 1]!r})" for n in columns)
            yield file_problem(input_file, "duplicate_column",
                               f"the header names the field {key!r} in columns {given}: column "
                               f"{columns[0]} is read, the others are ignored", 1, severity="warning")


def _rows(reader: csv.DictReader[str], lines: _Lines, input_file: str, encoding: str) -> ReaderOutput:
    """The records of the rows csv reads, and a problem for each row a stray quote spoiled."""
    for row in reader:
        start, scan = lines.take()
        if lines.replaced_at is not None and (late := lines.replacement_problem()) is not None:
            yield late
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


class _Lines:
    """The lines of a text stream, stopping (FileTooLarge) past the streamed-file limit; numbers
    them, and follows the quotes of a row over several lines with a _RowScan as they pass, so no
    row's lines are kept (a row of many short lines costs no memory). Bytes the stream's decoder
    marked as undecodable become U+FFFD, and the first line they are on is noted."""

    def __init__(self, stream: io.TextIOWrapper, input_file: str = "", encoding: str = "utf-8",
                 declared: bool = False, warned: bool = False) -> None:
        self._stream = stream
        self._total = 0
        self.number = 0  # lines read so far
        self._start = 1  # the first line since the last take()
        self._first: str | None = None  # that line, until a second one starts a scan
        self._scan: _RowScan | None = None
        self._input_file, self._encoding, self._declared = input_file, encoding, declared
        self.replaced_at: int | None = None  # the first line with a replacement, until said
        self._warned = warned  # a non_utf8 warning already says replacements are made

    def __iter__(self) -> Iterator[str]:
        for line in self._stream:
            self._total += len(line)
            if self._total > MAX_FILE_BYTES:
                raise FileTooLarge(f"more than {MAX_FILE_BYTES} characters")
            self.number += 1
            if MARK in line:  # bytes that did not decode (past the sample the encoding is from)
                line = line.replace(MARK, "\ufffd")
                if self.replaced_at is None:
                    self.replaced_at = self.number
            if self._first is None:
                self._first = line
            else:  # rows of one line, nearly all, are never scanned
                (self._scan or self.row_scan()).feed(line)
            yield line

    def replacement_problem(self) -> Problem | None:
        """The ``non_utf8`` warning for the first line read with bytes that did not decode, once."""
        if self.replaced_at is None or self._warned:
            return None
        self._warned = True
        decoded = Decoded("", self._encoding, replaced=True, declared=self._declared)
        return encoding_problem(decoded, self._input_file, self.replaced_at,
                                f" (the first on line {self.replaced_at})")

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
