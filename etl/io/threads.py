"""Work handed to threads while the caller goes on: compiled loops and Arrow/NumPy calls that run
without the GIL (the merge's sweep, reading the next Parquet row group, sorting the next run).

    >>> list(ahead(iter([1, 2, 3])))  # made in a thread, one item ahead of the caller
    [1, 2, 3]
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def in_threads(work: Callable[[Callable[[T], bool]], None], threads: int, depth: int) -> Iterator[T]:
    """What ``threads`` threads running ``work(put)`` put, as it comes (at most ``depth`` waiting).

    ``put`` answers False once the caller has stopped reading (the generator closed): ``work``
    then returns. An error in a thread is raised here; no thread outlives the generator.
    """
    found: queue.Queue[tuple[int, Any]] = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def put(item: Any, kind: int = 0) -> bool:
        while not stopped.is_set():
            try:
                found.put((kind, item), timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            work(put)
        except BaseException as error:  # handed to the caller, raised there
            put(error, 1)
        finally:
            put(None, 2)

    workers = [threading.Thread(target=run, name=f"etl-thread-{k}", daemon=True) for k in range(threads)]
    for worker in workers:
        worker.start()
    try:
        running = len(workers)
        while running:
            kind, item = found.get()
            if kind == 1:
                raise item
            if kind == 2:
                running -= 1
            else:
                yield item
    finally:
        stopped.set()
        for worker in workers:
            worker.join()


def ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """``items`` made in a thread, up to ``depth`` ahead of the caller (who works meanwhile)."""
    def work(put: Callable[[T], bool]) -> None:
        try:
            for item in items:
                if not put(item):
                    return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # in the thread that ran it: a generator cannot be closed from another

    return in_threads(work, 1, depth)
