"""Raw input and output at a URL, on a real S3 endpoint (moto's server on 127.0.0.1, s3fs) and
on fsspec's memory://: the tables read back equal a local build, and a rebuild uploads only
the files that differ from what the URL holds."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import etl.pipeline
from etl import build
from etl.cli import main
from etl.errors import UnreachableError
from etl.io.remote import UPLOAD_RECORD, check_output_url, local_mirror, upload_tables
from etl.pipeline import starts_part
from tests.conftest import REPO, SEED_ARTICLE
from tests.tables import table_bytes

if os.environ.get("CI"):  # installed by the test extra: missing there is a failure, not a skip
    import moto.server as moto_server
    import s3fs
else:
    s3fs = pytest.importorskip("s3fs")
    moto_server = pytest.importorskip("moto.server")

NEWS = REPO / "tests" / "data" / "news_gold" / "articles.jsonl"
_names = itertools.count()


def _articles() -> dict[str, bytes]:
    """Ten small raw files: the seed article and the news gold set's wire articles, one each."""
    files = {SEED_ARTICLE.name: SEED_ARTICLE.read_bytes()}
    for line in NEWS.read_text(encoding="utf-8").splitlines():
        files[f"news/{json.loads(line)['id']}.jsonl"] = (line + "\n").encode()
    return files


def _changed(data: bytes) -> bytes:
    """One article's text edited (another casualty figure), as a correction would."""
    article = json.loads(data)
    article["text"] = article["text"].replace("two people were killed", "three people were killed")
    assert article["text"] != json.loads(data)["text"]
    return (json.dumps(article) + "\n").encode()


EDITED = "news/news-2025-03-14-odesa.jsonl"
LocalBuild = Callable[[dict[str, bytes]], Path]


# The requests the S3 server received, as (method, path), from its request log.
_REQUESTS: list[tuple[str, str]] = []
_REQUEST_LINE = re.compile(r'"(?:\x1b\[[0-9;]*m)*([A-Z]+) (\S+) HTTP/')


class _RequestLog(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        found = _REQUEST_LINE.search(record.getMessage())
        if found:
            _REQUESTS.append((found[1], found[2]))


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 server on loopback, and the environment an s3fs user would set for it."""
    log = logging.getLogger("werkzeug")  # the server's request log (and not on stderr)
    handler, level, propagate = _RequestLog(), log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
                            "AWS_EC2_METADATA_DISABLED": "true",
                            "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                            }.items():
            env.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            env.delenv(name, raising=False)
        s3fs.S3FileSystem.clear_instance_cache()
        try:
            yield endpoint
        finally:
            s3fs.S3FileSystem.clear_instance_cache()
            server.stop()
            log.removeHandler(handler)
            log.setLevel(level)
            log.propagate = propagate


class Store:
    """A bucket (or memory:// root) for one test; on S3 written and read by a client of its
    own, as another machine would (not the filesystem instance the build uses)."""

    def __init__(self, protocol: str, endpoint: str | None) -> None:
        import fsspec

        self.protocol = protocol
        self.root = f"etl-test-{next(_names)}"
        self.options: dict[str, Any] = {}
        if protocol == "s3":
            self.options = {"client_kwargs": {"endpoint_url": endpoint}}
            self.fs = s3fs.S3FileSystem(skip_instance_cache=True, **self.options)
            self.fs.mkdir(self.root)
        else:
            self.fs = fsspec.filesystem("memory")
            self.root = f"/{self.root}"

    def url(self, path: str) -> str:
        return f"{self.protocol}://{self.root.lstrip('/')}/{path}"

    def write(self, path: str, data: bytes) -> None:
        self.fs.pipe_file(f"{self.root}/{path}", data)
        self.fs.invalidate_cache()

    def files(self, path: str) -> dict[str, bytes]:
        """Every file below ``path``, by name relative to it."""
        self.fs.invalidate_cache()
        top = f"{self.root}/{path}/"
        return {name[len(top):]: self.fs.cat_file(name) for name in sorted(self.fs.find(top))}

    def table(self, url: str) -> pd.DataFrame:
        """A table read back as a new reader would (s3fs refuses to read an object replaced
        since it listed it, and it keeps its listings in a filesystem kept per process)."""
        options = {**self.options, "skip_instance_cache": True} if self.options else None
        return pd.read_parquet(url, storage_options=options)


@pytest.fixture(params=["s3", "memory"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    endpoint = request.getfixturevalue("s3_endpoint") if request.param == "s3" else None
    store = Store(request.param, endpoint)
    yield store
    if request.param == "memory":
        store.fs.rm(store.root, recursive=True)


@pytest.fixture(autouse=True)
def _own_mirrors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The mirrors go here (not all of $ETL_CACHE_DIR: the geo index there takes 15 s to build)
    monkeypatch.setattr("etl.io.remote.cache_root", lambda: tmp_path / "cache")


def _upload_raw(store: Store, files: dict[str, bytes]) -> str:
    for name, data in files.items():
        store.write(f"raw/{name}", data)
    return store.url("raw")


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> LocalBuild:
    """A full build of the same raw files from a local folder (each set built once)."""
    import etl.pipeline

    built: dict[tuple[object, ...], Path] = {}

    def run(files: dict[str, bytes]) -> Path:
        key = (tuple(sorted(files.items())), etl.pipeline.FILES_PER_PART)
        if key not in built:
            folder = tmp_path_factory.mktemp("local")
            for rel, data in files.items():
                (folder / "raw" / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / "raw" / rel).write_bytes(data)
            build(folder / "raw", folder / "out", full=True)
            built[key] = folder / "out"
        return built[key]
    return run


def _assert_equal_to(store: Store, local: Path) -> None:
    """The URL's tables are the local build's, file for file and read back as frames."""
    assert store.files("processed") == table_bytes(local)
    for table in sorted(local.glob("*.parquet")):
        pd.testing.assert_frame_equal(store.table(store.url(f"processed/{table.name}")),
                                      pd.read_parquet(table))


class Calls:
    """The writes made while a build runs: files uploaded, copied and deleted by the filesystem
    class the build uses (spied on; the store stays real) and, on S3, every request that the
    server received which writes (PUT, POST, DELETE), whatever the client code that sent it."""

    def __init__(self, requests: list[tuple[str, str]] | None) -> None:
        self.puts: list[str] = []
        self.copies: list[str] = []
        self._deletes: list[str] = []
        self._requests = requests
        self._since = 0

    def clear(self) -> None:
        for calls in (self.puts, self.copies, self._deletes):
            calls.clear()
        self._since = len(self._requests or [])

    @property
    def writes(self) -> list[tuple[str, str]]:
        """The S3 requests since ``clear`` that change something."""
        return [(method, path) for method, path in (self._requests or [])[self._since:]
                if method in ("PUT", "POST", "DELETE")]

    @property
    def deletes(self) -> list[str]:
        if self._requests is None:
            return self._deletes
        return [path for method, path in self.writes if method == "DELETE" or "?delete" in path]

    @property
    def none(self) -> bool:
        return not (self.puts or self.copies or self.deletes or self.writes)


def _recording(calls: list[str], method: Callable[..., Any], asynchronous: bool,
               target: Callable[[Any, tuple[Any, ...]], Any]) -> Callable[..., Any]:
    if asynchronous:
        async def wrapped_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(str(target(args[0], args[1:])))
            return await method(self, *args, **kwargs)
        return wrapped_async

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(target(args[0], args[1:])))
        return method(self, *args, **kwargs)
    return wrapped


def _staged(path: str) -> str:
    """The table file an upload was for (it goes under a hidden prefix first)."""
    return path.split(".uploading/", 1)[1]


@pytest.fixture
def calls(store: Store, monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Record the writes of the build (see ``Calls``)."""
    import fsspec

    recorded = Calls(_REQUESTS if store.protocol == "s3" else None)
    cls = type(fsspec.filesystem(store.protocol))
    s3 = store.protocol == "s3"
    destination = lambda first, rest: rest[0]  # noqa: E731  (put_file, cp_file: (from, to))
    spies: list[tuple[str, list[str], Callable[[Any, tuple[Any, ...]], Any]]] = [
        ("_put_file" if s3 else "put_file", recorded.puts, destination),
        ("_cp_file" if s3 else "cp_file", recorded.copies, destination)]
    if not s3:  # on S3 the server tells (s3fs's rm is bound per instance, out of a spy's reach)
        spies.append(("rm_file", recorded._deletes, lambda first, rest: first))
    for name, into, target in spies:
        monkeypatch.setattr(cls, name, _recording(into, getattr(cls, name), s3, target))
    recorded.clear()
    return recorded


def test_build_from_and_to_a_url_equals_a_local_build(store: Store, local_build: LocalBuild) -> None:
    files = _articles()
    report = build(_upload_raw(store, files), store.url("processed"), jobs=1)
    assert (report.files, report.rows["articles"]) == (10, 10)
    local = local_build(files)
    assert len(pd.read_parquet(local / "events.parquet")) > 0  # the comparison compares rows
    _assert_equal_to(store, local)
    names = store.fs.ls(f"{store.root}/processed", detail=False)
    assert not any(".uploading" in name for name in names)


def test_rebuild_uploads_only_what_changed(store: Store, calls: Calls, local_build: LocalBuild,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("etl.pipeline.FILES_PER_PART", 2)  # several parts per table
    files = _articles()
    raw, out = _upload_raw(store, files), store.url("processed")
    build(raw, out, jobs=1)
    first = store.files("processed")
    assert len(calls.puts) == len(first) and sum(k.startswith("events.parquet/") for k in first) > 2

    calls.clear()
    assert build(raw, out, jobs=1).processed == 0
    assert calls.none  # nothing changed: not a byte uploaded, nothing moved or deleted
    assert store.files("processed") == first

    calls.clear()
    files[EDITED] = _changed(files[EDITED])
    store.write(f"raw/{EDITED}", files[EDITED])  # by another client: this process's listing is stale
    assert build(raw, out, jobs=1).processed == 1
    second = store.files("processed")
    differ = {name for name, data in second.items() if first.get(name) != data}
    assert differ and len(differ) < len(second) - 2
    assert sorted(_staged(p) for p in calls.puts) == sorted(differ)
    _assert_equal_to(store, local_build(files))

    # A file that opens a part of its own ahead of the others: every later part is renumbered,
    # and the URL holds their bytes under the old numbers already
    calls.clear()
    added = next(name for k in range(100) if starts_part(name := f"news/news-2023-01-{k:02d}.jsonl"))
    files[added] = files[EDITED]
    store.write(f"raw/{added}", files[added])
    assert build(raw, out, jobs=1).processed == 1
    third = store.files("processed")
    new_bytes = {name for name, data in third.items() if data not in second.values()}
    assert sorted(_staged(p) for p in calls.puts) == sorted(new_bytes)
    renumbered = {name for name, data in third.items() if second.get(name) != data} - new_bytes
    assert len(renumbered) > len(second) // 2  # sent by the URL to itself (server-side copies)
    _assert_equal_to(store, local_build(files))


def test_a_raw_object_replaced_while_the_build_read_it_is_not_cached(
        store: Store, local_build: LocalBuild, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _articles()
    raw, out = _upload_raw(store, files), store.url("processed")
    real = etl.pipeline.write_source

    def replaced_meanwhile(source: Any, default_published: Any, sink: Any) -> Any:
        # the build has listed and hashed every object; another client saves one before it is read
        if source.name == EDITED:
            store.write(f"raw/{EDITED}", _changed(files[EDITED]))
        return real(source, default_published, sink)

    monkeypatch.setattr(etl.pipeline, "write_source", replaced_meanwhile)
    assert build(raw, out, jobs=1).processed == len(files)
    monkeypatch.setattr(etl.pipeline, "write_source", real)
    # the edit reverted: the bytes hashed before, under another listing. Had the rows read from
    # the edited bytes been stored under the first hash, this build would take them from the cache
    store.write(f"raw/{EDITED}", files[EDITED])
    assert build(raw, out, jobs=1).processed == 1
    _assert_equal_to(store, local_build(files))
    assert build(raw, out, jobs=1).processed == 0  # and from now on it is cached as usual


@pytest.mark.parametrize("drift", ["deleted", "truncated", "replaced", "extra"])
def test_remote_changes_behind_our_back_are_repaired(
        store: Store, calls: Calls, local_build: LocalBuild, monkeypatch: pytest.MonkeyPatch,
        drift: str) -> None:
    monkeypatch.setattr("etl.pipeline.FILES_PER_PART", 2)
    files = _articles()
    raw, out = _upload_raw(store, files), store.url("processed")
    build(raw, out, jobs=1)
    parts = sorted(name for name in store.files("processed") if name.startswith("events.parquet/"))
    victim = f"{store.root}/processed/{parts[1]}"
    if drift == "deleted":
        store.fs.rm_file(victim)
    elif drift == "truncated":
        store.fs.pipe_file(victim, store.fs.cat_file(victim)[:-9])
    elif drift == "replaced":  # same size, other bytes: only the ETag (or time) tells
        data = store.fs.cat_file(victim)
        store.fs.pipe_file(victim, data[:-9] + bytes(9))
    else:  # a part left by a build that had more parts
        store.fs.pipe_file(f"{store.root}/processed/events.parquet/part-999999.parquet", b"x")
    store.fs.invalidate_cache()
    calls.clear()
    build(raw, out, jobs=1)
    if drift == "extra":
        assert not calls.puts and not calls.copies and len(calls.deletes) == 1
    else:
        assert [_staged(p) for p in calls.puts] == [parts[1]]
    _assert_equal_to(store, local_build(files))


def test_upload_tables_replaces_a_table_of_another_layout(store: Store, tmp_path: Path) -> None:
    local = tmp_path / "local"
    (local / "events.parquet").mkdir(parents=True)
    (local / "events.parquet" / "part-000000.parquet").write_bytes(b"folder")
    (local / "timeline.parquet").write_bytes(b"one file")
    store.write("processed/events.parquet", b"was one file")
    store.write("processed/timeline.parquet/part-000000.parquet", b"was a folder")
    store.write("processed/.events.parquet.uploading/events.parquet/part-000000.parquet", b"killed")
    url = store.url("processed")
    report = upload_tables(local, url, store.options)
    assert sorted(report.uploaded) == ["events.parquet/part-000000.parquet", "timeline.parquet"]
    assert store.files("processed") == {"events.parquet/part-000000.parquet": b"folder",
                                        "timeline.parquet": b"one file"}
    assert not upload_tables(local, url, store.options).changed
    (local / UPLOAD_RECORD).unlink()  # no record of what is there: everything is uploaded again
    assert len(upload_tables(local, url, store.options).uploaded) == 2


def test_cli_builds_from_and_to_s3(s3_endpoint: str, local_build: LocalBuild) -> None:
    store = Store("s3", s3_endpoint)
    files = _articles()
    result = CliRunner().invoke(main, ["build", "-j", "1", _upload_raw(store, files),
                                       store.url("processed")])
    assert result.exit_code == 0, result.output
    assert "built 10 articles from 10 files" in result.output
    assert "uploaded 5 files" in result.output  # the five tables, each new at the URL
    assert local_mirror(store.url("processed")).is_dir()
    _assert_equal_to(store, local_build(files))
    again = CliRunner().invoke(main, ["build", "-j", "1", store.url("raw"), store.url("processed")])
    assert again.exit_code == 0, again.output
    assert "uploaded 0 files (0.0 MB), copied 0 and deleted 0" in again.output


def _every_format() -> dict[str, bytes]:
    """The news articles as each raw format of the data contract (streams read differently)."""
    lines = NEWS.read_text(encoding="utf-8").splitlines()
    articles = [json.loads(line) for line in lines]
    table = io.StringIO()
    writer = csv.DictWriter(table, ["id", "title", "text", "published"], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(articles[3:6])
    html = (f"<html><head><title>{articles[6]['id']}</title></head><body><article>"
            + "".join(f"<p>{p}</p>" for p in articles[6]["text"].split("\n")) + "</article></body></html>")
    return {SEED_ARTICLE.name: SEED_ARTICLE.read_bytes(),
            "a/one.jsonl": (lines[0] + "\n").encode(),
            "b/two.jsonl.gz": gzip.compress("".join(line + "\n" for line in lines[1:3]).encode(), mtime=0),
            "c/three.csv": table.getvalue().encode(),
            "d/one.html": html.encode()}


def test_every_raw_format_reads_from_s3_as_from_disk(s3_endpoint: str, tmp_path: Path,
                                                     local_build: LocalBuild) -> None:
    store = Store("s3", s3_endpoint)
    files = _every_format()
    from_s3 = build(_upload_raw(store, files), tmp_path / "from-s3", jobs=1)
    from_disk = local_build(files)
    assert from_s3.rows["articles"] == 8 and not any(p.code == "unreadable" for p in from_s3.problems)
    assert table_bytes(tmp_path / "from-s3") == table_bytes(from_disk)


@pytest.fixture(scope="module")
def s3_cluster(s3_endpoint: str) -> Iterator[str]:
    """A LocalCluster whose worker processes start with the S3 environment (as a user's would)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster:
        yield cluster.scheduler_address


def test_dask_workers_read_raw_from_s3(s3_cluster: str, s3_endpoint: str,
                                       local_build: LocalBuild) -> None:
    from etl.engines import DaskEngine

    store = Store("s3", s3_endpoint)
    files = _articles()
    report = build(_upload_raw(store, files), store.url("processed"), engine=DaskEngine(s3_cluster))
    assert report.processed == 10
    problems = store.table(store.url("processed/problems.parquet"))
    assert not problems["code"].isin(["unreadable", "worker_died"]).any(), problems
    _assert_equal_to(store, local_build(files))



def test_an_output_url_without_credentials_is_a_clear_error(s3_endpoint: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    url = Store("s3", s3_endpoint).url("processed")
    check_output_url(url)  # with credentials: fine
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    s3fs.S3FileSystem.clear_instance_cache()  # the build's filesystem would keep its credentials
    try:
        refused = re.escape(f"cannot use the output {url}: NoCredentialsError")
        with pytest.raises(UnreachableError, match=refused):
            check_output_url(url)
        (tmp_path / "events.parquet").write_bytes(b"x")
        with pytest.raises(UnreachableError, match=re.escape(f"uploading the tables to {url} failed")):
            upload_tables(tmp_path, url)
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
