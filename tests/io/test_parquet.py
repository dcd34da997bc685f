"""Tables are written with their declared schema, atomically, and read back typed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from etl.io import parquet
from etl.io.parquet import TableWriter, load, read_table, write_table
from etl.schema import TABLES

PROBLEM = {"input_file": "a.txt", "line": None, "article_id": None, "stage": "ingest",
           "severity": "error", "code": "empty_file", "message": "file is empty"}


def test_write_and_read_back_with_dtypes(tmp_path: Path) -> None:
    write_table("problems", [PROBLEM, {**PROBLEM, "line": 3}], tmp_path)
    frame = read_table(tmp_path, "problems")
    assert list(frame.columns) == TABLES["problems"].names
    assert str(frame["line"].dtype) == "Int64"
    assert str(frame["code"].dtype) == "string"
    assert frame["line"].isna().tolist() == [True, False]


def test_metadata_carries_versions(tmp_path: Path) -> None:
    path = write_table("problems", [PROBLEM], tmp_path)
    meta = pq.read_schema(path).metadata
    assert meta[b"etl.schema_version"] == b"1.0"
    assert meta[b"etl.table"] == b"problems"
    assert b"etl.version" in meta


def test_dates_read_back_as_datetimes(tmp_path: Path) -> None:
    row = {name: None for name in TABLES["date_mentions"].names}
    row.update(article_id="a", mention_id="a:t1", start=0, end=4, text="2024", type="DATE",
               value="2024", date_start=date(2024, 1, 1), date_end=date(2024, 12, 31),
               granularity="year", anchor="absolute")
    write_table("date_mentions", [row], tmp_path)
    frame = load(tmp_path)["date_mentions"]
    assert frame["date_end"].dt.year.tolist() == [2024]
    assert frame["date_end"].iloc[0] == pd.Timestamp("2024-12-31")


def test_missing_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="missing columns"):
        write_table("problems", pd.DataFrame({"input_file": ["a"]}), tmp_path)


def test_writer_abort_keeps_previous_table(tmp_path: Path) -> None:
    write_table("problems", [PROBLEM], tmp_path)
    writer = TableWriter("problems", tmp_path)
    writer.write([PROBLEM] * 5)
    writer.abort()
    assert len(read_table(tmp_path, "problems")) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["problems.parquet"]


@pytest.mark.parametrize("compact", [2, 256])  # pending batches merged every 2, or never here
def test_writer_output_does_not_depend_on_batching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   compact: int) -> None:
    rows = [{**PROBLEM, "line": i} for i in range(10)]
    one, two = tmp_path / "one", tmp_path / "two"
    writer = TableWriter("problems", one, row_group_rows=4)
    writer.write(rows)
    writer.commit()
    monkeypatch.setattr(parquet, "COMPACT_PENDING", compact)
    writer = TableWriter("problems", two, row_group_rows=4)
    for i in range(10):
        writer.write(rows[i:i + 1])
    writer.commit()
    assert (one / "problems.parquet").read_bytes() == (two / "problems.parquet").read_bytes()


def test_articles_timestamp_column(tmp_path: Path) -> None:
    row = {name: None for name in TABLES["articles"].names}
    row.update(article_id="a", text="t", published=datetime(2024, 12, 17), published_basis="metadata")
    write_table("articles", [row], tmp_path)
    assert read_table(tmp_path, "articles")["published"].iloc[0] == pd.Timestamp("2024-12-17")
