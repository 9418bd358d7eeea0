"""The worker runtime: everything a worker process does for throughput, in one place.

None of it changes what a step computes; it changes how a worker process runs steps:
- ``step``: the wrapper every step activity runs in: heartbeats from a side thread, one step
  at a time per process (the step gate), the cyclic garbage collector paused;
- ``idle``: a step waiting on another run's step (services.ytd_turns) sleeps outside the gate,
  with the collector back as if it had ended, so the process's other steps run meanwhile;
- the garbage collector: tuned once at start (``tune_garbage_collector``), paused while any
  step runs (``paused``), and what a step keeps promoted to the oldest generation unscanned
  when the last step ends, with a full collection at most every FULL_COLLECTION_SECONDS.

Why each of these pays, with the measurements, is in docs/deployment.md ("The worker
runtime"). The domain and the services know nothing of it.
"""

from __future__ import annotations

import contextvars
import functools
import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from temporalio import activity

FULL_COLLECTION_SECONDS = 30.0
HEARTBEAT_EVERY_SECONDS = 5.0
F = TypeVar("F", bound=Callable[..., Any])


def step_gate(steps_at_once: int) -> threading.BoundedSemaphore:
    """How many steps run at once in this process, whichever queue they came from: the steps
    are CPU-bound Python, so more processes, not more threads, use more cores. A step
    waiting at the gate keeps heartbeating."""
    return threading.BoundedSemaphore(steps_at_once)


def step(fn: F) -> F:
    """Run an activity method as a step: heartbeating (so a worker killed mid-step is noticed
    within the heartbeat timeout, not the start-to-close), at its turn at the instance's
    ``step_gate``, with the cyclic garbage collector paused."""

    @functools.wraps(fn)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with heartbeating(), self.step_gate, paused():
            _this_step.gate = self.step_gate
            try:
                return fn(self, *args, **kwargs)
            finally:
                _this_step.gate = None

    return wrapper  # type: ignore[return-value]


_this_step = threading.local()  # the gate the step running on this thread holds


def idle(seconds: float) -> None:  # float ok: seconds
    """Sleep without holding the step gate or pausing the collector: the step that waits may be
    waiting for one that can only run in this process (a chunk's later steps go to the worker
    that ran its earlier ones). Outside a step, just sleep."""
    gate = getattr(_this_step, "gate", None)
    if gate is None:
        time.sleep(seconds)
        return
    _resume()
    gate.release()
    try:
        time.sleep(seconds)
    finally:
        gate.acquire()
        _pause()


@contextmanager
def heartbeating() -> Iterator[None]:
    """Heartbeat from a side thread (same activity context) until the step returns.

    The first beat comes after HEARTBEAT_EVERY_SECONDS, not at once: the server counts the
    heartbeat timeout from the attempt's start, so an early beat adds nothing but a request
    (and a history write) for every step, most of which end before the first beat is due."""
    done = threading.Event()
    context = contextvars.copy_context()

    def beat() -> None:
        while not done.wait(HEARTBEAT_EVERY_SECONDS):
            activity.heartbeat()

    thread = threading.Thread(target=context.run, args=(beat,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def tune_garbage_collector() -> None:
    """Fewer, larger young collections, and the startup heap frozen out of them (until the
    first step ends: from then on it is in the oldest generation with everything else, see
    paused)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


_LOCK = threading.Lock()
_running = 0  # steps running in this process now
_was_enabled = False  # the collector's state before the first of them paused it
_last_full = time.monotonic()


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection while any step of this process runs; when the last one ends, what
    is alive goes to the oldest generation, a full collection runs if the last one is
    FULL_COLLECTION_SECONDS old, and the collector is back as it was."""
    _pause()
    try:
        yield
    finally:
        _resume()


def _pause() -> None:
    global _running, _was_enabled
    with _LOCK:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1


def _resume() -> None:
    global _running
    with _LOCK:
        _running -= 1
        if _running == 0 and _was_enabled:
            _promote_survivors()
            gc.enable()


def _promote_survivors() -> None:
    global _last_full
    gc.freeze()  # every tracked object into the permanent generation, unscanned
    gc.unfreeze()  # ... and from there into the oldest one
    now = time.monotonic()
    if now - _last_full >= FULL_COLLECTION_SECONDS:
        _last_full = now
        gc.collect()
