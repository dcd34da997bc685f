"""``summarize``, the charts and ``etl report`` on a hand-built processed folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from etl.cli_analysis import report as report_command
from etl.report import format_summary, summarize, write_charts
from etl.timeline.frames import load_tables
from tests.timeline.builders import write_processed


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return write_processed(tmp_path / "processed")


def test_summary_counts_and_shares(out):
    summary = summarize(load_tables(out))
    assert summary.rows == {"articles": 5, "date_mentions": 1, "events": 5, "timeline": 3, "problems": 1}
    assert summary.breakdowns["events by type"].to_dict() == {"ASSAULT": 4, "CONSULT": 1}
    assert summary.breakdowns["events by month"].to_dict() == {"2024-12": 5}
    assert summary.shares["date basis"].to_dict() == {"explicit": 0.6, "publication": 0.2, "relative": 0.2}
    assert summary.geocoded == 1.0
    assert summary.breakdowns["problems by code"].to_dict() == {"unsupported_format": 1}
    text = format_summary(summary)
    assert "articles 5 · date_mentions 1 · events 5 · timeline 3 · problems 1" in text
    assert "date basis: explicit 60%, publication 20%, relative 20%" in text


def test_summary_of_an_empty_folder():
    assert format_summary(summarize({})) == ""


def test_charts_are_png_files(out, tmp_path):
    paths = write_charts(load_tables(out), tmp_path / "charts")
    assert [p.name for p in paths] == [
        "events_per_week_by_type.png", "events_over_time_by_country.png", "top_locations.png"]
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size[0] >= 800


def test_charts_are_the_same_bytes_twice(out, tmp_path):
    tables = load_tables(out)
    first = [p.read_bytes() for p in write_charts(tables, tmp_path / "one")]
    second = [p.read_bytes() for p in write_charts(tables, tmp_path / "two")]
    assert first == second


def test_charts_of_events_without_dates_or_places(out, tmp_path):
    tables = load_tables(out)
    events = tables["events"].iloc[0:0]
    paths = write_charts({"events": events}, tmp_path / "empty")
    assert all(p.stat().st_size > 0 for p in paths)


def test_cli_report(out, tmp_path):
    charts = tmp_path / "figures"
    result = CliRunner().invoke(report_command, [str(out), "--charts", str(charts)])
    assert result.exit_code == 0, result.output
    assert "events by type:" in result.output
    assert sorted(p.name for p in charts.iterdir()) == [
        "events_over_time_by_country.png", "events_per_week_by_type.png", "top_locations.png"]


def test_cli_report_summary_only_and_empty_folder(out, tmp_path):
    result = CliRunner().invoke(report_command, [str(out), "--no-charts"])
    assert result.exit_code == 0 and "chart:" not in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(report_command, [str(empty)])
    assert result.exit_code == 1 and "no tables" in result.output


def test_cli_report_without_events_prints_summary_and_skips_charts(out, tmp_path):
    (out / "events.parquet").unlink()
    charts = tmp_path / "none"
    result = CliRunner().invoke(report_command, [str(out), "--charts", str(charts)])
    assert result.exit_code == 0
    assert "articles 5" in result.output and "no charts" in result.output
    assert not charts.exists()
