"""Output to an fsspec URL (s3://, gs://, memory://, …): build in a local mirror, then upload
only the files that differ from what the URL holds.

The local mirror (one folder per URL under the cache root) keeps the incremental cache between
builds and a record of the last upload: each table file's size and SHA-256, and the remote
object's ETag (or modification time where the store has no ETag) listed right after it was
written. A file is sent again when its bytes changed, when the remote object is missing, of
another size or not the one recorded (replaced or deleted by someone else), or when there is
no record (a new mirror sends everything once). A part whose bytes the URL already holds under
another name — parts renumbered after a file that opens a part was added or removed — is
copied there by the store instead of sent. Remote files the local table no longer has are
deleted. A build with nothing changed lists the URL once and writes nothing.

What a reader of the URL sees meanwhile. The changed files go first under a hidden prefix
beside the table (``.events.parquet.uploading/``, outside what a reader of the table lists),
so during the upload proper the old table is there, whole. Only then are they copied into the
table folder (on object stores server-side copies, run concurrently: no bytes pass through
this machine, so the window is far shorter than the upload) and the parts the table lost
deleted. Each object is replaced whole (a store never shows
half an object), but the folder is not replaced in one step, which object stores cannot do:
a reader that lists the table during those copies and deletes may get parts of both builds
(rows twice, or rows missing where parts were renumbered), or an error when an object changes
between its listing and its read (s3fs: ``FileExpired``). A table that changes layout (one
file to a folder of parts, or back) is missing for that moment. A build killed mid-upload
leaves the old table whole (before the copies) or such a mix, which the next build repairs.
Read after the build has returned, or retry a read that failed or ran during one.

    >>> local_mirror("s3://bucket/processed").parent.name
    'outputs'
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.errors import UnreachableError

# In the mirror: what the last upload put at the URL (hidden, so no reader takes it for a table).
UPLOAD_RECORD = ".uploaded.json"
UPLOAD_LOCK = ".upload.lock"
# Fields of a remote listing that change whenever the object is written, best first.
_REMOTE_MARKERS = ("ETag", "etag", "md5Hash", "crc32c", "LastModified", "last_modified",
                   "mtime", "created")


def cache_root() -> Path:
    """Where the project keeps machine-local caches: $ETL_CACHE_DIR or ~/.cache/conflict-etl."""
    configured = os.environ.get("ETL_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "conflict-etl"


def local_mirror(url: str) -> Path:
    """The local folder a remote output is built in (one per URL)."""
    return cache_root() / "outputs" / hashlib.sha256(url.encode()).hexdigest()[:16]


@dataclass
class UploadReport:
    """What ``upload_tables`` did, by path relative to the URL.

        >>> UploadReport(uploaded=["events.parquet/part-000001.parquet"], bytes=1024).changed
        True
    """

    uploaded: list[str] = field(default_factory=list)  # sent from here
    copied: list[str] = field(default_factory=list)  # copied from an object already at the URL
    deleted: list[str] = field(default_factory=list)
    bytes: int = 0  # sent from here

    @property
    def changed(self) -> bool:
        """Whether the upload wrote or deleted anything at the URL."""
        return bool(self.uploaded or self.copied or self.deleted)


def check_output_url(url: str, storage_options: dict[str, Any] | None = None) -> None:
    """Make sure the output URL can be reached before a build spends its time: its folder is
    made (a bucket too, where the store makes them so) and listed. Anything that fails —
    missing credentials, no such bucket, no network, an unknown protocol, a package missing
    for it — is an ``UnreachableError`` saying what. (Whether writes are allowed shows only
    at the upload: a test write would cost a request, and change the URL, at every build.)

        check_output_url("memory://processed")      # None
        check_output_url("s3://no-credentials/x")   # UnreachableError: cannot use the output …
    """
    try:
        import fsspec

        fs, root = fsspec.core.url_to_fs(url, **(storage_options or {}))
        root = root.rstrip("/")
        fs.makedirs(root, exist_ok=True)
        fs.invalidate_cache()  # a listing this process cached proves nothing about now
        with contextlib.suppress(FileNotFoundError):  # an object store's empty prefix
            fs.ls(root, detail=False)
    # Exception: stores raise their client's errors (botocore's NoCredentialsError is no
    # OSError), and any of them means the same to the user: this URL cannot be used.
    except Exception as exc:
        _log.debug("output URL check failed", exc_info=True)
        message = f"cannot use the output {url}: {_reason(exc)}"
    else:
        return
    raise UnreachableError(message)  # outside the except: no chained traceback to print


def _reason(exc: BaseException) -> str:
    """An exception in one line: its type where the message alone is unclear."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_log = logging.getLogger(__name__)


def upload_tables(local: Path, url: str, storage_options: dict[str, Any] | None = None,
                  ) -> UploadReport:
    """Make the ``*.parquet`` tables at the URL equal to those of a local folder, uploading
    only the files that differ (see the module docstring for what readers see meanwhile).
    A store that fails on the way raises ``UnreachableError``: the next build sends what is
    missing.

        upload_tables(mirror, "s3://bucket/processed")   # nothing changed: one listing, no put
    """
    try:
        return _upload_tables(local, url, storage_options)
    except Exception as exc:  # the store's own errors (see check_output_url)
        _log.debug("upload failed", exc_info=True)
        message = (f"uploading the tables to {url} failed ({_reason(exc)}); they are built in "
                   f"{local}, and the next build sends what the URL lacks")
    raise UnreachableError(message)


def _upload_tables(local: Path, url: str, storage_options: dict[str, Any] | None) -> UploadReport:
    import fsspec
    from filelock import FileLock

    fs, root = fsspec.core.url_to_fs(url, **(storage_options or {}))
    root = root.rstrip("/")
    with FileLock(str(local / UPLOAD_LOCK)):  # two uploads from one mirror would mix records
        record = _read_record(local, url)
        fs.makedirs(root, exist_ok=True)
        fs.invalidate_cache()  # a listing this process cached may predate others' writes
        remote = _remote_files(fs, root)
        report = UploadReport()
        files: dict[str, dict[str, Any]] = {}
        for table in sorted(local.glob("*.parquet")):
            done = _upload_table(fs, root, table, record, remote, files)
            report.uploaded += done.uploaded
            report.copied += done.copied
            report.deleted += done.deleted
            report.bytes += done.bytes
        if report.changed:
            fs.invalidate_cache()
            remote = _remote_files(fs, root)  # the new objects' ETags, to notice later drift
        for rel, entry in files.items():
            entry["remote"] = _marker(remote.get(rel, {}))
        if files != record:
            _write_record(local, url, files)
    return report


def _upload_table(fs: Any, root: str, table: Path, record: Mapping[str, Mapping[str, Any]],
                  remote: Mapping[str, Mapping[str, Any]], files: dict[str, dict[str, Any]],
                  ) -> UploadReport:
    """Bring one table at the URL up to date; ``files`` gains the record of its local files."""
    local_files = _table_files(table)
    for rel, path in local_files.items():
        files[rel] = _local_entry(path, record.get(rel))
    changed = sorted(rel for rel in local_files
                     if not _unchanged(files[rel], record.get(rel), remote.get(rel)))
    stale = sorted(rel for rel in remote if _in_table(rel, table.name) and rel not in local_files)
    temporary = f"{root}/.{table.name}.uploading"
    if any(_in_table(rel, f".{table.name}.uploading") for rel in remote):
        fs.rm(temporary, recursive=True)  # a killed upload's files: unseen, but they cost storage
    if not changed and not stale:
        return UploadReport()
    # A part whose bytes the URL already holds under another name (a file added or removed
    # before it renumbered the parts after it) is copied there, not sent again.
    held = {entry["sha256"]: rel for rel, entry in record.items()
            if _in_table(rel, table.name) and _unchanged(entry, entry, remote.get(rel))}
    copied = {rel: held[files[rel]["sha256"]] for rel in changed if files[rel]["sha256"] in held}
    uploaded = [rel for rel in changed if rel not in copied]
    if changed:
        _make_folders(fs, root, [f"{temporary}/{rel}" for rel in changed])
        if uploaded:
            fs.put([str(local_files[rel]) for rel in uploaded], [f"{temporary}/{rel}" for rel in uploaded])
        if copied:
            fs.copy([f"{root}/{source}" for source in copied.values()],
                    [f"{temporary}/{rel}" for rel in copied])
        # readers see none of it until here; a folder where a one-file table was (or the
        # reverse) must go before the new layout
        if table.name in stale or (stale and not table.is_dir()):
            fs.rm([f"{root}/{rel}" for rel in stale])
            stale = []
            folder = f"{root}/{table.name}"
            if not table.is_dir() and fs.isdir(folder):  # a real (or memory://) folder is left
                fs.rm(folder, recursive=True)
        _make_folders(fs, root, [f"{root}/{rel}" for rel in changed])
        fs.copy([f"{temporary}/{rel}" for rel in changed], [f"{root}/{rel}" for rel in changed])
        fs.rm(temporary, recursive=True)
    if stale:
        fs.rm([f"{root}/{rel}" for rel in stale])
    return UploadReport(uploaded=uploaded, copied=sorted(copied), deleted=stale,
                        bytes=sum(int(files[rel]["size"]) for rel in uploaded))


def _make_folders(fs: Any, root: str, paths: Iterable[str]) -> None:
    """The folders the files at ``paths`` go in (``root`` exists): a filesystem with real folders
    (local://, SFTP) does not make them when a file is written; on an object store it costs a
    request that changes nothing."""
    for folder in sorted({path.rsplit("/", 1)[0] for path in paths}):
        if folder != root:
            fs.makedirs(folder, exist_ok=True)


def _table_files(table: Path) -> dict[str, Path]:
    """A table's files by path relative to the output: its parts, or the one file."""
    if not table.is_dir():
        return {table.name: table}
    return {f"{table.name}/{part.name}": part for part in sorted(table.iterdir()) if part.is_file()}


def _in_table(rel: str, name: str) -> bool:
    return rel == name or rel.startswith(f"{name}/")


def _local_entry(path: Path, recorded: Mapping[str, Any] | None) -> dict[str, Any]:
    """A local file's size and SHA-256; the hash is reused while the file is the same inode
    with the same size and mtime (a part the build linked from the last one is not read)."""
    stat = path.stat()
    key = [stat.st_ino, stat.st_size, stat.st_mtime_ns]
    if recorded is not None and recorded.get("stat") == key:
        return {"size": stat.st_size, "sha256": recorded["sha256"], "stat": key}
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return {"size": stat.st_size, "sha256": digest.hexdigest(), "stat": key}


def _unchanged(local: Mapping[str, Any], recorded: Mapping[str, Any] | None,
               remote: Mapping[str, Any] | None) -> bool:
    """Whether the remote object is the one uploaded from these very bytes."""
    if recorded is None or remote is None:
        return False
    return (recorded.get("sha256") == local["sha256"] and recorded.get("size") == local["size"]
            and int(remote.get("size") or 0) == local["size"]
            and recorded.get("remote") == _marker(remote))


def _marker(info: Mapping[str, Any]) -> str:
    """The listing field that changes when a remote object is written again ('' if none)."""
    for key in _REMOTE_MARKERS:
        if info.get(key) is not None:
            return f"{key}={info[key]}"
    return ""


def _remote_files(fs: Any, root: str) -> dict[str, dict[str, Any]]:
    """Every file below the URL, by path relative to it."""
    found: dict[str, dict[str, Any]] = fs.find(root, detail=True)
    prefix = f"{root}/"
    return {path[len(prefix):]: info for path, info in found.items() if path.startswith(prefix)}


def _read_record(local: Path, url: str) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((local / UPLOAD_RECORD).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("url") != url or not isinstance(data.get("files"), dict):
        return {}
    return {rel: entry for rel, entry in data["files"].items() if isinstance(entry, dict)}


def _write_record(local: Path, url: str, files: Mapping[str, Mapping[str, Any]]) -> None:
    temporary = local / f"{UPLOAD_RECORD}.tmp"
    temporary.write_text(json.dumps({"url": url, "files": files}, sort_keys=True, indent=1))
    os.replace(temporary, local / UPLOAD_RECORD)
