"""Work in threads: every item once, errors raised in the caller, no thread left behind."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.io.threads import ahead, in_threads


@given(st.lists(st.integers()), st.integers(1, 3))
def test_ahead_gives_the_items_in_their_order(items: list[int], depth: int) -> None:
    before = threading.active_count()
    assert list(ahead(iter(items), depth)) == items
    assert threading.active_count() == before


@given(st.integers(0, 200), st.integers(1, 4))
def test_threads_taking_work_in_turn_give_every_item_once(n: int, threads: int) -> None:
    todo = iter(range(n))
    taking = threading.Lock()

    def work(put: Callable[[int], bool]) -> None:
        while True:
            with taking:
                k = next(todo, None)
            if k is None or not put(k):
                return

    assert sorted(in_threads(work, threads, 2)) == list(range(n))


def test_an_error_in_the_thread_is_raised_in_the_caller() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in ahead(items()):
            got.append(item)
    assert got == [1]


def test_a_caller_that_stops_reading_closes_the_source_in_its_thread() -> None:
    closed_in: list[str] = []
    before = threading.active_count()

    def items() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed_in.append(threading.current_thread().name)

    reading = ahead(items(), depth=2)
    assert next(reading) == 0
    reading.close()
    assert closed_in and closed_in[0] != threading.current_thread().name
    assert threading.active_count() == before
