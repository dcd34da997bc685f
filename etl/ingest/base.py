"""What every format reader yields: raw records, or problems for what it could not read.

    >>> RawRecord({"text": "x"}, line=3).line
    3
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from etl.config import MAX_DOCUMENT_BYTES
from etl.ingest.decode import Decoded
from etl.ingest.source import Source
from etl.problems import Problem


@dataclass(frozen=True)
class RawRecord:
    """One article's input fields as the file gave them, with where it was found."""

    fields: Mapping[str, Any]
    line: int | None = None
    encoding: str = "utf-8"


ReaderOutput = Iterator[RawRecord | Problem]


def file_problem(input_file: str, code: str, message: str, line: int | None = None,
                 severity: str = "error") -> Problem:
    """A problem of the ingest stage about a file (or one of its lines)."""
    return Problem(input_file, line, None, "ingest", severity, code, message)


class FileTooLarge(ValueError):
    """A file over the size its format may be read whole at."""


def encoding_problem(decoded: Decoded, input_file: str, line: int | None = None,
                     where: str = "") -> Problem | None:
    """The ``non_utf8`` warning for text that was not plain UTF-8, saying how it was read; none
    for text in the UTF-16 or UTF-32 its byte order mark declares (no guess, nothing replaced).

        cp1252 text  ->  Problem(..., "non_utf8", "not UTF-8; decoded as cp1252")
    """
    if not decoded.replaced and (decoded.encoding == "utf-8" or decoded.declared):
        return None
    how = " with replacement characters" if decoded.replaced else ""
    return file_problem(input_file, "non_utf8", f"not UTF-8; decoded as {decoded.encoding}{how}{where}",
                        line, severity="warning")


def read_all(source: Source, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """All of a file's bytes; FileTooLarge past ``limit`` (memory stays bounded)."""
    with source.open() as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"file is larger than the {limit}-byte limit for its format")
    return data


def letters_key(text: str) -> str:
    """Letters and digits only, case-folded, to compare a headline with a line of text:
    ``letters_key("RSF  kills 100.") == "rsfkills100"``."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())
