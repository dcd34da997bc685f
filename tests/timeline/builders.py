"""Hand-built articles and events in the contract's columns, for timeline, report and validate tests.

Each event's offsets are found in its article's text, so the rows are internally consistent
(``validate`` passes on them) until a test breaks them on purpose.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from etl.io.parquet import write_table
from etl.schema import columns
from etl.timeline import build_timeline, typed_frame

KHARKIV = (49.98081, 36.25272)
KHERSON = (46.63695, 32.61458)
LVIV = (49.83826, 24.02324)
# A village about 10 km from Kharkiv's centre: the same strike told with a nearby place name.
KHARKIV_SUBURB = (50.0660, 36.2010)


def article(article_id: str, text: str, *, source: str | None = "Reuters", url: str | None = None,
            published: str | None = "2024-12-16T10:00:00", title: str | None = None) -> dict[str, Any]:
    """One articles row."""
    return {
        "article_id": article_id, "title": title or text[:40], "text": text, "url": url,
        "source": source, "language": "en",
        "published": datetime.fromisoformat(published) if published else None,
        "published_basis": "metadata" if published else "none", "input_file": f"{article_id}.txt",
        "input_line": None, "content_sha256": "0" * 64, "encoding": "utf-8",
    }


def event(event_id: str, art: dict[str, Any], sentence: str, trigger: str, *,
          day: str, end: str | None = None, precision: str = "day", basis: str = "explicit",
          event_type: str = "ASSAULT", acled: str | None = "Explosions/Remote violence",
          sub: str | None = "Shelling/artillery/missile attack",
          actor1: str | None = "Military Forces of Russia", actor1_country: str | None = "RUS",
          actor1_sector: str | None = "military",
          actor2: str | None = "Civilians (Ukraine)", actor2_country: str | None = "UKR",
          actor2_sector: str | None = "civilians",
          location: str | None = "Kharkiv", admin1: str | None = "Kharkiv Oblast",
          country: str | None = "UKR", point: tuple[float, float] | None = KHARKIV,
          geo_precision: int | None = 1, fatalities: int | None = None,
          confidence: float = 0.8) -> dict[str, Any]:
    """One events row whose sentence and trigger are located in the article's text."""
    start = art["text"].index(sentence)
    trigger_start = art["text"].index(trigger, start)
    first = date.fromisoformat(day)
    last = date.fromisoformat(end) if end else first
    return {
        "event_id": event_id, "article_id": art["article_id"], "sentence": sentence,
        "start": start, "end": start + len(sentence), "trigger": trigger,
        "trigger_start": trigger_start, "trigger_end": trigger_start + len(trigger),
        "event_date": last, "date_start": first, "date_end": last, "date_precision": precision,
        "time_precision": {"day": 1, "week": 2}.get(precision, 3), "date_basis": basis,
        "date_mention_id": None, "event_type": event_type, "quad_class": "material_conflict",
        "acled_event_type": acled, "acled_sub_event_type": sub,
        "actor1": actor1, "actor1_country": actor1_country,
        "actor1_sector": actor1_sector if actor1 else None,
        "actor2": actor2, "actor2_country": actor2_country,
        "actor2_sector": actor2_sector if actor2 else None,
        "location": location, "admin1": admin1, "country_iso3": country,
        "latitude": point[0] if point else None, "longitude": point[1] if point else None,
        "geo_precision": geo_precision if (point or location) else None, "geonameid": None,
        "fatalities": fatalities, "confidence": confidence,
    }


def frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a contract-typed DataFrame of ``table``."""
    return typed_frame(table, rows)


# The Kharkiv strike of 16 December told three ways, a Kherson strike the same day, a meeting.
A1 = article("a1", "KHARKIV, Dec 16 (Reuters) - A Russian missile strike on Kharkiv on Monday "
             "killed three civilians, officials said.", source="Reuters",
             url="https://www.reuters.com/world/a1", published="2024-12-16T10:00:00")
A2 = article("a2", "Russian missiles hit the city of Kharkiv on December 16, killing four people, "
             "the mayor said. Rescue work continued into the night.", source="Associated Press",
             url="https://apnews.com/a2", published="2024-12-16T14:30:00")
A3 = article("a3", "Russia struck the Kharkiv region overnight, the regional governor said on "
             "Tuesday.", source=None, url="https://www.kyivindependent.com/a3",
             published="2024-12-17T08:00:00")
A4 = article("a4", "Russian shelling hit Kherson on December 16, killing one man, the regional "
             "administration said.", source="Reuters", url="https://www.reuters.com/world/a4",
             published="2024-12-16T18:00:00")
A5 = article("a5", "Polish Prime Minister Donald Tusk met President Volodymyr Zelenskiy in Lviv "
             "on December 16.", source="Ukrainska Pravda", url=None, published="2024-12-16T20:00:00")

E1 = event("e1", A1, "A Russian missile strike on Kharkiv on Monday killed three civilians, "
           "officials said.", "missile strike", day="2024-12-16", basis="relative", fatalities=3,
           confidence=0.9)
E2 = event("e2", A2, "Russian missiles hit the city of Kharkiv on December 16, killing four "
           "people, the mayor said.", "hit", day="2024-12-16", fatalities=4,
           point=KHARKIV_SUBURB, location="Kharkiv outskirts", geo_precision=2, confidence=0.7)
E2["date_mention_id"] = "a2-m1"  # "December 16", the date_mentions row written below
E3 = event("e3", A3, "Russia struck the Kharkiv region overnight, the regional governor said on "
           "Tuesday.", "struck", day="2024-12-16", end="2024-12-17", precision="week",
           basis="publication", actor1="Government of Russia", actor1_sector="government",
           actor2=None, actor2_country=None,
           location="Kharkiv Oblast", point=(49.5, 36.5), geo_precision=3, confidence=0.5)
E4 = event("e4", A4, "Russian shelling hit Kherson on December 16, killing one man, the regional "
           "administration said.", "shelling", day="2024-12-16", fatalities=1,
           location="Kherson", admin1="Kherson Oblast", point=KHERSON)
E5 = event("e5", A5, "Polish Prime Minister Donald Tusk met President Volodymyr Zelenskiy in Lviv "
           "on December 16.", "met", day="2024-12-16", event_type="CONSULT", acled=None, sub=None,
           actor1="Government of Poland", actor1_country="POL", actor1_sector="government",
           actor2="Government of Ukraine", actor2_country="UKR", actor2_sector="government",
           location="Lviv", admin1="Lviv Oblast", point=LVIV)

ARTICLES = [A1, A2, A3, A4, A5]
EVENTS = [E1, E2, E3, E4, E5]


def write_processed(out_dir: Path) -> Path:
    """A complete processed folder (every contract table) from the hand-built rows."""
    articles = frame("articles", ARTICLES)
    events = frame("events", EVENTS)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_table("articles", articles, out_dir)
    mention_text = "December 16"
    start = A2["text"].index(mention_text)
    mentions = [{
        "article_id": "a2", "mention_id": "a2-m1", "start": start, "end": start + len(mention_text),
        "text": mention_text, "type": "DATE", "value": "2024-12-16", "date_start": date(2024, 12, 16),
        "date_end": date(2024, 12, 16), "granularity": "day", "anchor": "reference",
        "anchor_value": "2024-12-16", "rule": "month_day",
    }]
    write_table("date_mentions", frame("date_mentions", mentions), out_dir)
    write_table("events", events, out_dir)
    write_table("timeline", build_timeline(events, articles), out_dir)
    problems = [{"input_file": "bad.bin", "line": None, "article_id": None, "stage": "ingest",
                 "severity": "error", "code": "unsupported_format", "message": "not an article"}]
    write_table("problems", pd.DataFrame(problems, columns=columns("problems")), out_dir)
    return out_dir
