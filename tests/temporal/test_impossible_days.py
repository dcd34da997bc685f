"""A day no calendar has is not a date: the grammar's shape alone does not make a mention."""

from __future__ import annotations

from datetime import date

import pytest

from etl.temporal import names_impossible_day, tag

REFERENCE = date(2024, 12, 17)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Strike on 31 February 2024.", []),
        ("It happened on February 30.", []),
        ("Talks on 31 April and on 30 April.", [("30 April", "2024-04-30")]),
        ("Leap day: 29 February 2024.", [("29 February 2024", "2024-02-29")]),
        ("Not a leap day: 29 February 2023.", []),
    ],
)
def test_impossible_days_are_not_tagged(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(m.text, m.value) for m in tag(text, REFERENCE)] == expected


@pytest.mark.parametrize(
    ("value", "impossible"),
    [("2024-02-31", True), ("2024-02-29", False), ("2024-04-31T09:00", True), ("2024-02", False),
     ("XXXX-02-31", False), ("2024-W51", False), ("P3D", False)],
)
def test_names_impossible_day(value: str, impossible: bool) -> None:
    assert names_impossible_day(value) is impossible
