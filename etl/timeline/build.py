"""Build the timeline table from a processed folder, recomputing only what changed since last time.

The merge is the one of ``etl.timeline.merge`` (same rule, same table, byte for byte), but the
events stay in Arrow/NumPy columns (``etl.timeline.graph``), read a row group at a time; rows
are made column by column (``_several_rows`` is ``merge.merged_row`` over many groups at once),
and Python objects per event exist only when a small regroup runs ``merge.merge_pairs``. With a
cache folder, a rebuild regroups only the changed events, the old groups they touch and the
groups next to those, after checking that nothing further can change (see ``_incremental``);
the other rows are copied from the previous table. The cache also keeps every event's facts,
block memberships and the table itself as mapped Arrow files, so a caller that says which
articles changed (``write_timeline(changed_articles=...)``) has only their rows read (see
``rescan``): the work then follows the change, except writing the table out.

    >>> write_timeline(Path("data/processed"), Path("data/processed/.cache/timeline"))  # doctest: +SKIP
    98170
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import mmap
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from etl import __version__
from etl.io.cache import table_stamp
from etl.io.dataset import part_files
from etl.io.memory import fixed_mmap_threshold, release_memory
from etl.io.parquet import to_arrow, write_arrow
from etl.io.threads import ahead
from etl.schema import SCHEMA_VERSION, SORT_KEYS, TIMELINE
from etl.timeline import graph
from etl.timeline.graph import Blocks, FactArrays, Ints
from etl.timeline.merge import (
    MERGE_COLUMNS,
    EventFacts,
    _text,
    event_facts,
    merge_pairs,
    source_key,
    timeline_id,
)
from etl.timeline.rules import TIMELINE_RESOURCES, MergeSettings, merge_settings

ARTICLE_COLUMNS = ["article_id", "source", "url", "published"]
ROW_COLUMNS = [c for c in MERGE_COLUMNS if c != "sentence"]
# Events columns read as dictionaries: few distinct values, so millions of rows stay small.
DICTIONARY_COLUMNS = [
    "article_id", "date_precision", "date_basis", "event_type", "acled_event_type",
    "acled_sub_event_type", "actor1", "actor1_country", "actor1_sector", "actor2",
    "actor2_country", "actor2_sector", "location", "admin1", "country_iso3",
]
# Events per batch of whole groups made into rows together in a full build (columns).
BATCH_EVENTS = 40_000
# Events regrouped with merge.merge_pairs in Python below this (loading the compiled loops
# costs about 0.7 s; an incremental build usually regroups a few hundred events).
PYTHON_MERGE_EVENTS = 20_000
# One-event groups per batch (columns only, no Python objects per event).
SINGLE_BATCH = 200_000
# Above this share of events to regroup, a full build is as cheap and simpler.
INCREMENTAL_LIMIT = 0.25
# Row groups of changed rows kept in memory for the reads after the scan (more: read again).
HOLD_GROUPS = 4
# Rows per slice when a table in memory is scanned.
SLICE_ROWS = 65_536
_MIX = np.uint64(0x100000001B3)
_NULL = np.uint64(0x9E3779B97F4A7C15)
U64s = Any  # a NumPy uint64 array (loose: pandas' hash_array is untyped)
Bools = Any


# --- the events' content, hashed per row, to tell which events changed -------------------------

def _hash_values(array: pa.Array | pa.ChunkedArray) -> U64s:
    """A 64-bit hash per value of one column, nulls included (equal values, equal hashes)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    if pa.types.is_dictionary(array.type):
        lut = np.append(_hash_values(array.dictionary), _NULL)
        indices = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return np.asarray(lut[indices], dtype=np.uint64)
    if pa.types.is_null(array.type):
        return np.full(len(array), _NULL, dtype=np.uint64)
    valid = pc.is_valid(array).to_numpy(zero_copy_only=False)
    values: Any
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        values = array.fill_null("").to_numpy(zero_copy_only=False)
    elif pa.types.is_floating(array.type):
        values = array.cast(pa.float64()).fill_null(0.0).to_numpy(zero_copy_only=False).view(np.int64)
    elif pa.types.is_date32(array.type):
        values = array.cast(pa.int32()).cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    else:  # integers and timestamps
        values = array.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    hashed = pd.util.hash_array(np.asarray(values), categorize=False)
    return np.where(valid, hashed, _NULL).astype(np.uint64)


def _combine(hashes: list[Any], n: int) -> U64s:
    """One hash per row from per-column hashes (order matters)."""
    total = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for h in hashes:
            total = (total * _MIX) ^ h
    return total


def _articles_hashes(articles: pa.Table) -> U64s:
    """Per article row, a hash of what it adds to a timeline row: outlet, URL, publication."""
    return _combine([_hash_values(graph._column(articles, c)) for c in ARTICLE_COLUMNS[1:]],
                    articles.num_rows)


def _decoded(table: pa.Table) -> pa.Table:
    """Dictionary columns as plain strings (row groups have dictionaries of their own)."""
    for k, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            column = table.column(k)
            table = table.set_column(k, field.name, pa.chunked_array(
                [c.dictionary_decode() for c in column.chunks], field.type.value_type))
    return table


def unique_articles(articles: pa.Table) -> pa.Table:
    """One row per article id, the last one (as a dict built from the rows keeps the last)."""
    ids = articles.column("article_id").cast(pa.string()).to_numpy(zero_copy_only=False)
    if len(ids) == 0:
        return articles
    _, last = np.unique(np.asarray(ids, dtype=object)[::-1], return_index=True)
    keep = np.sort(len(ids) - 1 - last)
    if len(keep) == len(ids):
        return articles
    return articles.take(pa.array(keep))


def _dictionary(column: pa.ChunkedArray) -> pa.DictionaryArray:
    """A string column as one dictionary array: ``["a", None, "a"] -> [0, null, 0] of ["a"]``."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column.cast(pa.string()))
    column = column.unify_dictionaries()
    if column.num_chunks == 0:
        return pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))
    indices = pa.concat_arrays([c.indices.cast(pa.int32()) for c in column.chunks])
    return pa.DictionaryArray.from_arrays(indices, column.chunk(0).dictionary.cast(pa.string()))


# --- where events come from: a Parquet file read a row group at a time, or a table -------------

class EventSource:
    """The events rows, from ``events.parquet`` (a row group at a time) or a table in memory."""

    def __init__(self, path: Path | None = None, table: pa.Table | None = None) -> None:
        self.path, self.table = path, table
        self._open: tuple[Path, pq.ParquetFile, pa.NativeFile] | None = None
        if path is not None:
            # a row group of any of the table's part files (``etl.io.dataset``), in row order
            self.groups: list[tuple[Path, int]] = []
            sizes = []
            for file in part_files(path):
                with pa.OSFile(str(file)) as handle:
                    metadata = pq.read_metadata(handle)
                for k in range(metadata.num_row_groups):
                    self.groups.append((file, k))
                    sizes.append(metadata.row_group(k).num_rows)
            names = set(metadata.schema.to_arrow_schema().names)
        else:
            assert table is not None
            sizes = [min(SLICE_ROWS, table.num_rows - k) for k in range(0, table.num_rows, SLICE_ROWS)]
            names = set(table.column_names)
        self.offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
        self.names = names
        self.columns = [c for c in MERGE_COLUMNS if c in names]
        self.rows = int(self.offsets[-1])
        self.held: dict[int, pa.Table] = {}  # row groups kept by ``take(hold=True)``, by number

    def part(self, k: int, columns: list[str]) -> pa.Table:
        """Row group ``k`` (or slice ``k`` of a table), with the columns it has among ``columns``."""
        present = [c for c in columns if c in self.columns]
        if self.table is not None:
            start = int(self.offsets[k])
            return self.table.select(present).slice(start, int(self.offsets[k + 1]) - start)
        held = self.held.get(k)
        if held is not None and all(c in held.column_names for c in present):
            return held.select(present)
        file, group = self.groups[k]
        return self._file(file).read_row_group(group, columns=present, use_threads=False)

    def _file(self, path: Path) -> pq.ParquetFile:
        if self._open is None or self._open[0] != path:  # one file open at a time, not hundreds
            self.close()
            # Opened by us, not by path: Arrow then reads the column chunks through the current
            # pool (the system one in write_timeline); a path goes through Arrow's C++ default
            # pool (mimalloc), which keeps freed pages resident: ~80 MB at 10k articles.
            handle = pa.OSFile(str(path))
            self._open = (path, pq.ParquetFile(handle, read_dictionary=DICTIONARY_COLUMNS), handle)
        return self._open[1]

    def close(self) -> None:
        """Close the file read last (reading again reopens it)."""
        if self._open is not None:
            self._open[2].close()
            self._open = None

    def article_ids(self) -> pa.DictionaryArray:
        """Every row's article id, one dictionary for all rows (a cheap column to read)."""
        if self.table is not None:
            column = pa.chunked_array([graph._column(self.table, "article_id")])
        elif "article_id" in self.names:
            files = sorted({file for file, _ in self.groups})
            column = pa.chunked_array(
                [chunk for file in files
                 for chunk in self._file(file).read(columns=["article_id"], use_threads=False)
                 .column(0).chunks],
                pa.dictionary(pa.int32(), pa.string()))
        else:
            column = pa.chunked_array([pa.nulls(self.rows)])
        return _dictionary(column)

    def parts(self, columns: list[str]) -> Iterator[pa.Table]:
        for k in range(len(self.offsets) - 1):
            yield self.part(k, columns)

    def take(self, positions: Ints, columns: list[str] = ROW_COLUMNS, hold: bool = False) -> pa.Table:
        """The rows at ``positions`` (in that order), dictionaries decoded.

        ``hold``: keep the row groups read (up to HOLD_GROUPS) for the reads that follow.
        """
        order = np.argsort(positions, kind="stable")
        wanted = positions[order]
        part_of = np.searchsorted(self.offsets, wanted, side="right") - 1
        pieces = []
        groups = np.unique(part_of).tolist()
        for k in groups:
            local = wanted[part_of == k] - self.offsets[k]
            part = self.part(k, columns)
            if hold and len(groups) <= HOLD_GROUPS and self.table is None:
                self.held[k] = part
            pieces.append(_decoded(part.take(pa.array(local))))
        if not pieces:
            return _decoded(self.part(0, columns).slice(0, 0)) if len(self.offsets) > 1 \
                else pa.table({c: pa.array([], pa.string()) for c in columns if c in self.columns})
        taken = pa.concat_tables(pieces, promote_options="permissive")
        return taken.take(pa.array(np.argsort(order, kind="stable")))


# --- pass 1: the rule's facts and a content hash of every event ---------------------------------

@dataclass
class Scan:
    """All events as columns: facts in merge order; per row, id, content hash, sentence present.

    ``sorted_ids`` (the dated events' ids in merge order) and ``books`` (the fact codes' values)
    are what the cache keeps so that a later build can scan only changed articles.
    """

    facts: FactArrays
    id_hash: U64s  # a hash of each row's event_id: matches rows with the previous build's
    content: U64s
    sentence_valid: Bools
    sorted_ids: pa.Array | pa.ChunkedArray | None = None
    books: dict[str, dict[Any, int]] | None = None
    blocks: Blocks | None = None  # made from the previous build's, when it kept them


def _row_state(part: pa.Table, article_ids: pa.Array,
               per_article: U64s) -> tuple[pa.Array, U64s, U64s, Bools]:
    """Per row of ``part``: event id (str(None) for none), id hash, content hash, has a sentence.

    Each value depends on its row alone (and its article), so a few rows read apart hash as
    they do in the whole table.
    """
    # str(None) is "None" in merge.event_facts: a missing id sorts and hashes as that text.
    event_ids = graph._column(part, "event_id").cast(pa.string()).fill_null("None")
    valid = pc.is_valid(graph._column(part, "sentence")).to_numpy(zero_copy_only=False)
    found = pc.index_in(graph._column(part, "article_id").cast(pa.string()), value_set=article_ids)
    index = found.fill_null(len(per_article) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
    hashes = [_hash_values(graph._column(part, c)) for c in MERGE_COLUMNS]
    content = _combine([*hashes, per_article[index]], part.num_rows)
    return event_ids, _hash_values(event_ids), content, np.asarray(valid, dtype=bool)


def scan(source: EventSource, articles: pa.Table, settings: MergeSettings) -> Scan:
    """Read the events once, a row group at a time, keeping only compact columns."""
    books: dict[str, dict[Any, int]] = {}
    chunks, ids, id_hash, content, valid = [], [], [], [], []
    article_ids = articles.column("article_id").cast(pa.string())
    per_article = np.append(_articles_hashes(articles), _NULL)
    for part in ahead(source.parts(MERGE_COLUMNS)):  # the next row group read meanwhile
        chunks.append(graph.raw_facts(part, settings, books))
        event_ids, ids_hashed, hashed, present = _row_state(part, article_ids, per_article)
        ids.append(event_ids)
        id_hash.append(ids_hashed)
        content.append(hashed)
        valid.append(present)
        del part
        release_memory()
    # A chunked column (no copy), handed over in a list: sorted_facts drops it once sorted.
    holder = [pa.chunked_array(ids, pa.string())]
    del ids
    facts, sorted_ids = graph.sorted_facts(chunks, holder)
    release_memory()
    return Scan(facts, np.concatenate(id_hash) if id_hash else np.zeros(0, dtype=np.uint64),
                np.concatenate(content) if content else np.zeros(0, dtype=np.uint64),
                np.concatenate(valid) if valid else np.zeros(0, dtype=bool), sorted_ids, books)


# --- grouping: the greedy merge of merge.cluster_events, fed by vectorized pairs ----------------

@dataclass
class Inputs:
    """What one merge reads: the events (as a source), their facts and blocks, the articles."""

    source: EventSource
    articles: pa.Table
    settings: MergeSettings
    facts: FactArrays
    sentence_valid: Bools
    _blocks: Blocks | None = None
    on_drop: Callable[[Blocks], None] | None = None  # sees the blocks before they are dropped

    @property
    def blocked(self) -> Blocks:
        """The events' blocks, made when first asked for (a full build drops them after its sweep)."""
        if self._blocks is None:
            self._blocks = graph.blocks(self.facts)
        return self._blocks

    def drop_blocks(self) -> None:
        if self._blocks is not None and self.on_drop is not None:
            self.on_drop(self._blocks)
        self._blocks = None
        release_memory()


FLOAT_COLUMNS = ("latitude", "longitude", "confidence")


def _shared_values(column: pa.ChunkedArray) -> list[Any]:
    """``column.to_pylist()`` with one Python object per distinct value (rows repeat values)."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if len(array) == 0 or pa.types.is_null(array.type):
        return list(array.to_pylist())
    encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
    values = [*encoded.dictionary.to_pylist(), None]
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).tolist()
    return [values[k] for k in indices]


class RowColumns:
    """Rows of some events as column lists; a row dict is made only when one is asked for.

    Values are plain Python values with None where missing (NaN too), as ``frames.records``;
    ``sentence`` holds the row position (or None), the sentence itself being read last.
    """

    def __init__(self, inputs: Inputs, positions: Ints, taken: pa.Table) -> None:
        self.names = [*taken.column_names, "sentence"]
        self.columns: list[list[Any]] = []
        for name in taken.column_names:
            values = _shared_values(taken.column(name))
            if name in FLOAT_COLUMNS:
                values = [None if v is not None and v != v else v for v in values]
            self.columns.append(values)
        valid = inputs.sentence_valid
        self.columns.append([p if valid[p] else None for p in positions.tolist()])

    def __len__(self) -> int:
        return len(self.columns[-1])

    def __getitem__(self, k: int) -> dict[str, Any]:
        return {name: values[k] for name, values in zip(self.names, self.columns, strict=True)}

    def column(self, name: str) -> list[Any]:
        return self.columns[self.names.index(name)]


class Rows:
    """Rows of some events, fetched from the source once and looked up by row position."""

    def __init__(self, source: EventSource, table: pa.Table | None = None,
                 positions: Ints | None = None) -> None:
        self.source = source
        self.table = table
        self.positions = positions if positions is not None else np.zeros(0, dtype=np.int64)

    def get(self, positions: Ints) -> pa.Table:
        """The rows at ``positions`` (any order), fetching those not held yet."""
        missing = np.setdiff1d(positions, self.positions)
        if len(missing):
            fetched = self.source.take(missing)
            merged = fetched if self.table is None else pa.concat_tables(
                [self.table, fetched], promote_options="permissive")
            all_positions = np.concatenate([self.positions, missing])
            order = np.argsort(all_positions, kind="stable")
            self.table = merged.take(pa.array(order))
            self.positions = all_positions[order]
        if self.table is None:
            return self.source.take(positions)
        return self.table.take(pa.array(np.searchsorted(self.positions, positions)))


def _event_facts(inputs: Inputs, events: Ints, rows: Rows) -> list[EventFacts]:
    """The facts of ``events`` as Python objects, for ``merge.merge_pairs`` on a small regroup."""
    positions = inputs.facts.row[events]
    table = RowColumns(inputs, positions, rows.get(positions))
    event_list = [event_facts(table[k], inputs.settings) for k in range(len(table))]
    dated = [f for f in event_list if f is not None]
    if len(dated) != len(event_list):
        raise AssertionError("an event without a date reached the merge")
    return dated


def _split(events: Ints, labels: npt.NDArray[np.integer[Any]]) -> list[list[int]]:
    """``events`` (sorted) cut into groups by label: groups by label, members ascending."""
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [events[part].tolist() for part in np.split(order, cuts)] if len(events) else []


def _cluster(inputs: Inputs, events: Ints, rows: Rows) -> list[list[int]]:
    """Groups among ``events`` (sorted merge-order indexes) using only pairs inside them."""
    facts, settings = inputs.facts, inputs.settings
    inside = np.zeros(facts.n, dtype=bool)
    inside[events] = True
    firsts, seconds = [], []
    for a, b in graph.edges(facts, inputs.blocked, settings, events, forward_only=True):
        keep = inside[a] & inside[b]
        firsts.append(a[keep])
        seconds.append(b[keep])
    del inside
    a = np.concatenate(firsts) if firsts else np.zeros(0, dtype=np.int64)
    b = np.concatenate(seconds) if seconds else np.zeros(0, dtype=np.int64)
    order = graph.pair_order(facts, a, b, settings)
    local_a, local_b = np.searchsorted(events, a[order]), np.searchsorted(events, b[order])
    del a, b, order
    if len(events) <= PYTHON_MERGE_EVENTS:  # the usual incremental build: no compiler to load
        objects = _event_facts(inputs, events, rows)
        local = merge_pairs(objects, zip(local_a.tolist(), local_b.tolist(), strict=True), settings)
        return [events[group].tolist() for group in local]
    from etl.timeline import kernels

    grouping = kernels.Grouping(facts, settings, events)
    grouping.join(local_a, local_b)
    return _split(events, grouping.labels())


def _text_column(array: pa.Array) -> pa.Array:
    """``merge._text`` on every value (applied to the dictionary, so once per distinct value)."""
    encoded = pc.dictionary_encode(array)
    dictionary = pa.array([_text(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return dictionary.take(encoded.indices)


def _raw(taken: pa.Table, name: str, kind: pa.DataType) -> pa.Array:
    """One column of events rows as a plain array of ``kind`` (all null when absent)."""
    column = graph._column(taken, name)
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    return column.cast(kind)


def _without_nan(values: pa.Array) -> pa.Array:
    """NaN as null, as ``frames.records`` reads a float column: ``[1.5, nan] -> [1.5, null]``."""
    return pc.if_else(pc.is_nan(values), pa.scalar(None, pa.float64()), values)


def _days(values: Any) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int32), pa.int32()).cast(pa.date32())


def _reported(articles: pa.Table, found: pa.Array) -> pa.Array:
    """``published`` of the articles at ``found`` (null: none), as ``merged_row`` converts it."""
    published = graph._column(articles, "published").take(found)
    if pa.types.is_timestamp(published.type) and published.type.tz is None:
        try:  # whole seconds (Parquet stores "s" as "ms"): what pd.Timestamp and back gives
            return published.cast(pa.timestamp("s"))
        except pa.ArrowInvalid:
            pass  # fractions of a second: leave their rounding to the conversion below
    values = [None if p is None or pd.isna(p) else pd.Timestamp(p) for p in published.to_pylist()]
    return pa.array(values, pa.timestamp("s"))


def _single_rows(inputs: Inputs, events: Ints, taken: pa.Table) -> pa.Table:
    """Timeline rows of one-event groups, column by column (what ``merged_row`` gives for one).

    ``taken`` holds the events' rows in the same order. ``summary_row`` replaces ``summary``:
    the row position of the sentence, read once at the end.
    """
    facts = inputs.facts
    positions = facts.row[events]
    n = len(events)
    event_ids = _raw(taken, "event_id", pa.string()).fill_null("None")  # str(None), as in merged_row
    article_ids = _raw(taken, "article_id", pa.string()).fill_null("None")
    offsets = pa.array(np.arange(n + 1, dtype=np.int32))
    articles = inputs.articles
    found = pc.index_in(article_ids, value_set=articles.column("article_id").cast(pa.string()))
    columns: dict[str, pa.Array] = {
        "timeline_id": pa.array([timeline_id([i]) for i in event_ids.to_pylist()], pa.string()),
        "event_date": _days(facts.event_date[events]),
        "date_start": _days(facts.start[events]),
        "date_end": _days(facts.end[events]),
        "event_type": _raw(taken, "event_type", pa.string()),
        "acled_event_type": _raw(taken, "acled_event_type", pa.string()),
        "actor1": _text_column(_raw(taken, "actor1", pa.string())),
        "actor2": _text_column(_raw(taken, "actor2", pa.string())),
        "location": _raw(taken, "location", pa.string()),
        "admin1": _raw(taken, "admin1", pa.string()),
        "country_iso3": _raw(taken, "country_iso3", pa.string()),
        "latitude": _without_nan(_raw(taken, "latitude", pa.float64())),
        "longitude": _without_nan(_raw(taken, "longitude", pa.float64())),
        "geo_precision": _raw(taken, "geo_precision", pa.int64()),
        "fatalities": _raw(taken, "fatalities", pa.int64()),
        "n_articles": pa.array(np.ones(n, dtype=np.int64)),
        "n_sources": pa.array(np.ones(n, dtype=np.int64)),
        "first_reported": _reported(articles, found),
        "article_ids": pa.ListArray.from_arrays(offsets, article_ids),
        "event_ids": pa.ListArray.from_arrays(offsets, event_ids),
        "summary_row": pa.array(np.where(inputs.sentence_valid[positions], positions, -1)),
    }
    return pa.Table.from_arrays([columns[f.name].cast(f.type) for f in WORK_SCHEMA], schema=WORK_SCHEMA)


def _codes_of(values: pa.Array) -> Ints:
    """Integer codes of a column's distinct values (-1: null): ``["b", None, "b"] -> [0, -1, 0]``."""
    encoded = pc.dictionary_encode(values)
    return np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


class Groups:
    """Groups of several events laid end to end: per member its group, position and facts.

    Orders (``sorted_by``) sort the members group by group, so group ``g`` holds the slots
    ``start[g]:start[g] + size[g]`` of any order; ties end on the member's position in its group,
    as Python's stable sorts in ``merged_row`` leave them.

        >>> Groups([[4, 2], [7, 1, 3]]).group.tolist(), Groups([[4, 2], [7, 1, 3]]).start.tolist()
        ([0, 0, 1, 1, 1], [0, 2])
    """

    def __init__(self, groups: list[list[int]]) -> None:
        self.size = np.array([len(g) for g in groups], dtype=np.int64)
        self.n = len(groups)
        self.events = np.fromiter((e for g in groups for e in g), dtype=np.int64, count=int(self.size.sum()))
        self.start = np.concatenate([[0], np.cumsum(self.size)[:-1]]).astype(np.int64)
        self.group = np.repeat(np.arange(self.n, dtype=np.int64), self.size)
        self.position = np.arange(len(self.events), dtype=np.int64) - self.start[self.group]

    def sorted_by(self, id_rank: Ints, *keys: Any) -> Ints:
        """Members sorted within their groups by ``keys`` (most significant first), then event_id."""
        return np.lexsort((self.position, id_rank, *reversed(keys), self.group))

    def first(self, order: Ints, valid: Bools) -> Ints:
        """Per group, the first member in ``order`` where ``valid`` holds (-1: none)."""
        chosen = order[valid[order]]
        out = np.full(self.n, -1, dtype=np.int64)
        # ``chosen`` runs group by group: a group starts where the group number changes.
        starts = np.flatnonzero(np.diff(self.group[chosen], prepend=-1))
        out[self.group[chosen[starts]]] = chosen[starts]
        return out

    def mode(self, order: Ints, codes: Ints) -> Ints:
        """Per group, a member holding ``merge._mode`` of ``codes`` read in ``order`` (-1: none).

        The most frequent non-null code; of those tied, the one seen first.
        """
        seen = order[codes[order] >= 0]
        width = int(codes.max(initial=0)) + 1
        pairs, first, counts = np.unique(self.group[seen] * width + codes[seen],
                                         return_index=True, return_counts=True)
        group = pairs // width
        best = np.lexsort((first, -counts, group))
        starts = np.flatnonzero(np.diff(group[best], prepend=-1))
        out = np.full(self.n, -1, dtype=np.int64)
        out[group[best[starts]]] = seen[first[best[starts]]]
        return out

    def stated_pair(self, order: Ints, one: Ints, two: Ints) -> Ints:
        """Per group, a member stating ``merge.stated_pair`` of the codes pairs read in ``order``.

        Codes are -1 where null. A member fits pair (p, q) when its codes are (p or -1, q or -1):
        a pair's support adds the counts of its up to four fitting pairs, found by search.
        """
        width = np.int64(max(int(one.max(initial=0)), int(two.max(initial=0))) + 2)
        a, b = one[order] + 1, two[order] + 1  # 0: null
        keys, first, counts = np.unique((self.group[order] * width + a) * width + b,
                                        return_index=True, return_counts=True)
        group, p, q = keys // (width * width), keys // width % width, keys % width
        support = counts.copy()
        none = np.zeros_like(p)
        # The other fitting pairs, each once: (null, q) is (p, q) itself when p is null.
        for fit_p, fit_q, distinct in ((none, q, p > 0), (p, none, q > 0), (none, none, (p > 0) & (q > 0))):
            wanted = (group * width + fit_p) * width + fit_q
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            support += np.where(distinct & (keys[at] == wanted), counts[at], 0)
        named = (p > 0).astype(np.int64) + (q > 0)
        best = np.lexsort((first, -named, -support, group))
        starts = np.flatnonzero(np.diff(group[best], prepend=-1))
        out = np.full(self.n, -1, dtype=np.int64)
        out[group[best[starts]]] = order[first[best[starts]]]
        return out

    def distinct(self, codes: Ints) -> tuple[Ints, Ints]:
        """Per group, its distinct codes ascending (end to end) and how many there are."""
        width = int(codes.max(initial=0)) + 1
        pairs = np.unique(self.group * width + codes)
        return pairs % width, np.bincount(pairs // width, minlength=self.n).astype(np.int64)


def _pick(values: pa.Array, members: Ints) -> pa.Array:
    """``values`` at one member per group; null where the member is -1."""
    return values.take(pa.array(members, pa.int64(), mask=members < 0))


def _article_columns(articles: pa.Table, lay: Groups, article_ids: pa.Array) -> dict[str, pa.Array]:
    """``article_ids``, ``n_articles``, ``n_sources``, ``first_reported`` of each group.

    ``article_ids`` holds each member's article id (``str(None)`` for none); a group's ids come
    sorted and distinct, its sources are ``merge.source_key`` (made once per distinct article).
    """
    names = pc.unique(article_ids)
    names = names.take(pc.sort_indices(names))  # UTF-8 byte order: Python's order of str
    code = np.asarray(pc.index_in(article_ids, value_set=names).to_numpy(zero_copy_only=False),
                      dtype=np.int64)
    article_codes, n_articles = lay.distinct(code)
    found = pc.index_in(names, value_set=articles.column("article_id").cast(pa.string()))
    outlets = zip(graph._column(articles, "source").take(found).to_pylist(),
                  graph._column(articles, "url").take(found).to_pylist(),
                  found.to_pylist(), names.to_pylist(), strict=True)
    keys = [source_key(None if at is None else {"source": s, "url": u}, a) for s, u, at, a in outlets]
    _, n_sources = lay.distinct(_codes_of(pa.array(keys, pa.string()))[code])
    # The first publication: per group, its articles with a date first, earliest first.
    reported = _reported(articles, found)
    stamp = reported.cast(pa.int64())
    has_stamp = np.asarray(pc.is_valid(stamp).to_numpy(zero_copy_only=False), dtype=bool)[article_codes]
    stamps = np.asarray(stamp.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)[article_codes]
    article_group = np.repeat(np.arange(lay.n, dtype=np.int64), n_articles)
    offsets = np.concatenate([[0], np.cumsum(n_articles)]).astype(np.int64)
    earliest = np.lexsort((stamps, ~has_stamp, article_group))[offsets[:-1]]
    return {
        "n_articles": pa.array(n_articles, pa.int64()),
        "n_sources": pa.array(n_sources, pa.int64()),
        "first_reported": _pick(reported, np.where(has_stamp[earliest], article_codes[earliest], -1)),
        "article_ids": pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)),
                                                names.take(pa.array(article_codes))),
    }


def _several_rows(inputs: Inputs, groups: list[list[int]], rows: Rows) -> pa.Table:
    """Timeline rows of groups of several events, column by column: ``merged_row`` of each group.

    Each sort of ``merged_row`` is one ``lexsort`` over all members of all groups, by the same
    keys (``FactArrays`` hold the ranks ``event_facts`` computes); ``summary_row`` as in
    ``_single_rows``.
    """
    if not groups:
        return WORK_SCHEMA.empty_table()
    facts = inputs.facts
    lay = Groups(groups)
    events = lay.events
    positions = facts.row[events]
    taken = rows.get(positions)
    id_rank = facts.id_rank[events].astype(np.int64)
    date_rank = (facts.precision_rank[events], facts.basis_rank[events],
                 facts.end[events].astype(np.int64) - facts.start[events])
    geo_rank = (facts.geo_rank[events], facts.no_point[events])
    confidence = _raw(taken, "confidence", pa.float64()).fill_null(0.0).to_numpy(zero_copy_only=False)
    confidence = np.nan_to_num(np.asarray(confidence, dtype=np.float64), nan=0.0)
    # merged_row's four sorts: members by id, by_date, by_place and best_first (the representative).
    by_id = lay.sorted_by(id_rank)
    by_date = lay.sorted_by(id_rank, *date_rank, facts.event_date[events])
    by_place = lay.sorted_by(id_rank, *geo_rank)
    best_first = lay.sorted_by(id_rank, -confidence, *date_rank, *geo_rank)
    dated = events[by_date[lay.start]]
    placed = by_place[lay.start]

    def mode(values: pa.Array) -> pa.Array:
        return _pick(values, lay.mode(best_first, _codes_of(values)))

    one, two = (_text_column(_raw(taken, name, pa.string())) for name in ("actor1", "actor2"))
    dyad = lay.stated_pair(best_first, _codes_of(one), _codes_of(two))

    def first(name: str) -> pa.Array:
        # ``placed[name] or _first(place_rows, name)`` is the first non-null in by_place order:
        # when placed's value is "", _first returns that "" too.
        values = _raw(taken, name, pa.string())
        valid = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
        return _pick(values, lay.first(by_place, valid))

    fatalities = _raw(taken, "fatalities", pa.int64())
    has_toll = np.asarray(pc.is_valid(fatalities).to_numpy(zero_copy_only=False), dtype=bool)
    toll = fatalities.fill_null(np.iinfo(np.int64).min).to_numpy(zero_copy_only=False)
    most = np.maximum.reduceat(np.asarray(toll, dtype=np.int64), lay.start)
    any_toll = np.add.reduceat(has_toll.astype(np.int64), lay.start) > 0
    event_ids = _raw(taken, "event_id", pa.string()).fill_null("None").take(pa.array(by_id))
    id_list = event_ids.to_pylist()
    bounds = np.concatenate([lay.start, [len(events)]]).tolist()
    sentence = inputs.sentence_valid[positions]
    summary = lay.first(best_first, sentence)
    columns: dict[str, pa.Array] = {
        "timeline_id": pa.array([timeline_id(id_list[bounds[g]:bounds[g + 1]]) for g in range(lay.n)],
                                pa.string()),
        "event_date": _days(facts.event_date[dated]),
        "date_start": _days(facts.start[dated]),
        "date_end": _days(facts.end[dated]),
        "event_type": mode(_raw(taken, "event_type", pa.string())),
        "acled_event_type": mode(_raw(taken, "acled_event_type", pa.string())),
        "actor1": _pick(one, dyad),
        "actor2": _pick(two, dyad),
        "location": first("location"),
        "admin1": first("admin1"),
        "country_iso3": first("country_iso3"),
        "latitude": _without_nan(_raw(taken, "latitude", pa.float64())).take(pa.array(placed)),
        "longitude": _without_nan(_raw(taken, "longitude", pa.float64())).take(pa.array(placed)),
        "geo_precision": _raw(taken, "geo_precision", pa.int64()).take(pa.array(placed)),
        "fatalities": pa.array(most, pa.int64(), mask=~any_toll),
        **_article_columns(inputs.articles, lay, _raw(taken, "article_id", pa.string()).fill_null("None")),
        "event_ids": pa.ListArray.from_arrays(pa.array(np.array(bounds, dtype=np.int32)), event_ids),
        "summary_row": pa.array(np.where(summary >= 0, positions[np.maximum(summary, 0)], -1)),
    }
    return pa.Table.from_arrays([columns[f.name].cast(f.type) for f in WORK_SCHEMA], schema=WORK_SCHEMA)


# The timeline's columns while rows are being made: the summary is a row position until the end.
WORK_SCHEMA = pa.schema([f if f.name != "summary" else pa.field("summary_row", pa.int64())
                         for f in TIMELINE])


def _merged_rows(inputs: Inputs, groups: list[list[int]],
                 rows: Rows) -> tuple[pa.Table, list[list[int]]]:
    """Rows (``WORK_SCHEMA``) of ``groups`` of merge-order indexes, and the groups in row order."""
    singles = [g for g in groups if len(g) == 1]
    several = [g for g in groups if len(g) > 1]
    tables = []
    if singles:
        events = np.array([g[0] for g in singles], dtype=np.int64)
        tables.append(_single_rows(inputs, events, rows.get(inputs.facts.row[events])))
    if several:
        tables.append(_several_rows(inputs, several, rows))
    out = pa.concat_tables(tables) if tables else WORK_SCHEMA.empty_table()
    return out, singles + several


# --- full and incremental builds -------------------------------------------------------------

@dataclass
class Result:
    """New rows (``WORK_SCHEMA``, unsorted), the groups they hold, and old rows kept as they are."""

    new_rows: list[pa.Table]
    group_events: Ints  # merge-order indexes of the new rows' members, row after row
    group_sizes: Ints  # members per new row
    kept_old: Ints
    new_file: Path | None = None  # more new rows (after new_rows), spilled to disk


def _spill(inputs: Inputs, batch_of: graph.Int32s, n_batches: int, folder: Path) -> list[Path]:
    """Write the rows of each batch (``batch_of`` per merge-order event) to a file of its own.

    One pass over the source; each batch is then read back alone, so a full build never holds
    all events' rows at once.
    """
    facts = inputs.facts
    per_row = np.full(inputs.source.rows, -1, dtype=np.int32)
    per_row[facts.row] = batch_of
    paths = [folder / f"batch-{k}.arrow" for k in range(n_batches)]
    writers: dict[int, Any] = {}
    sinks: dict[int, Any] = {}
    schemas: dict[int, pa.Schema] = {}
    try:
        for k, part in enumerate(ahead(inputs.source.parts(ROW_COLUMNS))):
            start = int(inputs.source.offsets[k])
            mine = per_row[start:start + part.num_rows]
            order = np.argsort(mine, kind="stable")
            cuts = np.flatnonzero(np.diff(mine[order])) + 1
            part = _decoded(part)  # once a part, not once a piece: the same strings either way
            for piece in np.split(order, cuts):
                if not len(piece) or mine[piece[0]] < 0:
                    continue
                batch = int(mine[piece[0]])
                rows = part.take(pa.array(piece))
                rows = rows.append_column("__position", pa.array(piece + start, pa.int64()))
                if batch not in writers:
                    sinks[batch] = pa.OSFile(str(paths[batch]), "wb")
                    writers[batch] = ipc.new_file(sinks[batch], rows.schema)
                    schemas[batch] = rows.schema
                writers[batch].write_table(rows.cast(schemas[batch]))
    finally:
        for batch, writer in writers.items():
            writer.close()
            sinks[batch].close()
    return paths


def _spilled(source: EventSource, path: Path) -> Rows:
    if not path.exists():
        return Rows(source)
    table = _read_ipc(path)
    positions = np.asarray(table.column("__position").to_numpy(), dtype=np.int64)
    return Rows(source, table.drop_columns(["__position"]), positions)


@dataclass
class _Holder:
    """One array as an attribute, so that ``Parked`` can move it."""

    value: Any


class Parked:
    """Arrays moved to files while a phase does not read them, and read back after.

    A full build at 2 M events holds ~100 bytes of facts per event; the sweep and the join
    each need only some fields, so the others wait on disk (read back whole, not mapped:
    mapped pages would count as resident again).

        >>> parked = Parked(folder, facts, ["row"]); facts.row is None  # doctest: +SKIP
        True
        >>> parked.restore(); facts.row[:2]  # doctest: +SKIP
        array([17, 3])
    """

    def __init__(self, folder: Path, owner: Any, names: list[str]) -> None:
        self.owner, self.paths = owner, dict[str, Path]()
        for name in names:
            path = folder / f"parked-{id(self)}-{name}.npy"
            np.save(path, getattr(owner, name), allow_pickle=False)
            self.paths[name] = path
            setattr(owner, name, None)  # an error, not a wrong answer, if read meanwhile
        release_memory()

    def restore(self) -> None:
        for name, path in self.paths.items():
            setattr(self.owner, name, np.load(path, allow_pickle=False))
            path.unlink()
        self.paths = {}


# Facts the sweep and the join never read (``kernels.Rule`` and ``kernels.slots`` list theirs).
SWEEP_IDLE_FACTS = ["row", "event_date"]
# Facts read only to make the blocks and the sweep's slots (``kernels.slots``).
SLOT_ONLY_FACTS = ["block_start", "band"]
# Facts no longer read once groups are known: making rows reads only row, dates, ranks, ids.
ROWS_IDLE_FACTS = ["match_start", "block_start", "plover", "acled", "acled_sub", "country", "admin1",
                   "has_point", "lat", "lon", "band", "names", "countries", "groups"]


def _flat(arrays: list[Ints]) -> Ints:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)


def _group_arrays(groups: list[list[int]]) -> tuple[Ints, Ints]:
    """Groups as (members row after row, sizes)."""
    return (np.array([e for g in groups for e in g], dtype=np.int64),
            np.array([len(g) for g in groups], dtype=np.int64))


def _full(inputs: Inputs, folder: Path) -> Result:
    """Every event grouped at once by the compiled merge, then rows made a batch of groups at a time.

    Pairs wait in ``folder`` (sorted by score there), and new rows go to ``folder/new.arrow``
    as they are made, so neither is held meanwhile.
    """
    from etl.timeline import kernels

    facts = inputs.facts
    inputs.blocked.position = np.zeros((0, 2), dtype=np.int32)  # graph.candidates', not the sweep's
    idle = Parked(folder, facts, SWEEP_IDLE_FACTS)
    grouping: kernels.Grouping | None = None  # made after the sweep: the two never share memory

    def swept() -> None:
        inputs.drop_blocks()
        for name in SLOT_ONLY_FACTS:  # the sweep's slots copied them; the join never reads them
            setattr(facts, name, None)
        release_memory()

    # No reference to the blocks here: ordered_pairs drops them (swept) once the sweep is over.
    for a, b in kernels.ordered_pairs(facts, inputs.blocked, inputs.settings, folder, swept):
        grouping = grouping or kernels.Grouping(facts, inputs.settings)
        grouping.join(a, b)
        del a, b
        release_memory()  # the pair runs come and go: glibc keeps their freed heap otherwise
    grouping = grouping or kernels.Grouping(facts, inputs.settings)
    labels = grouping.labels().astype(np.int64)
    del grouping
    # The rule's fields are done with (this build's facts end with it): rows need the rest.
    for name in ROWS_IDLE_FACTS:
        setattr(facts, name, None)
    idle.restore()
    release_memory()
    sizes = np.bincount(labels, minlength=facts.n)
    by_group = np.argsort(labels, kind="stable")
    alone = sizes[labels[by_group]] == 1
    singletons, shared = by_group[alone], by_group[~alone]
    del by_group, alone, sizes
    batch_of = np.full(facts.n, -1, dtype=np.int32)
    batches: list[tuple[Ints, bool]] = []  # events, and whether they are all alone
    for k in range(0, len(singletons), SINGLE_BATCH):
        events = np.sort(singletons[k:k + SINGLE_BATCH])
        batch_of[events] = len(batches)
        batches.append((events, True))
    starts = np.concatenate([[0], np.flatnonzero(np.diff(labels[shared])) + 1]).astype(np.int64)
    k = 0
    while k < len(starts) and len(shared):
        stop = max(int(np.searchsorted(starts, starts[k] + BATCH_EVENTS, side="left")), k + 1)
        end = int(starts[stop]) if stop < len(starts) else len(shared)
        events = np.sort(shared[starts[k]:end])
        batch_of[events] = len(batches)
        batches.append((events, False))
        k = stop
    del singletons, shared
    members: list[Ints] = []
    counts: list[Ints] = []
    # Uncompressed Arrow, not Parquet: Parquet's (de)compression buffers come from Arrow's C++
    # default pool (mimalloc), which kept ~120 MB resident at 2 M events until the end.
    new_file = folder / "new.arrow"
    paths = _spill(inputs, batch_of, len(batches), folder) if inputs.source.path else []
    del batch_of
    with pa.OSFile(str(new_file), "wb") as sink, ipc.new_file(sink, WORK_SCHEMA) as writer:
        for k, (events, alone) in enumerate(batches):
            rows = _spilled(inputs.source, paths[k]) if paths else Rows(inputs.source)
            if alone:
                table, ordered = _merged_rows(inputs, [[e] for e in events.tolist()], rows)
            else:
                table, ordered = _merged_rows(inputs, _split(events, labels[events]), rows)
            writer.write_table(table, max_chunksize=1 << 20)
            members.append(np.array([e for g in ordered for e in g], dtype=np.int64))
            counts.append(np.array([len(g) for g in ordered], dtype=np.int64))
            del rows, table, ordered
            if paths:
                paths[k].unlink()
            release_memory()
    return Result([], _flat(members), _flat(counts), np.zeros(0, dtype=np.int64), new_file)


def _gather(values: Any, index: Ints, missing: Any) -> Any:
    """``values[index]``, with ``missing`` where ``index`` is -1 (``values`` may be empty)."""
    out = np.full(len(index), missing, dtype=values.dtype)
    has = index >= 0
    out[has] = values[index[has]]
    return out


def _incremental(inputs: Inputs, changed: Bools, old_group: Ints, dirty: Bools) -> Result | None:
    """Regroup only around changed events; None when that would touch too much (build fully).

    ``changed``: per merge-order event, not in the previous build with the same content.
    ``old_group``: its previous timeline row (-1 if changed). ``dirty``: previous rows that lost
    or changed a member. Why it is exact: let W be the changed events and the unchanged members
    of dirty rows, A the previous rows with an event paired with W, and regroup W and A alone.
    If every row of A comes out as it was, no pair between W and the rest merged, so the rest
    evolves exactly as in the previous build (its pairs and their order are unchanged) and
    its rows stand; else the rows of A that moved join W, and the step repeats.
    """
    facts, settings = inputs.facts, inputs.settings
    limit = INCREMENTAL_LIMIT * facts.n
    in_w = changed | _gather(dirty, old_group, False)
    n_rows = len(dirty)
    size = np.bincount(old_group[old_group >= 0], minlength=n_rows)
    rows = Rows(inputs.source)
    while True:
        w = np.flatnonzero(in_w)
        if len(w) > limit:
            return None
        touched = [w]
        for a, b in graph.edges(facts, inputs.blocked, settings, w, forward_only=False):
            touched.extend((a, b))
        near = np.unique(np.concatenate(touched))
        near = near[~in_w[near] & (old_group[near] >= 0)]
        adjacent = np.zeros(n_rows, dtype=bool)
        adjacent[old_group[near]] = True
        in_a = ~in_w & _gather(adjacent, old_group, False)
        events = np.flatnonzero(in_w | in_a)
        if len(events) > limit:
            return None
        groups = _cluster(inputs, events, rows)
        moved = np.zeros(n_rows, dtype=bool)
        for group in groups:
            first = old_group[group[0]]
            if first >= 0 and not in_w[group[0]] and len(group) == size[first] \
                    and all(old_group[e] == first and not in_w[e] for e in group):
                continue  # a row of A, exactly as it was
            for e in group:
                if not in_w[e]:
                    moved[old_group[e]] = True
        if not moved.any():
            break
        in_w |= _gather(moved, old_group, False)
    table, new = _merged_rows(inputs, [g for g in groups if in_w[g[0]]], rows)
    gone = dirty.copy()
    gone[old_group[in_w & (old_group >= 0)]] = True
    return Result([table], *_group_arrays(new), np.flatnonzero(~gone))


# --- the cache: the previous table and what each event looked like ----------------------------

def cache_key(settings: MergeSettings | None = None) -> str:
    """Hash of the merge settings, the etl/timeline code and resources, and the schema version."""
    digest = hashlib.sha256()
    digest.update(repr(settings or merge_settings()).encode())
    digest.update(f"{__version__}|{SCHEMA_VERSION}|{TIMELINE}".encode())
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), *TIMELINE_RESOURCES.glob("*")]):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


@dataclass
class Previous:
    """The previous build: its sorted timeline (mapped from an Arrow file) and, per event, hash and row.

    ``state`` holds per events row: ``id_hash``, ``content``, ``group`` (its timeline row, -1:
    none), ``article`` and ``sentence_valid``. ``facts`` (merge-order facts, their rows and ids)
    and ``books`` (the codes' values) are None when not kept; ``events_stamp`` identifies the
    events file the state was made from.
    """

    timeline: pa.Table
    rows: int
    id_hash: U64s
    content: U64s
    group: Ints
    state: pa.Table | None = None
    facts: pa.Table | None = None
    books: dict[str, list[Any]] | None = None
    events_stamp: dict[str, int] | None = None
    blocks: tuple[Any, Any] | None = None  # the facts' block memberships: events and kinds
    facts_file: MappedFile | None = None  # facts.arrow, the mapping of ``facts``
    timeline_file: MappedFile | None = None  # timeline.arrow, the mapping of ``timeline``


STATE_COLUMNS = ["id_hash", "content", "group", "article", "sentence_valid"]


def _read_ipc(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return ipc.open_file(source).read_all()


class MappedFile:
    """An Arrow file mapped read-only, whose pages read so far can be dropped from memory.

    Pages of a mapped file count as the process's memory from their first read until the
    mapping goes, which is after the last view of it; a table copied out of the mapping is
    then held twice. ``forget`` drops them (they are read again, from the page cache, if
    touched again), so a copy made a column at a time holds one column twice at most.

        >>> mapped = MappedFile(folder / "timeline.arrow"); mapped.table.num_rows  # doctest: +SKIP
        647142
        >>> mapped.forget()  # doctest: +SKIP
    """

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self.table = ipc.open_file(pa.py_buffer(self._map)).read_all()

    def forget(self) -> None:
        """Drop the pages read so far from the process's resident memory (Linux; else nothing)."""
        advice = getattr(mmap, "MADV_DONTNEED", None)
        if advice is not None:
            self._map.madvise(advice)


# Rows per record batch of the cached table (timeline.arrow); the per-event files are written whole.
IPC_CHUNK = 1 << 20


def _write_ipc(table: pa.Table, path: Path, whole: bool = False) -> None:
    """An uncompressed Arrow file: read back mapped, without copying or decompressing.

    ``whole``: one record batch per chunk of ``table`` (one for arrays made whole), so each column
    reads back as one array and ``to_numpy`` is a view of the mapping, not a joined copy.
    """
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=None if whole else IPC_CHUNK)


def load_previous(cache_dir: Path, key: str) -> Previous | None:
    """The cached state for this key, or None when absent, of another key or inconsistent."""
    folder = cache_dir / key
    try:
        state = _read_ipc(folder / "events.arrow")
        timeline_file = MappedFile(folder / "timeline.arrow")
        timeline = timeline_file.table
        rows = timeline.num_rows
        size = (folder / "timeline.arrow").stat().st_size
        for name in STATE_COLUMNS:
            state.column(name)
        if not timeline.schema.equals(TIMELINE):
            return None
    except (OSError, ValueError, pa.ArrowInvalid, KeyError):
        return None
    meta = state.schema.metadata or {}
    if meta.get(b"timeline_rows") != str(rows).encode() or meta.get(b"timeline_bytes") != str(size).encode():
        return None
    group = np.asarray(state.column("group").to_numpy(), dtype=np.int64)
    if group.max(initial=-1) >= rows:
        return None
    previous = Previous(timeline, rows, np.asarray(state.column("id_hash").to_numpy(), dtype=np.uint64),
                        np.asarray(state.column("content").to_numpy(), dtype=np.uint64), group, state,
                        timeline_file=timeline_file)
    try:  # the facts let a build scan only changed articles; without them it scans all
        stamp = json.loads(meta.get(b"events_stamp", b"null"))
        if meta.get(b"facts_rows") is not None:
            mapped = MappedFile(folder / "facts.arrow")
            facts = mapped.table
            books = json.loads((folder / "books.json").read_text(encoding="utf-8"))
            row = np.asarray(facts.column("row").to_numpy(), dtype=np.int64)
            if facts.num_rows == int(meta[b"facts_rows"]) and row.max(initial=-1) < state.num_rows \
                    and isinstance(books, dict) and isinstance(stamp, dict):
                for name in _fact_columns():
                    facts.column(name)
                previous.facts, previous.books, previous.events_stamp = facts, books, stamp
                previous.facts_file = mapped
                blocked = _read_ipc(folder / "blocks.arrow")
                if (blocked.schema.metadata or {}).get(b"facts_rows") == meta[b"facts_rows"]:
                    previous.blocks = (blocked.column("event").to_numpy(), blocked.column("kind").to_numpy())
    except (OSError, ValueError, KeyError, pa.ArrowException):
        pass
    return previous


def _fact_columns() -> list[str]:
    """facts.arrow's columns: one per fact field (two for the pairs of actor sides), row, id."""
    names = []
    for name in graph.FACT_FIELDS:
        names.extend([f"{name}_0", f"{name}_1"] if name in PAIR_FIELDS else [name])
    return [*names, "row", "event_id"]


PAIR_FIELDS = ("names", "countries", "groups")


def _fact_field(facts: pa.Table, name: str) -> Any:
    """A fact field of facts.arrow as the NumPy array ``FactArrays`` holds."""
    def column(label: str) -> Any:
        return facts.column(label).to_numpy()
    if name in PAIR_FIELDS:
        return np.stack([column(f"{name}_0"), column(f"{name}_1")], axis=1)
    return column(name)


# What a cache folder holds (``Staging``); its name is a ``cache_key`` or, while it is written, .tmp-*.
CACHE_FILES = frozenset({"timeline.arrow", "facts.arrow", "books.json", "blocks.arrow", "events.arrow"})
_KEY_NAME = re.compile(r"[0-9a-f]{24}")


def _made_here(folder: Path) -> bool:
    """Whether ``folder`` is a cache folder of an earlier build (never a folder of the user's, in
    case the output folder is one where other programs keep things: ``etl build raw ~``)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    if not (_KEY_NAME.fullmatch(folder.name) or folder.name.startswith(".tmp-")):
        return False
    return all(entry.name in CACHE_FILES or entry.name.startswith(".") for entry in folder.iterdir())


class Staging:
    """The next cache state, written in a folder beside the current one and swapped in at the end.

    The facts go first (``write_facts``, so a full build can drop them before the table is
    assembled); ``commit`` adds the rest and replaces the cache; ``abort`` leaves it as it was.
    """

    def __init__(self, cache_dir: Path, key: str) -> None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.cache_dir, self.key = cache_dir, key
        self.folder = Path(tempfile.mkdtemp(prefix=".tmp-", dir=cache_dir))
        self.facts_rows: int | None = None
        self.timeline: tuple[int, int] | None = None  # rows and bytes of timeline.arrow

    def write_timeline(self, timeline: pa.Table) -> None:
        """Keep the table as an uncompressed Arrow file: the next build maps it, reading nothing."""
        path = self.folder / "timeline.arrow"
        _write_ipc(timeline, path)
        self.timeline = (timeline.num_rows, path.stat().st_size)

    def write_facts(self, scanned: Scan) -> None:
        """Keep the scan's facts, ids and books (only when ids are distinct: see ``rescan``)."""
        facts = scanned.facts
        if scanned.sorted_ids is None or scanned.books is None or facts.names.ndim != 2 \
                or (facts.n and int(facts.id_rank[-1]) != facts.n - 1):
            return  # repeated ids, or no row group at all (no fact types to keep)
        columns: dict[str, Any] = {}
        for name in graph.FACT_FIELDS:
            values = getattr(facts, name)
            if name in PAIR_FIELDS:
                columns[f"{name}_0"], columns[f"{name}_1"] = values[:, 0], values[:, 1]
            else:
                columns[name] = values
        ids = scanned.sorted_ids
        # One array: the file is one record batch (a chunked column would cut it into several).
        columns["row"] = facts.row
        columns["event_id"] = _single(ids) if isinstance(ids, pa.ChunkedArray) else ids
        _write_ipc(pa.table(columns), self.folder / "facts.arrow", whole=True)
        books = {name: list(book) for name, book in scanned.books.items()}
        (self.folder / "books.json").write_text(json.dumps(books), encoding="utf-8")
        self.facts_rows = facts.n

    def write_blocks(self, blocked: Blocks) -> None:
        """Keep the block memberships of the facts kept (``graph.updated_blocks`` starts there)."""
        if self.facts_rows is None:
            return
        kind = np.asarray(blocked.acled_block, dtype=np.int8)
        table = pa.table({"event": pa.array(blocked.event, pa.int32()), "kind": pa.array(kind, pa.int8())})
        _write_ipc(table.replace_schema_metadata({b"facts_rows": str(self.facts_rows).encode()}),
                   self.folder / "blocks.arrow", whole=True)

    def commit(self, id_hash: U64s, content: U64s, group: Ints, article: pa.DictionaryArray,
               sentence_valid: Bools, events_stamp: dict[str, int] | None, *,
               articles_stamp: dict[str, int] | None = None,
               output_stamp: dict[str, int] | None = None) -> None:
        """Write the per-row state and replace the cache with this folder (after ``write_timeline``).

        The stamps of the events and articles files read and of the table file written let a
        build with nothing changed keep all as it is (``_unchanged``).
        """
        assert self.timeline is not None
        meta = {b"timeline_rows": str(self.timeline[0]).encode(),
                b"timeline_bytes": str(self.timeline[1]).encode(),
                b"events_stamp": json.dumps(events_stamp).encode(),
                b"articles_stamp": json.dumps(articles_stamp).encode(),
                b"output_stamp": json.dumps(output_stamp).encode()}
        if self.facts_rows is not None:
            meta[b"facts_rows"] = str(self.facts_rows).encode()
        state = pa.table({"id_hash": pa.array(id_hash, pa.uint64()),
                          "content": pa.array(content, pa.uint64()),
                          "group": pa.array(group, pa.int32()),
                          "article": article,
                          "sentence_valid": pa.array(sentence_valid, pa.bool_())})
        state = state.replace_schema_metadata(meta)
        _write_ipc(state, self.folder / "events.arrow", whole=True)
        for old in self.cache_dir.iterdir():
            if old != self.folder and _made_here(old):
                shutil.rmtree(old, ignore_errors=True)
        os.replace(self.folder, self.cache_dir / self.key)

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


# --- pass 1 again, reading only the rows of changed articles ----------------------------------

# New events placed among the old ids one binary search each below this; above, one NumPy search.
BISECT_EVENTS = 2_000


class _Strings:
    """A string array as a sequence of ``str`` for ``bisect`` (values made only when compared)."""

    def __init__(self, array: pa.Array) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, k: int) -> Any:
        return self.array[k].as_py()


def _search(ids: pa.Array, values: list[str]) -> Ints:
    """``bisect_left`` of each of ``values`` in the sorted ``ids``: ``(["a", "c"], ["b"]) -> [1]``."""
    if len(values) <= BISECT_EVENTS:
        strings = _Strings(ids)
        return np.array([bisect.bisect_left(strings, v) for v in values], dtype=np.int64)
    plain = np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object)
    return np.asarray(np.searchsorted(plain, np.asarray(values, dtype=object), side="left"), dtype=np.int64)


def _article_codes(articles: pa.DictionaryArray, names: pa.Array) -> Ints:
    """Per row, the index of its article id in ``names`` (``len(names)``: no id)."""
    lut = pc.index_in(articles.dictionary, value_set=names).fill_null(len(names))
    table = np.append(np.asarray(lut.to_numpy(zero_copy_only=False), dtype=np.int64), len(names))
    return np.asarray(table[articles.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)])


def rescan(source: EventSource, articles: pa.Table, settings: MergeSettings, previous: Previous,
           changed: set[str]) -> tuple[Scan, Ints, pa.DictionaryArray] | None:
    """``scan`` reading only the rows of ``changed`` articles; the other rows come from the cache.

    The caller vouches that only the events and articles rows of ``changed`` (and of articles
    gone or new) differ from those the cache was made from. Checked here: the other articles'
    rows are the same articles in the same order and number, and event ids are distinct (as
    the merge order is kept by inserting the new ids among the old). Returns the scan, per
    row the previous row holding the same event (-1: none), and the rows' article ids; None when
    the cache cannot stand in for a scan.

        >>> rescan(source, articles, merge_settings(), previous, {"a17"}) is None  # doctest: +SKIP
        False
    """
    if source.path is None or previous.state is None or previous.facts is None or previous.books is None:
        return None
    new_article = source.article_ids()
    old_article = _dictionary(previous.state.column("article"))
    names = pc.unique(pa.concat_arrays([old_article.dictionary, new_article.dictionary]))
    old_code, new_code = _article_codes(old_article, names), _article_codes(new_article, names)
    width = len(names) + 1
    flagged = np.ones(width, dtype=bool)  # the last code, no article id: always read again
    wanted = pa.array(sorted(changed), pa.string())
    flagged[:-1] = np.asarray(pc.is_in(names, value_set=wanted).to_numpy(zero_copy_only=False), dtype=bool)
    flagged |= (np.bincount(old_code, minlength=width) > 0) != (np.bincount(new_code, minlength=width) > 0)
    old_changed, new_changed = flagged[old_code], flagged[new_code]
    old_same, new_same = np.flatnonzero(~old_changed), np.flatnonzero(~new_changed)
    if len(old_same) != len(new_same) or not np.array_equal(old_code[old_same], new_code[new_same]):
        return None  # the other articles' rows are not as they were: scan everything
    n, n_old = len(new_code), len(old_code)
    positions = np.flatnonzero(new_changed)
    del old_code, new_code, new_changed, flagged  # 8 B a row each: the rest of rescan holds much
    books = {name: {value: k for k, value in enumerate(values)} for name, values in previous.books.items()}
    per_article = np.append(_articles_hashes(articles), _NULL)
    taken = source.take(positions, MERGE_COLUMNS, hold=True)
    raw = graph.raw_facts(taken, settings, books)
    event_ids, fresh_hash, fresh_content, fresh_valid = _row_state(
        taken, articles.column("article_id").cast(pa.string()), per_article)
    del taken
    # Rows of changed articles meet their previous rows by event id.
    old_rows = np.flatnonzero(old_changed)
    old_hash = previous.id_hash[old_rows]
    if len(np.unique(old_hash)) != len(old_hash) or len(np.unique(fresh_hash)) != len(fresh_hash):
        return None
    where = np.full(n, -1, dtype=np.int64)
    where[new_same] = old_same
    if len(old_rows) and len(positions):
        order = np.argsort(old_hash)
        ranked = old_hash[order]
        at = np.minimum(np.searchsorted(ranked, fresh_hash), len(ranked) - 1)
        where[positions] = np.where(ranked[at] == fresh_hash, old_rows[order[at]], -1)

    # No row of a changed article, before or after: every row is the previous one (the common
    # rebuild with nothing changed), so the previous arrays serve as they are, without copies.
    unmoved = len(positions) == 0 and len(old_rows) == 0 and n_old == n

    old_valid = np.asarray(previous.state.column("sentence_valid").to_numpy(zero_copy_only=False), dtype=bool)
    kept: list[Any] = [previous.id_hash, previous.content, old_valid]
    if not unmoved:
        for k, fresh_values in enumerate((fresh_hash, fresh_content, fresh_valid)):
            out = np.empty(n, dtype=kept[k].dtype)
            out[new_same] = kept[k][old_same]
            out[positions] = fresh_values
            kept[k] = out
    id_hash, content, sentence_valid = kept
    del kept
    # Merge order: the old events still here keep theirs; new ones go in by id.
    old_facts = previous.facts
    old_row = np.asarray(old_facts.column("row").to_numpy(), dtype=np.int64)
    keep = ~old_changed[old_row]
    new_of_old = np.full(n_old, -1, dtype=np.int64)
    new_of_old[old_same] = new_same
    row_now = new_of_old[old_row]  # each old event's row now (-1: its article changed)
    del new_of_old, old_row, old_same, new_same, old_changed
    dated = np.flatnonzero(raw["dated"])
    fresh_ids = event_ids.take(pa.array(dated, pa.int64())).to_pylist()
    by_id = sorted(range(len(fresh_ids)), key=fresh_ids.__getitem__)
    fresh_sorted = [fresh_ids[k] for k in by_id]
    if any(a == b for a, b in itertools.pairwise(fresh_sorted)):
        return None
    old_ids = _single(old_facts.column("event_id"))
    at = _search(old_ids, fresh_sorted)
    for p, value in zip(at.tolist(), fresh_sorted, strict=True):
        if p < len(old_ids) and keep[p] and old_ids[p].as_py() == value:
            return None  # an id told by a changed and an unchanged article
    kept_before = np.concatenate([[0], np.cumsum(keep)]).astype(np.int64)
    fresh = dated[np.array(by_id, dtype=np.int64)]
    perm = np.insert(np.flatnonzero(keep), kept_before[at], len(keep) + np.arange(len(fresh), dtype=np.int64))
    del kept_before
    # ``perm`` is a few long runs of old events: copied as slices, not gathered one by one.
    runs = _runs(perm, len(keep), limit=len(perm) + 1) or []

    def spliced(old: Any, new: Any) -> Any:
        pieces = [old[s:s + n] if s < len(keep) else new[s - len(keep):s - len(keep) + n] for s, n in runs]
        if len(pieces) == 1:
            return pieces[0]  # one run (e.g. nothing changed): a view, not a copy of the field
        return np.concatenate(pieces) if pieces else old[:0]

    def into(out: Any, old: Any, new: Any) -> None:
        at = 0
        for s, n in runs:
            out[at:at + n] = old[s:s + n] if s < len(keep) else new[s - len(keep):s - len(keep) + n]
            at += n

    fields: dict[str, Any] = {}
    for name in graph.FACT_FIELDS:
        old = _fact_field(old_facts, name)
        if len(runs) <= 1:  # one run (e.g. nothing changed): a view of the mapping, not a copy
            fields[name] = spliced(old, raw[name][fresh].astype(old.dtype, copy=False))
            continue
        # Several runs: each field made once, in place; the mapped pages it was copied from are
        # then dropped, so the old facts are not held beside the new ones.
        fields[name] = np.empty((len(perm), *old.shape[1:]), dtype=old.dtype)
        into(fields[name], old, raw[name][fresh].astype(old.dtype, copy=False))
        del old
        if previous.facts_file is not None:
            previous.facts_file.forget()
    row = spliced(row_now, positions[fresh])
    del row_now
    facts = FactArrays(n=len(perm), row=row, id_rank=np.arange(len(perm), dtype=np.int32), **fields)
    del fields
    new_ids = pa.array(fresh_sorted, pa.string())
    id_pieces = [old_ids.slice(s, n) if s < len(keep) else new_ids.slice(s - len(keep), n) for s, n in runs]
    # One run: the slice itself. Several: the slices as they are (Staging.write_facts joins
    # them), so ~2 M ids are not copied while the blocks are being updated.
    sorted_ids: pa.Array | pa.ChunkedArray = id_pieces[0].cast(pa.string()) if len(id_pieces) == 1 \
        else pa.chunked_array([p.cast(pa.string()) for p in id_pieces], pa.string())
    del old_ids, id_pieces
    # Read: only the ids' slices keep the mapping now, until the facts are written.
    previous.facts = previous.facts_file = None
    blocked = None
    if previous.blocks is not None:
        from_old = perm < len(keep)
        moved = np.full(len(keep), -1, dtype=np.int32)  # indexes < 2**31 (blocks hold int32 events)
        moved[perm[from_old]] = np.flatnonzero(from_old)
        blocked = graph.updated_blocks(facts, *previous.blocks, moved, np.flatnonzero(~from_old))
    return Scan(facts, id_hash, content, sentence_valid, sorted_ids, books, blocked), where, new_article


# --- putting it together -------------------------------------------------------------------

def _sentences(source: EventSource, positions: Ints) -> pa.Array:
    """Sentences at these row positions (-1: none), reading only the row groups that hold them."""
    has = positions >= 0
    if not has.any() or "sentence" not in source.columns:
        return pa.nulls(len(positions), pa.string())
    # Read in file order, then one gather into place: the sentences (the table's largest
    # column) are held twice at most, never three or four times.
    wanted = positions[has]
    order = np.argsort(wanted, kind="stable")
    wanted = wanted[order]
    part_of = np.searchsorted(source.offsets, wanted, side="right") - 1
    bounds = np.searchsorted(part_of, np.arange(len(source.offsets)))
    pieces = []
    for k in np.unique(part_of).tolist():
        local = wanted[bounds[k]:bounds[k + 1]] - source.offsets[k]
        column = _single(source.part(k, ["sentence"]).column("sentence"))
        pieces.append(column.take(pa.array(local)).cast(pa.string()))
        del column
    del wanted, part_of
    joined = pa.concat_arrays(pieces)
    pieces.clear()
    index = np.zeros(len(positions), dtype=np.int64)
    index[np.flatnonzero(has)[order]] = np.arange(len(order), dtype=np.int64)
    return joined.take(pa.array(index, mask=~has))


# Columns assembled largest first, while little of the output is held yet.
ASSEMBLY_ORDER = ["summary", "event_ids", "article_ids", "timeline_id", "location", "actor1",
                  "actor2", "admin1", "acled_event_type"]


def _single(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One array from a column, dropping the chunks as soon as they are copied."""
    if isinstance(column, pa.Array):
        return column
    if column.num_chunks == 0:
        return pa.array([], column.type)
    return column.chunk(0) if column.num_chunks == 1 else pa.concat_arrays(column.chunks)


def _runs(source: Ints, split: int, limit: int) -> list[tuple[int, int]] | None:
    """``source`` as (start, length) runs of consecutive values, none crossing ``split``.

    None when there would be more than ``limit`` runs.
    """
    if not len(source):
        return []
    breaks = np.flatnonzero((np.diff(source) != 1) | (source[1:] == split)) + 1
    if len(breaks) >= limit:
        return None
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [len(source)]])
    return [(int(source[s]), int(e - s)) for s, e in zip(starts, ends, strict=True)]


def _assemble(result: Result, previous: Previous | None, source: EventSource) -> tuple[pa.Table, Ints]:
    """Kept old rows and new rows, sorted, a column at a time; and where each input row went.

    Returns the table and, for the i-th input row (kept old rows, then new rows), its output row.
    Each column is held at most twice at a time: the rows it comes from and the sorted copy.
    """
    n_old = len(result.kept_old) if previous is not None else 0
    old_rows = previous.rows if previous is not None else 0

    def new(name: str, kind: pa.DataType) -> pa.Array:
        arrays = [t.column(name).cast(kind) for t in result.new_rows]
        if result.new_file is not None:
            arrays.append(_read_ipc(result.new_file).column(name).cast(kind))  # mapped: one column read
        chunks = [c for a in arrays for c in a.chunks]
        del arrays
        return pa.concat_arrays(chunks) if chunks else pa.array([], kind)

    def fresh(name: str) -> pa.Array:
        if name != "summary":
            return new(name, TIMELINE.field(name).type)
        rows = np.asarray(new("summary_row", pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
        return _single(_sentences(source, rows))

    def old(name: str) -> pa.Array:
        assert previous is not None
        return _single(previous.timeline.column(name).cast(TIMELINE.field(name).type))

    def keys(name: str) -> pa.ChunkedArray:
        kind = TIMELINE.field(name).type
        parts = [old(name).take(pa.array(result.kept_old))] if n_old else []
        return pa.chunked_array([*parts, fresh(name)], kind)

    key_table = pa.table({name: keys(name) for name in SORT_KEYS["timeline"]})
    order = pc.sort_indices(key_table, sort_keys=[(k, "ascending") for k in SORT_KEYS["timeline"]])
    del key_table
    order_np = np.asarray(order.to_numpy(), dtype=np.int64)
    # Where each output row comes from: a row of the old file, or (after them) a new row.
    origin = np.where(order_np < n_old, result.kept_old[np.minimum(order_np, max(n_old - 1, 0))]
                      if n_old else 0, old_rows + order_np - n_old)
    runs = _runs(origin, old_rows, limit=10_000)
    columns: dict[str, pa.Array] = {}
    for name in ASSEMBLY_ORDER + [n for n in TIMELINE.names if n not in ASSEMBLY_ORDER]:
        shared = False  # the old column itself (a view of the mapping), not a copy
        if runs is not None:  # few runs (an incremental build): slices of the old and new rows
            parts = ([old(name)] if old_rows else []) + [fresh(name)]
            pieces = []
            for start, length in runs:
                array, at = (parts[0], start) if start < old_rows else (parts[-1], start - old_rows)
                pieces.append(array.slice(at, length))
            if len(pieces) == 1:  # one run (nothing changed): the old column itself, mapped, no copy
                column, shared = pieces[0], True
            else:
                column = pa.concat_arrays(pieces) if pieces else pa.array([], TIMELINE.field(name).type)
            del parts, pieces
        elif name == "summary" and not old_rows:  # read straight into place: one copy less
            rows = np.asarray(new("summary_row", pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
            column = _single(_sentences(source, rows[origin]))
            del rows
        else:  # new rows in any order (a full build), or many changes: one gather
            whole = pa.concat_arrays([*([old(name)] if old_rows else []), fresh(name)]) \
                if old_rows else fresh(name)
            column = whole.take(pa.array(origin))
            del whole
        columns[name] = column
        if not shared and previous is not None and previous.timeline_file is not None:
            previous.timeline_file.forget()  # copied: the old column's pages need not stay
        release_memory()
    result.new_rows.clear()
    rank = np.empty(len(order_np), dtype=np.int64)
    rank[order_np] = np.arange(len(order_np))
    return pa.Table.from_arrays([columns.pop(n) for n in TIMELINE.names], schema=TIMELINE), rank


def merge_tables(source: EventSource, articles: pa.Table, cache_dir: Path | None = None,
                 stats: dict[str, Any] | None = None, output: Path | None = None,
                 full: bool = False) -> pa.Table:
    """The sorted timeline of the events in ``source``, as an Arrow table; written to ``output``.

    ``stats``, when given, receives ``mode`` ("full" or "incremental"), ``regrouped`` (events
    whose group was recomputed) and ``scanned`` ("all", or "changed" when only the rows of
    changed articles were read).

        >>> merge_tables(EventSource(out / "events.parquet"), articles).num_rows  # doctest: +SKIP
        98170
    """
    timeline, _ = _run(source, articles, cache_dir, stats, output, full, keep=True)
    assert timeline is not None
    return timeline


@dataclass
class Changes:
    """What the caller knows changed: ``articles`` since the events file stamped ``since``."""

    articles: set[str] | None = None
    since: dict[str, int] | None = None  # the events file the changes are counted from
    stamp: dict[str, int] | None = None  # the events file read now
    articles_stamp: dict[str, int] | None = None  # the articles file read now
    events_path: Path = Path("events.parquet")  # the files stamped
    articles_path: Path = Path("articles.parquet")


def _run(source: EventSource, articles: pa.Table, cache_dir: Path | None, stats: dict[str, Any] | None,
         output: Path | None, full: bool, keep: bool,
         changes: Changes | None = None) -> tuple[pa.Table | None, int]:
    settings = merge_settings()
    articles = unique_articles(articles)
    if "published" not in articles.column_names:
        articles = articles.append_column("published", pa.nulls(articles.num_rows, pa.timestamp("s")))
    with tempfile.TemporaryDirectory(prefix="timeline-") as tmp:
        key = cache_key(settings)
        staging = Staging(cache_dir, key) if cache_dir is not None else None
        try:
            return _merge(source, articles, settings, cache_dir, stats, output, Path(tmp), full, keep,
                          key, staging, changes or Changes())
        except BaseException:
            if staging is not None:
                staging.abort()
            raise


def _merge(source: EventSource, articles: pa.Table, settings: MergeSettings, cache_dir: Path | None,
           stats: dict[str, Any] | None, output: Path | None, spill: Path, full: bool,
           keep: bool, key: str, staging: Staging | None, changes: Changes) -> tuple[pa.Table | None, int]:
    """``merge_tables``; with ``keep`` False and an ``output``, the table is dropped once written."""
    previous = load_previous(cache_dir, key) if cache_dir is not None and not full else None
    quick = None
    if previous is not None and changes.articles is not None and changes.since is not None \
            and _same_files(changes.events_path, previous.events_stamp, changes.since):
        quick = rescan(source, articles, settings, previous, changes.articles)
    scanned, where, article = quick if quick is not None else (scan(source, articles, settings), None, None)
    if staging is not None:
        staging.write_facts(scanned)
    scanned.sorted_ids = None
    facts = scanned.facts
    inputs = Inputs(source, articles, settings, facts, scanned.sentence_valid, scanned.blocks,
                    None if staging is None else staging.write_blocks)
    scanned.blocks = None
    result: Result | None = None
    old_group: Ints | None = None
    if previous is not None:
        if where is None:
            where = _match(scanned.id_hash, previous.id_hash)
        if where is not None:
            same = (where >= 0) & (_gather(previous.content, where, 0) == scanned.content)
            kept = np.zeros(len(previous.group), dtype=bool)
            kept[where[same]] = True
            dirty = np.zeros(previous.rows, dtype=bool)
            lost = previous.group[~kept]
            dirty[lost[lost >= 0]] = True
            row_same = same[facts.row]
            old_group = np.where(row_same, _gather(previous.group, where[facts.row], -1), -1)
            del where, same, kept, lost
            # An unchanged event keeps its facts; one that was in no row is regrouped all the same.
            result = _incremental(inputs, ~row_same | (old_group < 0), old_group, dirty)
    # What only the cache's commit reads waits on disk meanwhile (~75 MB at 2 M events).
    waiting = [Parked(spill, scanned, ["id_hash", "content"])] if staging is not None else []
    if result is None:
        previous = None
        result = _full(inputs, spill)
    if stats is not None:
        stats["mode"] = "full" if previous is None else "incremental"
        stats["regrouped"] = len(result.group_events)
        stats["scanned"] = "all" if quick is None else "changed"
    rows_of_events = facts.row
    inputs.drop_blocks()  # kept for the next build (a full build kept them after its sweep)
    del inputs, facts, scanned.facts
    if staging is not None:
        events = _Holder(rows_of_events)
        del rows_of_events
        waiting += [Parked(spill, result, ["group_events", "group_sizes"]), Parked(spill, events, ["value"])]
    release_memory()
    timeline, rank = _assemble(result, previous, source)
    source.held.clear()
    rows = timeline.num_rows
    output_stamp = None
    if output is not None:
        write_arrow(to_arrow("timeline", timeline), output)
        output_stamp = table_stamp(output)
    if staging is not None:
        staging.write_timeline(timeline)
    if output is not None and not keep:
        del timeline
        timeline = None
        release_memory()
    if staging is not None:
        for parked in waiting:
            parked.restore()
        rows_of_events = events.value
        n_old = len(result.kept_old) if previous is not None else 0
        group_of_event = np.full(len(rows_of_events), -1, dtype=np.int64)
        if previous is not None and n_old:
            assert old_group is not None
            old_index = np.full(previous.rows, -1, dtype=np.int64)
            old_index[result.kept_old] = rank[:n_old]
            group_of_event = _gather(old_index, old_group, -1)
        new_rows = np.repeat(np.arange(len(result.group_sizes)), result.group_sizes)
        group_of_event[result.group_events] = rank[n_old + new_rows]
        per_row = np.full(len(scanned.id_hash), -1, dtype=np.int64)
        per_row[rows_of_events] = group_of_event
        staging.commit(scanned.id_hash, scanned.content, per_row,
                       article if article is not None else source.article_ids(),
                       scanned.sentence_valid, changes.stamp, articles_stamp=changes.articles_stamp,
                       output_stamp=output_stamp)
    return timeline, rows


def _same_files(path: Path, a: Any, b: Any) -> bool:
    """Whether two stamps (``table_stamp``) of ``path`` are of the same files.

    For a folder of parts, its own mtime aside: a build commits the same part files into a new
    folder, which changes only that (the parts' names, sizes, mtimes and inodes are in the rest).

        >>> _same_files(events, cached_stamp, table_stamp(events))  # doctest: +SKIP
        True
    """
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    if path.is_dir():
        a, b = ({k: v for k, v in stamp.items() if k != "mtime_ns"} for stamp in (a, b))
    return bool(a == b)


def _unchanged(cache_dir: Path, key: str, changes: Changes, output: Path) -> int | None:
    """The rows of the table a build left when nothing it was made from changed since (else None).

    Nothing changed: the caller tells of no changed article since the events file the cache
    was made from, the events and articles files are still the ones it read (the same part
    files), the code and settings are the same (``key``), and ``output`` is still the file it
    wrote. The table would come out the same, so it and the cache are kept as they are.

        >>> _unchanged(cache, cache_key(), Changes(set(), stamp, stamp, articles), out)  # doctest: +SKIP
        647142
    """
    if changes.articles is None or changes.articles or changes.since is None or changes.stamp is None \
            or changes.articles_stamp is None:
        return None
    folder = cache_dir / key
    try:
        with pa.memory_map(str(folder / "events.arrow")) as source:  # the schema only: no rows read
            meta = ipc.open_file(source).schema.metadata or {}
        events, articles, written = (json.loads(meta.get(name, b"null"))
                                     for name in (b"events_stamp", b"articles_stamp", b"output_stamp"))
        rows, size = int(meta[b"timeline_rows"]), int(meta[b"timeline_bytes"])
        if (folder / "timeline.arrow").stat().st_size != size or not output.is_file():
            return None
        same = _same_files(changes.events_path, events, changes.since) and written == table_stamp(output) \
            and _same_files(changes.events_path, changes.stamp, changes.since) \
            and _same_files(changes.articles_path, changes.articles_stamp, articles)
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None
    return rows if same else None


def _match(ids: U64s, previous: U64s) -> Ints | None:
    """Per row, the previous row with the same id hash (-1: none); None if hashes repeat.

    A repeated hash is a repeated event id (or, rarely, two ids with one hash): then rows cannot
    be matched one to one, and the build is full. Distinct hashes mean distinct ids.
    """
    order = np.argsort(previous)
    ranked = previous[order]
    if np.any(ranked[1:] == ranked[:-1]):
        return None
    mine = np.sort(ids)
    if np.any(mine[1:] == mine[:-1]):
        return None
    del mine
    at = np.minimum(np.searchsorted(ranked, ids), max(len(ranked) - 1, 0))
    if not len(ranked):
        return np.full(len(ids), -1, dtype=np.int64)
    found = ranked[at] == ids
    return np.where(found, order[at], -1).astype(np.int64)


def _read_articles(path: Path) -> pa.Table:
    """The articles' columns the merge reads, each part file opened by us (see ``EventSource._file``)."""
    tables = []
    for file in part_files(path):
        with pa.OSFile(str(file)) as handle:
            tables.append(pq.ParquetFile(handle).read(columns=ARTICLE_COLUMNS, use_threads=False))
    if not tables or any(not t.schema.equals(tables[0].schema) for t in tables):
        return pq.read_table(path, columns=ARTICLE_COLUMNS)  # let the dataset reader unify them
    return pa.concat_tables(tables)


def write_timeline(out_dir: Path, cache_dir: Path, *, full: bool = False,
                   changed_articles: set[str] | None = None,
                   changed_since: Mapping[str, int] | None = None) -> int:
    """Merge ``out_dir``'s events into ``timeline.parquet`` using ``cache_dir``; returns the rows.

    ``full`` ignores the cache (the result is the same; the cache is written afresh).
    ``changed_articles``: the ids of every article whose ``articles`` or ``events`` rows may
    differ from those of the events file stamped ``changed_since`` (``etl.io.cache.table_stamp``
    of the last build's ``events.parquet``); articles gone or new count as changed by themselves.
    When the cache was made from those very part files, only those articles' rows are read;
    else (or with either left out) every row is read and compared, as without them. With no article
    changed, and the events and articles files, the code and ``timeline.parquet`` all as the
    cache's build left them, nothing is read or written: the table there is already the one a
    merge would write. The table is the same either way.

        >>> write_timeline(out, out / ".cache" / "timeline")  # doctest: +SKIP
        98170
        >>> write_timeline(out, cache, changed_articles={"a17"}, changed_since=stamp)  # doctest: +SKIP
        98171
    """
    # The system allocator gives freed memory back at once (Arrow's default pool keeps it).
    pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    fixed_mmap_threshold()
    try:
        events, articles_path = out_dir / "events.parquet", out_dir / "articles.parquet"
        changes = Changes(None if changed_articles is None else set(changed_articles),
                          None if changed_since is None else dict(changed_since), table_stamp(events),
                          table_stamp(articles_path) if articles_path.exists() else None,
                          events, articles_path)
        kept = None if full else _unchanged(cache_dir, cache_key(), changes, out_dir / "timeline.parquet")
        if kept is not None:
            return kept
        articles = _read_articles(articles_path)
        _, rows = _run(EventSource(events), articles, cache_dir, None, out_dir / "timeline.parquet",
                       full, keep=False, changes=changes)
        del articles
    finally:
        pa.set_memory_pool(pool)
        release_memory()
    return rows


def timeline_table(events: pd.DataFrame, articles: pd.DataFrame, cache_dir: Path | None = None,
                   stats: dict[str, Any] | None = None) -> pa.Table:
    """``merge_tables`` for DataFrames (as ``build_timeline`` takes them)."""
    events_table = pa.Table.from_pandas(events, preserve_index=False)
    articles_table = pa.Table.from_pandas(
        articles[[c for c in ARTICLE_COLUMNS if c in articles.columns]], preserve_index=False)
    return merge_tables(EventSource(table=events_table), articles_table, cache_dir, stats)


__all__ = ["EventSource", "cache_key", "merge_tables", "timeline_table", "write_timeline"]
