"""kill -9 the worker in the middle of a 5,000-employee pay run; new workers finish it, paying
every employee exactly once and every employer exactly once (counted in the database).

Real processes: a Temporal dev server on loopback and `python -m payrun.entrypoints.cli worker`
subprocesses, killed with SIGKILL at seeded random points and replaced. Temporal notices a dead
worker only through timeouts: what it was running is retried after the activity's heartbeat
timeout (or its start-to-close timeout, without one). To fit CI, `DeadWorkerWatch` cuts the
attempts a killed worker held to NOTICE (the server's UpdateActivityOptions, as an operator
would) and warns about any the product would have left hanging past PRODUCT_BOUND;
`test_a_dead_worker_is_noticed_within_30_seconds` holds every activity to that bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.field_mask_pb2 import FieldMask
from sqlalchemy import Engine, create_engine, func, select
from temporalio.api.activity.v1 import ActivityOptions
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, PendingActivityState
from temporalio.api.workflowservice.v1 import UpdateActivityOptionsRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate
from payrun.adapters.db.models import (
    DeadLetter,
    Employee,
    EmployeeStatus,
    Employer,
    Paycheck,
    Payment,
    PaySchedule,
    YtdAccumulator,
)
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain.ach.parser import parse_file
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.services.messages import PayRunInput, RunSummary
from payrun.services.seed import seed_demo
from payrun.workflows.worker import build_worker

SCHEDULE = "biweekly"
# Seed 14: employers 1-6 and 8-11 are biweekly (employer 7 is not), 500 employees each.
SEED = {"employers": 11, "employees": 500, "seed": 14}
EMPLOYEES_AT_LEAST = 5_000
CHUNK_SIZE = 100  # 5 chunks per employer: many activities in flight when the kill lands
# A dead worker is noticed only through the timeouts of the activities it held. The product
# should notice within PRODUCT_BOUND (heartbeats); to fit CI the test makes it NOTICE.
PRODUCT_BOUND = timedelta(seconds=30)
NOTICE = timedelta(seconds=5)
RUN_BOUND = 240.0  # seconds from start to result; a run without kills takes ~20 s on 2 cores
POLL = 0.2
# Other kill points: PAYRUN_CRASH_SEED=n shifts every case's random stream.
SEED_SHIFT = int(os.environ.get("PAYRUN_CRASH_SEED", "0"))
# What FileDropProvider.submit raises for ever once killed between its claim and its record:
# an empty claim reads as another file's; a claim without a dropped file is in doubt.


@dataclass(frozen=True)
class Kill:
    """SIGKILL the live worker once `metric` (see _progress) reaches a random value low..high."""

    metric: str
    low: int
    high: int


@dataclass(frozen=True)
class Case:
    seed: int
    kills: tuple[Kill, ...]


CASES = {
    # Between time entry and net pay (employees past BEGIN), then among the paycheck inserts.
    "employee-steps": Case(41, (Kill("steps", 200, 2_000), Kill("paychecks", 1_500, 3_500))),
    # While the first employer's payment is prepared/sent/recorded, then a few employers later.
    "payment": Case(42, (Kill("payments", 1, 1), Kill("payments", 3, 5))),
    # Right after the first payments settle, then once a few more have.
    "after-first-payments": Case(43, (Kill("paid", 1, 2), Kill("paid", 3, 6))),
}


@dataclass
class KillRecord:
    kill: Kill
    threshold: int
    seen: int
    at: float  # seconds since the run started
    pid: int


# --- processes ----------------------------------------------------------------------------


class Workers:
    """Worker subprocesses, one live at a time; every one is killed by the end."""

    def __init__(self, settings: Settings, address: str) -> None:
        self.settings = settings
        self.env = {
            **os.environ,
            "TEMPORAL_ADDRESS": address,
            "PAYRUN_HOME": str(settings.home),
            "PAYRUN_DATABASE_URL": settings.db_url,
            "PAYRUN_TASK_QUEUE": settings.task_queue,
            "PAYRUN_CHUNK_SIZE": str(settings.chunk_size),
        }
        self.started: list[subprocess.Popen[bytes]] = []
        self.dead: set[int] = set()

    @property
    def live(self) -> subprocess.Popen[bytes]:
        return self.started[-1]

    def start(self) -> None:
        log = (self.settings.home / f"worker-{len(self.started) + 1}.log").open("wb")
        with log:
            process = subprocess.Popen(
                [sys.executable, "-m", "payrun.entrypoints.cli", "worker"],
                env=self.env,
                cwd=self.settings.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(process)

    def kill(self) -> int:
        process = self.live
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL, process.returncode
        self.dead.add(process.pid)
        return process.pid

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)

    def logs(self) -> str:
        tails = []
        for number in range(1, len(self.started) + 1):
            path = self.settings.home / f"worker-{number}.log"
            tails.append(f"--- worker-{number}.log\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(tails)


class DeadWorkerWatch:
    """Shortens the timeout of each attempt a killed worker held, so that Temporal retries it
    after NOTICE instead of the product's timeout; its next attempt gets the product's options
    back. Remembers which activities the product would have left hanging past PRODUCT_BOUND."""

    def __init__(self, client: Client, run_id: str, workers: Workers) -> None:
        self.client, self.run_id, self.workers = client, run_id, workers
        self.too_slow: dict[str, timedelta] = {}  # activity type -> when it would be retried
        self._held: dict[tuple[str, str], int] = {}  # (workflow, activity) -> attempt shortened

    async def watch(self) -> None:
        while True:
            if self.workers.dead:
                await self._sweep()
            await asyncio.sleep(0.5)

    async def _sweep(self) -> None:
        parent = await self._describe(self.run_id)
        if parent is None:
            return
        children = [c.workflow_id for c in parent.raw_description.pending_children]
        for workflow_id in [self.run_id, *children]:
            described = parent if workflow_id == self.run_id else await self._describe(workflow_id)
            for activity in described.raw_description.pending_activities if described else ():
                key = (workflow_id, activity.activity_id)
                if key in self._held and activity.attempt > self._held[key]:
                    del self._held[key]
                    await self._update(workflow_id, activity.activity_id, restore_original=True)
                elif key not in self._held and self._held_by_dead_worker(activity):
                    await self._shorten(workflow_id, activity)

    def _held_by_dead_worker(self, activity) -> bool:  # type: ignore[no-untyped-def]
        started = activity.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
        pid = activity.last_worker_identity.split("@", 1)[0]
        return started and pid.isdigit() and int(pid) in self.workers.dead

    async def _describe(self, workflow_id: str):  # type: ignore[no-untyped-def]
        try:
            return await self.client.get_workflow_handle(workflow_id).describe()
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return None
            raise

    async def _shorten(self, workflow_id: str, activity) -> None:  # type: ignore[no-untyped-def]
        notice = _notice(activity)
        if notice > PRODUCT_BOUND:
            self.too_slow.setdefault(activity.activity_type.name, notice)
        if notice > NOTICE:
            self._held[(workflow_id, activity.activity_id)] = activity.attempt
            await self._update(
                workflow_id,
                activity.activity_id,
                activity_options=ActivityOptions(
                    start_to_close_timeout=Duration(seconds=int(NOTICE.total_seconds()))
                ),
                update_mask=FieldMask(paths=["start_to_close_timeout"]),
            )

    async def _update(self, workflow_id: str, activity_id: str, **change: object) -> None:
        request = UpdateActivityOptionsRequest(
            namespace=self.client.namespace,
            execution=WorkflowExecution(workflow_id=workflow_id),
            id=activity_id,
            **change,  # type: ignore[arg-type]
        )
        try:
            await self.client.workflow_service.update_activity_options(request)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:  # NOT_FOUND: it finished meanwhile
                raise


def _notice(activity) -> timedelta:  # type: ignore[no-untyped-def]
    options = activity.activity_options
    return _retried_after(options.heartbeat_timeout, options.start_to_close_timeout)


def _retried_after(heartbeat: Duration, start_to_close: Duration) -> timedelta:
    """How long after its worker dies Temporal retries an activity: the heartbeat timeout if
    it has one, else the start-to-close timeout."""
    bounds = [t.ToTimedelta() for t in (heartbeat, start_to_close) if t.ToTimedelta()]
    return min(bounds) if bounds else timedelta.max


# --- the database -------------------------------------------------------------------------


@pytest.fixture
def seeded(payrun_home: Path, database_url: str) -> Settings:
    settings = Settings(
        home=payrun_home,
        database_url=database_url,
        task_queue=f"crash-{uuid.uuid4()}",
        chunk_size=CHUNK_SIZE,
    )
    migrate(settings.db_url)
    seed_demo(settings.db_url, **SEED, vault=Vault.for_settings(settings))
    return settings


@pytest.fixture
def reader(seeded: Settings):  # type: ignore[no-untyped-def]
    """A plain engine: its reads never take SQLite's write lock (the product's BEGIN IMMEDIATE)."""
    engine = create_engine(seeded.db_url)
    yield engine
    engine.dispose()


def _eligible(engine: Engine) -> dict[int, set[int]]:
    """employer id -> active employee ids, for the active employers on the run's schedule."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Employee.employer_id, Employee.id)
            .join(Employer, Employer.id == Employee.employer_id)
            .join(PaySchedule, PaySchedule.id == Employer.schedule_id)
            .where(PaySchedule.name == SCHEDULE, Employer.active, Employee.active)
        ).all()
    employers: dict[int, set[int]] = {}
    for employer_id, employee_id in rows:
        employers.setdefault(employer_id, set()).add(employee_id)
    return employers


def _progress(engine: Engine, run_id: str) -> dict[str, int]:
    with engine.connect() as conn:

        def count(query) -> int:  # type: ignore[no-untyped-def]
            return int(conn.scalar(query) or 0)

        return {
            "steps": count(
                select(func.count())
                .select_from(EmployeeStatus)
                .where(EmployeeStatus.run_id == run_id, EmployeeStatus.status != "BEGIN")
            ),
            "paychecks": count(
                select(func.count()).select_from(Paycheck).where(Paycheck.run_id == run_id)
            ),
            "payments": count(
                select(func.count()).select_from(Payment).where(Payment.run_id == run_id)
            ),
            "paid": count(
                select(func.count())
                .select_from(Payment)
                .where(Payment.run_id == run_id, Payment.status == "PAID")
            ),
        }


# --- the test -----------------------------------------------------------------------------


@dataclass
class Outcome:
    summary: RunSummary
    kills: list[KillRecord] = field(default_factory=list)
    too_slow: dict[str, timedelta] = field(default_factory=dict)
    seconds: float = 0.0


@pytest.mark.slow
@pytest.mark.timeout(RUN_BOUND + 120)
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_a_run_survives_kill_9_of_its_workers_and_pays_everyone_once(
    case: Case, seeded: Settings, reader: Engine, temporal_cli_path: str
) -> None:
    employers = _eligible(reader)
    employees = sum(len(ids) for ids in employers.values())
    assert employees >= EMPLOYEES_AT_LEAST, f"only {employees} employees on {SCHEDULE}"
    plan = plan_run(seeded, RunRequest(SCHEDULE))

    outcome = await _run_with_kills(case, seeded, reader, plan, temporal_cli_path)

    print(
        f"\n{plan.run_id}: {employees} employees, {len(employers)} employers, "
        f"{outcome.seconds:.1f} s; kills: {outcome.kills}; too slow: {outcome.too_slow}"
    )
    if outcome.too_slow:
        slow = {name: str(after) for name, after in outcome.too_slow.items()}
        warnings.warn(
            f"Temporal would have retried the killed worker's activities only after {slow}; "
            f"the test made it {NOTICE}. They need heartbeat_timeout <= {PRODUCT_BOUND}.",
            stacklevel=1,
        )
    assert [k.kill for k in outcome.kills] == list(case.kills), "a kill point was never reached"
    books = _books(reader, seeded, plan, set().union(*employers.values()))
    _assert_nobody_paid_twice(books, employers)
    _assert_everyone_paid_once(books, plan, employers, outcome.summary)


async def _run_with_kills(
    case: Case, settings: Settings, reader: Engine, plan: PayRunInput, temporal_cli_path: str
) -> Outcome:
    rng = random.Random(case.seed + SEED_SHIFT)
    thresholds = [rng.randint(k.low, k.high) for k in case.kills]
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path, ip="127.0.0.1"
    ) as env:
        workers = Workers(settings, env.client.service_client.config.target_host)
        watch = DeadWorkerWatch(env.client, plan.run_id, workers)
        watcher = asyncio.ensure_future(watch.watch())
        try:
            workers.start()
            started = time.monotonic()
            handle = await start_run(env.client, settings, plan)
            kills = await _kill_at(case, thresholds, handle, reader, plan.run_id, workers, started)
            summary = await _result(handle, started, reader, plan.run_id, workers)
            return Outcome(summary, kills, watch.too_slow, time.monotonic() - started)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            workers.stop_all()


async def _kill_at(
    case: Case,
    thresholds: list[int],
    handle: WorkflowHandle,
    reader: Engine,
    run_id: str,
    workers: Workers,
    started: float,
) -> list[KillRecord]:
    """Kill the live worker at each point in turn (bounded), starting a new one each time."""
    result = asyncio.ensure_future(handle.result())
    kills: list[KillRecord] = []
    deadline = started + RUN_BOUND
    try:
        for kill, threshold in zip(case.kills, thresholds, strict=True):
            while time.monotonic() < deadline and not result.done():
                seen = _progress(reader, run_id)[kill.metric]
                if seen >= threshold:
                    pid = workers.kill()
                    kills.append(KillRecord(kill, threshold, seen, time.monotonic() - started, pid))
                    workers.start()
                    break
                await asyncio.wait([result], timeout=POLL)
    finally:
        result.cancel()
    return kills


async def _result(
    handle: WorkflowHandle, started: float, reader: Engine, run_id: str, workers: Workers
) -> RunSummary:
    left = max(1.0, started + RUN_BOUND - time.monotonic())
    try:
        return await asyncio.wait_for(handle.result(), timeout=left)
    except TimeoutError:
        pytest.fail(
            f"no result {RUN_BOUND:.0f} s after the start; progress {_progress(reader, run_id)}\n"
            f"{workers.logs()}"
        )


@dataclass
class Books:
    """What the database and the bank folder say about the run once it is over."""

    checks: list  # type: ignore[type-arg]  # every paycheck of the period and kind, voided too
    payments: list  # type: ignore[type-arg]
    ytd: dict[int, int | None]  # employee -> last paycheck id
    statuses: Counter[str]
    dead_letters: list[tuple[object, ...]]
    dropped: list[str]  # file names in the bank's drop folder
    unrecorded_claims: list[str]  # keys FileDropProvider claimed but never recorded as dropped
    files: dict[str, bytes] = field(default_factory=dict)  # each payment's file, from the store


def _books(engine: Engine, settings: Settings, plan: PayRunInput, everyone: set[int]) -> Books:
    bank = settings.output_dir / "bank-drop"
    store = build_context(settings).store
    with engine.connect() as conn:
        period = (Paycheck.pay_period_id == plan.pay_period_id) & (Paycheck.kind == plan.kind)
        payments = list(conn.execute(select(Payment).where(Payment.run_id == plan.run_id)))
        ytd = select(YtdAccumulator.employee_id, YtdAccumulator.last_paycheck_id)
        letters = select(DeadLetter.employer_id, DeadLetter.error_type, DeadLetter.error)
        return Books(
            checks=list(conn.execute(select(Paycheck).where(period))),
            payments=payments,
            ytd=dict(conn.execute(ytd.where(YtdAccumulator.employee_id.in_(everyone))).all()),
            statuses=Counter(
                conn.scalars(
                    select(EmployeeStatus.status).where(EmployeeStatus.run_id == plan.run_id)
                )
            ),
            dead_letters=[tuple(d) for d in conn.execute(letters)],
            dropped=sorted(p.name for p in bank.glob("*.ach")),
            unrecorded_claims=sorted(
                claim.stem
                for claim in (bank / ".payrun").glob("*.claim")
                if not claim.with_suffix(".json").exists()
            ),
            files={
                key: store.get_bytes(key)
                for p in payments
                for key in (p.nacha_path, p.funding_path)
                if key
            },
        )


def _assert_nobody_paid_twice(books: Books, employers: dict[int, set[int]]) -> None:
    live = Counter(c.employee_id for c in books.checks if c.status != "VOIDED")
    assert not live or max(live.values()) == 1, live.most_common(3)
    open_payments = Counter(p.employer_id for p in books.payments if p.status != "CANCELLED")
    assert not open_payments or max(open_payments.values()) == 1, open_payments
    assert len(books.dropped) <= 2 * len(employers), books.dropped  # debit + credits each


def _assert_everyone_paid_once(
    books: Books, plan: PayRunInput, employers: dict[int, set[int]], summary: RunSummary
) -> None:
    everyone = set().union(*employers.values())
    checks, payments = books.checks, books.payments
    # Nothing failed or was compensated: the kills cost time, never a paycheck.
    assert not books.dead_letters, books.dead_letters[:5]
    # One paycheck per eligible employee: none missing, none twice, none voided, all PAID.
    assert {c.employee_id for c in checks} == everyone
    assert len(checks) == len(everyone) == summary.paychecks_live
    assert Counter(c.status for c in checks) == {"PAID": len(everyone)}
    assert {c.run_id for c in checks} == {plan.run_id}
    assert books.statuses == {"PAID": len(everyone)}
    assert books.ytd == {c.employee_id: c.id for c in checks}, "YTD does not end at the paycheck"
    # One payment per employer, PAID, for exactly its paychecks' net; one file to the bank.
    assert sorted(p.employer_id for p in payments) == sorted(employers)
    assert {p.status for p in payments} == {"PAID"}
    # Two files per payment reached the bank: the funding debit (first), then the credits.
    assert books.dropped == sorted(
        f"{p.idempotency_key}{suffix}.ach" for p in payments for suffix in ("", "-funding")
    )
    for payment in payments:
        mine = [c for c in checks if c.employer_id == payment.employer_id]
        assert {c.payment_id for c in mine} == {payment.id}
        assert payment.credit_total_cents == sum(c.net_cents for c in mine)
        assert payment.entry_count == len(mine) == len(employers[payment.employer_id])
        credits = parse_file(books.files[payment.nacha_path]).batches[0]
        assert credits.control.total_credit_entry_dollar_amount == payment.credit_total_cents
        (debit,) = parse_file(books.files[payment.funding_path]).batches  # the files balance
        assert debit.control.total_debit_entry_dollar_amount == payment.credit_total_cents
        assert len(credits.entries) == sum(1 for c in mine if c.net_cents > 0)
    assert summary.status == "COMPLETED", summary
    assert summary.employers == len(employers)
    assert summary.net_cents == sum(c.net_cents for c in checks)


# --- the bound the product should meet ----------------------------------------------------


async def test_a_dead_worker_is_noticed_within_30_seconds(
    payrun_home: Path, temporal_cli_path: str
) -> None:
    """Every activity of a pay run, as scheduled, is retried <= 30 s after its worker dies."""
    settings = Settings(home=payrun_home, task_queue=f"notice-{uuid.uuid4()}")
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=2, employees=3, seed=14, vault=Vault.for_settings(settings)
    )
    plan = plan_run(settings, RunRequest(SCHEDULE))
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path
    ) as env:
        async with build_worker(env.client, build_context(settings), settings.task_queue):
            handle = await start_run(env.client, settings, plan)
            await asyncio.wait_for(handle.result(), timeout=120)
        scheduled = await _scheduled_activities(env.client, handle)
    slow = {
        a.activity_type.name: str(after)
        for a in scheduled
        if (after := _retried_after(a.heartbeat_timeout, a.start_to_close_timeout)) > PRODUCT_BOUND
    }
    assert not slow, f"a dead worker is noticed only after: {slow}"


async def _scheduled_activities(client: Client, handle: WorkflowHandle) -> list:  # type: ignore[type-arg]
    """ActivityTaskScheduled attributes of the run and of its first employer's workflow."""
    parent = (await handle.fetch_history()).events
    child_id = next(
        e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for e in parent
        if e.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
    )
    child = (await client.get_workflow_handle(child_id).fetch_history()).events
    return [
        e.activity_task_scheduled_event_attributes
        for e in (*parent, *child)
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
