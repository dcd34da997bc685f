"""Tables as folders of part files (``events.parquet/part-000003.parquet``), published whole.

A table the build writes file by file is a partitioned dataset: each part holds the rows of a
run of raw files (``etl.pipeline`` decides which), so a rebuild after one raw file changed
writes one part again and takes the others as they are — hard links to the last build's part
files, not a decode and re-encode of every row. ``pandas.read_parquet``, pyarrow and DuckDB
read the folder as one table, parts in name order.

The new folder is assembled under a hidden temporary name and swapped with the old one in a
single step (``renameat2(RENAME_EXCHANGE)`` on Linux), so a reader — or a build killed at any
moment — sees either the whole old table or the whole new one.

    writer = DatasetWriter("events", out_dir)
    writer.start_part(0); writer.write(rows)      # part-000000.parquet
    writer.link_part(1, old_part_path)            # part-000001.parquet, the old file's bytes
    writer.commit()                               # out_dir/events.parquet/ replaced at once
"""

from __future__ import annotations

import ctypes
import filecmp
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from etl.io.parquet import TableWriter, open_mode, to_arrow
from etl.schema import TABLES

# A table with no rows in any part still needs one file to carry its schema.
EMPTY_PART = "empty.parquet"


def part_name(index: int) -> str:
    """The file name of part ``index``: zero-padded so that name order is part order."""
    return f"part-{index:06d}.parquet"


def part_files(path: Path) -> list[Path]:
    """The Parquet files of a table in row order: the parts of a folder, or the file itself."""
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.iterdir()
                  if p.suffix == ".parquet" and not p.name.startswith((".", "_")))


class DatasetWriter:
    """Write one table as a folder of parts; visible only once ``commit`` swaps it in whole."""

    def __init__(self, table: str, out_dir: Path, row_group_rows: int | None = None) -> None:
        self.table = table
        self.path = out_dir / f"{table}.parquet"
        self.row_group_rows = row_group_rows
        out_dir.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=out_dir))
        open_mode(self.tmp, folder=True)
        self._part: TableWriter | None = None
        self._index = -1
        self._written: list[Path] = []  # part files written here (fsynced before the swap)
        self.rows = 0

    def start_part(self, index: int) -> None:
        """Rows written from now on go to part ``index`` (parts must come in rising order)."""
        self._close_part()
        self._index = index

    def write(self, data: pd.DataFrame | pa.Table | Iterable[Mapping[str, Any]]) -> None:
        """Add rows to the current part; a part with no rows gets no file."""
        arrow = to_arrow(self.table, data)
        if arrow.num_rows == 0:
            return
        if self._part is None:
            self._part = TableWriter(self.table, self.tmp, self.row_group_rows, name=part_name(self._index))
        self._part.write(arrow)
        self.rows += arrow.num_rows

    def link_part(self, index: int, old: Path, rows: int) -> None:
        """Part ``index`` is the file ``old`` byte for byte (a hard link; a copy if links fail)."""
        self._close_part()
        self._index = index
        target = self.tmp / part_name(index)
        try:
            os.link(old, target)
        except OSError:
            shutil.copy2(old, target)
            self._written.append(target)
        self.rows += rows

    def _close_part(self) -> None:
        if self._part is not None:
            self._written.append(self._part.commit(sync=False))
            self._part = None

    def commit(self) -> Path:
        """Close the last part and put the folder in place of the old table, in one step; when
        every part is the old table's same-named file (nothing changed), leave the old folder be."""
        self._close_part()
        if not any(self.tmp.iterdir()):
            empty = TableWriter(self.table, self.tmp, name=EMPTY_PART)
            self._written.append(empty.commit(sync=False))
        if self._unchanged():
            shutil.rmtree(self.tmp, ignore_errors=True)
            return self.path
        for path in self._written:  # the new bytes are on disk before any reader can see them
            with open(path, "rb") as written:
                os.fsync(written.fileno())
        _fsync_folder(self.tmp)
        publish(self.tmp, self.path)
        return self.path

    def _unchanged(self) -> bool:
        """The new folder holds the old one's files: the same names, each linked to the old file or
        written again to the same bytes (a build with nothing changed publishes nothing)."""
        if not self.path.is_dir():
            return False
        names = sorted(os.listdir(self.tmp))
        if names != sorted(os.listdir(self.path)):
            return False
        written = {path.name for path in self._written}
        try:
            return all(filecmp.cmp(self.tmp / name, self.path / name, shallow=False) if name in written
                       else os.path.samefile(self.tmp / name, self.path / name) for name in names)
        except OSError:
            return False

    def abort(self) -> None:
        """Drop the parts written so far; the previous table stays as it was."""
        try:
            if self._part is not None:
                self._part.abort()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _fsync_folder(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):  # no such call, or no C library to ask
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    done: int = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


def publish(new: Path, final: Path) -> None:
    """Move the folder ``new`` to ``final``, replacing what is there (a folder or an old
    single-file table) so that ``final`` is never missing where the system can swap atomically."""
    if not final.exists() and not final.is_symlink():
        os.replace(new, final)
        return
    if _exchange(new, final):
        old = new  # the swap left the old table under the temporary name
    else:
        # Two renames: a build killed between them leaves ``final`` missing for a moment, and
        # the next build puts the old table back (``recover_tables``) before doing anything.
        old = new.with_name(new.name.removesuffix(".tmp") + ".old")
        os.replace(final, old)
        os.replace(new, final)
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def _temporary_name(tables: Iterable[str]) -> re.Pattern[str]:
    """The names of the temporary copies a build makes of the tables: ``.events.parquet.k2x9.tmp``
    (``tempfile``'s random part), and ``….old`` for an old table moved aside by ``publish``."""
    names = "|".join(re.escape(table) for table in sorted(tables))
    return re.compile(rf"\.({names})\.parquet\.[A-Za-z0-9_]+\.(tmp|old)")


def recover_tables(out: Path, tables: Iterable[str] = TABLES) -> None:
    """Clean up after a killed build: put back a table caught between the two renames of
    ``publish`` and delete the temporary files and folders of the tables (never a committed
    table, nor another hidden file: the output folder may hold the user's own)."""
    pattern = _temporary_name(tables)
    for path in sorted(out.glob(".*")):
        match = pattern.fullmatch(path.name)
        if match is None or path.is_symlink():
            continue
        final = out / f"{match[1]}.parquet"
        if match[2] == "old" and not final.exists():
            os.replace(path, final)
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
