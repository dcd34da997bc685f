"""Relative dates count from the outlet's local day of publication, through a real build.

A record published ``2024-12-17T21:30:00-06:00`` was written on the 17th in Wisconsin, though
it is the 18th in UTC: its "yesterday" is the 16th. ``articles.published`` stays naive UTC;
``published_local_date`` keeps the day as written, and the temporal and events stages (the
publication-week fallback too) resolve against it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from etl import build

# id, text, published as given, then: the relative mention's text and value, the event's
# (event_date, date_start, date_basis), published (naive UTC) and the local day
CASES: list[tuple[str, str, str, str | None, str | None, tuple[str, str, str], str, str]] = [
    # evening west of Greenwich: the UTC day is already the next one
    ("us_evening", "Yesterday, a gunman killed three people at a school in Madison, Wisconsin.",
     "2024-12-17T21:30:00-06:00", "Yesterday", "2024-12-16",
     ("2024-12-16", "2024-12-16", "relative"), "2024-12-18 03:30:00", "2024-12-17"),
    # just after midnight east of Greenwich: the UTC day is still the one before
    ("kyiv_night", "Russian forces shelled Kherson yesterday, killing two civilians.",
     "2024-12-17T00:30:00+02:00", "yesterday", "2024-12-16",
     ("2024-12-16", "2024-12-16", "relative"), "2024-12-16 22:30:00", "2024-12-17"),
    ("sydney", "Police said gunmen killed a farmer near Bourke two days ago.",
     "2024-12-18T08:00:00+11:00", "two days ago", "2024-12-16",
     ("2024-12-16", "2024-12-16", "relative"), "2024-12-17 21:00:00", "2024-12-18"),
    ("kashmir_today", "Militants attacked an army camp in Kupwara today, killing one soldier.",
     "2024-12-18T02:00:00+05:30", "today", "2024-12-18",
     ("2024-12-18", "2024-12-18", "relative"), "2024-12-17 20:30:00", "2024-12-18"),
    # a Sunday night in Colombia is Monday in UTC: "last week" is the week before the local one
    ("arauca_week", "ELN rebels attacked a police station in Arauca last week, killing two officers.",
     "2024-12-22T23:00:00-05:00", "last week", "2024-W50",
     ("2024-12-15", "2024-12-09", "relative"), "2024-12-23 04:00:00", "2024-12-22"),
    # no date in the text: the week up to the local day of publication
    ("zamfara_undated", "Gunmen abducted 20 villagers in Zamfara state, residents said.",
     "2024-12-18T00:45:00+01:00", None, None,
     ("2024-12-18", "2024-12-12", "publication"), "2024-12-17 23:45:00", "2024-12-18"),
    # an RSS (RFC 2822) date states its offset its own way
    ("rss_offset", "Yesterday, soldiers clashed with protesters in Tegucigalpa, killing one man.",
     "Tue, 17 Dec 2024 21:30:00 -0600", "Yesterday", "2024-12-16",
     ("2024-12-16", "2024-12-16", "relative"), "2024-12-18 03:30:00", "2024-12-17"),
    # no offset, or UTC itself: the day of published, as before
    ("date_only", "Rebels ambushed a patrol in Tillaberi yesterday, killing five soldiers.",
     "2024-12-17", "yesterday", "2024-12-16",
     ("2024-12-16", "2024-12-16", "relative"), "2024-12-17 00:00:00", "2024-12-17"),
    ("utc_late", "Yesterday, an air strike hit a market in Sudan's North Darfur, killing 12 people.",
     "2024-12-17T23:30:00Z", "Yesterday", "2024-12-16",
     ("2024-12-16", "2024-12-16", "relative"), "2024-12-17 23:30:00", "2024-12-17"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    root = tmp_path_factory.mktemp("localday")
    raw = root / "raw"
    raw.mkdir()
    lines = [json.dumps({"id": c[0], "text": c[1], "published": c[2], "language": "en"}) for c in CASES]
    (raw / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # a dateline gives a day without a zone: it is the local day itself
    (raw / "wire.jsonl").write_text(json.dumps({
        "id": "dateline", "text": "KHARKIV, Dec 17 (Reuters) - Russian drones struck Kharkiv "
        "yesterday, killing one person, officials said."}) + "\n", encoding="utf-8")
    out = root / "out"
    build(raw, out, default_published=date(2024, 6, 1))
    return {name: pd.read_parquet(out / f"{name}.parquet")
            for name in ("articles", "date_mentions", "events")}


def _row(frame: pd.DataFrame, article_id: str) -> dict[str, Any]:
    rows = frame[frame["article_id"] == article_id].to_dict("records")
    assert len(rows) == 1, (article_id, rows)
    return {str(k): v for k, v in rows[0].items()}


def _day(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_articles_keep_utc_and_the_local_day(built: dict[str, pd.DataFrame], case: tuple[Any, ...]) -> None:
    article_id, *_, utc, local = case
    row = _row(built["articles"], article_id)
    assert row["published"] == pd.Timestamp(utc)
    assert _day(row["published_local_date"]) == local
    assert row["published_basis"] == "metadata"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_relative_mentions_resolve_against_the_local_day(
    built: dict[str, pd.DataFrame], case: tuple[Any, ...]
) -> None:
    article_id, _, _, mention_text, value, *_ = case
    mentions = built["date_mentions"]
    mentions = mentions[mentions["article_id"] == article_id]
    if mention_text is None:
        assert mentions.empty
        return
    assert mentions["text"].tolist() == [mention_text]
    assert mentions["value"].tolist() == [value]
    assert mentions["anchor"].tolist() == ["reference"]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_events_are_dated_from_the_local_day(built: dict[str, pd.DataFrame], case: tuple[Any, ...]) -> None:
    article_id, *_, (event_date, date_start, basis), _, local = case
    row = _row(built["events"], article_id)
    got = (_day(row["event_date"]), _day(row["date_start"]), row["date_basis"])
    assert got == (event_date, date_start, basis)
    assert str(got[0]) <= local  # never after the day it was written


def test_a_dateline_day_is_the_local_day(built: dict[str, pd.DataFrame]) -> None:
    article = _row(built["articles"], "dateline")
    assert article["published_basis"] == "dateline"
    assert article["published"] == pd.Timestamp("2024-12-17")
    assert _day(article["published_local_date"]) == "2024-12-17"
    mentions = built["date_mentions"]
    assert mentions[mentions["article_id"] == "dateline"]["value"].tolist()[-1] == "2024-12-16"
    assert _day(_row(built["events"], "dateline")["event_date"]) == "2024-12-16"


def test_the_column_is_a_nullable_date(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text(
        json.dumps({"id": "undated", "text": "Shelling hit Kharkiv yesterday."}) + "\n"
        + json.dumps({"id": "dated", "text": "Shelling hit Kharkiv yesterday.",
                      "published": "2024-03-01T01:00:00+03:00"}) + "\n", encoding="utf-8")
    build(raw, tmp_path / "out")
    table = pq.read_table(tmp_path / "out" / "articles.parquet")
    assert str(table.schema.field("published_local_date").type) == "date32[day]"
    assert table["published_local_date"].to_pylist() == [None, date(2024, 3, 1)]
    mentions = pd.read_parquet(tmp_path / "out" / "date_mentions.parquet")
    assert mentions["value"].tolist() == ["XXXX-XX-XX", "2024-02-29"]
