"""The CSV reader's quote scan agrees with csv on where every row ends."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.ingest.csv_format import _RowScan


def _csv_row_ends(lines: list[str]) -> set[int]:
    """The line numbers csv ends its rows at (the last line always ends one)."""
    read = 0

    def counted() -> Iterator[str]:
        nonlocal read
        for line in lines:
            read += 1
            yield line

    ends = {len(lines)}
    for _ in csv.reader(counted()):
        ends.add(read)
    return ends


@given(st.text(alphabet='a,"\n\r', max_size=60))
def test_rows_end_where_csv_ends_them(text: str) -> None:
    lines = io.StringIO(text, newline="").readlines()
    scan, ends = _RowScan(), {len(lines)}
    for number, line in enumerate(lines, 1):
        scan.feed(line)
        if not scan.is_open:
            ends.add(number)
    assert ends == _csv_row_ends(lines)


@pytest.mark.parametrize(
    ("lines", "trouble"),
    [(['2,"bb\n', "3,cc\n"], (0, "is never closed")),
     (['2,"bb\n', '3,"cc"\n'], (0, "runs over a line break and is closed by a quote with text after it")),
     (['2,"two\n', 'lines",x,"bb\n', "3,cc\n"], (1, "is never closed")),
     (["\n", '2,"bb\n', "3,cc"], (1, "is never closed")),
     (['2,"two\n', 'lines",x\n'], None),
     (['2,"say ""hi""\n', '"""\n'], None),
     (['2,x"y\n', "3,z\n"], None),
     (['2,"bb'], None)],  # the last line of a file, no line break: the quote opens no other line
)
def test_quote_trouble(lines: list[str], trouble: tuple[int, str] | None) -> None:
    scan = _RowScan()
    for line in lines:
        scan.feed(line)
    assert scan.finish() == trouble
