"""Event dates from the temporal stage's ``date_mentions`` rows.

Order of preference: the mention governing the event's clause, then one elsewhere in the
sentence, then the date carried over from the sentence before when the text continues it,
then the publication date with week precision. Durations ("for three consecutive days") and
spans started by a date ("since Thursday") become ranges ending at the reference date; dates
named together ("on Friday and Saturday", "from March 3 to 5") become the range they cover
(``etl/resources/temporal/event_spans.toml``). Nothing reported as done is dated after
publication.

    >>> d = date_from_mention(MentionRow("m1", 4, 14, "P3D", "DURATION", None, None, "three days"),
    ...                       date(2024, 12, 17), before="for ")
    >>> (d.date_start, d.date_end, d.date_basis)
    (datetime.date(2024, 12, 15), datetime.date(2024, 12, 17), 'relative')
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any

import pandas as pd
from dateutil.relativedelta import relativedelta

from etl.config import RESOURCES_DIR
from etl.events.resources import patterns

PUBLICATION_WINDOW_DAYS = 6  # "on or shortly before publication": the week up to it
BEFORE_CHARS = 100  # text before a mention read for its lead ("for", "since the attack of")
_DURATION = re.compile(r"^P(\d+)([DWMY])$")
_MONTH_OR_NUMBER = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\d", re.IGNORECASE
)


@cache
def _word_pattern(name: str, suffix: str = "") -> re.Pattern[str]:
    """A ``patterns.toml`` word list as one case-insensitive alternation."""
    words = sorted(patterns()[name], key=len, reverse=True)
    alternation = "|".join(re.escape(w) for w in words)
    return re.compile(rf"\b(?:{alternation})\b{suffix}", re.IGNORECASE)


@cache
def _spans() -> dict[str, Any]:
    """``etl/resources/temporal/event_spans.toml``: how mentions combine into an event's interval."""
    with (RESOURCES_DIR / "temporal" / "event_spans.toml").open("rb") as handle:
        return tomllib.load(handle)


def _alternation(words: Iterable[str]) -> str:
    """Phrases as a regex alternation, longest first, any white space between their words."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in ordered)


@cache
def _span_start_word() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{_alternation(_spans()['span_start_words'])})\b", re.IGNORECASE)


_GAP_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_GAP_STOP = re.compile(r"[.;:!?()\[\]\"“”,\n]")  # no span word reaches over these


def span_start(before: str) -> int | None:
    """Where in ``before`` (the text before a date) the "since" starts whose span the date opens.

        >>> span_start("have fired missiles since the attack of "), span_start("since rebels left and on ")
        (20, None)
    """
    if "ince" not in before and "INCE" not in before:  # every span word ends in "since"
        return None
    found = None
    for match in _span_start_word().finditer(before):
        found = match  # the last one: the nearest to the date
    if found is None:
        return None
    gap = before[found.end() :]
    if _GAP_STOP.search(gap):
        return None
    words = [w.lower() for w in _GAP_WORD.findall(gap)]
    if len(words) > int(_spans()["span_start_max_words"]):
        return None
    breaks = _span_breaks()
    return None if any(w in breaks for w in words) else found.start()


@cache
def _span_breaks() -> frozenset[str]:
    return frozenset(w.lower() for w in _spans()["span_start_breaks"])


@cache
def _join() -> re.Pattern[str]:
    """What may stand between two date mentions of one range: a joiner, then "on"/"the"."""
    spans = _spans()
    return re.compile(
        rf"\s*(?:(?P<range>{_alternation(spans['range_joiners'])})|(?P<list>{_alternation(spans['list_joiners'])}))"
        rf"\s*(?:(?:{_alternation(spans['joiner_fillers'])})\s+)?",
        re.IGNORECASE,
    )


@cache
def _interval_opener() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{_alternation(_spans()['interval_openers'])})\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class MentionRow:
    """The fields of one ``date_mentions`` row that dating needs."""

    mention_id: str
    start: int
    end: int
    value: str
    type: str
    date_start: date | None
    date_end: date | None
    text: str


@dataclass(frozen=True)
class EventDate:
    """An event's date fields, as in the ``events`` table."""

    event_date: date | None
    date_start: date | None
    date_end: date | None
    date_precision: str | None
    time_precision: int | None
    date_basis: str | None
    date_mention_id: str | None


def _as_date(value: Any) -> date | None:
    if type(value) is date:  # as the temporal stage gives it: nothing to ask
        return value
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def _text(value: Any) -> str:
    """A string cell, "" for None, NaN or pd.NA."""
    if type(value) is str:  # the usual cell: no pandas question
        return value
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _mention_row(r: Mapping[Any, Any]) -> MentionRow:
    return MentionRow(str(r["mention_id"]), int(r["start"]), int(r["end"]), _text(r["value"]),
                      _text(r["type"]), _as_date(r["date_start"]), _as_date(r["date_end"]),
                      _text(r["text"]))


def mention_rows(mentions: pd.DataFrame) -> list[MentionRow]:
    """One article's ``date_mentions`` rows as records, in text order."""
    rows = [_mention_row(r) for r in mentions.to_dict("records")]
    return sorted(rows, key=lambda m: (m.start, m.end))


def mention_rows_by_article(
    mentions: pd.DataFrame | Iterable[Mapping[str, Any]],
) -> dict[str, list[MentionRow]]:
    """Every article's ``date_mentions`` rows (a table or row dicts), in text order, by article id.

    One pass over the table (a pandas group per article costs more than its rows).
    """
    grouped: dict[str, list[MentionRow]] = {}
    records = mentions.to_dict("records") if isinstance(mentions, pd.DataFrame) else mentions
    for r in records:
        key = r["article_id"]
        if key is None or (not isinstance(key, str) and pd.isna(key)):
            continue  # as groupby does: rows without an article belong to none
        grouped.setdefault(str(key), []).append(_mention_row(r))
    return {key: sorted(rows, key=lambda m: (m.start, m.end)) for key, rows in grouped.items()}


class DateMentions:
    """One article's date mentions, looked up by span (a binary search when in text order).

        >>> rows = [MentionRow("m1", 4, 14, "2024-12-16", "DATE", None, None, "December 16")]
        >>> [m.mention_id for m in DateMentions(rows).inside(0, 20)], DateMentions(rows).inside(5, 20)
        (['m1'], [])
    """

    def __init__(self, rows: list[MentionRow], published: date | None = None, text: str = "") -> None:
        self.rows = rows
        self.published = published
        self.text = text
        self._dates: dict[int, EventDate | None] = {}  # by id() of a row: rows live as long
        self._groups: dict[int, tuple[int, int, bool]] | None = None  # found on first need
        self._starts = [m.start for m in rows]
        # as mention_rows_by_article gives them; any other order is searched row by row
        self._ordered = (all(a <= b for a, b in pairwise(self._starts))
                         and all(m.start <= m.end for m in rows))

    def inside(self, start: int, end: int) -> list[MentionRow]:
        """The rows with ``start <= m.start`` and ``m.end <= end``, in their order."""
        rows = self.rows
        if self._ordered:  # a row ending by ``end`` starts by it too
            first = bisect_left(self._starts, start)
            rows = rows[first : bisect_right(self._starts, end, first)]
        return [m for m in rows if m.start >= start and m.end <= end]


    def date_of(self, mention: MentionRow) -> EventDate | None:
        """``date_from_mention`` of one of the rows, given ``published`` and the text before it,
        or the range of the dates named with it ("on Friday and Saturday"); worked out once (a
        sentence and its clauses read the same rows)."""
        key = id(mention)
        if key not in self._dates:
            before = self.text[max(0, mention.start - BEFORE_CHARS) : mention.start]
            dated = date_from_mention(mention, self.published, before)
            if dated is not None and span_start(before) is None:
                dated = self._joined(mention) or dated
            self._dates[key] = dated
        return self._dates[key]

    def _joined(self, mention: MentionRow) -> EventDate | None:
        """The range of the dates named together with ``mention``, or None when it stands alone."""
        if self._groups is None:
            self._groups = self._find_groups()
        group = self._groups.get(id(mention))
        if group is None:
            return None
        members = self.rows[group[0] : group[1] + 1]
        interval = group[2]
        dated = [d for d in (date_from_mention(m, self.published) for m in members) if d is not None]
        if len(dated) < 2:  # days after publication date nothing reported as done
            return None
        starts = [d.date_start for d in dated if d.date_start is not None]
        ends = [d.date_end for d in dated if d.date_end is not None]
        if len(starts) < len(dated) or len(ends) < len(dated):
            return None
        first, last = min(starts), max(ends)
        if interval and starts != sorted(starts):  # "from Sunday to Friday" read backwards: no range
            return None
        if not interval and (last - first).days + 1 > int(_spans()["list_max_days"]):
            return None  # "on March 3 and April 20": two events; the nearer date dates this one
        basis = "explicit" if all(d.date_basis == "explicit" for d in dated) else "relative"
        return _dated(first, last, basis, members[0].mention_id)

    def _find_groups(self) -> dict[int, tuple[int, int, bool]]:
        """Runs of adjacent rows joined as one range: row id -> (first index, last index, interval).

        A run joined only by commas is no range ("on Friday, March 7" names one day twice).
        """
        groups: dict[int, tuple[int, int, bool]] = {}
        if not self._ordered or not self.text:
            return groups
        join = _join()
        kinds: list[str | None] = []
        for a, b in pairwise(self.rows):
            found = join.fullmatch(self.text, a.end, b.start) if a.end <= b.start else None
            kind = None if found is None else "range" if found.group("range") else found.group("list").strip()
            kinds.append(kind)
        first = 0
        for index in range(len(self.rows)):
            if index < len(kinds) and kinds[index] is not None:
                continue  # the run goes on
            run = kinds[first:index]
            if run and any(kind != "," for kind in run):
                opener = _interval_opener().search(
                    self.text, max(0, self.rows[first].start - 12), self.rows[first].start)
                interval = "range" in run or opener is not None
                for row in self.rows[first : index + 1]:
                    groups[id(row)] = (first, index, interval)
            first = index + 1
        return groups


def precision(start: date, end: date) -> tuple[str, int]:
    """``date_precision`` and ACLED ``time_precision`` of a range: one day is ("day", 1)."""
    days = (end - start).days + 1
    if days <= 1:
        return "day", 1
    if days <= 7:
        return "week", 2
    if days <= 31:
        return "month", 3
    return "year", 3


def _dated(start: date, end: date, basis: str, mention_id: str | None) -> EventDate:
    date_precision, time_precision = precision(start, end)
    return EventDate(end, start, end, date_precision, time_precision, basis, mention_id)


def date_from_mention(mention: MentionRow, published: date | None, before: str = "") -> EventDate | None:
    """The event date a mention gives, or None when it gives none usable for a past event.

    A duration dates an event only when it runs up to the reference ("for three days", "over
    the past week", ``before`` is the text just before it); "a day after" is no event's span.
    A date opening a span ("since Thursday") gives the days from it to publication, or None when
    they are more than a month (a campaign, not an event).
    """
    if mention.type == "DURATION":
        leads = _word_pattern("duration_leads", r"\s+(?:the\s+)?(?:past\s+|last\s+)?$")
        if not leads.search(before[-30:]):
            return None
        match = _DURATION.match(mention.value)
        if match is None or published is None:
            return None
        size, unit = int(match.group(1)), match.group(2)
        # only the one asked for (each costs microseconds to make)
        span = (relativedelta(days=size) if unit == "D" else relativedelta(weeks=size) if unit == "W"
                else relativedelta(months=size) if unit == "M" else relativedelta(years=size))
        try:
            start = published - span + timedelta(days=1)
        except (ValueError, OverflowError):  # "for the past 8,000 years" reaches before year 1
            return None
        return _dated(start, published, "relative", mention.mention_id)
    if mention.type not in ("DATE", "TIME") or mention.date_start is None:
        return None
    start, end = mention.date_start, mention.date_end or mention.date_start
    if published is not None:
        if start > published:  # a future date cannot date something reported as done
            return None
        end = min(end, published)
    explicit = (_MONTH_OR_NUMBER.search(mention.text)
                and not _word_pattern("relative_words").search(mention.text))
    basis = "explicit" if explicit else "relative"
    if span_start(before) is not None:
        # "have fired missiles since October 7, 2023": the activity runs from that date to the
        # report. A few weeks of it are one event over those days (ACLED codes multi-day clashes
        # with time_precision 2 or 3); a longer run is a campaign, which that date does not date
        if published is None or (published - start).days + 1 > int(_spans()["span_start_max_days"]):
            return None
        return _dated(start, published, basis, mention.mention_id)
    return _dated(start, end, basis, mention.mention_id)


def governing_date(
    mentions: list[MentionRow], start: int, end: int, anchor: int, published: date | None,
    text: str = "", dated_by: Callable[[MentionRow], EventDate | None] | None = None,
) -> EventDate | None:
    """The usable mention inside ``[start, end)`` nearest to offset ``anchor`` (the trigger).

    ``dated_by`` (``DateMentions.date_of`` of ``mentions``, ``published`` and ``text``) remembers
    what it worked out. A date opening a span ("since Friday") that the trigger itself stands in
    ("since rebels seized it on Friday") is the trigger's own date.
    """
    if dated_by is None:
        dated_by = DateMentions(mentions, published, text).date_of
    best: tuple[int, EventDate] | None = None
    for mention in mentions:
        if mention.start < start or mention.end > end:
            continue
        dated = dated_by(mention)
        if anchor < mention.start:
            lead = max(0, mention.start - BEFORE_CHARS)
            since = span_start(text[lead : mention.start])
            if since is not None and lead + since < anchor:
                # the trigger is inside the "since" clause ("calm since rebels seized it on
                # Friday"): the date is that event's own
                dated = date_from_mention(mention, published)
        if dated is None:
            continue
        distance = min(abs(mention.start - anchor), abs(mention.end - anchor))
        if best is None or distance < best[0]:
            best = (distance, dated)
    return best[1] if best else None


def carried_over(previous: EventDate) -> EventDate:
    """A date carried from the sentence before: same interval, basis ``context``."""
    return replace(previous, date_basis="context")


@lru_cache(maxsize=1024)  # an EventDate is immutable: events of a day share one
def publication_date(published: date | None) -> EventDate:
    """The fallback: the week up to publication, or nothing when the article has no date."""
    if published is None:
        return EventDate(None, None, None, None, None, None, None)
    return _dated(published - timedelta(days=PUBLICATION_WINDOW_DAYS), published,
                  "publication", None)
