"""Keep a long build's resident memory near what it holds, not what it once held.

Arrow's default pool (mimalloc or jemalloc) and glibc's heap keep freed memory for reuse; over
a build of 100,000 articles, buffers of every size come and go and the process grows with the
input although what it holds does not. ``bounded_allocations`` makes Arrow allocate through
malloc and has glibc serve large blocks by mmap, returned to the system when freed.

    >>> bounded_allocations()  # at the start of a build and of each worker  # doctest: +SKIP

``collect_less`` has Python's garbage collector run less often: the per-article stages make
many short-lived objects among long-lived lexicons, and the default collection rate costs them
about 6% of their time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa


def _libc() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        return libc
    except (OSError, AttributeError):  # not glibc: nothing to tune or trim
        return None


_LIBC = _libc()


def release_memory() -> None:
    """Hand freed memory back to the system (Arrow's pool, and glibc's heap where there is one)."""
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def fixed_mmap_threshold(size: int = 1 << 17) -> None:
    """Have glibc serve allocations of ``size`` bytes and more by mmap, given back when freed.

    By default glibc raises this threshold after each large free, so the next arrays of a few
    MB come from the heap, which fragments and never shrinks: the peak grows with the input.
    """
    if _LIBC is not None:
        _LIBC.mallopt(-3, size)  # M_MMAP_THRESHOLD


def bounded_allocations() -> None:
    """Arrow through malloc, and large blocks by mmap (see the module docstring)."""
    pa.set_memory_pool(pa.system_memory_pool())
    fixed_mmap_threshold()


# Allocations between young collections. The stages make many short-lived containers while
# the lexicons and the gazetteer stay alive; at Python's default (700) the collector spent
# about 0.85 ms per article walking them, 6% of the stages' time (0.21 ms at this value).
# Only reference cycles wait longer to be freed; the output cannot change.
YOUNG_COLLECTION_ALLOCATIONS = 50_000


def collect_less() -> None:
    """Run Python's cyclic garbage collector less often (for a worker process's lifetime)."""
    gc.set_threshold(YOUNG_COLLECTION_ALLOCATIONS, 20, 20)


@contextmanager
def collecting_less() -> Iterator[None]:
    """``collect_less`` for a block (a build run in the caller's process), then as before."""
    before = gc.get_threshold()
    collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*before)


__all__ = ["bounded_allocations", "collect_less", "collecting_less", "fixed_mmap_threshold",
           "release_memory"]
