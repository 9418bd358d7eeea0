"""The saga on the time-skipping Temporal server: a failure at any step compensates one employer,
dead-letters it, leaves the others paid, and a redrive then pays every employee exactly once."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import insert, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    DeadLetter,
    Employee,
    EmployeeStatus,
    Employer,
    EmployerStatus,
    NotificationRecord,
    Paycheck,
    Payment,
    PayPeriod,
    PayRun,
    PaySchedule,
    YtdAccumulator,
)
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.services import compensation, employee_steps, employer_steps, payments
from payrun.services.messages import PayRunInput, RedriveInput, RedriveResult, RunSummary
from payrun.services.seed import seed_demo
from payrun.workflows.redrive import RedriveWorkflow
from payrun.workflows.worker import build_worker

EMPLOYERS, EMPLOYEES = 3, 6
# Year-to-date cents every employee carries into the run (as if paid earlier by another
# system), so "compensation restores YTD" cannot pass by resetting to zero.
PRIOR_YTD = {
    "gross": 1_000_000,
    "social_security_wages": 1_000_000,
    "medicare_wages": 1_000_000,
    "futa_wages": 700_000,
    "ca_ui_wages": 700_000,
    "deferral_401k": 25_000,
}


# --- the harness ---------------------------------------------------------------------------


@dataclass
class Payroll:
    """One seeded database, a worker on a private task queue and the first period's run."""

    env: WorkflowEnvironment
    settings: Settings
    plan: PayRunInput
    employer_ids: list[int]

    @property
    def run_id(self) -> str:
        return self.plan.run_id

    @property
    def victim(self) -> int:
        return self.employer_ids[1]

    @property
    def bystanders(self) -> list[int]:
        return [e for e in self.employer_ids if e != self.victim]

    async def run(self) -> RunSummary:
        handle = await start_run(self.env.client, self.settings, self.plan)
        result: RunSummary = await handle.result()
        return result

    async def redrive(self, **fields: Any) -> RedriveResult:
        inp = RedriveInput(chunk_size=self.settings.chunk_size, **fields)
        result: RedriveResult = await self.env.client.execute_workflow(
            RedriveWorkflow.run,
            inp,
            id=f"redrive-{uuid.uuid4().hex[:12]}",
            task_queue=self.settings.task_queue,
        )
        return result

    def employees(self, employer_id: int) -> list[int]:
        with transaction(self.settings.db_url) as session:
            return list(
                session.scalars(
                    select(Employee.id)
                    .where(Employee.employer_id == employer_id)
                    .order_by(Employee.id)
                )
            )

    def state(self, employer_id: int) -> EmployerState:
        return employer_state(self.settings, self.run_id, employer_id)


def seeded_settings(home: Path, database_url: str, chunk_size: int = 500) -> Settings:
    settings = Settings(
        home=home, database_url=database_url, chunk_size=chunk_size, task_queue=f"q-{uuid.uuid4()}"
    )
    migrate(settings.db_url)
    vault = Vault.for_settings(settings)
    seed_demo(settings.db_url, employers=EMPLOYERS, employees=EMPLOYEES, seed=7, vault=vault)
    return settings


def first_run(settings: Settings) -> tuple[PayRunInput, list[int]]:
    """The first period of the first employer's schedule, with prior YTD for every employee."""
    with transaction(settings.db_url) as session:
        first = session.scalars(select(Employer).order_by(Employer.id)).first()
        assert first is not None
        schedule = session.get(PaySchedule, first.schedule_id)
        assert schedule is not None
        employer_ids = list(
            session.scalars(
                select(Employer.id).where(Employer.schedule_id == schedule.id).order_by(Employer.id)
            )
        )
    assert len(employer_ids) == EMPLOYERS, "seed 7 puts every employer on one schedule"
    plan = plan_run(settings, RunRequest(schedule.name))
    with transaction(settings.db_url) as session:
        period = session.get(PayPeriod, plan.pay_period_id)
        assert period is not None
        ids = session.scalars(select(Employee.id)).all()
        rows = [{"employee_id": i, "year": period.pay_date.year, "amounts": PRIOR_YTD} for i in ids]
        session.execute(insert(YtdAccumulator), rows)
    return plan, employer_ids


@contextlib.asynccontextmanager
async def open_payroll(
    home: Path, database_url: str, server_path: str, chunk_size: int = 500
) -> AsyncIterator[Payroll]:
    """Seed, start the time-skipping server and a worker; the worker runs in this process, so
    a monkeypatched service function is what the activities call."""
    settings = seeded_settings(home, database_url, chunk_size)
    plan, employer_ids = first_run(settings)
    async with (
        await WorkflowEnvironment.start_time_skipping(test_server_existing_path=server_path) as env,
        build_worker(env.client, build_context(settings), settings.task_queue),
    ):
        yield Payroll(env, settings, plan, employer_ids)


@pytest.fixture
async def payroll(
    payrun_home: Path, database_url: str, temporal_test_server_path: str
) -> AsyncIterator[Payroll]:
    async with open_payroll(payrun_home, database_url, temporal_test_server_path) as payroll:
        yield payroll


# --- what the database says about one employer ---------------------------------------------


@dataclass(frozen=True)
class EmployerState:
    status: str | None
    employees: dict[int, str]  # employee id -> status
    paychecks: list[Any]  # rows: id, employee_id, status, payment_id, net_cents, gross_cents
    payments: list[Any]  # rows: id, sequence, status, credit_total_cents, entry_count, key
    dead_letters: list[Any]  # rows: id, employee_id, step, error_type, status, attempts
    events: list[str]  # notification events, oldest first
    ytd: dict[int, dict[str, int]]
    bank_files: list[str] = field(default_factory=list)  # files waiting in the bank's folder

    def live(self) -> list[Any]:
        return [p for p in self.paychecks if p.status != "VOIDED"]

    def paid_payments(self) -> list[Any]:
        return [p for p in self.payments if p.status == "PAID"]


def employer_state(settings: Settings, run_id: str, employer_id: int) -> EmployerState:
    with transaction(settings.db_url) as session:
        status = session.scalar(
            select(EmployerStatus.status).where(
                EmployerStatus.run_id == run_id, EmployerStatus.employer_id == employer_id
            )
        )
        employees = dict(
            session.execute(
                select(EmployeeStatus.employee_id, EmployeeStatus.status).where(
                    EmployeeStatus.run_id == run_id, EmployeeStatus.employer_id == employer_id
                )
            ).all()
        )
        paychecks = session.execute(
            select(
                Paycheck.id,
                Paycheck.employee_id,
                Paycheck.status,
                Paycheck.payment_id,
                Paycheck.net_cents,
                Paycheck.gross_cents,
            )
            .where(Paycheck.employer_id == employer_id)
            .order_by(Paycheck.id)
        ).all()
        payment_rows = session.execute(
            select(
                Payment.id,
                Payment.sequence,
                Payment.status,
                Payment.credit_total_cents,
                Payment.entry_count,
                Payment.idempotency_key.label("key"),
            )
            .where(Payment.run_id == run_id, Payment.employer_id == employer_id)
            .order_by(Payment.sequence)
        ).all()
        letters = session.execute(
            select(
                DeadLetter.id,
                DeadLetter.employee_id,
                DeadLetter.step,
                DeadLetter.error_type,
                DeadLetter.status,
                DeadLetter.attempts,
            )
            .where(DeadLetter.run_id == run_id, DeadLetter.employer_id == employer_id)
            .order_by(DeadLetter.id)
        ).all()
        events = list(
            session.scalars(
                select(NotificationRecord.event)
                .where(
                    NotificationRecord.run_id == run_id,
                    NotificationRecord.employer_id == employer_id,
                    NotificationRecord.event != "funding.debit_settled",  # an event, no notice
                )
                .order_by(NotificationRecord.id)
            )
        )
        ytd = {
            employee_id: {k: int(v) for k, v in amounts.items()}
            for employee_id, amounts in session.execute(
                select(YtdAccumulator.employee_id, YtdAccumulator.amounts)
                .join(Employee, Employee.id == YtdAccumulator.employee_id)
                .where(Employee.employer_id == employer_id)
            )
        }
    drop = settings.output_dir / "bank-drop"
    files = sorted(p.name for p in drop.glob(f"{run_id}-{employer_id}-payment-*.ach"))
    return EmployerState(
        status, employees, list(paychecks), list(payment_rows), list(letters), events, ytd, files
    )


def assert_paid_once(state: EmployerState, employees: list[int]) -> None:
    """Every employee: one live paycheck, PAID, in a PAID payment; the money reconciles."""
    live = state.live()
    assert sorted(p.employee_id for p in live) == employees
    assert {p.status for p in live} == {"PAID"}
    paid = state.paid_payments()
    assert {p.payment_id for p in live} <= {p.id for p in paid}
    assert sum(p.net_cents for p in live) == sum(p.credit_total_cents for p in paid)
    assert sum(p.entry_count for p in paid) == len(employees)
    assert {state.employees[e] for e in employees} == {"PAID"}
    # the bank holds two files per paid payment: the funding debit (first) and the credits
    assert sorted(state.bank_files) == sorted(
        f"{p[-1]}{suffix}.ach" for p in paid for suffix in ("", "-funding")
    )
    for check in live:  # YTD = what the employee brought + this one paycheck
        assert state.ytd[check.employee_id]["gross"] == PRIOR_YTD["gross"] + check.gross_cents


def assert_rolled_back(state: EmployerState, employees: list[int]) -> None:
    """No live paycheck, no live payment, no file at the bank, YTD as before the run."""
    assert state.live() == []
    assert {p.status for p in state.payments} <= {"CANCELLED"}
    assert state.bank_files == []
    for employee_id in employees:
        amounts = state.ytd[employee_id]
        assert {k: v for k, v in amounts.items() if v} == PRIOR_YTD


# --- faults ---------------------------------------------------------------------------------


def _employer_in_second_arg(args: tuple[Any, ...]) -> int:
    return int(args[1].employer_id)  # (ctx, ChunkTask | EmployerInput)


def _employer_in_fourth_arg(args: tuple[Any, ...]) -> int:
    return int(args[3])  # payment_batch(ctx, prepared, run_id, employer_id)


def employer_of_payment(args: tuple[Any, ...]) -> int:
    ctx, payment_id = args[0], args[1]  # mark_sent(ctx, payment_id, reference)
    with transaction(ctx.db_url) as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        return payment.employer_id


class Fault:
    """Wraps a service function: for the victim employer, raise `error` before or after the
    real call, `times` times (None: while installed)."""

    def __init__(
        self,
        real: Callable[..., Any],
        victim: int,
        employer_of: Callable[[tuple[Any, ...]], int],
        error: Callable[[], Exception],
        after: bool,
        times: int | None = None,
    ) -> None:
        self.real, self.victim, self.employer_of = real, victim, employer_of
        self.error, self.after, self.left = error, after, times
        self.raised = 0

    def __call__(self, *args: Any) -> Any:
        hit = self.employer_of(args) == self.victim and self.left != 0
        if hit and self.left is not None:
            self.left -= 1
        if hit and not self.after:
            self._raise()
        result = self.real(*args)
        if hit and self.after:
            self._raise()
        return result

    def _raise(self) -> None:
        self.raised += 1
        raise self.error()


def injected() -> Exception:
    return ApplicationError("injected fault", type="InjectedFault", non_retryable=True)


class Transient(RuntimeError):
    """A retryable failure: Temporal retries the activity."""


@dataclass(frozen=True)
class Step:
    """Where a fault goes: the service function an activity calls, and the saga stage the
    workflow records in the employer's dead letter."""

    module: ModuleType
    function: str
    stage: str
    after: bool  # the real call commits first (its effects must be compensated)
    employer_of: Callable[[tuple[Any, ...]], int] = _employer_in_second_arg

    def install(
        self,
        monkeypatch: pytest.MonkeyPatch,
        victim: int,
        error: Callable[[], Exception],
        times: int | None = None,
    ) -> Fault:
        real = getattr(self.module, self.function)
        fault = Fault(real, victim, self.employer_of, error, self.after, times)
        monkeypatch.setattr(self.module, self.function, fault)
        return fault


STEPS = {
    "time_entry": Step(employee_steps, "time_entry", "time_entry", after=True),
    "gross_pay": Step(employee_steps, "gross_pay", "gross_pay", after=True),
    "taxes": Step(employee_steps, "taxes", "taxes", after=True),
    "retirement": Step(employee_steps, "retirement", "retirement", after=True),
    # paychecks and YTD are written, then the activity fails
    "net_pay": Step(employee_steps, "net_pay", "net_pay", after=True),
    "validate_employer": Step(employer_steps, "validate_employer", "validate_employer", after=True),
    # the payment is opened and the paychecks attached, then the activity fails
    "prepare_payment": Step(payments, "prepare_payment", "prepare_payment", after=True),
    # send_payment fails before the bank sees the file ...
    "send_payment": Step(
        payments, "payment_batch", "send_payment", after=False, employer_of=_employer_in_fourth_arg
    ),
    # ... or after the bank accepted it, before the payment was marked SENT
    "send_payment_after_bank_accepted": Step(
        payments, "mark_sent", "send_payment", after=False, employer_of=employer_of_payment
    ),
}


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("step", list(STEPS))
async def test_a_failed_step_compensates_one_employer_and_a_redrive_pays_it_once(
    payroll: Payroll, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    victim, victims = payroll.victim, payroll.employees(payroll.victim)
    fault = STEPS[step].install(monkeypatch, victim, injected)

    summary = await payroll.run()

    assert fault.raised == 1  # non-retryable: one attempt, no retry
    assert (summary.status, summary.employers_failed) == ("WITH_FAILURES", 1)
    assert summary.paychecks_created == (EMPLOYERS - 1) * EMPLOYEES  # the bystanders' only
    failed = payroll.state(victim)
    assert failed.status == "DEAD_LETTERED"
    assert [(d.employee_id, d.step, d.error_type, d.status) for d in failed.dead_letters] == [
        (0, STEPS[step].stage, "InjectedFault", "OPEN")
    ]
    assert_rolled_back(failed, victims)
    assert failed.employees == dict.fromkeys(victims, "COMPENSATED")
    assert failed.events == ["employer.failed"]
    for employer_id in payroll.bystanders:
        bystander = payroll.state(employer_id)
        assert bystander.status == "PAID"
        assert_paid_once(bystander, payroll.employees(employer_id))
    before = {e: payroll.state(e).paychecks for e in payroll.bystanders}

    monkeypatch.undo()
    result = await payroll.redrive()

    assert (result.redriven, result.skipped, result.resolved) == (1, 0, 1)
    assert [(r.employer_id, r.status, r.paychecks_created) for r in result.employers] == [
        (victim, "PAID", len(victims))
    ]
    redriven = payroll.state(victim)
    assert redriven.status == "PAID"
    assert_paid_once(redriven, victims)
    assert len(redriven.paid_payments()) == 1
    assert [(d.status, d.attempts) for d in redriven.dead_letters] == [("RESOLVED", 2)]
    assert redriven.events == ["employer.failed", "employer.paid"]
    assert {e: payroll.state(e).paychecks for e in payroll.bystanders} == before
    with transaction(payroll.settings.db_url) as session:
        assert session.scalar(select(PayRun.status).where(PayRun.id == payroll.run_id)) == (
            "COMPLETED"
        )


@pytest.mark.parametrize("step", ["net_pay", "prepare_payment", "send_payment_after_bank_accepted"])
async def test_a_transient_fault_is_retried_and_never_duplicates_a_paycheck(
    payroll: Payroll, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """Fails twice after its side effects committed, then succeeds on the third attempt."""
    fault = STEPS[step].install(monkeypatch, payroll.victim, lambda: Transient("blip"), times=2)

    summary = await payroll.run()

    assert fault.raised == 2
    assert summary.status == "COMPLETED"
    assert summary.paychecks_created == EMPLOYERS * EMPLOYEES
    for employer_id in payroll.employer_ids:
        state = payroll.state(employer_id)
        assert state.status == "PAID"
        assert_paid_once(state, payroll.employees(employer_id))
        assert [(p.sequence, p.status) for p in state.payments] == [(1, "PAID")]
        assert len(state.paychecks) == EMPLOYEES  # none created and voided along the way
        assert state.dead_letters == []


@pytest.fixture
async def chunked_payroll(
    payrun_home: Path, database_url: str, temporal_test_server_path: str
) -> AsyncIterator[Payroll]:
    """Chunks of 4: the victim's 6 employees run as two chunks in parallel."""
    async with open_payroll(payrun_home, database_url, temporal_test_server_path, 4) as payroll:
        yield payroll


async def test_compensation_waits_for_the_other_chunks_of_the_employer(
    chunked_payroll: Payroll, monkeypatch: pytest.MonkeyPatch
) -> None:
    payroll, victim = chunked_payroll, chunked_payroll.victim
    victims = payroll.employees(victim)
    compensated, finished = threading.Event(), threading.Event()
    real_net_pay, real_compensate = employee_steps.net_pay, compensation.compensate_employer

    def net_pay(ctx: Any, task: Any) -> Any:
        if task.employer_id != victim:
            return real_net_pay(ctx, task)
        if task.chunk == 0:
            raise injected()
        try:  # the sibling chunk is slower: it is still working when chunk 0 has failed
            compensated.wait(5)
            return real_net_pay(ctx, task)
        finally:
            finished.set()

    def compensate(ctx: Any, failure: Any) -> Any:
        try:
            return real_compensate(ctx, failure)
        finally:
            compensated.set()

    monkeypatch.setattr(employee_steps, "net_pay", net_pay)
    monkeypatch.setattr(compensation, "compensate_employer", compensate)
    await payroll.run()
    assert finished.wait(30)

    state = payroll.state(victim)
    assert state.status == "DEAD_LETTERED"
    assert_rolled_back(state, victims)
    assert state.employees == dict.fromkeys(victims, "COMPENSATED")
