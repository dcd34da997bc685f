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
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from etl.errors import ConfigError, UnreachableError, WorkersDyingError
from etl.io.memory import bounded_allocations, collect_less

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    """Runs a function over items, yielding results in input order.

    ``shares_files``: the function runs where it can write this machine's files (the cache).
    """

    shares_files: bool

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R | WorkerDied]: ...


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


@dataclass(frozen=True)
class WorkerDied:
    """In place of a result: the process working on the item ended (killed, or crashed) even when
    it ran the item alone. Engines yield this instead of stopping the build."""

    reason: str


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, e.g. a container's or ``taskset``'s
    share), else all of the machine's.

        >>> usable_cpus() >= 1
        True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity on macOS and Windows
        return os.cpu_count() or 1


class LocalEngine:
    """This process (``jobs=1``) or a pool of worker processes with a bounded look-ahead.

    ``jobs`` defaults to the usable CPUs; an explicit number is taken as it is (``make_engine``,
    which the ``etl`` command uses, caps it at the usable CPUs).
    """

    shares_files = True

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = max(1, jobs or usable_cpus())

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R | WorkerDied]:
        """Ordered map; at most four items per worker in flight, so memory stays flat.

        The workers start at once, before the first result is asked for: in an incremental
        build the parent copies the unchanged files' rows while a worker processes the changed
        file. No more workers start than there are items. A worker that dies (the kernel's
        out-of-memory killer, a crash in native code) breaks the pool and every item in flight:
        those run again one at a time, and the one that kills its worker alone yields
        ``WorkerDied``; then a new pool goes on with the rest.
        """
        todo = list(items)  # the build's plan: a list already
        if self.jobs == 1 or not todo:
            return map(func, todo)
        workers, ahead = min(self.jobs, len(todo)), 4 * self.jobs
        pool = _pool(workers)
        window = deque(pool.submit(func, item) for item in todo[:ahead])
        return _in_order(func, todo, workers, ahead, pool, window)


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),))


# Files in a row whose worker died even alone before the build gives up: by then it is not the
# files (a worker that cannot start, a machine out of memory), and going on would run every
# remaining file alone in a new process.
MAX_DEATHS_IN_A_ROW = 8


def _in_order(func: Callable[[T], R], todo: list[T], workers: int, ahead: int,
              pool: ProcessPoolExecutor, window: deque[Future[R]]) -> Iterator[R | WorkerDied]:
    """The results of ``func`` over ``todo`` in order, ``ahead`` items in flight at most; ``window``
    holds the first ones, already submitted to ``pool``. Raises ``WorkersDyingError`` after
    ``MAX_DEATHS_IN_A_ROW`` items in a row killed their worker alone."""
    submitted = len(window)
    deaths = 0
    try:
        while window:
            try:
                result = window[0].result()
            except BrokenProcessPool:
                pool.shutdown(wait=True, cancel_futures=True)
                suspects = todo[submitted - len(window):submitted]
                window.clear()
                for result_alone in _one_at_a_time(func, suspects):
                    deaths = deaths + 1 if isinstance(result_alone, WorkerDied) else 0
                    if deaths >= MAX_DEATHS_IN_A_ROW:
                        raise WorkersDyingError(
                            f"worker processes died on {deaths} files in a row, each run alone: "
                            "look at the machine's memory (dmesg) or the installation; the previous "
                            "tables are kept") from None
                    yield result_alone
                pool = _pool(workers)
                window.extend(pool.submit(func, item) for item in todo[submitted:submitted + ahead])
                submitted += len(window)
                continue
            window.popleft()
            deaths = 0
            if submitted < len(todo):
                window.append(pool.submit(func, todo[submitted]))
                submitted += 1
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _one_at_a_time(func: Callable[[T], R], items: list[T]) -> Iterator[R | WorkerDied]:
    """Each item alone in a one-worker pool: a death is then that item's."""
    pool = _pool(1)
    try:
        for item in items:
            try:
                yield pool.submit(func, item).result()
            except BrokenProcessPool:
                pool.shutdown(wait=True)
                pool = _pool(1)
                yield WorkerDied("the worker process ended abruptly while working on this file, "
                                 "even alone (killed, e.g. by the out-of-memory killer, or crashed)")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# How long the Dask engine waits for its scheduler to answer before the build stops with
# ``UnreachableError`` (distributed's own default is 30 s, after which it raised a bare OSError).
DASK_CONNECT_TIMEOUT = 20


def check_scheduler_address(address: str) -> str:
    """The address of a Dask scheduler if it has a form the client can connect to (``tcp://HOST:PORT``,
    ``HOST:PORT``, ``tls://…``, ``ws://…``, ``inproc://…``), else ``ConfigError``. No connection yet.

        >>> check_scheduler_address("tcp://10.0.0.5:8786")
        'tcp://10.0.0.5:8786'
    """
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    expected = "expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
    scheme, location = parse_address(address.strip(), strict=False)
    if scheme not in backends:
        raise ConfigError(f"scheduler address {address!r}: unknown protocol {scheme!r} "
                          f"({', '.join(sorted(backends))} are known); {expected}")
    if scheme == "inproc":  # this process's own cluster: no host and port
        return address.strip()
    try:
        host, port = parse_host_port(location)
    except ValueError:
        host, port = "", 0
    if not host or not 0 < int(port) < 65536:
        raise ConfigError(f"scheduler address {address!r} is not HOST:PORT with a port from 1 to "
                          f"65535; {expected}")
    return address.strip()


class DaskEngine:
    """An existing Dask cluster, reached through ``dask.distributed`` at a scheduler address.

    The address is checked when the engine is made (``ConfigError``); a scheduler that does not
    answer within ``connect_timeout`` seconds (default ``DASK_CONNECT_TIMEOUT``, 20) stops the
    build with ``UnreachableError`` when the first file is sent.
    """

    shares_files = False  # its workers may run on other machines

    def __init__(self, scheduler: str | None = None, window: int = 64,
                 connect_timeout: float = DASK_CONNECT_TIMEOUT) -> None:
        address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
        if not address:
            raise ConfigError("the dask engine needs --scheduler or DASK_SCHEDULER_ADDRESS")
        self.address = check_scheduler_address(address)
        self.window = window
        self.connect_timeout = connect_timeout

    def _client(self) -> Any:
        """A client connected to the scheduler, or ``UnreachableError`` after the timeout."""
        from distributed import Client

        try:
            return Client(self.address, set_as_default=False,  # type: ignore[no-untyped-call]
                          timeout=self.connect_timeout)
        except OSError as exc:  # refused, no route, timed out (TimeoutError is an OSError)
            message = (f"cannot reach the Dask scheduler at {self.address} within "
                       f"{self.connect_timeout:g} s ({exc}); is the cluster running, and is the "
                       "address the one its scheduler prints?")
        # raised here, not in the except block: the connection error's traceback holds the
        # half-made client, whose clean-up at exit then waited for a minute
        raise UnreachableError(message)

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R | WorkerDied]:
        """Ordered map over the cluster's workers with a bounded number of tasks in flight."""
        from distributed import KilledWorker

        with self._client() as client:

            def result(future: Any, item: T) -> R | WorkerDied:
                try:
                    return future.result()  # type: ignore[no-any-return]
                except KilledWorker:
                    pass  # the tasks queued on a dying worker fail with it: run this one again
                try:
                    return client.submit(func, item, pure=False).result()  # type: ignore[no-any-return]
                except KilledWorker as exc:
                    return WorkerDied(f"every Dask worker that ran this file died ({exc})")

            window: deque[tuple[Any, T]] = deque()
            for item in items:
                # pure=False: identical inputs are still separate tasks (names must not collide).
                window.append((client.submit(func, item, pure=False), item))
                if len(window) >= self.window:
                    yield result(*window.popleft())
            while window:
                yield result(*window.popleft())


def make_engine(name: str, jobs: int | None = None, scheduler: str | None = None) -> Engine:
    """The engine called ``name`` (``local`` or ``dask``); the local one with ``jobs`` worker
    processes at most as many as the usable CPUs (more only add memory: each holds a copy of
    the gazetteer and the models). ``jobs`` does not apply to Dask.

        >>> make_engine("local", jobs=10_000).jobs == usable_cpus()  # type: ignore[attr-defined]
        True
    """
    if name == "local":
        return LocalEngine(min(jobs, usable_cpus()) if jobs else None)
    if name == "dask":
        return DaskEngine(scheduler)
    raise ConfigError(f"unknown engine {name!r}; choose local or dask")
