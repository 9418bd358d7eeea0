"""The cyclic garbage collector is paused while any step runs, and back as it was after."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from payrun.workflows import collector


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


def test_paused_while_a_step_runs_and_back_after() -> None:
    gc.enable()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_only_when_the_last_of_overlapping_steps_ends() -> None:
    gc.enable()
    first_in, second_out = threading.Event(), threading.Event()
    seen: list[bool] = []

    def second() -> None:
        first_in.wait(5)
        with collector.paused():
            pass
        seen.append(gc.isenabled())  # the first step still runs
        second_out.set()

    thread = threading.Thread(target=second)
    thread.start()
    with collector.paused():
        first_in.set()
        assert second_out.wait(5)
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_back_after_a_step_that_fails() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("step failed")
    assert gc.isenabled()
