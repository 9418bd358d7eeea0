"""A worker process runs `steps_at_once` steps at a time, whichever queue they came from; the
others wait their turn, heartbeating. A step beats only once it has run (or waited) a
heartbeat interval."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment

from payrun.services import employee_steps
from payrun.services.messages import ChunkTask, StepResult
from payrun.workflows import runtime
from payrun.workflows.activities import PayrollActivities


class Probe:
    """A stand-in step that records how many copies of it run at once."""

    def __init__(self, hold_seconds: float, barrier: threading.Barrier | None = None) -> None:
        self.hold_seconds, self.barrier = hold_seconds, barrier
        self.lock = threading.Lock()
        self.running = self.most = 0
        self.events: list[tuple[str, int]] = []

    def __call__(self, _ctx: Any, task: ChunkTask) -> StepResult:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.events.append(("start", task.chunk))
        if self.barrier is not None:
            self.barrier.wait()
        time.sleep(self.hold_seconds)
        with self.lock:
            self.running -= 1
        return StepResult("taxes", 1, 0, f"v{task.chunk}")


def run_chunks(acts: PayrollActivities, probe: Probe, chunks: int) -> list[StepResult]:
    results: list[StepResult] = []
    errors: list[BaseException] = []

    def one(chunk: int) -> None:
        env = ActivityEnvironment()
        env.on_heartbeat = lambda *_details: probe.events.append(("beat", chunk))
        try:
            results.append(env.run(acts.taxes, ChunkTask("run", 1, chunk)))
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=one, args=(c,)) for c in range(chunks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_one_step_at_a_time_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    probe = Probe(hold_seconds=0.1)
    monkeypatch.setattr(employee_steps, "taxes", probe)
    acts = PayrollActivities(SimpleNamespace(), "own-queue", steps_at_once=1)  # type: ignore[arg-type]
    results = run_chunks(acts, probe, chunks=4)
    assert probe.most == 1
    assert sorted(r.version for r in results) == ["v0", "v1", "v2", "v3"]
    assert all(r.worker_queue == "own-queue" for r in results)


def test_a_step_waiting_its_turn_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "HEARTBEAT_EVERY_SECONDS", 0.02)
    probe = Probe(hold_seconds=0.1)
    monkeypatch.setattr(employee_steps, "taxes", probe)
    acts = PayrollActivities(SimpleNamespace(), "", steps_at_once=1)  # type: ignore[arg-type]
    run_chunks(acts, probe, chunks=4)
    started = [chunk for kind, chunk in probe.events if kind == "start"]
    # Each chunk after the first waited at least one step's time at the gate, beating.
    for chunk in started[1:]:
        assert probe.events.index(("beat", chunk)) < probe.events.index(("start", chunk))


def test_a_step_shorter_than_the_heartbeat_interval_sends_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    probe = Probe(hold_seconds=0.0)
    monkeypatch.setattr(employee_steps, "taxes", probe)
    acts = PayrollActivities(SimpleNamespace(), "", steps_at_once=1)  # type: ignore[arg-type]
    run_chunks(acts, probe, chunks=1)
    assert [event for event in probe.events if event[0] == "beat"] == []


def test_more_steps_at_once_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    probe = Probe(hold_seconds=0.0, barrier=threading.Barrier(2, timeout=10))
    monkeypatch.setattr(employee_steps, "taxes", probe)
    acts = PayrollActivities(SimpleNamespace(), "", steps_at_once=2)  # type: ignore[arg-type]
    run_chunks(acts, probe, chunks=2)  # the barrier would time out if they ran one by one
    assert probe.most == 2


def test_a_step_waiting_on_another_run_frees_the_gate_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One step at a time, and the first step waits (ctx.pause, as a YTD wait does) for what
    only the second can do: it must let the second through the gate, or both are stuck."""
    waiting, done = threading.Event(), threading.Event()

    def step(ctx: Any, task: ChunkTask) -> StepResult:
        if task.chunk == 0:
            waiting.set()
            deadline = time.monotonic() + 10
            while not done.is_set() and time.monotonic() < deadline:
                ctx.pause(0.01)
        else:
            done.set()
        return StepResult("gross_pay", int(done.is_set()), 0, f"v{task.chunk}")

    monkeypatch.setattr(employee_steps, "gross_pay", step)
    acts = PayrollActivities(SimpleNamespace(), "", steps_at_once=1)  # type: ignore[arg-type]
    results: dict[int, StepResult] = {}

    def one(chunk: int) -> None:
        results[chunk] = ActivityEnvironment().run(acts.gross_pay, ChunkTask("run", 1, chunk))

    first = threading.Thread(target=one, args=(0,))
    first.start()
    assert waiting.wait(10)
    second = threading.Thread(target=one, args=(1,))
    second.start()
    for thread in (first, second):
        thread.join(timeout=30)
    assert results[0].succeeded == 1  # it saw the second step's work, not its own deadline
    assert acts.step_gate.acquire(blocking=False)  # both gave the gate back
    acts.step_gate.release()
