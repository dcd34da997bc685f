"""Output to an fsspec URL (s3://, gs://, …): build in a local mirror, then upload each table.

The local mirror keeps the incremental cache between builds; each table is uploaded under a
temporary name and moved into place. A one-file table is replaced in one step; a partitioned
table's folder is replaced part by part (object stores cannot swap folders), so a reader
during the upload may see a table missing.

    >>> local_mirror("s3://bucket/processed").parent.name
    'outputs'
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any


def cache_root() -> Path:
    """Where the project keeps machine-local caches: $ETL_CACHE_DIR or ~/.cache/conflict-etl."""
    configured = os.environ.get("ETL_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "conflict-etl"


def local_mirror(url: str) -> Path:
    """The local folder a remote output is built in (one per URL)."""
    return cache_root() / "outputs" / hashlib.sha256(url.encode()).hexdigest()[:16]


def upload_tables(local: Path, url: str, storage_options: dict[str, Any] | None = None) -> None:
    """Copy every ``*.parquet`` table of a local folder to the URL, each atomically where the
    filesystem can move files (object stores: the upload of one object is atomic anyway)."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(url, **(storage_options or {}))
    fs.makedirs(root, exist_ok=True)
    for table in sorted(local.glob("*.parquet")):
        final = f"{root.rstrip('/')}/{table.name}"
        temporary = f"{root.rstrip('/')}/.{table.name}.uploading"
        if table.is_dir():  # a partitioned table: its part files, then the folder moved in
            if fs.exists(temporary):
                fs.rm(temporary, recursive=True)
            for part in sorted(table.iterdir()):
                fs.put_file(str(part), f"{temporary}/{part.name}")
            if fs.exists(final):  # object stores have no folder swap: old parts go first
                fs.rm(final, recursive=True)
            fs.mv(temporary, final, recursive=True)
        else:
            fs.put_file(str(table), temporary)
            fs.mv(temporary, final)
