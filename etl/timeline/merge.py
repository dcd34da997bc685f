"""Merge events reported by many articles into one timeline row per real-world event.

Two events are the same real-world event when their dates are compatible within their
precision (a window longer than a month only as the same window), their types agree (same
PLOVER type or same ACLED event type), their actors do not contradict each other (roles read
swapped only between reports of the same ACLED sub-event type), their
countries do not differ and their places agree (within 25 km, or the same admin1 when one is
coarse); an event with no place at all needs an actor named in both. Candidates are found
by blocking (same type, overlapping date window, same or unknown country), never all pairs;
pairs merge best-first, and two groups join only when their profiles (``group_profile``) are
compatible, so a vague report cannot chain two distinct strikes together. A row's actors are
one member's pair (``stated_pair``), never actor1 of one report beside actor2 of another.

    >>> timeline = build_timeline(events, articles)                    # doctest: +SKIP
    >>> timeline.loc[0, ["n_articles", "n_sources", "location"]].tolist()  # doctest: +SKIP
    [3, 3, 'Kharkiv']
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from etl.schema import SORT_KEYS, TIMELINE
from etl.timeline.frames import records, typed_frame
from etl.timeline.rules import MergeSettings, merge_settings

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = 111.2


@dataclass(frozen=True, slots=True)
class Side:
    """One actor of an event: normalized name, ISO alpha-3 country and sector group, each nullable."""

    name: str | None
    country: str | None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class EventFacts:
    """The fields of one event the merge rule looks at, normalized for comparison."""

    event_id: str
    article_id: str
    start: date
    end: date
    match_start: date  # start of the interval used for matching (see publication_match_days)
    event_date: date
    event_type: str | None
    acled_event_type: str | None
    acled_sub_event_type: str | None
    actor1: Side
    actor2: Side
    admin1: str | None
    country: str | None
    point: tuple[float, float] | None  # (lat, lon) of a place finer than coarse_geo_precision
    day_precise: bool  # the date is one known day, not a window
    date_rank: tuple[int, int, int]  # lower is more precise: precision, basis, interval length
    geo_rank: tuple[int, int]  # lower is more precise: geo_precision, then 0 coordinates, 1 a
    # country only, 2 nothing: a group's place (and country) comes from a member that has one


def _text(value: Any) -> str | None:
    """A stripped string or None: ``_text("  Kyiv ") == "Kyiv"``, ``_text("") is None``."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _key(value: Any) -> str | None:
    """Comparison key of a name: case and spacing folded, ``_key(" Donetsk  Oblast")``."""
    text = _text(value)
    return " ".join(text.casefold().split()) if text else None


def _as_date(value: Any) -> date | None:
    """A calendar date from a date, datetime, Timestamp or ISO string; None when missing."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _side(row: dict[str, Any], actor: str, settings: MergeSettings) -> Side:
    """``actor1`` or ``actor2`` of a row as a Side; a sector in no group is a group of its own."""
    sector = _key(row.get(f"{actor}_sector"))
    group = settings.sector_group.get(sector, sector) if sector else None
    return Side(_key(row.get(actor)), _key(row.get(f"{actor}_country")), group)


def event_facts(row: dict[str, Any], settings: MergeSettings) -> EventFacts | None:
    """Normalize one events row; None when it has no date at all (it cannot be placed)."""
    event_date = _as_date(row.get("event_date"))
    start = _as_date(row.get("date_start")) or event_date
    end = _as_date(row.get("date_end")) or event_date
    if start is None or end is None:
        return None
    if event_date is None:
        event_date = end
    start, end = min(start, end), max(start, end)
    match_start = start
    if row.get("date_basis") == "publication":
        # Dated only by its report: most likely the day of publication or just before it.
        match_start = max(start, end - timedelta(days=settings.publication_match_days))
    geo_precision = _int(row.get("geo_precision"))
    lat, lon = row.get("latitude"), row.get("longitude")
    has_point = lat is not None and lon is not None
    fine = geo_precision is None or geo_precision < settings.coarse_geo_precision
    country = _key(row.get("country_iso3"))
    precision_rank = settings.date_precision_rank.get(str(row.get("date_precision")), 9)
    basis_rank = settings.date_basis_rank.get(str(row.get("date_basis")), 9)
    return EventFacts(
        event_id=str(row["event_id"]),
        article_id=str(row["article_id"]),
        start=start,
        end=end,
        match_start=match_start,
        event_date=event_date,
        event_type=_text(row.get("event_type")),
        acled_event_type=_text(row.get("acled_event_type")),
        acled_sub_event_type=_text(row.get("acled_sub_event_type")),
        actor1=_side(row, "actor1", settings),
        actor2=_side(row, "actor2", settings),
        admin1=_key(row.get("admin1")),
        country=country,
        point=(float(lat), float(lon)) if has_point and fine else None,  # type: ignore[arg-type]
        day_precise=start == end,
        date_rank=(precision_rank, basis_rank, (end - start).days),
        geo_rank=(geo_precision if geo_precision is not None else 9,
                  0 if has_point else 1 if country is not None else 2),
    )


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance: ``round(distance_km((50.45, 30.52), (49.99, 36.23))) == 410``."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def dates_compatible(a: EventFacts, b: EventFacts, settings: MergeSettings) -> bool:
    """Intervals overlap once widened by the slack: a day-precise date fits inside a week.

    Two windows (neither date a single day) must also end close together: reports dated only
    by publication a week apart overlap, but do not tell of the same day. A window longer than
    ``max_match_window_days`` matches only the same window: ``2024`` never joins ``2024-12-16``.
    """
    slack = settings.date_slack_days
    if (a.match_start - b.end).days > slack or (b.match_start - a.end).days > slack:
        return False
    longest = settings.max_match_window_days
    if (a.end - a.start).days > longest or (b.end - b.start).days > longest:
        # "Last year" says nothing of which day: it is the same event only as the same window.
        return a.start == b.start and a.end == b.end
    if a.day_precise or b.day_precise:
        return True
    return abs((a.end - b.end).days) <= settings.coarse_end_slack_days


def types_compatible(a: EventFacts, b: EventFacts) -> bool:
    """Same PLOVER type, or the same ACLED event type (its family) when both have one."""
    if a.event_type is not None and a.event_type == b.event_type:
        return True
    return a.acled_event_type is not None and a.acled_event_type == b.acled_event_type


def _sides_compatible(x: Side, y: Side) -> bool:
    """A side is unknown, named alike, or of the same country and sector group.

    "Government of Russia" and "Military Forces of Russia" can be one side told two ways;
    "Civilians (Ukraine)" and "Military Forces of Ukraine" cannot. Without sectors, the
    country decides.
    """
    if x.name is None or y.name is None or x.name == y.name:
        return True
    if x.country is None or x.country != y.country:
        return False
    return x.group is None or y.group is None or x.group == y.group


def subtypes_agree(a: EventFacts, b: EventFacts) -> bool:
    """Same ACLED sub-event type, or one of them has none: ``Armed clash`` never fits ``Air/drone strike``."""
    x, y = a.acled_sub_event_type, b.acled_sub_event_type
    return x is None or y is None or x == y


def actors_compatible(a: EventFacts, b: EventFacts) -> bool:
    """Actors agree in order, or swapped when one report names both sides and both tell one kind of act.

    "X shelled Y" and "Y came under fire from X" swap roles (so do passive headlines, "four
    civilians killed by shelling by X", which name X as actor2 only); but "Ukrainian forces
    shelled" and "Russian forces shelled", each naming one side, must not match by pairing it
    with the other's gap, and a report naming only its actor1 keeps that actor in its role.
    A swap also needs the same ACLED sub-event type (``subtypes_agree``): "the army retook the
    palace from the RSF" (actor1 lost: ?, RSF) and "an RSF drone attack on the palace" (RSF, ?)
    are the same two sides, not the same event; one act told from its two ends keeps its kind.
    """
    if _sides_compatible(a.actor1, b.actor1) and _sides_compatible(a.actor2, b.actor2):
        return True
    sides = ((a.actor1, a.actor2), (b.actor1, b.actor2))
    one_names_both = any(x.name is not None and y.name is not None for x, y in sides)
    # A report naming only actor1 names the subject of an active verb ("Zelenskiy urged"): no
    # sign of a reversed role, so it is never read swapped ("Trump urged Zelenskiy" differs).
    acting_alone = any(x.name is not None and y.name is None for x, y in sides)
    return (one_names_both and not acting_alone and _sides_compatible(a.actor1, b.actor2)
            and _sides_compatible(a.actor2, b.actor1) and subtypes_agree(a, b))


def places_compatible(a: EventFacts, b: EventFacts, settings: MergeSettings) -> bool:
    """Never two countries; two points within the distance; else the same admin1; unknown fits.

    Two points either side of a border are two events (a shelling of Belgorod is not one of
    Kharkiv): each dataset row has one country.
    """
    if a.country is not None and b.country is not None and a.country != b.country:
        return False
    if a.point is not None and b.point is not None:
        if abs(a.point[0] - b.point[0]) * KM_PER_DEGREE_LATITUDE > settings.max_distance_km:
            return False  # cheap test first: too far north or south, whatever the longitude
        return distance_km(a.point, b.point) <= settings.max_distance_km
    if a.admin1 is not None and b.admin1 is not None:
        return a.admin1 == b.admin1
    return True


def _unplaced(fact: EventFacts) -> bool:
    """No point, admin1 or country: the report does not say where (or geocoding failed)."""
    return fact.point is None and fact.admin1 is None and fact.country is None


def _shares_actor(a: EventFacts, b: EventFacts) -> bool:
    """Some actor is named alike in both (in either role)."""
    names = {b.actor1.name, b.actor2.name} - {None}
    return a.actor1.name in names or a.actor2.name in names


def evidenced(a: EventFacts, b: EventFacts) -> bool:
    """An event with no place at all matches only through an actor both name.

    Otherwise "gunmen attacked a village on December 16" (no place found) would join any
    attack of that day anywhere, by type and date alone: nothing says it is the same event.
    """
    return not (_unplaced(a) or _unplaced(b)) or _shares_actor(a, b)


def compatible(a: EventFacts, b: EventFacts, settings: MergeSettings) -> bool:
    """The merge rule for one pair of events (see the module docstring)."""
    return (  # cheapest tests first
        dates_compatible(a, b, settings)
        and types_compatible(a, b)
        and places_compatible(a, b, settings)
        and actors_compatible(a, b)
        and evidenced(a, b)
    )


def pair_score(a: EventFacts, b: EventFacts, settings: MergeSettings) -> float:
    """How much two compatible events agree; the strongest pairs merge first."""
    weights = settings.score
    score = 0.0
    if a.event_type is not None and a.event_type == b.event_type:
        score += weights["same_event_type"]
    if a.acled_event_type is not None and a.acled_event_type == b.acled_event_type:
        score += weights["same_acled_event_type"]
    if a.acled_sub_event_type is not None and a.acled_sub_event_type == b.acled_sub_event_type:
        score += weights["same_acled_sub_event_type"]
    if a.start == a.end == b.start == b.end:
        score += weights["same_day"]
    if a.point is not None and b.point is not None:
        score += weights["near_point"]
    elif a.admin1 is not None and a.admin1 == b.admin1:
        score += weights["same_admin1"]
    for x in (a.actor1, a.actor2):
        if x.name is not None and x.name in (b.actor1.name, b.actor2.name):
            score += weights["same_actor"]
    return score


def _latitude_band(fact: EventFacts, settings: MergeSettings) -> int | None:
    """Latitude band of a point, as wide as the merge distance; None for an event without one."""
    if fact.point is None:
        return None
    return math.floor(fact.point[0] * KM_PER_DEGREE_LATITUDE / settings.max_distance_km)


def candidate_pairs(facts: list[EventFacts], settings: MergeSettings) -> Iterator[tuple[int, int]]:
    """Index pairs worth comparing: same type, overlapping date window, same place block.

    Blocks: the PLOVER type (and, for pairs of different PLOVER types, the ACLED event type);
    then a sweep over events sorted by the start of their (clipped) window keeps only those
    still open; then the country (unknown meets every country); then, for two points, the
    latitude band (neighbouring bands only, the width of the merge distance). The cost follows
    the number of events that could match, not the square of all events.
    """
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, fact in enumerate(facts):
        if fact.event_type is not None:
            blocks[("plover", fact.event_type)].append(index)
        if fact.acled_event_type is not None:
            blocks[("acled", fact.acled_event_type)].append(index)
    span, slack = settings.max_block_span_days, settings.date_slack_days
    bands = [_latitude_band(fact, settings) for fact in facts]
    for kind, value in sorted(blocks):
        window = []
        for index in blocks[(kind, value)]:
            fact = facts[index]
            # A vague interval ("this year") blocks on its last days only: the report's own time.
            start = max(fact.match_start.toordinal(), fact.end.toordinal() - span)
            window.append((start, fact.end.toordinal(), index))
        window.sort()
        # Open events by country, then by latitude band: (window end, index).
        open_events: dict[str | None, dict[int | None, list[tuple[int, int]]]] = {}
        for start, end, index in window:
            fact, band = facts[index], bands[index]
            countries = list(open_events) if fact.country is None else [fact.country, None]
            for country in countries:
                by_band = open_events.get(country)
                if not by_band:
                    continue
                near = list(by_band) if band is None else [band - 1, band, band + 1, None]
                for key in near:
                    if key not in by_band:
                        continue
                    alive = [(e, i) for e, i in by_band[key] if e + slack >= start]
                    by_band[key] = alive
                    for _, other in alive:
                        # A pair of one PLOVER type already came from its PLOVER block.
                        other_type = facts[other].event_type
                        same_plover = fact.event_type is not None and other_type == fact.event_type
                        if kind == "acled" and same_plover:
                            continue
                        yield (min(index, other), max(index, other))
            open_events.setdefault(fact.country, {}).setdefault(band, []).append((end, index))


def group_profile(members: list[EventFacts]) -> EventFacts:
    """What a group of events says as a whole: its most precise date and place, its fullest actors.

    Groups are compared through their profiles, so one noisy report does not keep the rest
    apart (as complete linkage would), while a vague report still cannot chain two precise
    strikes (the profiles of the two strikes disagree on the place).
    """
    if len(members) == 1:
        return members[0]
    by_id = sorted(members, key=lambda f: f.event_id)
    dated = min(by_id, key=lambda f: (f.date_rank, f.event_id))
    placed = min(by_id, key=lambda f: (f.geo_rank, f.event_id))
    acting = min(by_id, key=lambda f: (-sum(s.name is not None for s in (f.actor1, f.actor2)),
                                       f.date_rank, f.event_id))
    return replace(
        dated,
        event_type=_mode(f.event_type for f in by_id),
        acled_event_type=_mode(f.acled_event_type for f in by_id),
        acled_sub_event_type=_mode(f.acled_sub_event_type for f in by_id),
        actor1=acting.actor1, actor2=acting.actor2,
        admin1=placed.admin1, country=placed.country, point=placed.point, geo_rank=placed.geo_rank,
    )


def cluster_events(facts: list[EventFacts], settings: MergeSettings) -> list[list[int]]:
    """Group event indexes: best-scoring compatible pairs first; groups join when their profiles agree."""
    scored = []
    for i, j in candidate_pairs(facts, settings):
        if compatible(facts[i], facts[j], settings):
            a, b = sorted((facts[i].event_id, facts[j].event_id))
            scored.append((-pair_score(facts[i], facts[j], settings), a, b, i, j))
    scored.sort()
    return merge_pairs(facts, ((i, j) for *_, i, j in scored), settings)


def merge_pairs(facts: list[EventFacts], pairs: Iterable[tuple[int, int]],
                settings: MergeSettings) -> list[list[int]]:
    """Join the groups of each pair, in the order given, when their profiles are compatible."""
    group_of = list(range(len(facts)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(facts))}
    profiles: dict[int, EventFacts] = dict(enumerate(facts))
    for i, j in pairs:
        gi, gj = group_of[i], group_of[j]
        if gi == gj or not compatible(profiles[gi], profiles[gj], settings):
            continue
        keep, drop = (gi, gj) if len(members[gi]) >= len(members[gj]) else (gj, gi)
        for x in members[drop]:
            group_of[x] = keep
        members[keep].extend(members.pop(drop))
        profiles[keep] = group_profile([facts[x] for x in members[keep]])
        del profiles[drop]
    return [sorted(group) for group in members.values()]


def timeline_id(event_ids: Iterable[str]) -> str:
    """Stable id of a merged event: a hash of its sorted member ids, whatever the input order."""
    digest = hashlib.sha256("\n".join(sorted(event_ids)).encode()).hexdigest()
    return f"tl-{digest[:16]}"


def source_key(article: dict[str, Any] | None, article_id: str) -> str:
    """Who published an article: the outlet name, else the URL host, else the article itself."""
    if article is not None:
        source = _key(article.get("source"))
        if source:
            return f"source:{source}"
        url = _text(article.get("url"))
        host = urlsplit(url).hostname if url else None
        if host:
            return f"host:{host.removeprefix('www.')}"
    return f"article:{article_id}"


def _mode(values: Iterable[Any]) -> Any:
    """Most frequent non-null value; ties go to the first seen (members come best-first)."""
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    best = max(counts.values())
    return next(v for v in counts if counts[v] == best)


def stated_pair(pairs: Iterable[tuple[Any, Any]]) -> tuple[Any, Any]:
    """The (actor1, actor2) a member states that most members fit; ties: more named, then first.

    A member fits a pair when each of its sides is unknown or the same; the row's dyad is then
    always one some report gives, in that report's roles, never actor1 of one report beside
    actor2 of another: ``stated_pair([("A", None), ("A", "B"), ("C", "A")]) == ("A", "B")``.
    """
    counts = Counter(pairs)  # in first-seen order: members come best-first
    best, best_key = (None, None), (0, 0)
    for pair in counts:
        support = sum(n for (one, two), n in counts.items()
                      if one in (None, pair[0]) and two in (None, pair[1]))
        key = (support, (pair[0] is not None) + (pair[1] is not None))
        if key > best_key:
            best, best_key = pair, key
    return best


def _first(rows: list[dict[str, Any]], column: str) -> Any:
    return next((r[column] for r in rows if r.get(column) is not None), None)


def merged_row(
    group: list[int], facts: list[EventFacts], rows: list[dict[str, Any]],
    articles: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """One timeline row from a group of events: most precise date and place, largest toll.

    Types are the members' most frequent; the actors are one member's pair (``stated_pair``).
    """
    members = sorted(group, key=lambda i: facts[i].event_id)
    by_date = sorted(members, key=lambda i: (facts[i].date_rank, facts[i].event_date,
                                             facts[i].event_id))
    by_place = sorted(members, key=lambda i: (facts[i].geo_rank, facts[i].event_id))
    # The representative is the most confident, then best-dated member: its sentence is the summary.
    best_first = sorted(members, key=lambda i: (-(rows[i].get("confidence") or 0.0),
                                                facts[i].date_rank, facts[i].geo_rank,
                                                facts[i].event_id))
    dated, placed = facts[by_date[0]], rows[by_place[0]]
    ordered_rows = [rows[i] for i in best_first]
    place_rows = [rows[i] for i in by_place]
    article_ids = sorted({facts[i].article_id for i in members})
    published = [pd.Timestamp(p) for p in
                 (articles[a].get("published") for a in article_ids if a in articles)
                 if p is not None and not pd.isna(p)]
    fatalities = [int(rows[i]["fatalities"]) for i in members if rows[i].get("fatalities") is not None]
    event_ids = [facts[i].event_id for i in members]
    actor1, actor2 = stated_pair((_text(r.get("actor1")), _text(r.get("actor2"))) for r in ordered_rows)
    return {
        "timeline_id": timeline_id(event_ids),
        "event_date": dated.event_date,
        "date_start": dated.start,
        "date_end": dated.end,
        "event_type": _mode(r.get("event_type") for r in ordered_rows),
        "acled_event_type": _mode(r.get("acled_event_type") for r in ordered_rows),
        "actor1": actor1,
        "actor2": actor2,
        "location": placed.get("location") or _first(place_rows, "location"),
        "admin1": placed.get("admin1") or _first(place_rows, "admin1"),
        "country_iso3": placed.get("country_iso3") or _first(place_rows, "country_iso3"),
        "latitude": placed.get("latitude"),
        "longitude": placed.get("longitude"),
        "geo_precision": placed.get("geo_precision"),
        "fatalities": max(fatalities) if fatalities else None,
        "n_articles": len(article_ids),
        "n_sources": len({source_key(articles.get(a), a) for a in article_ids}),
        "first_reported": min(published) if published else None,
        "article_ids": article_ids,
        "event_ids": event_ids,
        "summary": _first(ordered_rows, "sentence"),
    }


# The events columns the merge reads; a caller may load only these (offsets and triggers aside).
MERGE_COLUMNS = [
    "event_id", "article_id", "sentence", "event_date", "date_start", "date_end",
    "date_precision", "date_basis", "event_type", "acled_event_type", "acled_sub_event_type",
    "actor1", "actor1_country", "actor1_sector", "actor2", "actor2_country", "actor2_sector",
    "location", "admin1", "country_iso3", "latitude", "longitude", "geo_precision",
    "fatalities", "confidence",
]


def build_timeline(events: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Merge ``events`` across ``articles`` into the ``timeline`` table (etl.schema.TIMELINE).

        >>> build_timeline(events_of_three_outlets, articles)["n_sources"].tolist()  # doctest: +SKIP
        [3]
    """
    settings = merge_settings()
    event_rows = sorted(records(events), key=lambda r: str(r["event_id"]))
    facts: list[EventFacts] = []
    rows: list[dict[str, Any]] = []
    for row in event_rows:
        fact = event_facts(row, settings)
        if fact is not None:  # an undated event has no place on a timeline
            facts.append(fact)
            rows.append(row)
    by_article = {str(r["article_id"]): r for r in records(articles)}
    merged = [merged_row(group, facts, rows, by_article) for group in cluster_events(facts, settings)]
    frame = typed_frame("timeline", merged)
    return frame.sort_values(SORT_KEYS["timeline"], kind="mergesort").reset_index(drop=True)


__all__ = ["MERGE_COLUMNS", "TIMELINE", "build_timeline", "compatible", "timeline_id"]
