"""Where the time goes: one employer's pay run through the service handlers, without Temporal.

    python -m benchmarks.pipeline [EMPLOYEES] [--profile FILE]

Seeds one employer into a scratch PAYRUN_HOME, then calls the same handlers the activities call
(begin, the five employee steps per chunk, validation, payment, record) in one thread and prints
the wall time of each in microseconds per employee. With --profile, a cProfile dump is written
for `python -m pstats FILE`. Not a test: nothing here fails on machine speed.
"""

from __future__ import annotations

import argparse
import cProfile
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.logs import configure
from payrun.services import employee_steps, employer_steps, payments, runs
from payrun.services.messages import (
    STEPS,
    ChunkTask,
    EmployerInput,
    PaymentOutcome,
    PayRunInput,
)
from payrun.services.seed import one_schedule, seed_demo
from payrun.workflows import runtime

T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("employees", type=int, nargs="?", default=5000)
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--profile", default="")
    parser.add_argument("--home", default="/tmp/payrun-pipeline-bench")
    args = parser.parse_args()
    configure("WARNING")
    runtime.tune_garbage_collector()  # as a worker process does
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
    period_id = one_schedule(settings.db_url)
    profile = cProfile.Profile() if args.profile else None
    if profile:
        profile.enable()
    wall, times = run_pipeline(settings, period_id, args.chunk_size)
    if profile:
        profile.disable()
        profile.dump_stats(args.profile)
    n = args.employees
    print(f"{n:,} employees in {wall:.2f} s = {n / wall:,.0f} paychecks/s (one thread)")
    for name, seconds in times.items():
        print(f"  {name:16s} {seconds:7.3f} s  {1e6 * seconds / n:7.1f} us/employee")


def run_pipeline(settings: Settings, period_id: int, chunk_size: int) -> tuple[float, Counter[str]]:
    ctx = build_context(settings)
    times: Counter[str] = Counter()

    def timed(name: str, fn: Callable[..., T], *args: Any) -> T:
        started = time.perf_counter()
        with runtime.paused():  # as a worker's steps run
            result = fn(*args)
        times[name] += time.perf_counter() - started
        return result

    started = time.perf_counter()
    plan = timed(
        "open_run", runs.open_run, ctx, PayRunInput("bench", period_id, chunk_size=chunk_size)
    )
    inp = EmployerInput("bench", plan.employer_ids[0], chunk_size=chunk_size)
    employer_plan = timed("begin", employer_steps.begin_employer, ctx, inp)
    for chunk in range(employer_plan.chunk_count):
        versions: dict[str, str] = {}
        for step in STEPS:
            task = ChunkTask("bench", inp.employer_id, chunk, dict(versions))
            result = timed(step, getattr(employee_steps, step), ctx, task)
            versions[step] = result.version
    timed("validate", employer_steps.validate_employer, ctx, inp)
    prepared = timed("prepare_payment", payments.prepare_payment, ctx, inp)
    batch = payments.payment_batch(ctx, prepared, "bench", inp.employer_id)
    receipt = timed("send_payment", ctx.payment_provider.submit, batch, None)
    timed("mark_sent", payments.mark_sent, ctx, prepared.payment_id, receipt.provider_reference)
    outcome = PaymentOutcome(
        prepared.payment_id,
        prepared.paychecks,
        prepared.credit_total_cents,
        "settled",
        receipt.provider_reference,
    )
    timed("record_payment", payments.record_payment, ctx, outcome)
    return time.perf_counter() - started, times


if __name__ == "__main__":
    main()
