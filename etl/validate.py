"""Check a processed folder against the data contract; every broken promise is one ``Failure``.

Checks: each table present with the contract's columns and types; ids present and unique;
every event's and date mention's article exists; every timeline member exists and is in one
row only; ``date_start <= event_date <= date_end``; coordinates in range and paired; coded
columns within their vocabularies; offsets that slice the article text to the stored surface
(``date_mentions.text``, ``events.trigger``; ``events.start:end`` lies inside ``sentence``).

    >>> [str(f) for f in validate("data/processed")]              # doctest: +SKIP
    ['events: offsets: 2 rows whose sentence is not text[start:end] (e.g. e17, e18)']
"""

from __future__ import annotations

import os
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from etl.config import RESOURCES_DIR
from etl.io.parquet import arrow_to_frame
from etl.schema import (
    ANCHORS,
    DATE_BASIS,
    DATE_PRECISION,
    GRANULARITIES,
    MENTION_TYPES,
    PUBLISHED_BASIS,
    SEVERITIES,
    TABLES,
)

EXAMPLES = 3  # ids quoted per failure: enough to find the rows, short enough to read


@dataclass(frozen=True)
class Failure:
    """One failed check: which table, which check, what is wrong (with example ids)."""

    table: str
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.table}: {self.check}: {self.message}"


@cache
def vocabularies() -> dict[str, list[Any]]:
    """Allowed values of coded columns, from ``etl/resources/validate/vocabularies.toml``."""
    with open(RESOURCES_DIR / "validate" / "vocabularies.toml", "rb") as handle:
        return tomllib.load(handle)


def _examples(values: Iterable[Any]) -> str:
    shown = [str(v) for v in list(values)[:EXAMPLES]]
    return f" (e.g. {', '.join(shown)})" if shown else ""


def _rows_failure(table: str, check: str, what: str, ids: Sequence[Any]) -> list[Failure]:
    """A failure naming how many rows broke a check and a few of their ids; none if no rows."""
    if not ids:
        return []
    noun = "row" if len(ids) == 1 else "rows"
    return [Failure(table, check, f"{len(ids)} {noun} {what}{_examples(ids)}")]


def _same_type(actual: pa.DataType, expected: pa.DataType) -> bool:
    if actual.equals(expected):
        return True
    if pa.types.is_timestamp(actual) and pa.types.is_timestamp(expected):
        # Parquet has no second unit: timestamp[s] is stored, and read back, as milliseconds.
        return actual.tz == expected.tz  # type: ignore[no-any-return]
    strings = (pa.string(), pa.large_string())
    return any(actual.equals(s) for s in strings) and any(expected.equals(s) for s in strings)


def check_schema(table: str, actual: pa.Schema) -> list[Failure]:
    """Every contract column present with its type; extra columns are allowed."""
    failures = []
    for field in TABLES[table]:
        if field.name not in actual.names:
            failures.append(Failure(table, "schema", f"missing column {field.name!r}"))
            continue
        got = actual.field(field.name).type
        if not _same_type(got, field.type):
            message = f"column {field.name!r} is {got}, expected {field.type}"
            failures.append(Failure(table, "schema", message))
    return failures


def _id_column(table: str) -> str:
    return TABLES[table].names[0] if table not in ("date_mentions",) else "mention_id"


def _ids(frame: pd.DataFrame, table: str, mask: pd.Series) -> list[Any]:
    column = _id_column(table) if table != "problems" else "input_file"
    return frame.loc[mask.fillna(False).astype(bool), column].tolist()


def check_ids(table: str, frame: pd.DataFrame, column: str) -> list[Failure]:
    """An id column has no missing values and no repeats."""
    failures = _rows_failure(table, "ids", f"without {column}", frame.index[frame[column].isna()].tolist())
    counts = Counter(frame[column].dropna().tolist())
    repeated = sorted(v for v, n in counts.items() if n > 1)
    if repeated:
        message = f"{len(repeated)} repeated {column} values{_examples(repeated)}"
        failures.append(Failure(table, "ids", message))
    return failures


def check_reference(table: str, frame: pd.DataFrame, column: str, parent: str,
                    parent_ids: set[Any]) -> list[Failure]:
    """Every non-null value of ``column`` is an id of the parent table."""
    values = frame[column]
    dangling = values.notna() & ~values.isin(parent_ids)
    return _rows_failure(table, "references", f"whose {column} is not in {parent}",
                         _ids(frame, table, dangling))


def check_date_order(table: str, frame: pd.DataFrame, columns: Sequence[str]) -> list[Failure]:
    """Dates in ``columns`` never decrease left to right where both are present."""
    failures = []
    for earlier, later in pairwise(columns):
        a, b = pd.to_datetime(frame[earlier]), pd.to_datetime(frame[later])
        bad = a.notna() & b.notna() & (a > b)
        failures += _rows_failure(table, "dates", f"with {earlier} after {later}", _ids(frame, table, bad))
    return failures


def check_coordinates(table: str, frame: pd.DataFrame) -> list[Failure]:
    """Latitude in [-90, 90], longitude in [-180, 180], both present or both missing."""
    lat, lon = frame["latitude"].astype("Float64"), frame["longitude"].astype("Float64")
    out_of_range = ((lat < -90) | (lat > 90) | (lon < -180) | (lon > 180)).fillna(False)
    unpaired = lat.isna() != lon.isna()
    return (_rows_failure(table, "coordinates", "with coordinates out of range",
                          _ids(frame, table, out_of_range))
            + _rows_failure(table, "coordinates", "with only one of latitude/longitude",
                            _ids(frame, table, unpaired)))


def check_vocabulary(table: str, frame: pd.DataFrame, column: str, allowed: Iterable[Any]) -> list[Failure]:
    """Every non-null value of a coded column is one of its allowed values."""
    values = frame[column]
    bad = values.notna() & ~values.isin(list(allowed))
    shown = sorted({str(v) for v in values[bad.fillna(False).astype(bool)]})
    return _rows_failure(table, "values", f"with {column} not in the vocabulary {shown[:EXAMPLES]}",
                         _ids(frame, table, bad))


def check_range(table: str, frame: pd.DataFrame, column: str, low: float | None,
                high: float | None) -> list[Failure]:
    """Numbers within [low, high] where present."""
    values = frame[column].astype("Float64")
    bad = pd.Series(False, index=frame.index)
    if low is not None:
        bad |= (values < low).fillna(False)
    if high is not None:
        bad |= (values > high).fillna(False)
    return _rows_failure(table, "values", f"with {column} outside [{low}, {high}]", _ids(frame, table, bad))


def _slice_matches(piece: str, surface: str, text: str, within: bool) -> bool:
    """The slice equals the surface, or (``within``) lies inside a surface taken from the text."""
    return piece in surface and surface in text if within else piece == surface


def check_offsets(table: str, frame: pd.DataFrame, texts: dict[Any, str], start: str, end: str,
                  surface: str, within: bool = False) -> list[Failure]:
    """``articles.text[start:end] == surface`` for every row whose article is known; with
    ``within``, the slice need only lie inside the surface (an event's clause in its sentence)."""
    bad = []
    id_column = _id_column(table)
    for row_id, article_id, first, last, stored in zip(
            frame[id_column], frame["article_id"], frame[start], frame[end], frame[surface], strict=True):
        text = texts.get(article_id)
        if text is None or pd.isna(first) or pd.isna(last):
            continue
        first, last = int(first), int(last)
        surface_text = None if pd.isna(stored) else str(stored)
        in_range = 0 <= first <= last <= len(text) and surface_text is not None
        if not in_range or not _slice_matches(text[first:last], surface_text or "", text, within):
            bad.append(row_id)
    relation = "does not hold" if within else "is not"
    return _rows_failure(table, "offsets", f"whose {surface} {relation} text[{start}:{end}]", bad)


def _members(value: Any) -> list[Any]:
    if value is None or (not isinstance(value, (list, tuple)) and not hasattr(value, "tolist")):
        return []
    return list(value.tolist() if hasattr(value, "tolist") else value)


def check_timeline(timeline: pd.DataFrame, events: pd.DataFrame | None,
                   articles: pd.DataFrame | None) -> list[Failure]:
    """Members exist, each event is in exactly one row (if dated), counts match the lists."""
    failures: list[Failure] = []
    event_ids = [_members(v) for v in timeline["event_ids"]]
    article_ids = [_members(v) for v in timeline["article_ids"]]
    ids = timeline["timeline_id"].tolist()
    empty = [i for i, members in zip(ids, event_ids, strict=True) if not members]
    failures += _rows_failure("timeline", "members", "without event_ids", empty)
    miscounted = [i for i, members, n in zip(ids, article_ids, timeline["n_articles"], strict=True)
                  if pd.isna(n) or int(n) != len(set(members))]
    failures += _rows_failure("timeline", "members", "whose n_articles is not the number of article_ids",
                              miscounted)
    too_many = [i for i, a, s in zip(ids, timeline["n_articles"], timeline["n_sources"], strict=True)
                if not pd.isna(a) and not pd.isna(s) and not 1 <= int(s) <= int(a)]
    failures += _rows_failure("timeline", "members", "whose n_sources is not between 1 and n_articles",
                              too_many)
    if articles is not None:
        known_articles = set(articles["article_id"].dropna())
        dangling = [i for i, members in zip(ids, article_ids, strict=True)
                    if not set(members) <= known_articles]
        failures += _rows_failure("timeline", "references", "with article_ids not in articles", dangling)
    if events is not None:
        known = set(events["event_id"].dropna())
        dangling = [i for i, members in zip(ids, event_ids, strict=True) if not set(members) <= known]
        failures += _rows_failure("timeline", "references", "with event_ids not in events", dangling)
        seen = Counter(e for members in event_ids for e in members)
        twice = sorted(e for e, n in seen.items() if n > 1)
        failures += _rows_failure("timeline", "members", "of events in more than one timeline row", twice)
        dated = events.loc[events["event_date"].notna(), "event_id"].dropna()
        missing = sorted(e for e in dated if e not in seen)
        failures += _rows_failure("events", "members", "of dated events in no timeline row", missing)
        article_of = dict(zip(events["event_id"], events["article_id"], strict=True))
        mismatched = [i for i, e_ids, a_ids in zip(ids, event_ids, article_ids, strict=True)
                      if set(e_ids) <= known and {article_of[e] for e in e_ids} != set(a_ids)]
        failures += _rows_failure("timeline", "members",
                                  "whose article_ids are not the articles of its event_ids", mismatched)
    return failures


Check = Callable[[dict[str, pd.DataFrame]], list[Failure]]


def _checks_articles(t: dict[str, pd.DataFrame]) -> list[Failure]:
    articles = t["articles"]
    return (check_ids("articles", articles, "article_id")
            + check_vocabulary("articles", articles, "published_basis", PUBLISHED_BASIS))


def _texts(t: dict[str, pd.DataFrame]) -> dict[Any, str]:
    if "articles" not in t:
        return {}
    articles = t["articles"].dropna(subset=["article_id"]).drop_duplicates("article_id")
    return {a: ("" if pd.isna(x) else str(x)) for a, x in zip(articles["article_id"], articles["text"],
                                                                 strict=True)}


def _article_ids(t: dict[str, pd.DataFrame]) -> set[Any] | None:
    return set(t["articles"]["article_id"].dropna()) if "articles" in t else None


def _checks_mentions(t: dict[str, pd.DataFrame]) -> list[Failure]:
    mentions, name = t["date_mentions"], "date_mentions"
    failures = check_ids(name, mentions, "mention_id")
    if (known := _article_ids(t)) is not None:
        failures += check_reference(name, mentions, "article_id", "articles", known)
    failures += check_offsets(name, mentions, _texts(t), "start", "end", "text")
    failures += check_date_order(name, mentions, ["date_start", "date_end"])
    failures += check_vocabulary(name, mentions, "type", MENTION_TYPES)
    failures += check_vocabulary(name, mentions, "granularity", GRANULARITIES)
    failures += check_vocabulary(name, mentions, "anchor", ANCHORS)
    return failures


def _checks_events(t: dict[str, pd.DataFrame]) -> list[Failure]:
    events, name, vocab = t["events"], "events", vocabularies()
    failures = check_ids(name, events, "event_id")
    if (known := _article_ids(t)) is not None:
        failures += check_reference(name, events, "article_id", "articles", known)
    if "date_mentions" in t:
        failures += check_reference(name, events, "date_mention_id", "date_mentions",
                                    set(t["date_mentions"]["mention_id"].dropna()))
    texts = _texts(t)
    # start/end may mark the event's clause (DATA_CONTRACT: "offsets of the sentence or clause").
    failures += check_offsets(name, events, texts, "start", "end", "sentence", within=True)
    failures += check_offsets(name, events, texts, "trigger_start", "trigger_end", "trigger")
    failures += check_date_order(name, events, ["date_start", "event_date", "date_end"])
    failures += check_coordinates(name, events)
    failures += check_vocabulary(name, events, "date_precision", DATE_PRECISION)
    failures += check_vocabulary(name, events, "date_basis", DATE_BASIS)
    failures += check_vocabulary(name, events, "event_type", vocab["plover_event_types"])
    failures += check_vocabulary(name, events, "quad_class", vocab["quad_classes"])
    failures += check_vocabulary(name, events, "acled_event_type", vocab["acled_event_types"])
    failures += check_vocabulary(name, events, "time_precision", vocab["time_precisions"])
    failures += check_vocabulary(name, events, "geo_precision", vocab["geo_precisions"])
    failures += check_range(name, events, "confidence", 0.0, 1.0)
    failures += check_range(name, events, "fatalities", 0, None)
    return failures


def _checks_timeline(t: dict[str, pd.DataFrame]) -> list[Failure]:
    timeline, name = t["timeline"], "timeline"
    failures = check_ids(name, timeline, "timeline_id")
    failures += check_date_order(name, timeline, ["date_start", "event_date", "date_end"])
    failures += check_coordinates(name, timeline)
    failures += check_vocabulary(name, timeline, "event_type", vocabularies()["plover_event_types"])
    failures += check_range(name, timeline, "fatalities", 0, None)
    failures += check_timeline(timeline, t.get("events"), t.get("articles"))
    return failures


def _checks_problems(t: dict[str, pd.DataFrame]) -> list[Failure]:
    return check_vocabulary("problems", t["problems"], "severity", SEVERITIES)


CHECKS: dict[str, Check] = {
    "articles": _checks_articles,
    "date_mentions": _checks_mentions,
    "events": _checks_events,
    "timeline": _checks_timeline,
    "problems": _checks_problems,
}


def validate_tables(tables: dict[str, pd.DataFrame]) -> list[Failure]:
    """Content checks on tables already loaded (columns the schema check found missing are skipped)."""
    failures: list[Failure] = []
    for name, check in CHECKS.items():
        if name not in tables:
            continue
        try:
            failures += check(tables)
        except KeyError as exc:  # a missing column: already reported by the schema check
            failures.append(Failure(name, "schema", f"cannot check contents without column {exc}"))
    return failures


def validate(out_dir: str | os.PathLike[str]) -> list[Failure]:
    """Every failure of a processed folder; an empty list means it keeps the contract.

        >>> validate(tmp_out)                                        # doctest: +SKIP
        []
    """
    root = Path(out_dir)
    if not root.is_dir():
        return [Failure("*", "folder", f"{root} is not a folder")]
    failures: list[Failure] = []
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        path = root / f"{name}.parquet"
        if not path.exists():
            failures.append(Failure(name, "present", f"{path.name} is missing"))
            continue
        try:
            arrow = ds.dataset(path, format="parquet").to_table()
        except (OSError, pa.ArrowException) as exc:
            failures.append(Failure(name, "readable", f"{path.name} cannot be read: {exc}"))
            continue
        failures += check_schema(name, arrow.schema)
        tables[name] = arrow_to_frame(name, arrow)
    return failures + validate_tables(tables)
