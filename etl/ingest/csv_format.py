"""CSV (``*.csv``): one article per row, the header names the fields.

    id,title,text,published        ->  RawRecord(fields={"id": ..., ...}, line=2)
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

from etl.config import MAX_FILE_BYTES, MAX_RECORD_BYTES
from etl.ingest.base import FileTooLarge, RawRecord, ReaderOutput, encoding_problem, file_problem
from etl.ingest.decode import decode_bytes
from etl.ingest.source import Source

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
            if not reader.fieldnames:
                yield file_problem(input_file, "no_header", "CSV file has no header row")
                return
            line = reader.line_num
            lines.take()  # the header's
            for row in reader:
                start, line = line + 1, reader.line_num
                row_lines = lines.take()
                trouble = _quote_trouble("".join(row_lines)) if len(row_lines) > 1 else None
                if trouble is not None:
                    # csv read every line up to where the quote ended into one cell: the rows
                    # in those lines are lost with it, so none of them is taken as an article
                    yield file_problem(input_file, "unclosed_quote",
                                       f"a quoted cell of the row on line {start} {trouble}: lines "
                                       f"{start}-{line} were read as one row; skipped", start)
                    continue
                if None in row:
                    yield file_problem(input_file, "bad_csv_row",
                                       "row has more cells than the header", start)
                    continue
                yield RawRecord({k: v for k, v in row.items() if k}, start, encoding)
        except csv.Error as exc:
            yield file_problem(input_file, "bad_csv", f"unreadable CSV: {exc}", reader.line_num)
        except FileTooLarge as exc:
            yield file_problem(input_file, "file_too_large", f"{exc}; rest skipped", reader.line_num)


def _quote_trouble(row: str) -> str | None:
    """Why a row that csv read over several lines is no row: a quoted cell that runs over a line
    break and is never closed, or is closed by a quote with more text after it (``"bb ... "dd"``:
    a stray quote that a later cell's quote "closed"). None for a well-formed row.

    Reads the cells as csv's default dialect does, jumping from quote to comma with ``find``.
    """
    at, end = 0, len(row)
    while at < end:  # at the start of a cell
        if row[at] != '"':  # unquoted: its quotes are plain characters, it ends at a comma or the line
            comma = row.find(",", at)
            if comma < 0 or "\n" in row[at:comma] or "\r" in row[at:comma]:
                return None  # the row's last cell
            at = comma + 1
            continue
        close = at + 1
        while True:
            close = row.find('"', close)
            if close < 0:
                return "is never closed" if "\n" in row[at:] or "\r" in row[at:] else None
            if row.startswith('"', close + 1):  # a doubled quote stands for one
                close += 2
                continue
            break
        after = row[close + 1:close + 2]
        spans_lines = "\n" in row[at:close] or "\r" in row[at:close]
        if after not in (",", "\r", "\n", "") and spans_lines:
            return "runs over a line break and is closed by a quote with text after it"
        comma = row.find(",", close + 1)  # csv keeps what follows a closing quote, to the comma
        if comma < 0 or "\n" in row[close + 1:comma] or "\r" in row[close + 1:comma]:
            return None
        at = comma + 1
    return None


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
    """The lines of a text stream, stopping (FileTooLarge) past the streamed-file limit; keeps the
    lines read since the last ``take()`` (one CSV row's) to check its quotes."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        self._stream = stream
        self._total = 0
        self._since: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for line in self._stream:
            self._total += len(line)
            if self._total > MAX_FILE_BYTES:
                raise FileTooLarge(f"more than {MAX_FILE_BYTES} characters")
            self._since.append(line)
            yield line

    def take(self) -> list[str]:
        """The lines read since the last call."""
        taken, self._since = self._since, []
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
