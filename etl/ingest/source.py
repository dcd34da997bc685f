"""Where a raw file's bytes come from: a local path or any fsspec URL (s3://, gs://, …).

    >>> LocalSource(Path("data/raw/a.txt"), "a.txt").name
    'a.txt'
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

from etl.problems import Problem


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
    """A file on the local disk; ``non_utf8_name``: its name was not UTF-8 (see ``text_name``)."""

    path: str | os.PathLike[str]
    name: str
    non_utf8_name: bool = False

    def size(self) -> int:
        """Size in bytes."""
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            raise _missing(self.path) from None

    def open(self) -> BinaryIO:
        """A binary stream over the file's bytes; an ``OSError`` saying why for anything else
        (missing, a dangling link, a folder, a named pipe, …)."""
        # O_NONBLOCK: opening a named pipe would wait for a writer for ever; the type is then
        # checked on the open descriptor, so the file cannot change between the check and the read
        nonblocking = getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | nonblocking)
        except FileNotFoundError:
            raise _missing(self.path) from None
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError(errno.EISDIR, "a folder, not a file", os.fspath(self.path))
            if not stat.S_ISREG(mode):
                raise OSError(errno.EINVAL, f"not a regular file ({_kind(mode)})", os.fspath(self.path))
            if nonblocking:
                os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise


def _missing(path: str | os.PathLike[str]) -> FileNotFoundError:
    """The error for a listed file that is not there: a dangling link, or deleted since."""
    if os.path.islink(path):
        why = "a symbolic link to a file that does not exist"
    else:
        why = "no such file (deleted or moved since the folder was listed?)"
    return FileNotFoundError(errno.ENOENT, why, os.fspath(path))


def _kind(mode: int) -> str:
    """What a file that is not a regular file or a folder is, in words."""
    for test, kind in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "a special file"


@dataclass(frozen=True, slots=True)
class FsspecSource:
    """A file behind an fsspec URL, opened on whichever machine reads it (a Dask worker)."""

    url: str
    name: str
    storage_options: tuple[tuple[str, Any], ...] = ()
    non_utf8_name: bool = False

    def _fs_path(self) -> tuple[Any, str]:
        import fsspec

        fs, path = fsspec.core.url_to_fs(self.url, **dict(self.storage_options))
        return fs, path

    def size(self) -> int:
        """Size in bytes."""
        fs, path = self._fs_path()
        return int(fs.size(path))

    def stamp(self) -> RemoteStamp:
        """The object's size and version fields as the store gives them now (not a cached
        listing): ``(("ETag", '"9b2c…"'), ("LastModified", "2024-…"), ("size", "512"))``."""
        fs, path = self._fs_path()
        fs.invalidate_cache(path)
        return remote_stamp(fs.info(path))

    def open(self) -> BinaryIO:
        """A binary stream over the file's bytes."""
        fs, path = self._fs_path()
        stream = fs.open(path, "rb")
        if isinstance(stream, io.BufferedIOBase):  # memory:// gives a BytesIO: a full stream
            return cast(BinaryIO, stream)
        # s3fs, gcsfs, HTTP: fsspec's buffered file has no readline(limit), which the line
        # readers need to bound a line's length; a BufferedReader over it has
        return cast(BinaryIO, io.BufferedReader(stream))


# What tells that an object's bytes changed, by the names fsspec's stores give it (S3, GCS,
# Azure, HTTP, local and memory filesystems): a listing and a later ``info`` may not give the
# same fields, so stamps are compared on the fields both have (``same_remote_stamp``).
VERSION_FIELDS = ("ETag", "etag", "md5Hash", "generation", "VersionId", "version_id",
                  "LastModified", "last_modified", "updated", "mtime", "created", "size")

RemoteStamp = tuple[tuple[str, str], ...]


def remote_stamp(info: dict[str, Any]) -> RemoteStamp:
    """An object's size and version fields from its fsspec ``info``, as sorted text pairs.

        remote_stamp({"size": 5, "ETag": '"ab"', "name": "b/k"})  # (('ETag', '"ab"'), ('size', '5'))
    """
    return tuple(sorted((key, _stamp_text(info[key])) for key in VERSION_FIELDS
                        if info.get(key) is not None))


def _stamp_text(value: Any) -> str:
    """A version field as text; a time, as a listing (a float) or ``info`` (a datetime) gives
    it, as whole microseconds since 1970: ``_stamp_text(1.5) == "1500000"``."""
    if isinstance(value, datetime):
        value = value.timestamp()
    if isinstance(value, float):
        return str(round(value * 1_000_000))
    return str(value)


def same_remote_stamp(before: RemoteStamp, now: RemoteStamp) -> bool:
    """Whether two stamps of one object agree on every field both have (and have one)."""
    old, new = dict(before), dict(now)
    common = old.keys() & new.keys()
    return bool(common) and all(old[key] == new[key] for key in common)


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """A raw file found by ``list_sources``, with what the incremental cache needs to know."""

    source: LocalSource | FsspecSource
    size: int
    version: int  # local: mtime in ns; remote: a hash of the listing's metadata (ETag, mtime)
    stamp: RemoteStamp | None = None  # remote: the listing's size and version fields

    def hash_content(self) -> str:
        """SHA-256 of the file's bytes (read only when the cache asks)."""
        return sha256_of(self.source)


def is_url(location: str | os.PathLike[str]) -> bool:
    """True for an fsspec URL such as ``s3://bucket/raw`` (``file://`` included)."""
    return "://" in str(location)


# fsspec's names for the local disk: such a URL is listed and read as a local folder
_LOCAL_PROTOCOLS = ("file://", "local://")


def local_path(location: str | os.PathLike[str]) -> Path | None:
    """The folder a local location names (a path, ``file://`` or ``local://``), else None:
    ``local_path("file:///data/raw") == Path("/data/raw")``."""
    if not is_url(location):
        return Path(location)
    text = str(location)
    for protocol in _LOCAL_PROTOCOLS:
        if text.startswith(protocol):
            return Path(text[len(protocol):])
    return None


def text_name(name: str) -> tuple[str, bool]:
    """A file name as the tables show it, and whether it was not UTF-8. Such a name keeps every
    byte: one that is not UTF-8 is written ``\\xNN``, and a backslash doubled, so two names never
    become one (the old U+FFFD replacement made ``a\\xff`` and ``a\\xfe`` the same file).

        >>> text_name(os.fsdecode(b"a\\xff.txt"))
        ('a\\\\xff.txt', True)
        >>> text_name("café.txt")
        ('café.txt', False)
    """
    if name.isascii():  # nearly every name: no encoding at all
        return name, False
    try:
        data = name.encode("utf-8", "surrogateescape")  # the bytes os.fsdecode made it from
    except UnicodeEncodeError:  # a lone UTF-16 surrogate (a Windows name): escape it as text
        return name.replace("\\", "\\\\").encode("utf-8", "backslashreplace").decode("utf-8"), True
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace"), True


def name_problems(source: Source) -> list[Problem]:
    """The ``non_utf8_name`` warning for a file whose name is not UTF-8, else nothing.

        >>> [p.code for p in name_problems(LocalSource(b"a\\xff".decode("latin-1"), "a\\\\xff", True))]
        ['non_utf8_name']
    """
    if not getattr(source, "non_utf8_name", False):
        return []
    return [Problem(source.name, None, None, "ingest", "warning", "non_utf8_name",
                    "the file's name is not UTF-8: input_file shows each byte that is not as "
                    "\\xNN and each backslash doubled")]


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
                name, non_utf8 = text_name(prefix.rstrip("/"))
                entries.append(SourceEntry(LocalSource(folder, name, non_utf8), -1, -1))
            continue
        for item in found:
            if item.name.startswith("."):
                continue
            try:
                is_folder = item.is_dir()
            except OSError:  # a link that loops: not a folder; its read reports it
                is_folder = False
            if is_folder:
                if not item.is_symlink():  # as os.walk: linked folders are not entered
                    folders.append((item.path, f"{prefix}{item.name}/"))
                continue
            name, non_utf8 = text_name(prefix + item.name)
            try:
                status = item.stat()
                # size -1: read at once (not hashed, not cached), and ingest reports it as
                # unreadable: a dangling or looping link, a named pipe (which a read would wait
                # on for ever), a device
                regular = stat.S_ISREG(status.st_mode)
                size, version = (status.st_size, status.st_mtime_ns) if regular else (-1, -1)
            except OSError:
                size, version = -1, -1
            entries.append(SourceEntry(LocalSource(item.path, name, non_utf8), size, version))
    return _by_name(entries)


def _by_name(entries: list[SourceEntry]) -> list[SourceEntry]:
    """Entries in name order; names ``text_name`` made the same (a UTF-8 name spelling out
    another's escapes) by their path's bytes, so the order never depends on the listing's."""
    entries.sort(key=lambda e: e.source.name)
    for k in range(1, len(entries)):
        if entries[k].source.name == entries[k - 1].source.name:
            entries.sort(key=lambda e: (e.source.name, _raw_key(e.source)))
            break
    return entries


def _raw_key(source: LocalSource | FsspecSource) -> bytes:
    return os.fsencode(source.path if isinstance(source, LocalSource) else source.url)


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
        relative = path[len(root):].lstrip("/")
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        name, non_utf8 = text_name(relative)  # a listing may hold names that are not UTF-8
        marker = json.dumps({k: str(v) for k, v in sorted(info.items())}, sort_keys=True)
        version = int(hashlib.sha256(marker.encode()).hexdigest()[:15], 16)
        source = FsspecSource(f"{protocol}://{path}", name, tuple(sorted(storage_options.items())),
                              non_utf8)
        entries.append(SourceEntry(source, int(info.get("size") or 0), version, remote_stamp(info)))
    return _by_name(entries)


def sha256_of(source: Source) -> str:
    """SHA-256 of a source's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with source.open() as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def list_sources(raw: str | os.PathLike[str], storage_options: dict[str, Any] | None = None,
                 ) -> list[SourceEntry]:
    """Every raw file below a local folder or an fsspec URL, hidden files skipped, by name (as
    ``text_name`` writes it). A file that cannot be read is listed with size -1: the build reads
    it at once and ingest records it as ``unreadable``."""
    local = local_path(raw)
    if local is None:
        return _remote_entries(str(raw), storage_options or {})
    return _local_entries(local)
