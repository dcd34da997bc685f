"""Where a raw file's bytes come from: a local path or any fsspec URL (s3://, gs://, …).

    >>> LocalSource(Path("data/raw/a.txt"), "a.txt").name
    'a.txt'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol


class Source(Protocol):
    """A readable raw file: its name relative to the raw folder, size and byte stream."""

    @property
    def name(self) -> str: ...

    def size(self) -> int: ...

    def open(self) -> BinaryIO: ...


@dataclass(frozen=True)
class LocalSource:
    """A file on the local disk."""

    path: Path
    name: str

    def size(self) -> int:
        """Size in bytes."""
        return self.path.stat().st_size

    def open(self) -> BinaryIO:
        """A binary stream over the file's bytes."""
        if not self.path.is_file():
            raise IsADirectoryError(f"not a regular file: {self.name}")
        return self.path.open("rb")


@dataclass(frozen=True)
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
        stream: BinaryIO = fs.open(path, "rb")
        return stream
