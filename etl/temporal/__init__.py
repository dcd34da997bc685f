"""The temporal engine: find every date expression and normalize it to a TimeML value.

English goes through our own grammar (``etl/resources/temporal/``); other languages through
dateparser's language data. Relative expressions resolve against the reference (publication)
date or, in narratives, against the last date the text set.

    >>> [(m.text, m.value) for m in tag("Russia struck Kyiv on Friday.", date(2024, 12, 20))]
    [('Friday', '2024-12-20')]
    >>> tag("On December 16 ...", None)[0].value
    'XXXX-12-16'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any, Literal, overload

import pandas as pd

from etl.problems import Problem
from etl.schema import DATE_MENTIONS
from etl.temporal.resolve import Resolved, find

__all__ = ["Mention", "date", "reference_day", "tag", "tag_articles", "tag_rows"]


@dataclass(frozen=True)
class Mention:
    """One temporal expression: its span in the text and its normalized value."""

    start: int
    end: int
    text: str
    type: str  # DATE | TIME | DURATION | SET
    value: str  # TimeML value
    date_start: dt.date | None
    date_end: dt.date | None
    granularity: str | None
    anchor: str | None  # absolute | reference | narrative
    anchor_value: str | None  # the anchor point's value, e.g. "2024-12-17"
    rule: str  # grammar rule that matched
    tense: str | None = None  # past | future | None: the cue used for underspecified dates


def _reference_day(reference: dt.date | dt.datetime | pd.Timestamp | None) -> dt.date | None:
    if reference is None:
        return None
    if isinstance(reference, pd.Timestamp):
        return None if pd.isna(reference) else reference.date()
    if isinstance(reference, dt.datetime):
        return reference.date()
    return reference


def _day(value: Any) -> dt.date | None:
    """The calendar day of a cell: a date, datetime or Timestamp; None for None, NaT or NaN."""
    if value is None or value is pd.NaT:  # NaT passes for a datetime
        return None
    if isinstance(value, dt.datetime):  # a pd.Timestamp is one too
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        stamp = pd.Timestamp(value)  # NaN, numpy datetimes, ISO strings
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp.date()


def reference_day(article: Mapping[str, Any]) -> dt.date | None:
    """The day an article's relative dates count from: its local day of publication
    (``published_local_date``) when the row has one, else the day of ``published`` (naive UTC).

        >>> reference_day({"published": dt.datetime(2024, 12, 18, 3, 30),
        ...                "published_local_date": dt.date(2024, 12, 17)})
        datetime.date(2024, 12, 17)
    """
    return _day(article.get("published_local_date")) or _day(article.get("published"))


def _readable(language: str) -> bool:
    """Whether dates of a text in ``language`` can be read (ours for English, else dateparser's)."""
    lang = language.lower().split("-")[0]
    if lang == "en":
        return True
    from etl.temporal.foreign import supports

    return supports(lang)


def _resolved(text: str, reference: dt.date | None, language: str) -> list[Resolved]:
    """The mentions of ``text`` as ``Resolved`` records (rows are built from these without a ``Mention``)."""
    lang = (language or "en").lower().split("-")[0]
    if lang == "en":
        found: list[Resolved] = find(text, reference)
    else:
        from etl.temporal.foreign import find_foreign

        found = find_foreign(text, reference, lang)
    return [r for r in found if not names_impossible_day(r.value)]


def _mentions(text: str, reference: dt.date | None, language: str) -> list[Mention]:
    found = _resolved(text, reference, language)
    return [Mention(**{f.name: getattr(r, f.name) for f in fields(Mention)}) for r in found]


_FULL_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T|$)")


def names_impossible_day(value: str) -> bool:
    """A value naming a day no calendar has: ``names_impossible_day("2024-02-31") is True``.

    "31 February 2024" matches the grammar's shape but is not a date: it is not tagged.
    """
    match = _FULL_DAY.match(value)
    if match is None:
        return False
    try:
        dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return True
    return False


@overload
def tag(
    text: str,
    reference_date: dt.date | dt.datetime | None,
    language: str = ...,
    as_frame: Literal[False] = ...,
) -> list[Mention]: ...
@overload
def tag(
    text: str, reference_date: dt.date | dt.datetime | None, language: str = ..., *, as_frame: Literal[True]
) -> pd.DataFrame: ...


def tag(
    text: str,
    reference_date: dt.date | dt.datetime | None,
    language: str = "en",
    as_frame: bool = False,
) -> list[Mention] | pd.DataFrame:
    """Temporal expressions of ``text`` resolved against ``reference_date`` (None: keep XXXX).

        >>> [(m.text, m.value, m.anchor) for m in tag("Talks failed on Monday.", date(2024, 12, 17))]
        [('Monday', '2024-12-16', 'reference')]
    """
    mentions = _mentions(text, _reference_day(reference_date), language)
    if as_frame:
        columns = [f.name for f in fields(Mention)]
        return pd.DataFrame([asdict(m) for m in mentions], columns=columns)
    return mentions


def _optional(value: object) -> object:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def tag_articles(articles: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """The ``date_mentions`` table of an ``articles`` table, plus a warning per undated article.

        >>> frame = pd.DataFrame([{"article_id": "a", "text": "On Friday ...", "published": pd.NaT}])
        >>> table, problems = tag_articles(frame)
        >>> list(table["value"]), [p.code for p in problems]
        (['XXXX-WXX-5'], ['no_reference_date'])
    """
    rows, problems = tag_rows(_records(articles))
    frame = pd.DataFrame(rows, columns=DATE_MENTIONS.names)
    for col in ("start", "end"):
        frame[col] = frame[col].astype("int64")
    return frame, problems


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def tag_rows(articles: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """``date_mentions`` rows of article rows (dicts), plus a warning per undated article.

        >>> rows, _ = tag_rows([{"article_id": "a", "text": "On Friday", "published": None}])
        >>> rows[0]["mention_id"], rows[0]["value"]
        ('a:t1', 'XXXX-WXX-5')
    """
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for article in articles:
        article_id = str(article["article_id"])
        text = article.get("text")
        text = text if isinstance(text, str) else ""
        # the outlet's own day: "yesterday" in a 21:30 -06:00 article is the day before the 17th
        reference = reference_day(article)
        if reference is None:
            problems.append(
                Problem(
                    input_file=_optional(article.get("input_file")),  # type: ignore[arg-type]
                    line=_optional(article.get("input_line")),  # type: ignore[arg-type]
                    article_id=article_id,
                    stage="temporal",
                    severity="warning",
                    code="no_reference_date",
                    message="no publication date: relative dates keep unresolved values (XXXX)",
                )
            )
        language = article.get("language")
        language = language if isinstance(language, str) and language else "en"
        if not _readable(language):
            problems.append(Problem(
                _optional(article.get("input_file")), _optional(article.get("input_line")),  # type: ignore[arg-type]
                article_id, "temporal", "warning", "unsupported_language",
                f"dates are read in English and in dateparser's languages; {language!r} is neither: "
                "no date mentions"))
            continue
        for n, m in enumerate(_resolved(text, reference, language), start=1):
            rows.append(
                {
                    "article_id": article_id,
                    "mention_id": f"{article_id}:t{n}",
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                    "type": m.type,
                    "value": m.value,
                    "date_start": m.date_start,
                    "date_end": m.date_end,
                    "granularity": m.granularity,
                    "anchor": m.anchor,
                    "anchor_value": m.anchor_value,
                    "rule": m.rule,
                    "tense": m.tense,
                }
            )
    return rows, problems
