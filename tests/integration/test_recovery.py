"""Returns in every state, against a run the real pipeline paid: a return racing settlement, and
returned funding debits opening recovery cases (R01 re-debited once, R02 blocking the
employer's next run until an operator resolves it)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    EmployeeStatus,
    Employer,
    EmployerStatus,
    NotificationRecord,
    Paycheck,
    Payment,
    PaySchedule,
    RecoveryCase,
)
from payrun.bootstrap import build_context
from payrun.domain.ach.parser import Entry, parse_file
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.services.messages import PaymentOutcome
from payrun.services.payments import record_payment
from payrun.services.recovery import FundingBlocked, check_not_blocked, send_due_redebits
from payrun.services.returns import process_returns
from payrun.workflows.worker import build_worker
from tests.integration.test_returns import (
    PaidRun,
    Recorder,
    Returned,
    _binary,
    context,
    copy_paid_run,
    employee_of,
    nacha_of,
    payrun,
    return_file,
    statuses,
)

# Wednesday 25 November 2026; Thursday the 26th is Thanksgiving (a Federal Reserve holiday),
# so the next banking day is Friday 27 November.
WEDNESDAY = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NEXT_BANKING_DAY = date(2026, 11, 27)


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def funding_debit(paid: PaidRun) -> Entry:
    """The CCD debit entry (batch 225) of the paid run's funding file."""
    with transaction(paid.settings.db_url) as session:
        payment = session.get(Payment, paid.payment_id)
        assert payment is not None and payment.funding_path is not None
        ach = parse_file(nacha_of(paid.settings, payment.funding_path))  # its own file
    (batch,) = ach.batches
    assert batch.header.service_class_code == 225
    (debit,) = batch.entries
    return debit


def on_wednesday(paid: PaidRun, notifier: Recorder | None = None):  # type: ignore[no-untyped-def]
    ctx = context(paid, notifier or Recorder())
    ctx.clock = lambda: WEDNESDAY
    return ctx


def cases(paid: PaidRun) -> list[RecoveryCase]:
    with transaction(paid.settings.db_url) as session:
        return list(session.scalars(select(RecoveryCase).order_by(RecoveryCase.id)))


def test_a_return_before_settlement_is_never_overwritten_to_paid(paid: PaidRun) -> None:
    # The payment as it stood between send and settlement: SENT, its paychecks CALCULATED.
    with transaction(paid.settings.db_url) as session:
        session.execute(update(Payment).where(Payment.id == paid.payment_id).values(status="SENT"))
        session.execute(
            update(Paycheck)
            .where(Paycheck.payment_id == paid.payment_id)
            .values(status="CALCULATED")
        )
    returned = paid.credits[0]
    ctx = context(paid, Recorder())

    report = process_returns(ctx, return_file(paid, [Returned("R03", returned)]))
    record_payment(ctx, PaymentOutcome(paid.payment_id, len(paid.credits), 0, "settled", "ref"))

    employee = employee_of(paid, returned)
    after = statuses(paid)
    assert report.returns[0].outcome == "routed"
    assert after.pop(employee) == "RETURNED"
    assert set(after.values()) == {"PAID"}
    with transaction(paid.settings.db_url) as session:
        status = session.scalar(
            select(EmployeeStatus.status).where(
                EmployeeStatus.run_id == paid.run_id, EmployeeStatus.employee_id == employee
            )
        )
        payment = session.get(Payment, paid.payment_id)
        assert payment is not None
        assert (status, payment.status) == ("RETURNED", "PAID")


def test_a_returned_funding_debit_is_matched_and_opens_a_recovery_case(paid: PaidRun) -> None:
    debit = funding_debit(paid)
    notifier = Recorder()
    data = return_file(paid, [Returned("R01", debit)])

    first = process_returns(on_wednesday(paid, notifier), data)
    again = process_returns(on_wednesday(paid, notifier), data)

    (routed,) = first.returns
    assert (routed.outcome, routed.employer_id, routed.payment_id) == (
        "routed",
        paid.employer_id,
        paid.payment_id,
    )
    assert [r.outcome for r in again.returns] == ["duplicate"]
    (case,) = cases(paid)
    assert (case.return_code, case.status, case.amount_cents) == (
        "R01",
        "REDEBIT_DUE",
        debit.detail.amount,
    )
    assert case.redebit_on == NEXT_BANKING_DAY
    assert [n.event for n in notifier.sent] == ["funding.returned"]
    assert set(statuses(paid).values()) == {"PAID"}  # the employees were paid regardless


def test_r01_is_debited_again_once_on_the_next_banking_day(paid: PaidRun) -> None:
    debit = funding_debit(paid)
    ctx = on_wednesday(paid)
    process_returns(ctx, return_file(paid, [Returned("R01", debit)]))

    thanksgiving = send_due_redebits(ctx, date(2026, 11, 26))
    friday = send_due_redebits(ctx, NEXT_BANKING_DAY)
    later = send_due_redebits(ctx, date(2026, 11, 30))

    assert thanksgiving == [] and later == []
    (sent,) = friday
    assert (sent.status, sent.redebits) == ("REDEBIT_SENT", 1)
    drop = paid.settings.output_dir / "bank-drop" / f"recovery-{sent.id}-redebit-1.ach"
    (batch,) = parse_file(drop.read_bytes()).batches
    (entry,) = batch.entries
    assert batch.header.company_entry_description == "RETRY PYMT"
    assert batch.header.effective_entry_date == NEXT_BANKING_DAY
    assert (entry.detail.transaction_code, entry.detail.amount) == (27, debit.detail.amount)
    check_not_blocked_ok(paid)


def check_not_blocked_ok(paid: PaidRun) -> None:
    with transaction(paid.settings.db_url) as session:
        check_not_blocked(session, paid.employer_id)


def test_a_returned_redebit_blocks_the_employer(paid: PaidRun) -> None:
    ctx = on_wednesday(paid)
    process_returns(ctx, return_file(paid, [Returned("R01", funding_debit(paid))]))
    (sent,) = send_due_redebits(ctx, NEXT_BANKING_DAY)
    drop = paid.settings.output_dir / "bank-drop" / f"recovery-{sent.id}-redebit-1.ach"
    (redebit,) = parse_file(drop.read_bytes()).batches[0].entries

    report = process_returns(ctx, return_file(paid, [Returned("R01", redebit)]))

    assert [(r.outcome, r.recovery_case_id) for r in report.returns] == [("routed", sent.id)]
    (case,) = cases(paid)
    assert (case.status, case.redebits) == ("OPEN", 1)
    with pytest.raises(FundingBlocked, match=f"recovery case {case.id}"):
        check_not_blocked_ok(paid)


def test_r02_blocks_the_next_run_until_an_operator_resolves_it(paid: PaidRun) -> None:
    process_returns(on_wednesday(paid), return_file(paid, [Returned("R02", funding_debit(paid))]))
    (case,) = cases(paid)
    assert (case.status, case.redebit_on) == ("OPEN", None)

    blocked = asyncio.run(run_next_period(paid))
    assert blocked[paid.employer_id] == "DEAD_LETTERED"
    assert "recovery case" in error_of(paid, blocked.run_id)
    assert all(status == "PAID" for e, status in blocked.items() if e != paid.employer_id)

    listed = payrun(paid.settings.home, "recovery", "list")
    resolved = payrun(paid.settings.home, "recovery", "resolve", "--id", str(case.id),
                      "--action", "wire", "--note", "wire 2026-11-30 ref 8812")  # fmt: skip
    unknown = payrun(paid.settings.home, "recovery", "resolve", "--id", "999", "--action", "wire")
    twice = payrun(paid.settings.home, "recovery", "resolve", "--id", str(case.id),
                   "--action", "write-off")  # fmt: skip

    assert listed.returncode == 0 and "R02" in listed.stdout and "OPEN" in listed.stdout
    assert resolved.returncode == 0, resolved.stderr
    assert "RESOLVED (wire)" in resolved.stdout
    for bad in (unknown, twice):
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
    assert "no recovery case 999" in unknown.stderr and "not open" in twice.stderr
    check_not_blocked_ok(paid)
    after = asyncio.run(run_next_period(paid))
    assert after[paid.employer_id] == "PAID"


class RunOutcome(dict[int, str]):
    run_id: str = ""


async def run_next_period(paid: PaidRun) -> RunOutcome:
    """The schedule's next period through the real workflows; each employer's final status."""
    settings = paid.settings.model_copy(update={"task_queue": f"q-{uuid.uuid4()}"})
    with transaction(settings.db_url) as session:
        name = session.scalar(
            select(PaySchedule.name)
            .join(Employer, Employer.schedule_id == PaySchedule.id)
            .where(Employer.id == paid.employer_id)
        )
    assert name is not None
    plan = plan_run(settings, RunRequest(name, None))
    async with (
        await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=_binary("temporal-test-server")
        ) as env,
        build_worker(env.client, build_context(settings), settings.task_queue),
    ):
        await (await start_run(env.client, settings, plan)).result()
    outcome = RunOutcome()
    outcome.run_id = plan.run_id
    with transaction(settings.db_url) as session:
        rows = session.execute(
            select(EmployerStatus.employer_id, EmployerStatus.status).where(
                EmployerStatus.run_id == plan.run_id
            )
        ).all()
    outcome.update({employer: status for employer, status in rows})
    return outcome


def error_of(paid: PaidRun, run_id: str) -> str:
    with transaction(paid.settings.db_url) as session:
        error = session.scalar(
            select(EmployerStatus.error).where(
                EmployerStatus.run_id == run_id, EmployerStatus.employer_id == paid.employer_id
            )
        )
        notices = session.scalars(select(NotificationRecord.event)).all()
    assert "funding.returned" in notices
    return error or ""
