"""The local engine: ordered results, worker processes only where there is work to share."""

from __future__ import annotations

import os

from etl.engines import LocalEngine


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def test_results_come_back_in_input_order_from_workers() -> None:
    results = list(LocalEngine(jobs=2).map(_pid_and_square, range(12)))
    assert [square for _, square in results] == [x * x for x in range(12)]
    assert os.getpid() not in {pid for pid, _ in results}


def test_a_single_item_runs_in_this_process() -> None:
    assert list(LocalEngine(jobs=2).map(_pid_and_square, [3])) == [(os.getpid(), 9)]
    assert list(LocalEngine(jobs=2).map(_pid_and_square, [])) == []
