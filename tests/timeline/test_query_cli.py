"""``query_timeline`` filters and ``etl timeline`` through CliRunner on a hand-built processed folder."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from etl.cli_analysis import timeline as timeline_command
from etl.timeline import build_timeline, format_table, query_timeline, to_csv
from tests.timeline.builders import ARTICLES, EVENTS, article, event, frame, write_processed


@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    a0 = article("a0", "Protesters rallied in Kyiv on November 2.", source="AFP",
                 published="2024-11-02T12:00:00")
    e0 = event("e0", a0, a0["text"], "rallied", day="2024-11-02", event_type="PROTEST",
               acled="Protests", sub="Peaceful protest", actor1="Protesters (Ukraine)",
               actor1_country="UKR", actor2=None, actor2_country=None, location="Kyiv",
               admin1="Kyiv City", point=(50.45, 30.52))
    return build_timeline(frame("events", [*EVENTS, e0]), frame("articles", [*ARTICLES, a0]))


def _ids(rows: pd.DataFrame) -> list[str]:
    return [",".join(members) for members in rows["event_ids"]]


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, ["e1,e2,e3", "e4", "e5", "e0"]),
    ({"order": "chronological"}, ["e0", "e1,e2,e3", "e4", "e5"]),
    ({"since": date(2024, 12, 1)}, ["e1,e2,e3", "e4", "e5"]),
    ({"until": date(2024, 11, 30)}, ["e0"]),
    ({"min_sources": 2}, ["e1,e2,e3"]),
    ({"admin1": "kharkiv oblast"}, ["e1,e2,e3"]),
    ({"admin1": ["Kherson Oblast", "Lviv Oblast"]}, ["e4", "e5"]),
    ({"country": "ukr"}, ["e1,e2,e3", "e4", "e5", "e0"]),
    ({"country": "RUS"}, []),
    ({"actor": "poland"}, ["e5"]),
    ({"actor": "Russia"}, ["e1,e2,e3", "e4"]),
    ({"event_type": "protests"}, ["e0"]),  # ACLED event type, any case
    ({"event_type": ["CONSULT", "PROTEST"]}, ["e5", "e0"]),
])
def test_filters(timeline, filters, expected):
    rows = query_timeline(timeline, **filters)
    assert sorted(_ids(rows)) == sorted(expected)
    dates = rows["event_date"]
    if filters.get("order") == "chronological":
        assert dates.is_monotonic_increasing
    else:
        assert dates.is_monotonic_decreasing


def test_bad_order_is_refused(timeline):
    with pytest.raises(ValueError):
        query_timeline(timeline, order="random")  # type: ignore[arg-type]


def test_table_text_is_readable(timeline):
    text = format_table(query_timeline(timeline, min_sources=2))
    assert text.splitlines()[0].startswith("2024-12-16  ASSAULT / Explosions/Remote violence  Kharkiv")
    assert "3 sources" in text and "4 killed" in text
    assert format_table(query_timeline(timeline, country="RUS")) == "no events match"


def test_csv_joins_lists(timeline):
    lines = to_csv(query_timeline(timeline, min_sources=2)).splitlines()
    assert lines[0].startswith("timeline_id,event_date,date_start")
    assert "a1;a2;a3" in lines[1] and ",2024-12-16," in lines[1]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return write_processed(tmp_path / "processed")


def test_cli_table(out):
    result = CliRunner().invoke(timeline_command, [str(out), "--min-sources", "2"])
    assert result.exit_code == 0, result.output
    assert "Kharkiv" in result.output and "Kherson" not in result.output


def test_cli_json_to_file(out, tmp_path):
    target = tmp_path / "t.json"
    result = CliRunner().invoke(timeline_command, [
        str(out), "--format", "json", "--output", str(target), "--country", "UKR",
        "--type", "ASSAULT", "--order", "chronological", "--since", "2024-12-16",
        "--until", "2024-12-16"])
    assert result.exit_code == 0, result.output
    rows = json.loads(target.read_text())
    assert [r["event_ids"] for r in rows] in ([["e1", "e2", "e3"], ["e4"]], [["e4"], ["e1", "e2", "e3"]])
    assert rows[0]["event_date"] == "2024-12-16"


def test_cli_csv(out):
    result = CliRunner().invoke(timeline_command, [str(out), "--format", "csv", "--actor", "Poland"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 2 and "Lviv" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "16/12/2024"], "is not an ISO date"),
    (["--order", "random"], "Invalid value"),
    (["--min-sources", "0"], "Invalid value"),
])
def test_cli_bad_arguments(out, args, message):
    result = CliRunner().invoke(timeline_command, [str(out), *args])
    assert result.exit_code == 2 and message in result.output


def test_cli_without_timeline(out):
    (out / "timeline.parquet").unlink()
    result = CliRunner().invoke(timeline_command, [str(out)])
    assert result.exit_code == 1 and "does not exist" in result.output
