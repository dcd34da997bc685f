"""The seed article's date mentions exactly as an analyst codes them (../shared/samples/seed-expected.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl.temporal import tag, tag_articles

SEED = Path(__file__).resolve().parents[2] / "data" / "raw" / "ukraine-2024-12-17.txt"

EXPECTED = [
    ("three consecutive days", "DURATION", "P3D"),
    ("December 16", "DATE", "2024-12-16"),
    ("recent weeks", "DURATION", "PXW"),
    ("previous months", "DURATION", "PXM"),
    ("December 16", "DATE", "2024-12-16"),
    ("January 20", "DATE", "2025-01-20"),
    ("December 17", "DATE", "2024-12-17"),
]


def _seed_text() -> str:
    if not SEED.is_file():
        pytest.skip("seed article not in data/raw")
    raw = SEED.read_text(encoding="utf-8")
    body = raw.split("---", 2)[2] if raw.startswith("---") else raw
    lines = body.strip().splitlines()
    return "\n".join(lines[1:])  # the first line is the title


def test_seed_mentions_exactly() -> None:
    mentions = tag(_seed_text(), date(2024, 12, 17))
    assert [(m.text, m.type, m.value) for m in mentions] == EXPECTED


def test_seed_intervals_and_anchors() -> None:
    mentions = [m for m in tag(_seed_text(), date(2024, 12, 17)) if m.type == "DATE"]
    assert all(m.date_start == m.date_end for m in mentions)
    assert {m.anchor for m in mentions} == {"reference"}
    assert {m.anchor_value for m in mentions} == {"2024-12-17"}
    assert not any(m.value == "2024-01-20" for m in mentions)


def test_seed_through_tag_articles() -> None:
    text = _seed_text()
    articles = pd.DataFrame(
        [
            {
                "article_id": "ukraine-2024-12-17",
                "text": text,
                "published": pd.Timestamp("2024-12-17"),
                "language": "en",
                "input_file": "ukraine-2024-12-17.txt",
            }
        ]
    )
    table, problems = tag_articles(articles)
    assert problems == []
    assert list(table["mention_id"]) == [f"ukraine-2024-12-17:t{n}" for n in range(1, 8)]
    assert list(table["value"]) == [v for _, _, v in EXPECTED]
    for row in table.itertuples():
        assert text[row.start : row.end] == row.text
