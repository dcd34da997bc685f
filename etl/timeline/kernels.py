"""The merge's two hot loops, compiled: the candidate sweep and the best-first joining of groups.

A dense archive has hundreds of millions of compatible pairs (a month-long window in a busy
month is compatible with every report inside it), too many for NumPy temporaries or a Python
object per event. These loops (numba) walk the same sweep as ``graph.candidates``, apply the
same rule as ``merge.compatible`` and join groups exactly as ``merge.merge_pairs`` does, in
memory that grows with the events, not with the pairs. Pairs are spilled to disk by score and
read back in merge order (``ordered_pairs``).

    >>> grouping = Grouping(facts, settings)                                   # doctest: +SKIP
    >>> for a, b in ordered_pairs(facts, graph.blocks(facts), settings, tmp):  # doctest: +SKIP
    ...     grouping.join(a, b)
    >>> grouping.labels()[:4]                                                  # doctest: +SKIP
    array([0, 0, 2, 3], dtype=int32)
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from numba import njit, objmode, types
from numba.typed import Dict

from etl.io.memory import release_memory
from etl.io.threads import ahead, in_threads
from etl.timeline.graph import Blocks, FactArrays, Floats, Int32s, Ints
from etl.timeline.merge import EARTH_RADIUS_KM, KM_PER_DEGREE_LATITUDE, distance_km
from etl.timeline.rules import MergeSettings

# Pairs produced per call of the sweep (two int32 and a float64 each).
SWEEP_PAIRS = 1 << 18
# Threads that sweep at once (the compiled sweep runs without the GIL); the pairs found are the same
# whatever their number, and the merge order does not depend on the order they are found in.
SWEEP_THREADS = min(4, os.cpu_count() or 1)
# Slot ranges handed to the sweep threads in turn: one dense stretch of dates never leaves a thread
# working alone for long.
SWEEP_SEGMENTS = 256
# Id ranks counted together when a large file of pairs is cut into parts (``_runs_of``).
RANK_BIN = 64
# Sweep chunks between two hand-backs of freed heap memory to the system.
TRIM_CHUNKS = 16
# Pairs sorted in memory at once (16 MB as read); a larger score file is split by first event.
SORT_PAIRS = 1 << 20
# Distances this close to the threshold are recomputed by ``merge.distance_km`` in Python, so
# that a last-bit difference between libm builds cannot flip a decision.
DISTANCE_GUARD_KM = 1e-6
SCORE_WEIGHTS = ["same_event_type", "same_acled_event_type", "same_acled_sub_event_type",
                 "same_day", "near_point", "same_admin1", "same_actor"]


class Rule(NamedTuple):
    """The facts the rule reads, as contiguous arrays, and the settings as numbers (for numba)."""

    start: Int32s
    end: Int32s
    match_start: Int32s
    plover: Int32s
    acled: Int32s
    acled_sub: Int32s
    country: Int32s
    admin1: Int32s
    has_point: Any
    lat: Floats
    lon: Floats
    names: Int32s
    countries: Int32s
    groups: Int32s
    id_rank: Int32s
    precision_rank: Int32s
    basis_rank: Int32s
    geo_rank: Int32s
    no_point: Int32s
    slack: int
    coarse: int
    longest: int  # max_match_window_days
    max_km: float
    guard: float
    weights: Floats


def rule(facts: FactArrays, settings: MergeSettings, events: Ints | None = None) -> Rule:
    """The kernels' view of ``facts`` (of ``events`` only, renumbered 0..k-1, when given)."""
    def field(name: str) -> Any:
        values = getattr(facts, name)
        return np.ascontiguousarray(values if events is None else values[events])

    arrays = [field(name) for name in Rule._fields[:19]]
    weights = np.array([float(settings.score[w]) for w in SCORE_WEIGHTS], dtype=np.float64)
    return Rule._make([*arrays, int(settings.date_slack_days), int(settings.coarse_end_slack_days),
                       int(settings.max_match_window_days), float(settings.max_distance_km),
                       DISTANCE_GUARD_KM, weights])


def _exact_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return distance_km((lat1, lon1), (lat2, lon2))


# Numba note: a function taking the Rule (19 arrays) pays reference counting on every array at
# each call, hundreds of ns; the rule below takes a profile as a tuple of numbers instead.

@njit(cache=True)
def _profile(r: Rule, d: int, p: int, a: int, pl: int, ac: int, sub: int) -> Any:  # pragma: no cover
    """What ``merge.compatible`` and ``merge.pair_score`` read of a profile: its dated member's
    dates, its types, its placed member's place and its acting member's sides (a single event is
    its own profile, with its own types)."""
    return (r.match_start[d], r.end[d], r.start[d], pl, ac, sub, r.has_point[p], r.lat[p],
            r.lon[p], r.country[p], r.admin1[p], r.names[a, 0], r.names[a, 1],
            r.countries[a, 0], r.countries[a, 1], r.groups[a, 0], r.groups[a, 1])


@njit(cache=True)
def _event(r: Rule, x: int) -> Any:  # pragma: no cover - compiled
    return _profile(r, x, x, x, r.plover[x], r.acled[x], r.acled_sub[x])


@njit(cache=True)
def _within(lat1: float, lon1: float, lat2: float, lon2: float, max_km: float,
            guard: float) -> bool:  # pragma: no cover - compiled
    """``merge.places_compatible`` for two points: the cheap latitude test, then the distance."""
    if abs(lat1 - lat2) * KM_PER_DEGREE_LATITUDE > max_km:
        return False
    p1, l1, p2, l2 = math.radians(lat1), math.radians(lon1), math.radians(lat2), math.radians(lon2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
    if abs(d - max_km) <= guard:
        with objmode(d="float64"):
            d = _exact_km(lat1, lon1, lat2, lon2)
    return d <= max_km


@njit(cache=True)
def _side(n1: int, c1: int, g1: int, n2: int, c2: int, g2: int) -> bool:  # pragma: no cover
    """``merge._sides_compatible``: unknown, named alike, or same country and sector group."""
    if n1 < 0 or n2 < 0 or n1 == n2:
        return True
    if c1 < 0 or c1 != c2:
        return False
    return g1 < 0 or g2 < 0 or g1 == g2


@njit(cache=True)
def _compatible(x: Any, y: Any, slack: int, coarse: int, longest: int, max_km: float,
                guard: float) -> bool:  # pragma: no cover - compiled
    """``merge.compatible`` of two ``_profile`` tuples: dates, types, places, actors, evidence."""
    if x[0] - y[1] > slack or y[0] - x[1] > slack:
        return False
    if x[1] - x[2] > longest or y[1] - y[2] > longest:
        if x[2] != y[2] or x[1] != y[1]:
            return False  # a window longer than a month matches only the same window
    elif x[2] != x[1] and y[2] != y[1] and abs(x[1] - y[1]) > coarse:
        return False
    if not ((x[3] >= 0 and x[3] == y[3]) or (x[4] >= 0 and x[4] == y[4])):
        return False
    if x[9] >= 0 and y[9] >= 0 and x[9] != y[9]:
        return False
    if x[6] and y[6]:
        if not _within(x[7], x[8], y[7], y[8], max_km, guard):
            return False
    elif x[10] >= 0 and y[10] >= 0 and x[10] != y[10]:
        return False
    if not (_side(x[11], x[13], x[15], y[11], y[13], y[15])
            and _side(x[12], x[14], x[16], y[12], y[14], y[16])):
        both = (x[11] >= 0 and x[12] >= 0) or (y[11] >= 0 and y[12] >= 0)
        alone = (x[11] >= 0 and x[12] < 0) or (y[11] >= 0 and y[12] < 0)
        same_kind = x[5] < 0 or y[5] < 0 or x[5] == y[5]  # merge.subtypes_agree
        if not (both and not alone and same_kind
                and _side(x[11], x[13], x[15], y[12], y[14], y[16])
                and _side(x[12], x[14], x[16], y[11], y[13], y[15])):
            return False
    unplaced = (not x[6] and x[9] < 0 and x[10] < 0) or (not y[6] and y[9] < 0 and y[10] < 0)
    if not unplaced:
        return True
    # merge.evidenced: an event with no place at all needs an actor named in both
    shared = ((x[11] >= 0 and (x[11] == y[11] or x[11] == y[12]))
              or (x[12] >= 0 and (x[12] == y[11] or x[12] == y[12])))
    return bool(shared)


@njit(cache=True)
def _score(x: Any, y: Any, w: Any) -> float:  # pragma: no cover - compiled
    """``merge.pair_score(x, y)`` of two single events, terms added in the same order."""
    s = 0.0
    if x[3] >= 0 and x[3] == y[3]:
        s += w[0]
    if x[4] >= 0 and x[4] == y[4]:
        s += w[1]
    if x[5] >= 0 and x[5] == y[5]:
        s += w[2]
    if x[2] == x[1] and x[1] == y[2] and y[2] == y[1]:
        s += w[3]
    if x[6] and y[6]:
        s += w[4]
    elif x[10] >= 0 and x[10] == y[10]:
        s += w[5]
    for name in (x[11], x[12]):
        if name >= 0 and (name == y[11] or name == y[12]):
            s += w[6]
    return s


class Slots(NamedTuple):
    """``Blocks`` with, per slot, the facts the sweep filters on (read in order, not at random)."""

    key: Ints
    event: Int32s
    end: Int32s
    acled: Any
    start: Int32s
    plover: Int32s
    country: Int32s
    band: Int32s
    has_point: Any
    day: Any  # the date is one day (a window must end with the other window: coarse_end_slack)


def slots(facts: FactArrays, blocked: Blocks) -> Slots:
    """The sweep's slot arrays of ``blocked``."""
    event = np.ascontiguousarray(blocked.event)
    return Slots(np.ascontiguousarray(blocked.key), event, np.ascontiguousarray(blocked.end),
                 np.ascontiguousarray(blocked.acled_block), facts.block_start[event],
                 facts.plover[event], facts.country[event], facts.band[event], facts.has_point[event],
                 facts.start[event] == facts.end[event])


@njit(cache=True, nogil=True)
def _sweep(r: Rule, z: Slots, base: int, p: int, q: int, stop: int,
           out_a: Any, out_b: Any, out_s: Any) -> tuple[int, int, int]:  # pragma: no cover
    """Compatible pairs of ``graph.candidates`` (forward, all events) from sweep slot ``p``,
    partner slot ``q``, until slot ``stop`` or until the buffers are full: returns (pairs, p, q)
    to resume from."""
    m, n, cap = len(z.key), 0, len(out_a)
    while p < stop:
        e = z.event[p]
        mine = _event(r, e)
        open_until = z.end[p] + r.slack
        last = z.key[p] - (z.start[p] - base) + (open_until - base)
        if q <= p:
            q = p + 1
        while q < m and z.key[q] <= last:
            if n == cap:
                return n, p, q
            k = q
            q += 1
            if open_until < z.start[k]:
                continue
            if z.acled[p] and z.plover[p] >= 0 and z.plover[p] == z.plover[k]:
                continue  # a pair of one PLOVER type already came from its PLOVER block
            ce, cf = z.country[p], z.country[k]
            if ce >= 0 and cf >= 0 and ce != cf:
                continue
            if z.has_point[p] and z.has_point[k] and abs(z.band[p] - z.band[k]) > 1:
                continue
            if not z.day[p] and not z.day[k] and abs(z.end[p] - z.end[k]) > r.coarse:
                continue  # two windows that do not end together (checked again in _compatible)
            f = z.event[k]
            x, y = (mine, _event(r, f)) if e < f else (_event(r, f), mine)
            if _compatible(x, y, r.slack, r.coarse, r.longest, r.max_km, r.guard):
                out_a[n], out_b[n], out_s[n] = min(e, f), max(e, f), _score(x, y, r.weights)
                n += 1
        p += 1
        q = p + 1
    return n, p, q


def _sweep_range(r: Rule, z: Slots, base: int, start: int, stop: int,
                 chunk: int) -> Iterator[tuple[Int32s, Int32s, Floats]]:
    """The pairs whose first slot lies in [start, stop), in chunks of at most ``chunk``."""
    out_a, out_b = np.empty(chunk, dtype=np.int32), np.empty(chunk, dtype=np.int32)
    out_s = np.empty(chunk, dtype=np.float64)
    p, q = start, start
    while p < stop:
        n, p, q = _sweep(r, z, base, p, q, stop, out_a, out_b, out_s)
        if n:
            yield out_a[:n].copy(), out_b[:n].copy(), out_s[:n].copy()


def sweep_edges(facts: FactArrays, blocked: Blocks, settings: MergeSettings,
                chunk: int = SWEEP_PAIRS) -> Iterator[tuple[Int32s, Int32s, Floats]]:
    """Every compatible candidate pair (a < b) once, with its score, in chunks (sweep order)."""
    r = rule(facts, settings)
    z = slots(facts, blocked)
    base = int(facts.block_start.min(initial=0))
    yield from _sweep_range(r, z, base, 0, len(z.key), chunk)


@njit(cache=True, nogil=True)
def _by_score(a: Any, b: Any, s: Any) -> tuple[Any, Any, Any]:  # pragma: no cover - compiled
    """The pairs (a[i], b[i]) grouped by score: (scores, where each one's pairs start, pairs).

    Scores in the order first met; the pairs of one score in their order in ``a``. A handful of
    distinct scores, so a linear look-up and a counting sort (what ``np.unique`` sorts for).
    """
    n = len(s)
    distinct = np.empty(16, dtype=np.float64)
    k, last, last_code = 0, 0.0, -1
    code = np.empty(n, dtype=np.int64)
    for i in range(n):
        v = s[i]
        if last_code >= 0 and (v == last or (v != v and last != last)):
            code[i] = last_code
            continue
        c = -1
        for j in range(k):
            if distinct[j] == v or (v != v and distinct[j] != distinct[j]):
                c = j
                break
        if c < 0:
            if k == len(distinct):
                grown = np.empty(2 * k, dtype=np.float64)
                grown[:k] = distinct
                distinct = grown
            distinct[k] = v
            c = k
            k += 1
        code[i] = c
        last, last_code = v, c
    starts = np.zeros(k + 1, dtype=np.int64)
    for i in range(n):
        starts[code[i] + 1] += 1
    for j in range(k):
        starts[j + 1] += starts[j]
    at = starts[:k].copy()
    pairs = np.empty((n, 2), dtype=np.int32)
    for i in range(n):
        c = code[i]
        pairs[at[c], 0] = a[i]
        pairs[at[c], 1] = b[i]
        at[c] += 1
    return distinct[:k].copy(), starts, pairs


ScoredPairs = tuple[Floats, Ints, Int32s]


def _scored_pairs(facts: FactArrays, blocked: Blocks, settings: MergeSettings, chunk: int,
                  threads: int) -> Iterator[ScoredPairs]:
    """Every compatible pair once, a chunk at a time grouped by score (``_by_score``), found by
    ``threads`` threads sweeping slot ranges in turn: chunks come in no fixed order."""
    r = rule(facts, settings)
    z = slots(facts, blocked)
    base = int(facts.block_start.min(initial=0))
    m = len(z.key)
    if threads <= 1 or m < 2:
        for a, b, s in _sweep_range(r, z, base, 0, m, chunk):
            yield _by_score(a, b, s)
        return
    cuts = np.unique(np.linspace(0, m, min(SWEEP_SEGMENTS, m) + 1).astype(np.int64)).tolist()
    segments = iter(range(len(cuts) - 1))
    taking = threading.Lock()

    def work(put: Callable[[ScoredPairs], bool]) -> None:
        while True:
            with taking:
                k = next(segments, None)
            if k is None:
                return
            for a, b, s in _sweep_range(r, z, base, cuts[k], cuts[k + 1], chunk):
                if not put(_by_score(a, b, s)):
                    return

    yield from in_threads(work, threads, 2 * threads)


def _merge_runs(files: dict[float, Path], id_rank: Int32s, unique: bool,
                folder: Path) -> Iterator[tuple[Int32s, Int32s]]:
    """The score files' pairs, best score first, each run sorted in merge order."""
    for value in sorted(files, reverse=True):
        for pairs in _runs_of(files[value], id_rank, folder):
            yield _in_merge_order(pairs, id_rank, unique)
            del pairs
        files[value].unlink()


def _in_merge_order(pairs: Int32s, id_rank: Int32s, unique: bool) -> tuple[Int32s, Int32s]:
    """Pairs of one score (a (k, 2) array, consumed) in ``cluster_events``' order: ids, then indexes."""
    if not unique:
        a, b = pairs[:, 0], pairs[:, 1]
        order = np.lexsort((b, a, id_rank[b], id_rank[a]))
        return np.ascontiguousarray(a[order]), np.ascontiguousarray(b[order])
    # Id rank order is index order: one int64 key per pair, sorted in place (pairs are distinct).
    n = np.int64(len(id_rank) + 1)
    key = pairs[:, 0].astype(np.int64)
    key *= n
    key += pairs[:, 1]
    del pairs
    key.sort()
    return (key // n).astype(np.int32), (key % n).astype(np.int32)


def ordered_pairs(facts: FactArrays, blocked: Blocks, settings: MergeSettings, folder: Path,
                  swept: Callable[[], None] | None = None,
                  threads: int = SWEEP_THREADS) -> Iterator[tuple[Int32s, Int32s]]:
    """All compatible pairs in the merge's order (score down, then ids), a sorted run at a time.

    Pairs go to one file per score value in ``folder`` as they are found; each file is then
    sorted in memory, or first split by the rank of its first event when it is too large.
    ``swept`` is called once the sweep is over (``blocked`` is no longer needed then). The order
    pairs reach a file in (``threads`` sweep at once) does not matter: each run is sorted whole.
    """
    files: dict[float, Path] = {}
    for k, (values, starts, pairs) in enumerate(_scored_pairs(facts, blocked, settings,
                                                              SWEEP_PAIRS, threads)):
        if k % TRIM_CHUNKS == TRIM_CHUNKS - 1:
            release_memory()  # small pieces come and go: glibc keeps their freed heap otherwise
        for j, value in enumerate(values.tolist()):
            path = files.setdefault(value, folder / f"pairs-{len(files)}.bin")
            with path.open("ab") as handle:
                pairs[starts[j]:starts[j + 1]].tofile(handle)
        del values, starts, pairs
    del blocked
    if swept is not None:
        swept()
    unique = bool(facts.n == 0 or facts.id_rank[-1] == facts.n - 1)
    runs = _merge_runs(files, facts.id_rank, unique, folder)
    # With threads, the next run is read and sorted while the caller joins this one (the join
    # and NumPy's sorts both run without the GIL).
    yield from ahead(runs) if threads > 1 else runs


def _pieces(path: Path) -> Iterator[Int32s]:
    """The pairs of a file, SORT_PAIRS at a time (read, not mapped: mapped pages count as resident)."""
    with path.open("rb") as handle:
        while True:
            piece = np.fromfile(handle, dtype=np.int32, count=2 * SORT_PAIRS)
            if not piece.size:
                return
            yield piece.reshape(-1, 2)


def _runs_of(path: Path, id_rank: Int32s, folder: Path) -> Iterator[Int32s]:
    """The pairs of one file as (k, 2) arrays whose first events' id ranks come in order."""
    if path.stat().st_size <= SORT_PAIRS * 8:
        yield from _pieces(path)
        return
    # Pairs counted per bin of RANK_BIN id ranks, not per rank: the counts then take ~0.3 MB, not
    # three arrays of 8 bytes per event while the join's arrays are held.
    per_bin = np.zeros(int(id_rank[-1]) // RANK_BIN + 2, dtype=np.int64)
    for piece in _pieces(path):
        per_bin += np.bincount(id_rank[piece[:, 0]] // RANK_BIN, minlength=len(per_bin))
    # Cut between bins, so between id ranks (never inside one: equal ids sort by their second
    # event first); each part is sorted whole, so where the cuts fall does not change the order.
    total = np.cumsum(per_bin)
    del per_bin
    cuts = np.unique(np.searchsorted(total, np.arange(SORT_PAIRS, int(total[-1]), SORT_PAIRS))) * RANK_BIN
    del total
    parts = [folder / f"{path.stem}-part-{k}.bin" for k in range(len(cuts) + 1)]
    for piece in _pieces(path):
        where = np.searchsorted(cuts, id_rank[piece[:, 0]], side="right")
        order = np.argsort(where, kind="stable")
        bounds = np.searchsorted(where[order], np.arange(1, len(parts)))
        for part, rows in zip(parts, np.split(order, bounds), strict=True):
            if len(rows):
                with part.open("ab") as handle:
                    piece[rows].tofile(handle)
    for part in parts:
        if part.exists():
            yield np.fromfile(part, dtype=np.int32).reshape(-1, 2)
            part.unlink()


# --- joining groups best-first ----------------------------------------------------------------

@njit(cache=True)
def _better_dated(r: Rule, x: int, y: int) -> bool:  # pragma: no cover - compiled
    """x before y by (date precision, basis, window length, id rank)."""
    kx = (r.precision_rank[x], r.basis_rank[x], r.end[x] - r.start[x], r.id_rank[x])
    ky = (r.precision_rank[y], r.basis_rank[y], r.end[y] - r.start[y], r.id_rank[y])
    return kx < ky


@njit(cache=True)
def _better_placed(r: Rule, x: int, y: int) -> bool:  # pragma: no cover - compiled
    return (r.geo_rank[x], r.no_point[x], r.id_rank[x]) < (r.geo_rank[y], r.no_point[y], r.id_rank[y])


@njit(cache=True)
def _named(r: Rule, x: int) -> int:  # pragma: no cover - compiled
    return int(r.names[x, 0] >= 0) + int(r.names[x, 1] >= 0)


@njit(cache=True)
def _better_acting(r: Rule, x: int, y: int) -> bool:  # pragma: no cover - compiled
    kx = (-_named(r, x), r.precision_rank[x], r.basis_rank[x], r.end[x] - r.start[x], r.id_rank[x])
    ky = (-_named(r, y), r.precision_rank[y], r.basis_rank[y], r.end[y] - r.start[y], r.id_rank[y])
    return kx < ky


@njit(cache=True)
def _code(r: Rule, field: int, x: int) -> int:  # pragma: no cover - compiled
    if field == 0:
        return int(r.plover[x])
    if field == 1:
        return int(r.acled[x])
    return int(r.acled_sub[x])


@njit(cache=True)
def _add_counts(r: Rule, keep: int, drop: int, nxt: Any, mode: Any, count: Any, first: Any,
                counts: Any, n_codes: int) -> None:  # pragma: no cover - compiled
    """Move the type counts of ``drop``'s members to ``keep`` and update its modes.

    ``counts`` maps (group, field, code) to count << 32 | lowest member index; a group of one
    has no entries (its member says it all), so they are made on its first join.
    """
    for f in range(3):
        if nxt[keep] < 0:  # keep is still a group of one
            v = _code(r, f, keep)
            if v >= 0:
                counts[(keep * 3 + f) * n_codes + v] = (1 << 32) | keep
        x = drop
        while x >= 0:
            v = _code(r, f, x)
            if v >= 0:
                old = (drop * 3 + f) * n_codes + v
                if old in counts:
                    del counts[old]
                k = (keep * 3 + f) * n_codes + v
                if k in counts:
                    packed = counts[k]
                    c, seen = (packed >> 32) + 1, min(packed & 0xFFFFFFFF, x)
                else:
                    c, seen = 1, x
                counts[k] = (c << 32) | seen
                better = c > count[keep, f] or (c == count[keep, f] and seen < first[keep, f])
                if v == mode[keep, f] or better:
                    mode[keep, f], count[keep, f], first[keep, f] = v, c, seen
            x = nxt[x]


@njit(cache=True)
def _rescan(r: Rule, keep: int, nxt: Any, dated: Any, placed: Any, acting: Any,
            mode: Any, count: Any, first: Any, n: int) -> None:  # pragma: no cover - compiled
    """``merge.group_profile`` of ``keep`` from all its members, in member-list order.

    Used when event ids repeat: ties between equal ids then go to the member joined first.
    """
    d = p = a = keep
    x = nxt[keep]
    while x >= 0:
        if _better_dated(r, x, d):
            d = x
        if _better_placed(r, x, p):
            p = x
        if _better_acting(r, x, a):
            a = x
        x = nxt[x]
    dated[keep], placed[keep], acting[keep] = d, p, a
    for f in range(3):
        seen_counts = Dict.empty(key_type=types.int64, value_type=types.int64)
        seen_first = Dict.empty(key_type=types.int64, value_type=types.int64)
        x, pos = keep, 0
        while x >= 0:
            v = _code(r, f, x)
            if v >= 0:
                seen_counts[v] = seen_counts.get(v, 0) + 1
                if v not in seen_first:
                    seen_first[v] = r.id_rank[x] * (n + 1) + pos
                else:
                    seen_first[v] = min(seen_first[v], r.id_rank[x] * (n + 1) + pos)
            x, pos = nxt[x], pos + 1
        best, best_count, best_first = -1, 0, 0
        for v, c in seen_counts.items():
            s = seen_first[v]
            if c > best_count or (c == best_count and s < best_first):
                best, best_count, best_first = v, c, s
        mode[keep, f], count[keep, f], first[keep, f] = best, best_count, best_first


@njit(cache=True, nogil=True)
def _join(r: Rule, first_of: Any, second_of: Any, group: Any, nxt: Any, tail: Any, size: Any,
          dated: Any, placed: Any, acting: Any, mode: Any, count: Any, first: Any, counts: Any,
          n_codes: int, unique: bool) -> int:  # pragma: no cover - compiled
    """``merge.merge_pairs`` over pairs in order; returns the joins made."""
    joins = 0
    for k in range(len(first_of)):
        gi, gj = group[first_of[k]], group[second_of[k]]
        if gi == gj:
            continue
        x = _profile(r, dated[gi], placed[gi], acting[gi], mode[gi, 0], mode[gi, 1], mode[gi, 2])
        y = _profile(r, dated[gj], placed[gj], acting[gj], mode[gj, 0], mode[gj, 1], mode[gj, 2])
        if not _compatible(x, y, r.slack, r.coarse, r.longest, r.max_km, r.guard):
            continue
        keep, drop = (gi, gj) if size[gi] >= size[gj] else (gj, gi)
        if unique:
            _add_counts(r, keep, drop, nxt, mode, count, first, counts, n_codes)
        x = drop
        while x >= 0:
            group[x] = keep
            x = nxt[x]
        nxt[tail[keep]] = drop
        tail[keep] = tail[drop]
        size[keep] += size[drop]
        if unique:
            if _better_dated(r, dated[drop], dated[keep]):
                dated[keep] = dated[drop]
            if _better_placed(r, placed[drop], placed[keep]):
                placed[keep] = placed[drop]
            if _better_acting(r, acting[drop], acting[keep]):
                acting[keep] = acting[drop]
        else:
            _rescan(r, keep, nxt, dated, placed, acting, mode, count, first, len(group))
        joins += 1
    return joins


class Grouping:
    """Groups of events joined pair by pair, best-first (``merge.merge_pairs``, compiled)."""

    def __init__(self, facts: FactArrays, settings: MergeSettings, events: Ints | None = None) -> None:
        """Every event of ``facts`` alone (only ``events``, numbered 0..k-1 in order, when given)."""
        self.rule = r = rule(facts, settings, events)
        n = len(r.start)
        self.group = np.arange(n, dtype=np.int32)
        self.nxt = np.full(n, -1, dtype=np.int32)
        self.tail = np.arange(n, dtype=np.int32)
        self.size = np.ones(n, dtype=np.int32)
        self.dated, self.placed, self.acting = (np.arange(n, dtype=np.int32) for _ in range(3))
        self.mode = np.stack([r.plover, r.acled, r.acled_sub], axis=1).astype(np.int32)
        self.count = (self.mode >= 0).astype(np.int32)
        self.counts = Dict.empty(key_type=types.int64, value_type=types.int64)
        self.n_codes = int(max(r.plover.max(initial=-1), r.acled.max(initial=-1),
                               r.acled_sub.max(initial=-1))) + 1
        self.unique = bool(np.all(np.diff(r.id_rank) > 0))
        # Mode ties: the lowest member index (int32) or, by rescan, (id rank, position) (int64).
        self.first = np.repeat(np.arange(n, dtype=np.int32 if self.unique else np.int64)[:, None], 3, axis=1)

    def join(self, first_of: npt.NDArray[np.integer[Any]], second_of: npt.NDArray[np.integer[Any]]) -> int:
        """Take the pairs (event indexes) in order; returns how many joined two groups."""
        if not len(first_of):
            return 0
        n = len(self.group)
        if len(first_of) != len(second_of) or min(first_of.min(), second_of.min()) < 0 \
                or max(first_of.max(), second_of.max()) >= n:
            raise ValueError(f"pairs must be two equal-length arrays of event indexes below {n}")
        return int(_join(self.rule, np.ascontiguousarray(first_of, dtype=np.int32),
                         np.ascontiguousarray(second_of, dtype=np.int32), self.group, self.nxt,
                         self.tail, self.size, self.dated, self.placed, self.acting, self.mode,
                         self.count, self.first, self.counts, max(self.n_codes, 1), self.unique))

    def labels(self) -> Int32s:
        """Per event, its group's label (the least index of the group's first member)."""
        return self.group


__all__ = ["Grouping", "Rule", "ordered_pairs", "rule", "sweep_edges"]
