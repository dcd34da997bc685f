"""``validate`` passes a consistent processed folder and names each deliberately broken promise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.io.parquet import write_table
from etl.timeline.frames import load_tables
from etl.validate import Failure, check_offsets, validate
from tests.timeline.builders import write_processed


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return write_processed(tmp_path / "processed")


def test_consistent_folder_passes(out: Path):
    assert validate(out) == []


def _edit(out: Path, table: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    frame = load_tables(out)[table]
    write_table(table, change(frame.copy()), out)


def _set(table: str, column: str, value: object, row: int = 0):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame[column] = frame[column].astype(object)
        frame.at[row, column] = value
        return frame
    return table, change


BROKEN = {
    "duplicate event id": (*_set("events", "event_id", "e2"), "events", "ids"),
    "missing article id": (*_set("articles", "article_id", None), "articles", "ids"),
    "event of an unknown article": (*_set("events", "article_id", "nope"), "events", "references"),
    "unknown date mention": (*_set("events", "date_mention_id", "a9-m9"), "events", "references"),
    "date after its interval": (*_set("events", "event_date", pd.Timestamp("2025-01-01")), "events", "dates"),
    "latitude out of range": (*_set("events", "latitude", 95.0), "events", "coordinates"),
    "half a coordinate": (*_set("timeline", "longitude", None), "timeline", "coordinates"),
    "sentence offsets shifted": (*_set("events", "start", 1), "events", "offsets"),
    "trigger text wrong": (*_set("events", "trigger", "bombed"), "events", "offsets"),
    "mention text wrong": (*_set("date_mentions", "text", "Dec 16"), "date_mentions", "offsets"),
    "end beyond the text": (*_set("date_mentions", "end", 10_000), "date_mentions", "offsets"),
    "unknown PLOVER type": (*_set("events", "event_type", "BOMBING"), "events", "values"),
    "confidence above one": (*_set("events", "confidence", 1.5), "events", "values"),
    "negative fatalities": (*_set("events", "fatalities", -1), "events", "values"),
    "unknown severity": (*_set("problems", "severity", "fatal"), "problems", "values"),
    "timeline member missing": (*_set("timeline", "event_ids", ["e404"]), "timeline", "references"),
    "n_articles wrong": (*_set("timeline", "n_articles", 7), "timeline", "members"),
    "timeline id repeated": (*_set("timeline", "timeline_id", "tl-x", 0), "timeline", "ids"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_table_is_reported(out: Path, case: str):
    table, change, failed_table, check = BROKEN[case]
    _edit(out, table, change)
    if case == "timeline id repeated":
        _edit(out, "timeline", lambda f: f.assign(timeline_id="tl-x"))
    failures = validate(out)
    assert any(f.table == failed_table and f.check == check for f in failures), failures


def test_event_in_no_timeline_row_and_in_two(out: Path):
    _edit(out, "timeline", lambda f: f.iloc[1:].reset_index(drop=True))
    assert any(f.check == "members" and "no timeline row" in f.message for f in validate(out))


def test_missing_table_and_wrong_type(out: Path):
    (out / "date_mentions.parquet").unlink()
    events = pq.read_table(out / "events.parquet")
    index = events.schema.get_field_index("event_date")
    as_text = events.set_column(index, "event_date", events.column("event_date").cast(pa.string()))
    pq.write_table(as_text.drop(["confidence"]), out / "events.parquet")
    messages = [str(f) for f in validate(out)]
    assert "date_mentions: present: date_mentions.parquet is missing" in messages
    assert "events: schema: column 'event_date' is string, expected date32[day]" in messages
    assert "events: schema: missing column 'confidence'" in messages


def test_unreadable_file_and_missing_folder(out: Path, tmp_path: Path):
    (out / "problems.parquet").write_bytes(b"not parquet")
    assert [f.check for f in validate(out)] == ["readable"]
    assert validate(tmp_path / "absent")[0].check == "folder"


def test_failure_message_counts_and_names_rows():
    frame = pd.DataFrame({"event_id": ["x", "y"], "article_id": ["a", "a"], "start": [0, 0],
                          "end": [3, 2], "sentence": ["abc", "zz"]})
    failures = check_offsets("events", frame, {"a": "abcdef"}, "start", "end", "sentence")
    assert failures == [Failure("events", "offsets", "1 row whose sentence is not text[start:end] (e.g. y)")]


def test_cli_validate_ok_and_failing(out: Path):
    from click.testing import CliRunner

    from etl.cli_analysis import validate as validate_command

    result = CliRunner().invoke(validate_command, [str(out)])
    assert result.exit_code == 0 and "keeps the data contract" in result.output
    _edit(out, *_set("events", "latitude", 95.0))
    result = CliRunner().invoke(validate_command, [str(out)])
    assert result.exit_code == 1
    assert "events: coordinates: 1 row with coordinates out of range (e.g. e1)" in result.output


def test_event_offsets_may_mark_a_clause_inside_the_sentence():
    text = "Shelling hit Kharkiv, and troops advanced near Pokrovsk. Later it rained."
    sentence = "Shelling hit Kharkiv, and troops advanced near Pokrovsk."
    frame = pd.DataFrame({"event_id": ["clause", "outside", "foreign"], "article_id": ["a"] * 3,
                          "start": [22, 58, 0], "end": [56, 73, 8],
                          "sentence": [sentence, sentence, "Shelling is not here at all"]})
    failures = check_offsets("events", frame, {"a": text}, "start", "end", "sentence", within=True)
    message = "2 rows whose sentence does not hold text[start:end] (e.g. outside, foreign)"
    assert failures == [Failure("events", "offsets", message)]
