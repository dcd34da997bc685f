"""JSON Lines (``*.jsonl``, ``*.jsonl.gz``): one article per line; a bad line spoils only itself.

    {"id": "a1", "text": "...", "published": "2024-12-17"}   ->  RawRecord(fields=..., line=1)
"""

from __future__ import annotations

import gzip
import json
from typing import BinaryIO

from etl.config import MAX_FILE_BYTES, MAX_JSON_DEPTH, MAX_LINE_BYTES
from etl.ingest.base import RawRecord, ReaderOutput, file_problem
from etl.ingest.decode import decode_bytes
from etl.ingest.source import Source


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


def _lines(stream: BinaryIO, input_file: str) -> ReaderOutput:
    """Parse each line of an open binary stream, with bounded line length and total size."""
    total = 0
    for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""), 1):
        total += len(raw)
        if total > MAX_FILE_BYTES:
            yield file_problem(input_file, "file_too_large",
                               f"more than {MAX_FILE_BYTES} bytes (after decompression); rest skipped",
                               number)
            return
        if len(raw) > MAX_LINE_BYTES:
            yield file_problem(input_file, "line_too_long",
                               f"line longer than {MAX_LINE_BYTES} bytes; skipped", number)
            # Skip the rest of this over-long line without holding it in memory.
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE_BYTES)
                total += len(raw)
            continue
        if not raw.strip():
            continue
        if _too_deep(raw):
            yield file_problem(input_file, "json_too_deep",
                               f"JSON nested deeper than {MAX_JSON_DEPTH} levels", number)
            continue
        decoded = decode_bytes(raw)
        try:
            value = json.loads(decoded.text)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield file_problem(input_file, "bad_json", f"invalid JSON: {exc}", number)
            continue
        if not isinstance(value, dict):
            yield file_problem(input_file, "bad_json",
                               f"line is a JSON {type(value).__name__}, not an object", number)
            continue
        yield RawRecord(value, number, decoded.encoding)


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
