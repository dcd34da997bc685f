"""The local engine: ordered results from worker processes, started before they are asked for."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from etl.engines import LocalEngine, WorkerDied
from etl.errors import WorkersDyingError


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def _touch(path: str) -> str:
    Path(path).write_text("started", encoding="utf-8")
    return path


def test_results_come_back_in_input_order_from_workers() -> None:
    results = list(LocalEngine(jobs=2).map(_pid_and_square, range(12)))
    assert [square for _, square in results] == [x * x for x in range(12)]
    assert os.getpid() not in {pid for pid, _ in results}


def test_one_job_runs_in_this_process() -> None:
    assert list(LocalEngine(jobs=1).map(_pid_and_square, [3])) == [(os.getpid(), 9)]
    assert list(LocalEngine(jobs=2).map(_pid_and_square, [])) == []


def test_workers_start_before_the_first_result_is_asked_for(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    results = LocalEngine(jobs=2).map(_touch, [str(marker)])  # nothing read from it yet
    deadline = time.monotonic() + 60  # a wait with a deadline, not a timing
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists()
    assert list(results) == [str(marker)]


def test_workers_are_gone_before_the_timeline_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import psutil

    from etl import build, pipeline

    raw = tmp_path / "raw"
    raw.mkdir()
    for f in range(3):
        (raw / f"f{f}.txt").write_text(f"Title {f}\nShelling hit Kharkiv on Monday, report {f}.\n")
    def alive() -> set[int]:
        return {child.pid for child in psutil.Process().children(recursive=True)}

    before = alive()  # other tests' processes (a Dask cluster) may be running
    started: list[set[int]] = []
    merging: list[set[int]] = []
    merge = pipeline._write_timeline
    monkeypatch.setattr(pipeline, "_write_timeline", lambda *args: (
        merging.append(alive() - before), merge(*args))[1])
    build(raw, tmp_path / "out", jobs=2, on_file=lambda name: started.append(alive() - before))
    assert any(started)  # the workers were there while files were written
    assert merging == [set()]  # idle workers would hold their memory through the merge


KILLERS = frozenset({5, 6, 11})  # two in one window, and the last item


def _square_or_die(x: int) -> int:
    if x in KILLERS:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    return x * x


def test_a_worker_killed_on_an_item_costs_that_item_only() -> None:
    results = list(LocalEngine(jobs=2).map(_square_or_die, range(12)))
    assert [r for k, r in enumerate(results) if k not in KILLERS] == [
        x * x for x in range(12) if x not in KILLERS]
    assert all(isinstance(results[k], WorkerDied) for k in KILLERS)
    assert "ended abruptly" in results[5].reason  # type: ignore[union-attr]


def _always_die(x: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return x


def test_workers_dying_on_file_after_file_end_the_build_clearly() -> None:
    results = LocalEngine(jobs=2).map(_always_die, range(40))
    with pytest.raises(WorkersDyingError, match="died on 8 files in a row"):
        list(results)


def test_the_command_caps_local_workers_at_the_usable_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    from etl import engines

    monkeypatch.setattr(engines, "usable_cpus", lambda: 3)
    assert [engines.make_engine("local", jobs=jobs).jobs for jobs in (None, 1, 3, 16)] == [  # type: ignore[attr-defined]
        3, 1, 3, 3]
    assert LocalEngine(jobs=16).jobs == 16  # asked for in code: as asked (tests need pools)


def test_usable_cpus_follow_the_affinity_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.engines import usable_cpus

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert usable_cpus() == 2
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    assert usable_cpus() == 64
