"""JSON Lines (``*.jsonl``, ``*.jsonl.gz``): one article per line; a bad line spoils only itself.

    {"id": "a1", "text": "...", "published": "2024-12-17"}   ->  RawRecord(fields=..., line=1)
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Iterator, Mapping
from typing import BinaryIO, Protocol

from etl.config import MAX_FILE_BYTES, MAX_JSON_DEPTH, MAX_LINE_BYTES
from etl.ingest.base import RawRecord, ReaderOutput, encoding_problem, file_problem
from etl.ingest.decode import (
    MARK_ERRORS,
    Decoded,
    Prefixed,
    declared_encoding,
    decode_bytes,
    stream_codec,
    unmark,
)
from etl.ingest.records import lone_surrogate_problem
from etl.ingest.source import Source
from etl.problems import Problem


def _too_deep(raw: bytes) -> bool:
    """Cheap pre-check before json.loads: bracket nesting deeper than the limit."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return False  # too few brackets to nest that deep: skip the byte scan
    depth = 0
    for byte in raw:
        if byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


class _LineStream(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


class _Transcoded:
    """The lines of a UTF-16 or UTF-32 stream as UTF-8 bytes, with whether the last one read had
    bytes that do not decode (replaced by U+FFFD).

        b"\\xff\\xfe{\\x00}\\x00\\n\\x00"  ->  readline(99) == b"{}\\n"
    """

    _CHUNK = 1 << 20  # characters decoded at a time: up to 4 bytes each in memory

    def __init__(self, stream: BinaryIO, encoding: str) -> None:
        # newline="\n": lines end where the UTF-8 reader ends them, at "\n" only, untranslated
        self._text = io.TextIOWrapper(stream, encoding=stream_codec(encoding),
                                      errors=MARK_ERRORS, newline="\n")
        self.encoding = encoding
        self.replaced = False

    def readline(self, size: int = -1, /) -> bytes:
        """The next line's UTF-8, cut after ``size`` bytes or a little more (whole characters)."""
        parts: list[bytes] = []
        length = 0
        self.replaced = False
        while size < 0 or length < size:
            piece, replaced = unmark(self._text.readline(self._CHUNK))
            self.replaced = self.replaced or replaced
            data = piece.encode("utf-8")
            parts.append(data)
            length += len(data)
            if not piece or piece.endswith("\n"):
                break
        return b"".join(parts)


def _open_lines(stream: BinaryIO) -> tuple[_LineStream, _Transcoded | None]:
    """The stream to read lines from; a _Transcoded when a byte order mark declares UTF-16 or
    UTF-32 (else lines are read as bytes, as UTF-8 or whatever each line turns out to be)."""
    peek = getattr(stream, "peek", None)
    head = peek(4)[:4] if peek is not None else b""
    if len(head) < 4:  # no peek, or a short read: take the bytes and replay them
        head = stream.read(4)
        stream = io.BufferedReader(Prefixed(head, stream))
    declared = declared_encoding(head)
    if declared is None:
        return stream, None
    transcoded = _Transcoded(stream, declared)
    return transcoded, transcoded


def _lines(stream: BinaryIO, input_file: str) -> ReaderOutput:
    """Parse each line of an open binary stream, with bounded line length and total size."""
    lines, transcoded = _open_lines(stream)
    not_utf8: dict[tuple[str, bool, bool], list[int]] = {}  # how lines were decoded: [first, count]
    total = 0
    for number, raw in enumerate(iter(lambda: lines.readline(MAX_LINE_BYTES + 1), b""), 1):
        total += len(raw)
        if total > MAX_FILE_BYTES:
            yield file_problem(input_file, "file_too_large",
                               f"more than {MAX_FILE_BYTES} bytes (after decompression); rest skipped",
                               number)
            break
        if len(raw) > MAX_LINE_BYTES:
            yield file_problem(input_file, "line_too_long",
                               f"line longer than {MAX_LINE_BYTES} bytes; skipped", number)
            # Skip the rest of this over-long line without holding it in memory.
            while raw and not raw.endswith(b"\n"):
                raw = lines.readline(MAX_LINE_BYTES)
                total += len(raw)
            continue
        if not raw.strip():
            continue
        if _too_deep(raw):
            yield file_problem(input_file, "json_too_deep",
                               f"JSON nested deeper than {MAX_JSON_DEPTH} levels", number)
            continue
        encoding = "utf-8"
        try:
            text = raw.decode("utf-8-sig" if transcoded is None else "utf-8")
        except UnicodeDecodeError:
            decoded = decode_bytes(raw)
            text, encoding = decoded.text, decoded.encoding
            not_utf8.setdefault((encoding, decoded.replaced, decoded.declared), [number, 0])[1] += 1
        if transcoded is not None:
            encoding = transcoded.encoding
            if transcoded.replaced:
                not_utf8.setdefault((encoding, True, True), [number, 0])[1] += 1
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield file_problem(input_file, "bad_json", f"invalid JSON: {exc}", number)
            continue
        except ValueError as exc:  # an integer of more digits than Python converts
            yield file_problem(input_file, "bad_json", _number_message(exc), number)
            continue
        if not isinstance(value, dict):
            yield file_problem(input_file, "bad_json",
                               f"line is a JSON {type(value).__name__}, not an object", number)
            continue
        # only a \u escape of a surrogate can make a lone one: other lines skip the look
        if (b"\\u" in raw and (b"\\ud" in raw or b"\\uD" in raw)
                and (warning := lone_surrogate_problem(value, input_file, number)) is not None):
            yield warning
        yield RawRecord(value, number, encoding)
    yield from _encoding_problems(not_utf8, input_file)


def _number_message(exc: ValueError) -> str:
    """What json.loads's ValueError outside JSONDecodeError says, in the reader's words."""
    limit = sys.get_int_max_str_digits()
    if limit and "integer string conversion" in str(exc):
        return f"invalid JSON: a number of more than {limit} digits, longer than an integer may be"
    return f"invalid JSON: {exc}"


def _encoding_problems(not_utf8: Mapping[tuple[str, bool, bool], list[int]],
                       input_file: str) -> Iterator[Problem]:
    """One ``non_utf8`` warning for each way lines that are not UTF-8 were decoded, at the first.

        lines 2 and 5 in cp1252  ->  non_utf8 at line 2: "...decoded as cp1252 (2 lines, ...)"
    """
    for (encoding, replaced, declared), (first, count) in not_utf8.items():
        more = f" ({count} lines, line {first} the first)" if count > 1 else ""
        warning = encoding_problem(Decoded("", encoding, replaced, declared), input_file, first, more)
        if warning is not None:
            yield warning


def read_jsonl(source: Source, input_file: str) -> ReaderOutput:
    """Read a JSON Lines file, gzip-compressed when its name ends in ``.gz``."""
    with source.open() as raw:
        if not source.name.lower().endswith(".gz"):
            yield from _lines(raw, input_file)
            return
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield from _lines(stream, input_file)  # type: ignore[arg-type]
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield file_problem(input_file, "bad_gzip", f"cannot decompress: {exc}")

