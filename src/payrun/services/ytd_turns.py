"""Two runs paying one employee at once: the later one's gross step waits for the earlier one's
paycheck before it reads the employee's YTD (the rule: domain.ytd_turn).

Without the wait, the later run would compute taxes from a YTD the earlier run is about to
change, and its net step would refuse the paycheck (services.paychecks: "year-to-date changed
since taxes were computed"), dead-lettering the employee. The net step's check stays as the
safety net for whatever the wait does not cover (a run that began an employee but had not yet
committed it when the other looked).

The wait is bounded (ctx.ytd_wait_seconds): the employees still held then fail as before,
naming the run they waited for, so a redrive pays them once that run is done. While it waits,
the step heartbeats and sleeps through ctx.pause, which in a worker frees the process's step
gate (workflows.runtime.idle): the run waited for may need that very process to go on.
"""

from __future__ import annotations

import time

import structlog

from payrun.domain.ytd_turn import blocked
from payrun.services.context import PayrollContext
from payrun.services.messages import ChunkTask

log = structlog.get_logger(__name__)
# The pause doubles up to the longest: a short wait ends soon, a long one asks seldom.
FIRST_PAUSE_SECONDS = 0.2
LONGEST_PAUSE_SECONDS = 5.0


def await_turn(ctx: PayrollContext, task: ChunkTask, employee_ids: list[int]) -> dict[int, str]:
    """Wait until no earlier run in flight holds any of these employees' YTD unwritten. One
    set-based read when nothing holds them; afterwards only the held ones are asked about.
    Returns the employees still held when the bound passed, each with why it failed."""
    if ctx.ytd_holds is None:
        raise RuntimeError("no YTD holds wired: build the context with payrun.bootstrap")
    run_id = task.run_id
    held = blocked(ctx.ytd_holds.holds(run_id, employee_ids))
    if not held:
        return {}
    where = {"run_id": run_id, "employer_id": task.employer_id, "chunk": task.chunk}
    log.info("ytd.wait", **where, employees=len(held), behind=sorted(set(held.values())))
    started = time.monotonic()
    deadline, pause = started + ctx.ytd_wait_seconds, FIRST_PAUSE_SECONDS
    while held and (left := deadline - time.monotonic()) > 0:
        ctx.heartbeat()
        ctx.pause(min(pause, left))
        pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
        held = blocked(ctx.ytd_holds.holds(run_id, list(held)))
    waited = time.monotonic() - started
    log.info("ytd.waited", **where, seconds=round(waited, 1), still_held=len(held))
    return {
        employee_id: (
            f"run {other} had not written this employee's year-to-date after "
            f"{ctx.ytd_wait_seconds:g}s of waiting; redrive once it has"
        )
        for employee_id, other in held.items()
    }
