"""Reading a processed folder's tables as bytes, whether a table is one file or a folder of parts."""

from __future__ import annotations

from pathlib import Path


def table_bytes(out: Path) -> dict[str, bytes]:
    """Every file of every ``*.parquet`` table, by path relative to ``out``."""
    files: dict[str, bytes] = {}
    for table in sorted(out.glob("*.parquet")):
        for path in sorted(table.rglob("*")) if table.is_dir() else [table]:
            if path.is_file():
                files[path.relative_to(out).as_posix()] = path.read_bytes()
    return files


def remove_table(path: Path) -> None:
    """Delete a table, a folder of parts or one file."""
    if path.is_dir():
        for part in path.iterdir():
            part.unlink()
        path.rmdir()
    else:
        path.unlink()
