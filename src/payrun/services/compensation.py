"""Compensation (the saga's undo) and dead letters: what a failed employer leaves behind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, literal, select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    DeadLetter,
    EmployeeStatus,
    Paycheck,
)
from payrun.domain.statuses import (
    DeadLetterStatus,
    EmployeeRunStatus,
    EmployerRunStatus,
    PaycheckStatus,
)
from payrun.services.context import PayrollContext
from payrun.services.messages import (
    EmployerFailure,
    EmployerResult,
)
from payrun.services.notifications import notify
from payrun.services.paychecks import void_paychecks
from payrun.services.statuses import set_employer_status


def dead_letter_failed(
    session: Any, ctx: PayrollContext, run_id: str, employer_id: int, now: datetime
) -> int:
    """Every FAILED employee becomes an open dead letter (reopening the one an earlier attempt
    left, as dead_letter does) and DEAD_LETTERED, in three set-based statements."""
    failed = (
        (EmployeeStatus.run_id == run_id)
        & (EmployeeStatus.employer_id == employer_id)
        & (EmployeeStatus.status == EmployeeRunStatus.FAILED)
    )
    # dead_letter's `error_type or "error"` and `error[:4000]`, in SQL
    error_type = func.coalesce(func.nullif(EmployeeStatus.error_type, ""), "error")
    error = func.substr(func.coalesce(EmployeeStatus.error, ""), 1, 4000)
    same_item = (
        (EmployeeStatus.run_id == DeadLetter.run_id)
        & (EmployeeStatus.employer_id == DeadLetter.employer_id)
        & (EmployeeStatus.employee_id == DeadLetter.employee_id)
        & (DeadLetter.step == "employee")
    )
    connection = session.connection()
    connection.execute(
        update(DeadLetter)
        .where(select(EmployeeStatus.id).where(failed, same_item).exists())
        .values(
            status=DeadLetterStatus.OPEN,
            resolution=None,
            resolved_at=None,
            error_type=select(error_type).where(failed, same_item).scalar_subquery(),
            error=select(error).where(failed, same_item).scalar_subquery(),
            last_failed_at=now,
        )
    )
    at = literal(now, DeadLetter.last_failed_at.type)
    connection.execute(
        insert(DeadLetter).from_select(
            [
                "run_id",
                "employer_id",
                "employee_id",
                "step",
                "error_type",
                "error",
                "payload_ref",
                "attempts",
                "status",
                "first_failed_at",
                "last_failed_at",
            ],
            select(
                EmployeeStatus.run_id,
                EmployeeStatus.employer_id,
                EmployeeStatus.employee_id,
                literal("employee", DeadLetter.step.type),
                error_type,
                error,
                literal(f"runs/{run_id}/employer-{employer_id}", DeadLetter.payload_ref.type),
                literal(1, DeadLetter.attempts.type),
                literal(DeadLetterStatus.OPEN, DeadLetter.status.type),
                at,
                at,
            )
            .where(failed, ~select(DeadLetter.id).where(same_item).exists())
            .order_by(EmployeeStatus.employee_id),
        )
    )
    dead = connection.execute(
        update(EmployeeStatus)
        .where(failed)
        .values(status=EmployeeRunStatus.DEAD_LETTERED, dead_lettered_at=now)
    )
    return int(dead.rowcount)


def dead_letter(
    session: Any,
    run_id: str,
    employer_id: int,
    employee_id: int,
    step: str,
    error_type: str | None,
    error: str,
    payload_ref: str | None,
    now: datetime,
) -> int:
    """One open item per (run, employer, employee, step); a redrive that picks it counts an
    attempt. Returns the attempt that just failed."""
    row = session.scalar(
        select(DeadLetter).where(
            DeadLetter.run_id == run_id,
            DeadLetter.employer_id == employer_id,
            DeadLetter.employee_id == employee_id,
            DeadLetter.step == step,
        )
    )
    if row is None:
        session.add(
            DeadLetter(
                run_id=run_id,
                employer_id=employer_id,
                employee_id=employee_id,
                step=step,
                error_type=error_type or "error",
                error=error[:4000],
                payload_ref=payload_ref,
                attempts=1,
                status=DeadLetterStatus.OPEN,
                first_failed_at=now,
                last_failed_at=now,
            )
        )
        return 1
    row.status, row.resolution, row.resolved_at = DeadLetterStatus.OPEN, None, None
    row.error_type, row.error, row.last_failed_at = error_type or "error", error[:4000], now
    return int(row.attempts)


def compensate_employer(ctx: PayrollContext, failure: EmployerFailure) -> EmployerResult:
    """Saga compensation, newest first: cancel the payment, void unpaid paychecks and their YTD,
    dead-letter the employer and its failed employees, notify. Safe to run again."""
    from payrun.services.payments import cancel_open_payments

    cancel_open_payments(ctx, failure.run_id, failure.employer_id)
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        voided = _void_unpaid(session, failure.run_id, failure.employer_id)
        _compensate_in_flight(session, failure.run_id, failure.employer_id, now)
        dead = dead_letter_failed(session, ctx, failure.run_id, failure.employer_id, now)
        ref = f"runs/{failure.run_id}/employer-{failure.employer_id}"
        attempt = dead_letter(
            session,
            failure.run_id,
            failure.employer_id,
            0,
            failure.step,
            failure.error_type,
            failure.message,
            ref,
            now,
        )
        set_employer_status(
            session,
            failure.run_id,
            failure.employer_id,
            EmployerRunStatus.DEAD_LETTERED,
            now,
            error=failure.message,
        )
    notify(  # once per failed attempt: a redrive that fails again is news too
        ctx,
        key=f"{failure.run_id}-{failure.employer_id}-employer.failed-{failure.step}-{attempt}",
        event="employer.failed",
        run_id=failure.run_id,
        employer_id=failure.employer_id,
        subject=f"Payroll held for employer {failure.employer_id}: {failure.error_type}",
        body=f"{failure.step} failed: {failure.message}. {voided} paychecks voided, {dead} "
        "employees dead-lettered. Redrive after fixing the cause.",
    )
    return EmployerResult(
        failure.employer_id,
        EmployerRunStatus.DEAD_LETTERED,
        # what this execution created and is still live; voided ones may predate it
        paychecks_created=max(0, failure.paychecks_created - voided),
        failed=dead + voided,
        already_paid=failure.already_paid,
        message=f"{failure.error_type}: {failure.message}",
    )


VOID_BATCH = 1000


def _void_unpaid(session: Any, run_id: str, employer_id: int) -> int:
    """Void the employer's unpaid paychecks VOID_BATCH at a time (each batch drops out of the
    next query once voided): an employer of any size never sits in memory whole, and the
    accumulator lookup's IN lists stay within the database's parameter limits."""
    voided = 0
    while batch := list(
        session.scalars(
            select(Paycheck)
            .where(unpaid_paychecks(run_id, employer_id))
            .order_by(Paycheck.id)
            .limit(VOID_BATCH)
        )
    ):
        voided += void_paychecks(session, batch)
        session.flush()  # voided and written: the session keeps no hold on the batch
    return voided


def _compensate_in_flight(session: Any, run_id: str, employer_id: int, now: datetime) -> None:
    """COMPENSATED: every employee of the run still in progress, whether or not a paycheck was
    created yet; not the paid, not the failed (dead-lettered next), not one whose paycheck is
    still live in a payment the provider could not cancel."""
    live = select(Paycheck.employee_id).where(
        Paycheck.run_id == run_id,
        Paycheck.employer_id == employer_id,
        Paycheck.status != PaycheckStatus.VOIDED,
    )
    session.execute(
        update(EmployeeStatus)
        .where(
            EmployeeStatus.run_id == run_id,
            EmployeeStatus.employer_id == employer_id,
            EmployeeStatus.status.not_in(
                (
                    EmployeeRunStatus.PAID,
                    EmployeeRunStatus.FAILED,
                    EmployeeRunStatus.DEAD_LETTERED,
                    EmployeeRunStatus.COMPENSATED,
                )
            ),
            EmployeeStatus.employee_id.not_in(live),
        )
        .values(status=EmployeeRunStatus.COMPENSATED, compensated_at=now)
    )


def unpaid_paychecks(run_id: str, employer_id: int) -> Any:
    """This employer's paychecks of the run that were calculated and joined no payment."""
    return (
        (Paycheck.run_id == run_id)
        & (Paycheck.employer_id == employer_id)
        & (Paycheck.status == PaycheckStatus.CALCULATED)
        & Paycheck.payment_id.is_(None)
    )
