"""What every format reader yields: raw records, or problems for what it could not read.

    >>> RawRecord({"text": "x"}, line=3).line
    3
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from etl.config import MAX_FILE_BYTES
from etl.ingest.source import Source
from etl.problems import Problem


@dataclass(frozen=True)
class RawRecord:
    """One article's input fields as the file gave them, with where it was found."""

    fields: Mapping[str, Any]
    line: int | None = None
    encoding: str = "utf-8"
    notes: tuple[str, ...] = field(default=())


ReaderOutput = Iterator[RawRecord | Problem]


def file_problem(input_file: str, code: str, message: str, line: int | None = None,
                 severity: str = "error") -> Problem:
    """A problem of the ingest stage about a file (or one of its lines)."""
    return Problem(input_file, line, None, "ingest", severity, code, message)


def read_all(source: Source) -> bytes:
    """All of a file's bytes, refusing (ValueError) more than the file size limit."""
    with source.open() as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"file is larger than the {MAX_FILE_BYTES}-byte limit")
    return data
