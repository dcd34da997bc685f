"""tag_articles: the date_mentions table, its columns, ids, and problems for undated articles."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from etl.schema import DATE_MENTIONS
from etl.temporal import tag_articles


def _articles() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "article_id": "a",
                "text": "Russia struck Kyiv on Friday. The day before, talks failed.",
                "published": pd.Timestamp("2024-12-20"),
                "language": "en",
                "input_file": "a.jsonl",
                "input_line": 1,
            },
            {
                "article_id": "b",
                "text": "Talks were held on December 16.",
                "published": pd.NaT,
                "language": "en",
                "input_file": "b.jsonl",
                "input_line": 2,
            },
            {
                "article_id": "c",
                "text": "Вчора, 16 грудня 2024 року, російські війська атакували Київ.",
                "published": pd.Timestamp("2024-12-17"),
                "language": "uk",
                "input_file": "c.jsonl",
                "input_line": 3,
            },
            {
                "article_id": "d",
                "text": "No dates here.",
                "published": pd.Timestamp("2024-12-17"),
                "language": None,
                "input_file": "d.jsonl",
                "input_line": 4,
            },
        ]
    )


def test_columns_are_the_contract() -> None:
    table, _ = tag_articles(_articles())
    assert list(table.columns) == DATE_MENTIONS.names
    pa.Table.from_pandas(table, schema=DATE_MENTIONS, preserve_index=False)  # types fit the schema


def test_mention_ids_count_in_text_order() -> None:
    table, _ = tag_articles(_articles())
    a = table[table["article_id"] == "a"]
    assert list(a["mention_id"]) == ["a:t1", "a:t2"]
    assert list(a["value"]) == ["2024-12-20", "2024-12-19"]
    assert list(a["anchor"]) == ["reference", "narrative"]


def test_missing_publication_date_is_a_warning_and_nothing_is_resolved() -> None:
    table, problems = tag_articles(_articles())
    assert [(p.article_id, p.stage, p.severity, p.code) for p in problems] == [
        ("b", "temporal", "warning", "no_reference_date")
    ]
    assert problems[0].input_file == "b.jsonl" and problems[0].line == 2
    b = table[table["article_id"] == "b"]
    assert list(b["value"]) == ["XXXX-12-16"]
    assert b["date_start"].isna().all()


def test_other_languages_go_through_dateparser() -> None:
    table, _ = tag_articles(_articles())
    c = table[table["article_id"] == "c"]
    assert "2024-12-16" in set(c["value"])
    assert set(c["rule"]) == {"dateparser"}


def test_empty_input_gives_empty_table() -> None:
    table, problems = tag_articles(_articles().iloc[0:0])
    assert table.empty and problems == []
    assert list(table.columns) == DATE_MENTIONS.names
