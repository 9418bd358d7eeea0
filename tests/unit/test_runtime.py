"""The cyclic garbage collector is paused while any step runs, and back as it was after; what a
step keeps skips the young collections, and cycles among it are freed by a timed full one."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator

import pytest

from payrun.workflows import runtime


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


def test_paused_while_a_step_runs_and_back_after() -> None:
    gc.enable()
    with runtime.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_only_when_the_last_of_overlapping_steps_ends() -> None:
    gc.enable()
    first_in, second_out = threading.Event(), threading.Event()
    seen: list[bool] = []

    def second() -> None:
        first_in.wait(5)
        with runtime.paused():
            pass
        seen.append(gc.isenabled())  # the first step still runs
        second_out.set()

    thread = threading.Thread(target=second)
    thread.start()
    with runtime.paused():
        first_in.set()
        assert second_out.wait(5)
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with runtime.paused():
        pass
    assert not gc.isenabled()


def test_back_after_a_step_that_fails() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), runtime.paused():
        raise RuntimeError("step failed")
    assert gc.isenabled()


class _Node:
    def __init__(self) -> None:
        self.other: object = self  # a cycle: only the cyclic collector frees it


def test_what_a_step_keeps_is_moved_to_the_oldest_generation_unscanned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime, "_last_full", time.monotonic())  # no full collection due
    gc.enable()
    with runtime.paused():
        kept = [[i] for i in range(10_000)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(kept) in oldest and id(kept[-1]) in oldest
    assert not any(o is kept for o in gc.get_objects(generation=0))


def test_a_cycle_a_step_leaves_is_freed_by_the_full_collection_when_it_is_due(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gc.enable()
    monkeypatch.setattr(runtime, "_last_full", time.monotonic())
    with runtime.paused():
        early = weakref.ref(_Node())
    assert early() is not None  # promoted, not collected: the last full collection is recent

    due = time.monotonic() - runtime.FULL_COLLECTION_SECONDS
    monkeypatch.setattr(runtime, "_last_full", due)
    before = time.monotonic()
    with runtime.paused():
        late = weakref.ref(_Node())
    assert early() is None and late() is None
    assert runtime._last_full >= before  # the collection that ran is now the last one
