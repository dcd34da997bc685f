"""Where the per-file work runs: in this process, in local worker processes, or on Dask.

Every engine maps a function over items and yields results **in input order**, so the tables
are byte-identical whichever engine and however many workers ran them.

    >>> list(LocalEngine(jobs=1).map(abs, [-1, -2]))
    [1, 2]
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

from etl.errors import ConfigError
from etl.io.memory import bounded_allocations, collect_less

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    """Runs a function over items, yielding results in input order.

    ``shares_files``: the function runs where it can write this machine's files (the cache).
    """

    shares_files: bool

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...


def _start_worker(parent_pid: int) -> None:
    """Worker initializer: bounded allocations and fewer garbage collections (etl.io.memory);
    end when the build is gone.

    A build killed with SIGKILL cannot stop its pool; without this its workers would wait on
    their queue forever. A daemon thread polls the parent id (reparenting changes it).
    """

    bounded_allocations()
    collect_less()

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class LocalEngine:
    """This process (``jobs=1``) or a pool of worker processes with a bounded look-ahead."""

    shares_files = True

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Ordered map; at most four items per worker in flight, so memory stays flat.

        The workers start at once, before the first result is asked for: in an incremental
        build the parent copies the unchanged files' rows while a worker processes the changed
        file. No more workers start than there are items.
        """
        todo = list(items)  # the build's plan: a list already
        if self.jobs == 1 or not todo:
            return map(func, todo)
        pool = ProcessPoolExecutor(max_workers=min(self.jobs, len(todo)), initializer=_start_worker,
                                   initargs=(os.getpid(),))
        ahead = 4 * self.jobs
        window = deque(pool.submit(func, item) for item in todo[:ahead])
        return _in_order(pool, func, window, iter(todo[ahead:]))


def _in_order(pool: ProcessPoolExecutor, func: Callable[[T], R], window: deque[Future[R]],
              rest: Iterator[T]) -> Iterator[R]:
    """The results of ``window``'s futures in order, submitting one of ``rest`` before each."""
    try:
        for item in rest:
            window.append(pool.submit(func, item))
            yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """An existing Dask cluster, reached through ``dask.distributed`` at a scheduler address."""

    shares_files = False  # its workers may run on other machines

    def __init__(self, scheduler: str | None = None, window: int = 64) -> None:
        address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
        if not address:
            raise ConfigError("the dask engine needs --scheduler or DASK_SCHEDULER_ADDRESS")
        self.address = address
        self.window = window

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Ordered map over the cluster's workers with a bounded number of tasks in flight."""
        from distributed import Client

        with Client(self.address, set_as_default=False) as client:  # type: ignore[no-untyped-call]
            window: deque[Any] = deque()
            for item in items:
                # pure=False: identical inputs are still separate tasks (names must not collide).
                window.append(client.submit(func, item, pure=False))
                if len(window) >= self.window:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()


def make_engine(name: str, jobs: int | None = None, scheduler: str | None = None) -> Engine:
    """The engine called ``name`` (``local`` or ``dask``)."""
    if name == "local":
        return LocalEngine(jobs)
    if name == "dask":
        return DaskEngine(scheduler)
    raise ConfigError(f"unknown engine {name!r}; choose local or dask")
