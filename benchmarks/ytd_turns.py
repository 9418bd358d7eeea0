"""What waiting its turn at the YTD costs the gross step when nobody is in the way.

    python -m benchmarks.ytd_turns [EMPLOYEES] [--repeats N]

Seeds one employer into a scratch PAYRUN_HOME, begins a run of it in one chunk and times its
gross step (best of N, microseconds per employee): alone, and with a second run in flight over
the same employees that began them later (every row comes back, nobody waits). Also times the
hold check by itself (services.ytd_turns: one set-based read a chunk). Compare with the pure
calculation, `python -m benchmarks.bench_calc`. Not a test: nothing here fails on machine speed.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, reading
from payrun.adapters.db.models import Employee
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.logs import configure
from payrun.services import employee_steps, employer_steps, runs
from payrun.services.context import PayrollContext
from payrun.services.messages import ChunkTask, EmployerInput, PayRunInput
from payrun.services.seed import one_schedule, seed_demo
from payrun.workflows import runtime

BEGUN = datetime(2026, 1, 5, 9, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("employees", type=int, nargs="?", default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--home", default="/tmp/payrun-ytd-turns-bench")
    args = parser.parse_args()
    configure("WARNING")
    runtime.tune_garbage_collector()
    home = Path(args.home)
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    settings = Settings(home=home)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url,
        employers=1,
        employees=args.employees,
        seed=2026,
        vault=Vault.for_settings(settings),
    )
    period = one_schedule(settings.db_url)
    n = args.employees
    ctx, task = begun(settings, period, "bench", "regular", BEGUN, n, {})
    report("gross step, alone", best(args.repeats, lambda: gross(ctx, task)), n)
    holds = getattr(ctx, "ytd_holds", None)  # None: the code before the wait, for comparison
    ids = employee_ids(settings)
    if holds is not None:
        report("  of it the hold check", best(args.repeats, lambda: holds.holds("bench", ids)), n)
    everyone = {str(i): {"bonus": "100.00"} for i in ids}
    later = BEGUN + timedelta(hours=1)
    begun(settings, period, "bench-bonus", "offcycle-bench", later, n, everyone)
    report("gross step, a later run in flight", best(args.repeats, lambda: gross(ctx, task)), n)
    if holds is not None:
        found = len(holds.holds("bench", ids))
        seconds = best(args.repeats, lambda: holds.holds("bench", ids))
        report(f"  of it the hold check ({found:,} rows)", seconds, n)


def begun(
    settings: Settings,
    period: int,
    run_id: str,
    kind: str,
    at: datetime,
    chunk: int,
    earnings: dict[str, dict[str, str]],
) -> tuple[PayrollContext, ChunkTask]:
    """A run opened and begun at `at`, its one chunk through the time-entry step."""
    ctx = build_context(settings)
    ctx.clock = lambda: at
    plan = runs.open_run(ctx, PayRunInput(run_id, period, kind, earnings=earnings))
    inp = EmployerInput(run_id, plan.employer_ids[0], chunk_size=chunk)
    employer_steps.begin_employer(ctx, inp)
    first = ChunkTask(run_id, inp.employer_id, 0)
    version = employee_steps.time_entry(ctx, first).version
    return ctx, ChunkTask(run_id, inp.employer_id, 0, {"time_entry": version})


def employee_ids(settings: Settings) -> list[int]:
    with reading(settings.db_url) as session:
        return list(session.scalars(select(Employee.id)))


def gross(ctx: PayrollContext, task: ChunkTask) -> None:
    with runtime.paused():  # as a worker's steps run
        employee_steps.gross_pay(ctx, task)


def best(repeats: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def report(name: str, seconds: float, employees: int) -> None:
    print(f"{name:44s} {seconds * 1e3:8.2f} ms  {1e6 * seconds / employees:7.2f} us/employee")


if __name__ == "__main__":
    main()
