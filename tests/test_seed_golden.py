"""The seed article through the whole build: what a careful analyst codes (seed-expected.md)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from click.testing import CliRunner

from etl import load
from etl.cli import main
from etl.validate import validate
from tests.temporal.test_seed import EXPECTED as EXPECTED_MENTIONS  # seed-expected.md, text order


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    from tests.conftest import SEED_ARTICLE

    raw = tmp_path_factory.mktemp("raw")
    (raw / SEED_ARTICLE.name).write_bytes(SEED_ARTICLE.read_bytes())
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["build", "--jobs", "1", str(raw), str(out)])
    assert result.exit_code == 0, result.output
    assert validate(out) == []
    return load(out)


def test_date_mentions_exactly(tables: dict[str, pd.DataFrame]) -> None:
    mentions = tables["date_mentions"]
    assert list(zip(mentions["text"], mentions["type"], mentions["value"], strict=True)) == EXPECTED_MENTIONS
    text = tables["articles"]["text"].iloc[0]
    for start, end, surface in zip(mentions["start"], mentions["end"], mentions["text"], strict=True):
        assert text[start:end] == surface
    # "On December 16": the preposition stays outside the span.
    assert [text[s - 3:s] for s in mentions["start"][mentions["text"] == "December 16"]] == ["On ", "on "]


def _find(events: pd.DataFrame, event_type: str, words: str) -> pd.Series:
    rows = events[(events["event_type"] == event_type) & events["sentence"].str.contains(words)]
    assert len(rows) >= 1, f"no {event_type} event in a sentence with {words!r}"
    return rows.iloc[0]


def test_events_as_an_analyst_codes_them(tables: dict[str, pd.DataFrame]) -> None:
    events = tables["events"]
    kursk = _find(events, "ASSAULT", "Kursk region")
    assert (kursk["acled_event_type"], kursk["date_basis"]) == ("Battles", "relative")
    assert (kursk["date_start"].date(), kursk["date_end"].date()) == (date(2024, 12, 15), date(2024, 12, 17))
    assert (kursk["country_iso3"], kursk["geo_precision"]) == ("RUS", 3)
    pokrovsk = _find(events, "ASSAULT", "Pokrovsk")
    assert pokrovsk["country_iso3"] == "UKR"
    assert abs(pokrovsk["latitude"] - 48.28) < 0.05 and abs(pokrovsk["longitude"] - 37.18) < 0.05
    sbu = _find(events, "COERCE", "SBU")
    assert sbu["acled_event_type"] == "Strategic developments" and sbu["actor1_country"] == "UKR"
    tusk = _find(events, "CONSULT", "Tusk")
    assert (tusk["location"], tusk["country_iso3"]) == ("Lviv", "UKR")
    assert pd.isna(tusk["acled_event_type"])  # a meeting is outside ACLED's scope
    trump = events[events["sentence"].str.contains("Trump made headlines")]
    assert set(trump["event_type"]) & {"REQUEST", "CONSULT"}
    assert set(trump["event_date"].dt.date) == {date(2024, 12, 16)}
    jef = _find(events, "CONSULT", "Tallinn")
    assert (jef["event_date"].date(), jef["date_basis"]) == (date(2024, 12, 17), "explicit")
    assert jef["country_iso3"] == "EST"
    statement = _find(events, "ACCUSE", "condemning")
    assert (statement["event_date"].date(), statement["date_basis"]) == (date(2024, 12, 17), "context")
    countries = set(events["actor1_country"].dropna()) | set(events["actor2_country"].dropna())
    assert {"RUS", "UKR", "PRK", "USA", "POL"} <= countries
    assert events["fatalities"].isna().all()  # "reports of casualties" gives no number
    assert date(2024, 1, 20) not in set(events["event_date"].dt.date)
    assert (events["event_date"] <= pd.Timestamp("2024-12-17")).all()


def test_timeline_holds_every_event(tables: dict[str, pd.DataFrame]) -> None:
    members = {e for ids in tables["timeline"]["event_ids"] for e in ids}
    assert members == set(tables["events"]["event_id"])
