"""Golden test: the seed article's events as an analyst codes them (seed-expected.md).

Each row below is matched by a phrase of the sentence it comes from; dates need the temporal
stage and places the geo stage: those checks skip with a reason when a stage is missing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl.events import extract_events
from etl.events.locating import geo_module
from etl.ingest import read_file
from etl.pipeline import articles_frame

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SEED = SHARED / "samples" / "ukraine-2024-12-17.txt"
PUB = date(2024, 12, 17)


def _temporal_ready() -> bool:
    try:
        return hasattr(importlib.import_module("etl.temporal"), "tag_articles")
    except ImportError:
        return False


needs_temporal = pytest.mark.skipif(
    not _temporal_ready(), reason="etl.temporal.tag_articles not available yet")
needs_geo = pytest.mark.skipif(
    geo_module() is None, reason="etl.geo (article_context, locate) not available yet")


@pytest.fixture(scope="module")
def seed_events() -> pd.DataFrame:
    if not SEED.is_file():
        pytest.skip("../shared/samples is not beside the repository")
    batch = read_file(SEED, SEED.parent, None)
    articles = articles_frame(batch.articles)
    if _temporal_ready():
        from etl.temporal import tag_articles

        mentions, _ = tag_articles(articles)
    else:
        from .conftest import NO_MENTIONS

        mentions = NO_MENTIONS
    events, problems = extract_events(articles, mentions)
    assert problems == []
    return events


@dataclass(frozen=True)
class Golden:
    """One row of seed-expected.md."""

    number: int
    phrase: str  # identifies the sentence
    types: tuple[str, ...]
    acled: str | None  # "-" = any
    sub: str | None = "-"
    dates: tuple[date, date] | None = None  # (date_start, date_end) when exact
    bases: tuple[str, ...] = ()
    actor_countries: frozenset[str] = field(default_factory=frozenset)
    place: str | None = None
    country: str | None = None
    precision: int | None = None
    point: tuple[float, float] | None = None


D16, D17 = date(2024, 12, 16), date(2024, 12, 17)
GOLDEN = [
    Golden(1, "intensified their assault", ("ASSAULT",), "Battles", "-", (date(2024, 12, 15), D17),
           ("relative",), frozenset({"RUS"}), "Kursk", "RUS", 3),
    Golden(2, "fighting alongside Russian forces", ("ASSAULT", "CONSULT", "ACCUSE"), "-", "-",
           (D16, D16), ("explicit",), frozenset({"PRK"}), "Kursk", "RUS"),
    Golden(3, "hold back the Russian advances", ("ASSAULT",), "Battles", "-", None,
           ("publication",), frozenset({"RUS"}), "Pokrovsk", "UKR", 1, (48.28, 37.18)),
    Golden(4, "disruption of a large spying network", ("COERCE",), "Strategic developments",
           "Arrests", None, ("publication",), frozenset({"UKR"}), None, "UKR"),
    Golden(5, "met with Ukrainian President", ("CONSULT",), None, None, None,
           ("publication", "context"), frozenset({"POL", "UKR"}), "Lviv", "UKR", 1),
    Golden(6, "urged his Western allies", ("REQUEST",), None, None, None,
           ("publication", "context"), frozenset({"UKR"})),
    Golden(7, "suggesting that Zelenskiy", ("REQUEST", "CONSULT"), None, None, (D16, D16),
           ("explicit",), frozenset({"USA"})),
    Golden(8, "convened in Tallinn", ("CONSULT",), None, None, (D17, D17), ("explicit",),
           frozenset(), "Tallinn", "EST", 1),
    Golden(9, "condemning the support", ("ACCUSE",), None, None, (D17, D17), ("context",),
           frozenset(), "Tallinn", "EST", 1),
]


def _row(events: pd.DataFrame, golden: Golden) -> pd.Series:
    found = events[events["sentence"].str.contains(golden.phrase, regex=False)
                   & events["event_type"].isin(golden.types)]
    assert not found.empty, f"event {golden.number} ({golden.phrase!r}) not found"
    return found.iloc[0]


def _value(value: object) -> object:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: f"event{g.number}")
def test_type_and_actors(seed_events: pd.DataFrame, golden: Golden) -> None:
    row = _row(seed_events, golden)
    if golden.acled != "-":
        assert _value(row["acled_event_type"]) == golden.acled
    if golden.sub != "-":
        assert _value(row["acled_sub_event_type"]) == golden.sub
    countries = {row["actor1_country"], row["actor2_country"]}
    assert golden.actor_countries <= countries
    if golden.number in (8, 9):
        assert row["actor1"] == "Joint Expeditionary Force"


@needs_temporal
@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: f"event{g.number}")
def test_dates(seed_events: pd.DataFrame, golden: Golden) -> None:
    row = _row(seed_events, golden)
    assert row["date_basis"] in golden.bases
    assert row["event_date"] <= PUB and row["date_end"] <= PUB
    if golden.dates is not None:
        assert (row["date_start"], row["date_end"]) == golden.dates
    else:
        assert row["date_end"] == PUB and row["date_start"] >= date(2024, 12, 10)


@needs_geo
@pytest.mark.parametrize("golden", [g for g in GOLDEN if g.country], ids=lambda g: f"event{g.number}")
def test_locations(seed_events: pd.DataFrame, golden: Golden) -> None:
    row = _row(seed_events, golden)
    assert row["country_iso3"] == golden.country
    if golden.place:
        assert golden.place in row["location"]
    if golden.precision:
        assert row["geo_precision"] == golden.precision
    if golden.point:
        assert abs(row["latitude"] - golden.point[0]) < 0.05
        assert abs(row["longitude"] - golden.point[1]) < 0.05


def test_dateline_is_not_every_events_place(seed_events: pd.DataFrame) -> None:
    assert not seed_events["location"].fillna("").str.contains("Kyiv").any()


@needs_temporal
def test_no_event_after_publication_nor_on_january_20(seed_events: pd.DataFrame) -> None:
    dated = seed_events.dropna(subset=["event_date"])
    assert len(dated) == len(seed_events)
    for column in ("event_date", "date_start", "date_end"):
        assert (dated[column] <= PUB).all()
        assert not dated[column].isin([date(2024, 1, 20), date(2025, 1, 20)]).any()


def test_no_fatalities_stated(seed_events: pd.DataFrame) -> None:
    assert seed_events["fatalities"].isna().all()


def test_nothing_unreal_is_reported(seed_events: pd.DataFrame) -> None:
    """"ready to negotiate", "racing to expedite military assistance", "ceding territory" are not done."""
    assert not seed_events["event_type"].isin(["AID", "CONCEDE"]).any()
    negotiate = seed_events["trigger"].str.contains("negotiat", case=False)
    assert not negotiate.any()
