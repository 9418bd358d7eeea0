"""The garbage collector in a worker process: tuned once, and kept off the steps' objects.

A step allocates millions of short-lived objects (amounts, lines, rows) that reference counting
frees at once; they form no cycles. The cyclic collector would still run dozens of times per
step and rescan everything the step keeps (the chunk's stage objects): measured 24-30 us per
employee in benchmarks.pipeline, about a tenth of the whole pipeline. So it is paused while a
step runs.

What a step keeps (its stage objects, hundreds of thousands per chunk) would then all be young
when the collector comes back, and the first collection after the step would scan every one of
them, and the next older one again: 6-7% of the one-thread pipeline (benchmarks.pipeline,
25,000 employees: 5.19-5.27 s with it, 4.87-4.93 s with no collection at all). So when the last
running step ends, everything alive is moved to the oldest generation at once (``gc.freeze()``
then ``gc.unfreeze()``: two list splices, nothing scanned). The young collections then only see
what the event loop allocates between steps. Reference counting still frees the stage objects
when their chunk is done; any cycle among promoted objects is found by a full collection, run
after a step at most every FULL_COLLECTION_SECONDS.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

FULL_COLLECTION_SECONDS = 30.0


def tune_garbage_collector() -> None:
    """Fewer, larger young collections, and the startup heap frozen out of them (until the
    first step ends: from then on it is in the oldest generation with everything else, see
    paused): measured 1,950 -> 2,480 paychecks/s in one thread (benchmarks.pipeline, 5,000
    employees)."""
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
    global _running, _was_enabled
    with _LOCK:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
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
