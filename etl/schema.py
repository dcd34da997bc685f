"""Every table's pyarrow schema, in one place; writers enforce it.

The column names and types here are the public interface of ``DATA_CONTRACT.md``. Adding a
column is fine; renaming or retyping one is a schema-version bump (``SCHEMA_VERSION``) that
must also be recorded in CODEBOOK.md.

    >>> [f.name for f in TABLES["problems"]][:3]
    ['input_file', 'line', 'article_id']
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "1.0"

_str = pa.string()
_date = pa.date32()
_f64 = pa.float64()
_i64 = pa.int64()

ARTICLES = pa.schema(
    [
        ("article_id", _str),
        ("title", _str),
        ("text", _str),
        ("url", _str),
        ("source", _str),
        ("language", _str),
        # where `language` came from: given, guessed (from the text's function words), default
        ("language_basis", _str),
        ("published", pa.timestamp("s")),
        ("published_basis", _str),
        # the day of publication in the zone the input stated (relative dates count from it)
        ("published_local_date", _date),
        ("input_file", _str),
        ("input_line", _i64),
        ("content_sha256", _str),
        ("encoding", _str),
    ]
)

DATE_MENTIONS = pa.schema(
    [
        ("article_id", _str),
        ("mention_id", _str),
        ("start", _i64),
        ("end", _i64),
        ("text", _str),
        ("type", _str),
        ("value", _str),
        ("date_start", _date),
        ("date_end", _date),
        ("granularity", _str),
        ("anchor", _str),
        ("anchor_value", _str),
        ("rule", _str),
        ("tense", _str),
    ]
)

EVENTS = pa.schema(
    [
        ("event_id", _str),
        ("article_id", _str),
        ("sentence", _str),
        ("start", _i64),
        ("end", _i64),
        ("trigger", _str),
        ("trigger_start", _i64),
        ("trigger_end", _i64),
        ("event_date", _date),
        ("date_start", _date),
        ("date_end", _date),
        ("date_precision", _str),
        ("time_precision", _i64),
        ("date_basis", _str),
        ("date_mention_id", _str),
        ("event_type", _str),
        ("quad_class", _str),
        ("acled_event_type", _str),
        ("acled_sub_event_type", _str),
        ("actor1", _str),
        ("actor1_country", _str),
        ("actor1_sector", _str),
        ("actor2", _str),
        ("actor2_country", _str),
        ("actor2_sector", _str),
        ("location", _str),
        ("admin1", _str),
        ("country_iso3", _str),
        ("latitude", _f64),
        ("longitude", _f64),
        ("geo_precision", _i64),
        ("geonameid", _i64),
        ("fatalities", _i64),
        ("confidence", _f64),
    ]
)

TIMELINE = pa.schema(
    [
        ("timeline_id", _str),
        ("event_date", _date),
        ("date_start", _date),
        ("date_end", _date),
        ("event_type", _str),
        ("acled_event_type", _str),
        ("actor1", _str),
        ("actor2", _str),
        ("location", _str),
        ("admin1", _str),
        ("country_iso3", _str),
        ("latitude", _f64),
        ("longitude", _f64),
        ("geo_precision", _i64),
        ("fatalities", _i64),
        ("n_articles", _i64),
        ("n_sources", _i64),
        ("first_reported", pa.timestamp("s")),
        ("article_ids", pa.list_(_str)),
        ("event_ids", pa.list_(_str)),
        ("summary", _str),
    ]
)

PROBLEMS = pa.schema(
    [
        ("input_file", _str),
        ("line", _i64),
        ("article_id", _str),
        ("stage", _str),
        ("severity", _str),
        ("code", _str),
        ("message", _str),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "date_mentions": DATE_MENTIONS,
    "events": EVENTS,
    "timeline": TIMELINE,
    "problems": PROBLEMS,
}

# The timeline's row order; the per-article tables keep input order (files by path, then
# records in file order), which is independent of parallelism by construction.
SORT_KEYS: dict[str, list[str]] = {"timeline": ["event_date", "timeline_id"]}

PUBLISHED_BASIS = ("metadata", "dateline", "inferred", "default", "none")
MENTION_TYPES = ("DATE", "TIME", "DURATION", "SET")
GRANULARITIES = (
    "day", "week", "month", "quarter", "season", "year", "decade", "century", "time",
)
ANCHORS = ("absolute", "reference", "narrative")
DATE_BASIS = ("explicit", "relative", "context", "publication")
DATE_PRECISION = ("day", "week", "month", "year")
SEVERITIES = ("error", "warning")


def columns(table: str) -> list[str]:
    """Column names of a table, in schema order: ``columns("problems")[0] == "input_file"``."""
    names: list[str] = TABLES[table].names
    return names
