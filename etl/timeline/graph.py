"""The merge rule's pair graph, vectorized: every event's facts as NumPy columns, blocks, edges.

``etl.timeline.merge`` states the rule one pair at a time; this module computes the same
candidate pairs (``candidate_pairs``) and the same ``compatible`` and ``pair_score`` values for
many pairs at once, so a build of millions of events never holds a Python object per event.

    >>> facts = fact_arrays(events_table, merge_settings())        # doctest: +SKIP
    >>> i, j = edges(facts, merge_settings(), np.arange(facts.n))   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from etl.timeline.merge import EARTH_RADIUS_KM, KM_PER_DEGREE_LATITUDE, _key, _text, distance_km
from etl.timeline.rules import MergeSettings

Ints = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]
Int8s = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Pairs per vectorized step: bounds the memory of edge generation (a few arrays of this length).
CHUNK_PAIRS = 500_000
# Distances this close to the threshold are recomputed with ``math`` so NumPy's sin/cos, which
# may differ from libm in the last bit, cannot flip a decision.
DISTANCE_GUARD_KM = 1e-6


def _column(table: pa.Table, name: str) -> pa.Array:
    """One column as a single array (all null when the table lacks it)."""
    if name not in table.column_names:
        return pa.nulls(table.num_rows)
    column = table.column(name)
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def _codes(table: pa.Table, name: str, normalize: Callable[[Any], Any],
           book: dict[Any, int]) -> Int32s:
    """Integer codes of a normalized string column (-1: missing after normalizing).

    ``book`` maps normalized values to codes and grows as new values appear, so the row groups
    of one file share codes: " kharkiv  oblast" and "Kharkiv Oblast" get one code under ``_key``.
    """
    array = _column(table, name)
    if pa.types.is_null(array.type):
        return np.full(len(array), -1, dtype=np.int32)
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    lut = np.empty(len(array.dictionary) + 1, dtype=np.int32)
    for k, raw in enumerate(array.dictionary.to_pylist()):
        value = normalize(raw)
        lut[k] = -1 if value is None else book.setdefault(value, len(book))
    lut[-1] = -1
    indices = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.asarray(lut[indices], dtype=np.int32)


def _days(table: pa.Table, name: str) -> tuple[Ints, Bools]:
    """A date column as day numbers, and where it is present (dates, timestamps or null)."""
    array = _column(table, name)
    if pa.types.is_null(array.type):
        return np.zeros(len(array), dtype=np.int64), np.zeros(len(array), dtype=bool)
    if pa.types.is_timestamp(array.type):
        array = pc.cast(pc.floor_temporal(array, unit="day"), pa.timestamp("s")).cast(pa.int64())
        days = pc.divide(array, 86_400)
    else:
        days = pc.cast(array, pa.date32()).cast(pa.int32())
    present = pc.is_valid(days).to_numpy(zero_copy_only=False)
    return days.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64), present


def _floats(table: pa.Table, name: str) -> Floats:
    """A numeric column as float64 with NaN where missing (NaN counts as missing, as in records)."""
    array = _column(table, name)
    if pa.types.is_null(array.type):
        return np.full(len(array), np.nan)
    return np.asarray(pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


@dataclass
class FactArrays:
    """The facts of ``n`` dated events in merge order (by ``event_id``), one array per field.

    ``row[k]`` is the position of event ``k`` in the input table. Days count from 1970-01-01;
    codes are -1 when missing; ``band`` is meaningless where ``has_point`` is False.
    """

    n: int
    row: Ints
    event_date: Int32s  # after the fallbacks of event_facts (the end when missing)
    start: Int32s
    end: Int32s
    match_start: Int32s
    block_start: Int32s  # the start used for blocking: at most max_block_span_days before end
    plover: Int32s
    acled: Int32s
    acled_sub: Int32s
    country: Int32s
    admin1: Int32s
    has_point: Bools
    lat: Floats
    lon: Floats
    band: Int32s
    names: Int32s  # (n, 2): actor1, actor2 normalized names
    countries: Int32s  # (n, 2)
    groups: Int32s  # (n, 2): sector groups
    id_rank: Int32s  # dense rank of event_id (ties only for duplicated ids)
    precision_rank: Int8s  # date_rank of merge.event_facts: precision, basis (lower: better)
    basis_rank: Int8s
    geo_rank: Int32s  # geo_rank of merge.event_facts: geo_precision (9 if none), then
    no_point: Int8s  # 0 coordinates, 1 a country only, 2 neither


FACT_FIELDS = ["event_date", "start", "end", "match_start", "block_start", "plover", "acled", "acled_sub",
               "country", "admin1", "has_point", "lat", "lon", "band", "names", "countries", "groups",
               "precision_rank", "basis_rank", "geo_rank", "no_point"]


def merge_order(ids: pa.Array | pa.ChunkedArray) -> Ints:
    """Row positions sorted by ``event_id`` (stable, like ``sorted(key=event_id)``)."""
    return np.asarray(pc.sort_indices(ids.cast(pa.string())).to_numpy(), dtype=np.int64)


def raw_facts(table: pa.Table, settings: MergeSettings, books: dict[str, dict[Any, int]]) -> dict[str, Any]:
    """The rule's fields of every row of ``table``, in row order (``dated``: has a date at all).

    Normalizes exactly as ``merge.event_facts`` does per row; ``books`` holds the string codes
    shared between calls (one call per row group).
    """
    event_date, has_date = _days(table, "event_date")
    first, has_first = _days(table, "date_start")
    last, has_last = _days(table, "date_end")
    start = np.where(has_first, first, event_date)
    end = np.where(has_last, last, event_date)
    dated = (has_first | has_date) & (has_last | has_date)
    start, end = np.minimum(start, end), np.maximum(start, end)
    basis = _column(table, "date_basis").cast(pa.string())
    publication = pc.fill_null(pc.equal(basis, "publication"), False).to_numpy(zero_copy_only=False)
    match_start = np.where(publication,
                           np.maximum(start, end - settings.publication_match_days), start)
    block_start = np.maximum(match_start, end - settings.max_block_span_days)
    lat, lon = _floats(table, "latitude"), _floats(table, "longitude")
    precision = _floats(table, "geo_precision")
    fine = np.isnan(precision) | (precision < settings.coarse_geo_precision)
    has_point = ~np.isnan(lat) & ~np.isnan(lon) & fine
    with np.errstate(invalid="ignore"):
        band = np.floor(np.where(has_point, lat, 0.0) * KM_PER_DEGREE_LATITUDE
                        / settings.max_distance_km).astype(np.int32)

    def group(sector: Any) -> Any:
        key = _key(sector)
        return settings.sector_group.get(key, key) if key else None

    def pair(field: str, normalize: Callable[[Any], Any]) -> Int32s:
        # actor1 and actor2 share one code book, so actor1 of one event compares with actor2.
        book = books.setdefault(f"actor{field}", {})
        one = _codes(table, f"actor1{field}", normalize, book)
        two = _codes(table, f"actor2{field}", normalize, book)
        return np.stack([one, two], axis=1)

    def codes(name: str, normalize: Callable[[Any], Any]) -> Int32s:
        return _codes(table, name, normalize, books.setdefault(name, {}))

    def rank(name: str, ranks: dict[str, int]) -> Int32s:
        # merge.event_facts ranks str(value): a missing value is "None", ranked 9 unless listed.
        encoded = pc.dictionary_encode(_column(table, name).cast(pa.string()).fill_null("None"))
        values = [ranks.get(v, 9) for v in encoded.dictionary.to_pylist()] + [9]
        if not all(-128 <= v <= 127 for v in values):
            raise ValueError(f"{name} ranks in timeline settings must lie in -128..127")
        lut = np.array(values, dtype=np.int8)
        return np.asarray(lut[encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)],
                          dtype=np.int8)

    country = codes("country_iso3", _key)
    no_point = np.where(np.isnan(lat) | np.isnan(lon), np.where(country >= 0, 1, 2), 0)

    return {
        "dated": dated, "event_date": np.where(has_date, event_date, end).astype(np.int32),
        "start": start.astype(np.int32), "end": end.astype(np.int32),
        "match_start": match_start.astype(np.int32), "block_start": block_start.astype(np.int32),
        "plover": codes("event_type", _text), "acled": codes("acled_event_type", _text),
        "acled_sub": codes("acled_sub_event_type", _text), "country": country,
        "admin1": codes("admin1", _key), "has_point": has_point, "lat": lat, "lon": lon,
        "band": band, "names": pair("", _key), "countries": pair("_country", _key),
        "groups": pair("_sector", group),
        "precision_rank": rank("date_precision", settings.date_precision_rank),
        "basis_rank": rank("date_basis", settings.date_basis_rank),
        "geo_rank": np.where(np.isnan(precision), 9, np.nan_to_num(precision)).astype(np.int32),
        "no_point": no_point.astype(np.int8),
    }


def assemble(chunks: list[dict[str, Any]], ids: pa.Array | pa.ChunkedArray) -> FactArrays:
    """FactArrays from the ``raw_facts`` of consecutive row groups and all rows' event ids.

    ``chunks`` is emptied as it goes, so each field is held twice at most while reordering.
    """
    return sorted_facts(chunks, [ids])[0]


def sorted_facts(chunks: list[dict[str, Any]],
                 ids: list[pa.Array | pa.ChunkedArray]) -> tuple[FactArrays, pa.Array]:
    """``assemble``, and the dated events' ids in merge order (``ids``: one column in a list).

    The list is emptied once the ids are sorted, so the caller's copy goes before the facts
    are reordered: ``sorted_facts(chunks, [ids_column])`` holds the ids once, not twice.
    """
    whole = ids.pop()
    order = merge_order(whole)
    dated = np.concatenate([c.pop("dated") for c in chunks]) if chunks else np.zeros(0, dtype=bool)
    keep = order[dated[order]]
    del order, dated
    taken = whole.cast(pa.string()).take(pa.array(keep))
    del whole
    sorted_ids: pa.Array = taken
    if isinstance(taken, pa.ChunkedArray):
        sorted_ids = taken.chunk(0) if taken.num_chunks == 1 else taken.combine_chunks()
    del taken
    same = pc.equal(sorted_ids.slice(1), sorted_ids.slice(0, max(len(keep) - 1, 0)))
    same_np = np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool) if len(keep) > 1 \
        else np.zeros(0, dtype=bool)
    id_rank = np.concatenate([[0], np.cumsum(~same_np)]).astype(np.int32)[:len(keep)]
    del same, same_np
    fields: dict[str, Any] = {}
    for name in FACT_FIELDS:
        whole_field = np.concatenate([c.pop(name) for c in chunks]) if chunks else np.zeros(0)
        fields[name] = whole_field[keep]
        del whole_field
    chunks.clear()
    return FactArrays(n=len(keep), row=keep, id_rank=id_rank, **fields), sorted_ids


def fact_arrays(table: pa.Table, settings: MergeSettings) -> FactArrays:
    """FactArrays of a whole events table (held in memory)."""
    return assemble([raw_facts(table, settings, {})], _column(table, "event_id"))


@dataclass
class Blocks:
    """Every (block, event) membership sorted like the sweep of ``candidate_pairs``.

    A block is a PLOVER type or an ACLED event type; within it, events sort by (blocking start,
    end, index). ``key`` is block * 2**32 + start, so one ``searchsorted`` finds a window.
    """

    key: Ints
    event: Int32s
    end: Int32s
    acled_block: Bools
    position: Int32s  # (n, 2): where each event sits as PLOVER and as ACLED member, -1 if not


def blocks(facts: FactArrays) -> Blocks:
    """Sort the block memberships of all events (PLOVER blocks first, then ACLED blocks)."""
    n_plover = int(facts.plover.max(initial=-1)) + 1
    plover, acled = np.flatnonzero(facts.plover >= 0), np.flatnonzero(facts.acled >= 0)
    event = np.concatenate([plover, acled]).astype(np.int32)
    block = np.concatenate([facts.plover[plover], facts.acled[acled] + n_plover]).astype(np.int32)
    kind = np.concatenate([np.zeros(len(plover), dtype=np.int8), np.ones(len(acled), dtype=np.int8)])
    del plover, acled
    base = int(facts.block_start.min(initial=0))
    start = (facts.block_start[event] - base).astype(np.int32)
    end = facts.end[event]
    order = np.lexsort((event, end, start, block))
    event, kind, end = event[order], kind[order], end[order]
    key = (block[order].astype(np.int64) << 32) + start[order]
    del order, block, start
    position = np.full((facts.n, 2), -1, dtype=np.int32)
    position[event, kind] = np.arange(len(event), dtype=np.int32)
    return Blocks(key=key, event=event, end=end, acled_block=kind == 1, position=position)


# Memberships keyed per step in ``_block_keys`` (its temporaries are a few arrays this long).
KEY_STEP = 1 << 20


def _block_keys(facts: FactArrays, event: Int32s, kind: Int8s) -> Ints:
    """Per membership, ``block * 2**32 + blocking start`` (as ``blocks`` sorts them)."""
    n_plover = int(facts.plover.max(initial=-1)) + 1
    base = int(facts.block_start.min(initial=0))
    out = np.empty(len(event), dtype=np.int64)
    for at in range(0, len(event), KEY_STEP):  # a step at a time: ~4 M memberships at 100k articles
        some, kinds = event[at:at + KEY_STEP], kind[at:at + KEY_STEP]
        block = np.where(kinds == 0, facts.plover[some], facts.acled[some] + n_plover).astype(np.int64)
        out[at:at + len(some)] = (block << 32) + (facts.block_start[some] - base).astype(np.int32)
    return out


# New memberships placed one at a time below this; above, the blocks are sorted afresh.
UPDATE_MEMBERS = 5_000


def updated_blocks(facts: FactArrays, old_event: Int32s, old_kind: Int8s,
                   moved: npt.NDArray[np.integer[Any]], fresh: Ints) -> Blocks:
    """``blocks(facts)`` from the previous build's memberships, for facts changed a little.

    ``old_event``/``old_kind``: the previous memberships in sweep order; ``moved``: each previous
    event's index now (-1: gone); ``fresh``: indexes of events new since. The kept memberships
    stay in order (codes, starts and ends are the same, indexes keep their order, a shift of
    the base or of the ACLED block numbers moves all alike); only new ones are placed.

        >>> updated_blocks(facts, old.event, kind, moved, fresh) == blocks(facts)  # doctest: +SKIP
    """
    kinds = np.asarray(old_kind, dtype=np.int8)
    now = moved[old_event]
    stay = now >= 0
    event, kind = now[stay].astype(np.int32, copy=False), kinds[stay]
    del now, stay  # 5-9 B a membership, not read again
    plover, acled = fresh[facts.plover[fresh] >= 0], fresh[facts.acled[fresh] >= 0]
    new_event = np.concatenate([plover, acled]).astype(np.int32)
    if len(new_event) > UPDATE_MEMBERS:
        return blocks(facts)
    new_kind = np.concatenate([np.zeros(len(plover), dtype=np.int8), np.ones(len(acled), dtype=np.int8)])
    key, end = _block_keys(facts, event, kind), facts.end[event]
    new_key, new_end = _block_keys(facts, new_event, new_kind), facts.end[new_event]
    order = np.lexsort((new_event, new_end, new_key))
    new_event, new_kind, new_key, new_end = new_event[order], new_kind[order], new_key[order], new_end[order]
    lo = np.searchsorted(key, new_key, side="left")
    hi = np.searchsorted(key, new_key, side="right")
    at = np.empty(len(new_event), dtype=np.int64)
    for k in range(len(new_event)):  # among equal keys, the sweep orders by end, then index
        ends, events = end[lo[k]:hi[k]], event[lo[k]:hi[k]]
        before = (ends < new_end[k]) | ((ends == new_end[k]) & (events < new_event[k]))
        at[k] = lo[k] + np.count_nonzero(before)
    if len(new_event):  # np.insert copies even when there is nothing to insert
        event = np.insert(event, at, new_event)
        kind = np.insert(kind, at, new_kind)
        key = np.insert(key, at, new_key)
        end = np.insert(end, at, new_end)
    position = np.full((facts.n, 2), -1, dtype=np.int32)
    position[event, kind] = np.arange(len(event), dtype=np.int32)
    return Blocks(key=key, event=event, end=end, acled_block=kind == 1, position=position)


def _ranges(lo: Ints, hi: Ints) -> Iterator[tuple[Ints, Ints]]:
    """(source slot, target position) for every position in ``[lo[k], hi[k])``, in chunks."""
    counts = np.maximum(hi - lo, 0)
    total = np.cumsum(counts)
    done, k = 0, 0
    while k < len(lo):
        stop = int(np.searchsorted(total, done + CHUNK_PAIRS, side="right"))
        stop = max(stop, k + 1)
        slots = np.repeat(np.arange(k, stop), counts[k:stop])
        first = np.cumsum(counts[k:stop]) - counts[k:stop]
        offsets = np.arange(len(slots)) - np.repeat(first, counts[k:stop])
        yield slots, lo[k:stop][slots - k] + offsets
        done = int(total[stop - 1])
        k = stop


def candidates(facts: FactArrays, blocked: Blocks, settings: MergeSettings, events: Ints,
               forward_only: bool) -> Iterator[tuple[Ints, Ints]]:
    """Candidate pairs (i < j) touching ``events``, exactly those of ``merge.candidate_pairs``.

    With ``forward_only``, each pair comes once, from the event earlier in the sweep (use it
    with every event of a closed set); otherwise from both ends (dedupe afterwards).
    """
    slack, span = settings.date_slack_days, settings.max_block_span_days
    base = int(facts.block_start.min(initial=0))
    for kind in (0, 1):
        position = blocked.position[events, kind].astype(np.int64)
        member = position >= 0
        position = position[member]
        if not len(position):
            continue
        key = blocked.key[position]
        block_base = key - (facts.block_start[blocked.event[position]] - base)
        last = block_base + (blocked.end[position] + slack - base)
        hi = np.searchsorted(blocked.key, last, side="right")
        lo = position + 1 if forward_only else np.searchsorted(
            blocked.key, np.maximum(key - span - slack, block_base), side="left")
        for slots, other in _ranges(lo, hi):
            mine = position[slots]
            keep = other != mine
            mine, other = mine[keep], other[keep]
            a, b = blocked.event[mine].astype(np.int64), blocked.event[other].astype(np.int64)
            # The earlier member of the sweep must still be open: its end + slack >= the start.
            earlier_end = np.where(other < mine, blocked.end[other], blocked.end[mine])
            later_start = facts.block_start[np.where(other < mine, a, b)]
            keep = earlier_end + slack >= later_start
            if kind == 1:  # a pair of one PLOVER type already came from its PLOVER block
                keep &= ~((facts.plover[a] >= 0) & (facts.plover[a] == facts.plover[b]))
            ca, cb = facts.country[a], facts.country[b]
            keep &= (ca < 0) | (cb < 0) | (ca == cb)
            pa_, pb = facts.has_point[a], facts.has_point[b]
            keep &= ~pa_ | ~pb | (np.abs(facts.band[a] - facts.band[b]) <= 1)
            a, b = a[keep], b[keep]
            yield np.minimum(a, b), np.maximum(a, b)


def _sides(facts: FactArrays, a: Ints, x: int, b: Ints, y: int) -> Bools:
    """``merge._sides_compatible`` of side ``x`` of events ``a`` and side ``y`` of events ``b``."""
    na, nb = facts.names[a, x], facts.names[b, y]
    ca, cb = facts.countries[a, x], facts.countries[b, y]
    ga, gb = facts.groups[a, x], facts.groups[b, y]
    loose = (na < 0) | (nb < 0) | (na == nb)
    same_country = (ca >= 0) & (ca == cb)
    return np.asarray(loose | (same_country & ((ga < 0) | (gb < 0) | (ga == gb))), dtype=bool)


def _distance_km(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> Floats:
    """``merge.distance_km`` for arrays of points."""
    p1, l1, p2, l2 = np.radians(lat1), np.radians(lon1), np.radians(lat2), np.radians(lon2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h))), dtype=np.float64)


def _places(facts: FactArrays, a: Ints, b: Ints, settings: MergeSettings) -> Bools:
    """``merge.places_compatible`` for pairs of single events."""
    both = facts.has_point[a] & facts.has_point[b]
    ca, cb = facts.country[a], facts.country[b]
    aa, ab = facts.admin1[a], facts.admin1[b]
    same_country = ~((ca >= 0) & (cb >= 0) & (ca != cb))
    ok = same_country & ((aa < 0) | (ab < 0) | (aa == ab))
    k = np.flatnonzero(both & same_country)  # two countries: apart, however near the points
    if len(k):
        la, lb = facts.lat[a[k]], facts.lat[b[k]]
        close = ~(np.abs(la - lb) * KM_PER_DEGREE_LATITUDE > settings.max_distance_km)
        d = _distance_km(la, facts.lon[a[k]], lb, facts.lon[b[k]])
        within = close & (d <= settings.max_distance_km)
        for m in np.flatnonzero(close & (np.abs(d - settings.max_distance_km) <= DISTANCE_GUARD_KM)):
            i, j = a[k[m]], b[k[m]]
            exact = distance_km((float(facts.lat[i]), float(facts.lon[i])),
                                (float(facts.lat[j]), float(facts.lon[j])))
            within[m] = exact <= settings.max_distance_km
        ok[k] = within
    return np.asarray(ok, dtype=bool)


def _evidenced(facts: FactArrays, a: Ints, b: Ints) -> Bools:
    """``merge.evidenced``: an event with no place at all needs an actor named in both."""
    def unplaced(x: Ints) -> Bools:
        return np.asarray(~facts.has_point[x] & (facts.admin1[x] < 0) & (facts.country[x] < 0), dtype=bool)

    shared = np.zeros(len(a), dtype=bool)
    for x in (0, 1):
        name = facts.names[a, x]
        shared |= (name >= 0) & ((name == facts.names[b, 0]) | (name == facts.names[b, 1]))
    return np.asarray(~(unplaced(a) | unplaced(b)) | shared, dtype=bool)


def compatible(facts: FactArrays, a: Ints, b: Ints, settings: MergeSettings) -> Bools:
    """``merge.compatible`` for the pairs ``(a[k], b[k])`` of single events.

    Tests run cheapest first, each on the pairs that passed the ones before.
    """
    slack = settings.date_slack_days
    result = np.zeros(len(a), dtype=bool)
    ok = ~(((facts.match_start[a] - facts.end[b]) > slack) | ((facts.match_start[b] - facts.end[a]) > slack))
    day_a, day_b = facts.start[a] == facts.end[a], facts.start[b] == facts.end[b]
    long_a = (facts.end[a] - facts.start[a]) > settings.max_match_window_days
    long_b = (facts.end[b] - facts.start[b]) > settings.max_match_window_days
    same_window = (facts.start[a] == facts.start[b]) & (facts.end[a] == facts.end[b])
    short = day_a | day_b | (np.abs(facts.end[a] - facts.end[b]) <= settings.coarse_end_slack_days)
    ok &= np.where(long_a | long_b, same_window, short)
    pl_a, ac_a = facts.plover[a], facts.acled[a]
    ok &= ((pl_a >= 0) & (pl_a == facts.plover[b])) | ((ac_a >= 0) & (ac_a == facts.acled[b]))
    index = np.flatnonzero(ok)
    a, b = a[index], b[index]
    keep = _places(facts, a, b, settings)
    index, a, b = index[keep], a[keep], b[keep]
    straight = _sides(facts, a, 0, b, 0) & _sides(facts, a, 1, b, 1)
    names_both = (((facts.names[a, 0] >= 0) & (facts.names[a, 1] >= 0))
                  | ((facts.names[b, 0] >= 0) & (facts.names[b, 1] >= 0)))
    acting_alone = (((facts.names[a, 0] >= 0) & (facts.names[a, 1] < 0))
                    | ((facts.names[b, 0] >= 0) & (facts.names[b, 1] < 0)))
    sub_a, sub_b = facts.acled_sub[a], facts.acled_sub[b]
    same_kind = (sub_a < 0) | (sub_b < 0) | (sub_a == sub_b)  # merge.subtypes_agree
    swapped = (names_both & ~acting_alone & same_kind & _sides(facts, a, 0, b, 1)
               & _sides(facts, a, 1, b, 0))
    result[index[(straight | swapped) & _evidenced(facts, a, b)]] = True
    return result


def score(facts: FactArrays, a: Ints, b: Ints, settings: MergeSettings) -> Floats:
    """``merge.pair_score(facts[a], facts[b])``, added in the same order (so equal bit for bit)."""
    w = settings.score
    total = np.zeros(len(a))
    pl, ac, sub = facts.plover, facts.acled, facts.acled_sub
    total += np.where((pl[a] >= 0) & (pl[a] == pl[b]), w["same_event_type"], 0.0)
    total += np.where((ac[a] >= 0) & (ac[a] == ac[b]), w["same_acled_event_type"], 0.0)
    total += np.where((sub[a] >= 0) & (sub[a] == sub[b]), w["same_acled_sub_event_type"], 0.0)
    same_day = ((facts.start[a] == facts.end[a]) & (facts.end[a] == facts.start[b])
                & (facts.start[b] == facts.end[b]))
    total += np.where(same_day, w["same_day"], 0.0)
    both = facts.has_point[a] & facts.has_point[b]
    admin = (facts.admin1[a] >= 0) & (facts.admin1[a] == facts.admin1[b])
    total += np.where(both, w["near_point"], np.where(admin, w["same_admin1"], 0.0))
    for x in (0, 1):
        name = facts.names[a, x]
        shared = (name >= 0) & ((name == facts.names[b, 0]) | (name == facts.names[b, 1]))
        total += np.where(shared, w["same_actor"], 0.0)
    return total


# Events whose windows are looked up at once (bounds the per-event arrays of ``candidates``).
EVENTS_PER_STEP = 200_000


def edges(facts: FactArrays, blocked: Blocks, settings: MergeSettings, events: Ints,
          forward_only: bool = True) -> Iterator[tuple[Ints, Ints]]:
    """Compatible candidate pairs (i < j) touching ``events``, in chunks."""
    for step in range(0, len(events), EVENTS_PER_STEP):
        some = events[step:step + EVENTS_PER_STEP]
        for a, b in candidates(facts, blocked, settings, some, forward_only):
            keep = compatible(facts, a, b, settings)
            if keep.any():
                yield a[keep], b[keep]


def pair_order(facts: FactArrays, a: Ints, b: Ints, settings: MergeSettings) -> Ints:
    """Positions of the pairs sorted as ``cluster_events`` takes them: score, then ids, then index."""
    s = score(facts, a, b, settings)
    return np.lexsort((b, a, facts.id_rank[b], facts.id_rank[a], -s))


__all__ = ["Blocks", "FactArrays", "blocks", "candidates", "compatible", "edges", "fact_arrays",
           "merge_order", "pair_order", "score", "sorted_facts", "updated_blocks"]
