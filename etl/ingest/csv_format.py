"""CSV (``*.csv``): one article per row, the header names the fields.

    id,title,text,published        ->  RawRecord(fields={"id": ..., ...}, line=2)
"""

from __future__ import annotations

import csv
import io
import sys

from etl.config import MAX_RECORD_BYTES
from etl.ingest.base import RawRecord, ReaderOutput, file_problem, read_all
from etl.ingest.decode import decode_bytes
from etl.ingest.source import Source

csv.field_size_limit(min(sys.maxsize, 2 * MAX_RECORD_BYTES))


def read_csv(source: Source, input_file: str) -> ReaderOutput:
    """Read a CSV file with a header row; ``line`` is the row's line number in the file."""
    decoded = decode_bytes(read_all(source))
    if decoded.encoding != "utf-8" or decoded.replaced:
        yield file_problem(input_file, "non_utf8",
                           f"not UTF-8; decoded as {decoded.encoding}"
                           + (" with replacement characters" if decoded.replaced else ""),
                           severity="warning")
    reader = csv.DictReader(io.StringIO(decoded.text, newline=""))
    try:
        if not reader.fieldnames:
            yield file_problem(input_file, "no_header", "CSV file has no header row")
            return
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            if None in row:
                yield file_problem(input_file, "bad_csv_row",
                                   "row has more cells than the header", start)
                continue
            yield RawRecord({k: v for k, v in row.items() if k}, start, decoded.encoding)
    except csv.Error as exc:
        yield file_problem(input_file, "bad_csv", f"unreadable CSV: {exc}", reader.line_num)
