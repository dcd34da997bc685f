"""The Dask engine on a real distributed.LocalCluster with worker processes: same bytes as local."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl import build
from etl.cli import main
from etl.engines import DaskEngine, WorkerDied
from etl.errors import ConfigError
from tests.tables import remove_table, table_bytes

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster:
        yield cluster


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in range(5):
        (raw / f"f{f}.jsonl").write_text("".join(
            json.dumps({"id": f"{f}-{i}", "published": "2024-12-17",
                        "text": f"Russian shelling hit Kharkiv on Monday, report {f} {i}."}) + "\n"
            for i in range(3)))
    (raw / "empty.txt").write_text("")
    return raw


def test_dask_output_identical_to_local(tmp_path: Path, cluster) -> None:
    raw = _raw(tmp_path)
    build(raw, tmp_path / "local", jobs=1)
    report = build(raw, tmp_path / "dask", engine=DaskEngine(cluster.scheduler_address))
    assert report.processed == 6
    local, dask = table_bytes(tmp_path / "local"), table_bytes(tmp_path / "dask")
    assert local and local == dask
    remove_table(tmp_path / "dask" / "events.parquet")  # next build reads the cache entries,
    again = build(raw, tmp_path / "dask", jobs=1)       # which this process stored for the cluster
    assert again.processed == 0
    assert table_bytes(tmp_path / "dask") == dask


def test_cli_dask_engine_from_environment(tmp_path: Path, cluster, monkeypatch) -> None:
    raw = _raw(tmp_path)
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
    result = CliRunner().invoke(main, ["build", "--engine", "dask", str(raw), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "built 15 articles from 6 files" in result.output


def test_dask_engine_needs_an_address(monkeypatch) -> None:
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    with pytest.raises(ConfigError, match="scheduler"):
        DaskEngine()


def test_fsspec_paths_in_and_out(tmp_path: Path, cluster, monkeypatch) -> None:
    import fsspec
    import pandas as pd

    raw = _raw(tmp_path)
    monkeypatch.setenv("ETL_CACHE_DIR", str(tmp_path / "cache"))
    url = "memory://etl-test/processed"
    report = build(f"file://{raw}", url, engine=DaskEngine(cluster.scheduler_address))
    assert report.files == 6
    fs = fsspec.filesystem("memory")
    names = sorted(p.rsplit("/", 1)[-1] for p in fs.ls("/etl-test/processed", detail=False))
    assert "articles.parquet" in names and not any(n.endswith(".uploading") for n in names)
    assert len(pd.read_parquet("memory://etl-test/processed/articles.parquet")) == 15
    build(raw, tmp_path / "local")
    uploaded = {f"{p.removeprefix('/etl-test/processed/')}": fs.cat(p)
                for p in fs.find("/etl-test/processed") if p.endswith(".parquet")}
    assert uploaded == table_bytes(tmp_path / "local")


def _square_or_die(x: int) -> int:
    if x == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    return x * x


def test_a_task_that_kills_its_workers_costs_that_item_only() -> None:
    import dask

    # the scheduler gives up on a task after this many worker deaths (default 3: slower, same path)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     dashboard_address=":0", silence_logs=50) as cluster:
        results = list(DaskEngine(cluster.scheduler_address, window=2).map(_square_or_die, range(5)))
    assert [r for k, r in enumerate(results) if k != 2] == [0, 1, 9, 16]
    assert isinstance(results[2], WorkerDied) and "Dask worker" in results[2].reason


@pytest.mark.parametrize("address", ["notanaddress", "tcp://10.0.0.5", "tcp://10.0.0.5:99999",
                                     "tcp://:8786", "foo://10.0.0.5:8786", "tcp://10.0.0.5:port"])
def test_a_scheduler_address_of_the_wrong_form_is_refused_at_once(tmp_path: Path, address: str) -> None:
    with pytest.raises(ConfigError, match="tcp://HOST:PORT"):
        DaskEngine(address)
    (tmp_path / "raw").mkdir()
    result = CliRunner().invoke(main, ["build", "--engine", "dask", "--scheduler", address,
                                       str(tmp_path / "raw"), str(tmp_path / "out")])
    assert result.exit_code == 2 and result.output.startswith("error: scheduler address")


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "10.0.0.5:8786", "tls://[::1]:8786",
                                     "inproc://10.0.0.5/1234/1"])
def test_scheduler_addresses_of_every_form_are_taken(address: str) -> None:
    assert DaskEngine(address).address == address


def test_a_scheduler_that_does_not_answer_is_an_error_within_the_timeout(tmp_path: Path) -> None:
    from etl.errors import UnreachableError

    engine = DaskEngine("tcp://127.0.0.1:1", connect_timeout=1)  # nothing listens on port 1
    with pytest.raises(UnreachableError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:1"):
        list(engine.map(abs, [-1]))
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.txt").write_text("Title\nShelling.\n")
    import etl.engines

    made = etl.engines.make_engine
    with pytest.MonkeyPatch.context() as patch:  # the command's engine, with a short wait
        patch.setattr(etl.engines, "make_engine",
                      lambda *a, **k: DaskEngine(k["scheduler"], connect_timeout=1))
        result = CliRunner().invoke(main, ["build", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1",
                                           str(tmp_path / "raw"), str(tmp_path / "out")])
    assert etl.engines.make_engine is made
    assert result.exit_code == 5 and result.output.startswith("error: cannot reach the Dask scheduler")
