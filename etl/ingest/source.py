"""Where a raw file's bytes come from: a local path or any fsspec URL (s3://, gs://, …).

    >>> LocalSource(Path("data/raw/a.txt"), "a.txt").name
    'a.txt'
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast


class Source(Protocol):
    """A readable raw file: its name relative to the raw folder, size and byte stream."""

    @property
    def name(self) -> str: ...

    def size(self) -> int: ...

    def open(self) -> BinaryIO: ...


# slots, and a plain string path where a listing makes one: a build holds an entry per raw file
# (about 1 KB each with a Path, a __dict__ and a partial; a third of that now)
@dataclass(frozen=True, slots=True)
class LocalSource:
    """A file on the local disk."""

    path: str | os.PathLike[str]
    name: str

    def size(self) -> int:
        """Size in bytes."""
        return os.stat(self.path).st_size

    def open(self) -> BinaryIO:
        """A binary stream over the file's bytes."""
        if not os.path.isfile(self.path):
            raise IsADirectoryError(f"not a regular file: {self.name}")
        return open(self.path, "rb")


@dataclass(frozen=True, slots=True)
class FsspecSource:
    """A file behind an fsspec URL, opened on whichever machine reads it (a Dask worker)."""

    url: str
    name: str
    storage_options: tuple[tuple[str, Any], ...] = ()

    def _fs_path(self) -> tuple[Any, str]:
        import fsspec

        fs, path = fsspec.core.url_to_fs(self.url, **dict(self.storage_options))
        return fs, path

    def size(self) -> int:
        """Size in bytes."""
        fs, path = self._fs_path()
        return int(fs.size(path))

    def open(self) -> BinaryIO:
        """A binary stream over the file's bytes."""
        fs, path = self._fs_path()
        stream = fs.open(path, "rb")
        if isinstance(stream, io.BufferedIOBase):  # memory:// gives a BytesIO: a full stream
            return cast(BinaryIO, stream)
        # s3fs, gcsfs, HTTP: fsspec's buffered file has no readline(limit), which the line
        # readers need to bound a line's length; a BufferedReader over it has
        return cast(BinaryIO, io.BufferedReader(stream))


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """A raw file found by ``list_sources``, with what the incremental cache needs to know."""

    source: LocalSource | FsspecSource
    size: int
    version: int  # local: mtime in ns; remote: a hash of the listing's metadata (ETag, mtime)

    def hash_content(self) -> str:
        """SHA-256 of the file's bytes (read only when the cache asks)."""
        return sha256_of(self.source)


def is_url(location: str | os.PathLike[str]) -> bool:
    """True for an fsspec URL such as ``s3://bucket/raw`` (``file://`` included)."""
    return "://" in str(location)


def _local_entries(raw: Path) -> list[SourceEntry]:
    # os.scandir with plain strings: a tree of 10,000 files is listed in a build that may do
    # nothing else, so pathlib's per-path parsing showed in the one-file rebuild's time.
    entries = []
    folders = [(os.fspath(raw), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            found = list(os.scandir(folder))
        except OSError:
            if prefix:  # a folder that cannot be listed: ingest reports it as unreadable
                entries.append(SourceEntry(LocalSource(folder, prefix.rstrip("/")), -1, -1))
            continue
        for item in found:
            if item.name.startswith("."):
                continue
            if item.is_dir():
                if not item.is_symlink():  # as os.walk: linked folders are not entered
                    folders.append((item.path, f"{prefix}{item.name}/"))
                continue
            # A name that is not valid UTF-8 keeps its path but shows U+FFFD in the tables.
            name = (prefix + item.name).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            source = LocalSource(item.path, name)
            try:
                stat = item.stat()
                size, version = stat.st_size, stat.st_mtime_ns
            except OSError:
                size, version = -1, -1  # unreadable: ingest reports it
            entries.append(SourceEntry(source, size, version))
    return sorted(entries, key=lambda e: e.source.name)


def _remote_entries(url: str, storage_options: dict[str, Any]) -> list[SourceEntry]:
    import fsspec

    fs, root = fsspec.core.url_to_fs(url, **storage_options)
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    root = root.rstrip("/")
    # fsspec keeps one filesystem (and its listings) per process: a second build in a process
    # would see the first one's listing, and s3fs refuses to read an object changed since.
    # All of it: s3fs forgets a folder's listing, not those of the folders below it.
    fs.invalidate_cache()
    entries = []
    for path, info in sorted(fs.find(root, detail=True).items()):
        name = path[len(root):].lstrip("/")
        if any(part.startswith(".") for part in name.split("/")):
            continue
        marker = json.dumps({k: str(v) for k, v in sorted(info.items())}, sort_keys=True)
        version = int(hashlib.sha256(marker.encode()).hexdigest()[:15], 16)
        source = FsspecSource(f"{protocol}://{path}", name, tuple(sorted(storage_options.items())))
        entries.append(SourceEntry(source, int(info.get("size") or 0), version))
    return entries


def sha256_of(source: Source) -> str:
    """SHA-256 of a source's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with source.open() as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def list_sources(raw: str | os.PathLike[str], storage_options: dict[str, Any] | None = None,
                 ) -> list[SourceEntry]:
    """Every raw file below a local folder or an fsspec URL, hidden files skipped, by name."""
    if is_url(raw) and not str(raw).startswith("file://"):
        return _remote_entries(str(raw), storage_options or {})
    local = Path(str(raw)[len("file://"):] if str(raw).startswith("file://") else raw)
    return _local_entries(local)
