"""Dead-letter redrive: pick open items, skip or retry them, resolve what now succeeded."""

from __future__ import annotations

from sqlalchemy import select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import DeadLetter, EmployerStatus, Paycheck, Payment, PayRun
from payrun.domain.errors import InvalidInput
from payrun.domain.statuses import (
    DeadLetterStatus,
    EmployerRunStatus,
    PaycheckStatus,
    PaymentStatus,
)
from payrun.services.context import PayrollContext
from payrun.services.messages import RedriveInput, RedrivePlan, RedriveTarget

RESOLUTIONS = ("retry", "fix_and_retry", "skip")
ERROR_TYPES = (
    "validation",
    "downstream_timeout",
    "downstream_rejection",
    "calculation_error",
    "bank_return",
    "funding_blocked",
    "error",
)
SETTLED = (EmployerRunStatus.PAID, EmployerRunStatus.PARTIAL, EmployerRunStatus.NOTHING_TO_PAY)
OPEN_PAYMENTS = (PaymentStatus.PENDING, PaymentStatus.SENT)


def validate_redrive(inp: RedriveInput) -> None:
    if inp.resolution not in RESOLUTIONS:
        raise InvalidInput("resolution", f"must be one of {', '.join(RESOLUTIONS)}")
    if inp.error_type is not None and inp.error_type not in ERROR_TYPES:
        raise InvalidInput("error_type", f"unknown error type {inp.error_type!r}")


def select_redrive(ctx: PayrollContext, inp: RedriveInput) -> RedrivePlan:
    """Open items matching the request; skipped ones are closed here, the rest are grouped by
    (run, employer), the unit a redrive re-runs, and their attempt counted."""
    validate_redrive(inp)
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        query = select(DeadLetter).where(DeadLetter.status == DeadLetterStatus.OPEN)
        if inp.dead_letter_ids:
            query = query.where(DeadLetter.id.in_(inp.dead_letter_ids))
            found = {
                d.id
                for d in session.scalars(
                    select(DeadLetter).where(DeadLetter.id.in_(inp.dead_letter_ids))
                )
            }
            missing = sorted(set(inp.dead_letter_ids) - found)
            if missing:
                raise InvalidInput("dead_letter_ids", f"unknown dead letter {missing[0]}")
        if inp.error_type:
            query = query.where(DeadLetter.error_type == inp.error_type)
        letters = session.scalars(query.order_by(DeadLetter.id)).all()
        if inp.resolution == "skip":
            for letter in letters:
                letter.status, letter.resolution, letter.resolved_at = (
                    DeadLetterStatus.SKIPPED,
                    "skip",
                    now,
                )
            return RedrivePlan([], len(letters), [])
        targets = sorted({(d.run_id, d.employer_id) for d in letters})
        for letter in letters:
            letter.attempts += 1
            letter.resolution = inp.resolution
        return RedrivePlan(
            [RedriveTarget(run, employer) for run, employer in targets], 0, [d.id for d in letters]
        )


def resolve_redrive(ctx: PayrollContext, plan: RedrivePlan) -> int:
    """Close the items whose employer now settled and whose employee now has a live paycheck."""
    now = ctx.clock()
    resolved = 0
    with transaction(ctx.db_url) as session:
        letters = session.scalars(
            select(DeadLetter).where(DeadLetter.id.in_(plan.dead_letter_ids))
        ).all()
        for letter in letters:
            if _settled(session, letter):
                letter.status, letter.resolved_at = DeadLetterStatus.RESOLVED, now
                resolved += 1
    return resolved


def _settled(session, letter: DeadLetter) -> bool:  # type: ignore[no-untyped-def]
    status = session.scalar(
        select(EmployerStatus.status).where(
            EmployerStatus.run_id == letter.run_id, EmployerStatus.employer_id == letter.employer_id
        )
    )
    if status not in SETTLED or _unsettled_payment(session, letter):
        return False
    if letter.employee_id == 0:
        return True
    run = session.get(PayRun, letter.run_id)
    return (
        session.scalar(
            select(Paycheck.id).where(
                Paycheck.employee_id == letter.employee_id,
                Paycheck.pay_period_id == run.pay_period_id,
                Paycheck.kind == run.kind,
                Paycheck.status == PaycheckStatus.PAID,
            )
        )
        is not None
    )


def _unsettled_payment(session, letter: DeadLetter) -> bool:  # type: ignore[no-untyped-def]
    """A payment the provider could not cancel is still PENDING or SENT: until someone
    reconciles it with the bank, the employer's money is not settled, whatever its status."""
    return (
        session.scalar(
            select(Payment.id).where(
                Payment.run_id == letter.run_id,
                Payment.employer_id == letter.employer_id,
                Payment.status.in_(OPEN_PAYMENTS),
            )
        )
        is not None
    )


def open_dead_letters(db_url: str, error_type: str | None = None) -> list[DeadLetter]:
    with transaction(db_url) as session:
        query = select(DeadLetter).where(DeadLetter.status == DeadLetterStatus.OPEN)
        if error_type:
            query = query.where(DeadLetter.error_type == error_type)
        return list(session.scalars(query.order_by(DeadLetter.id)))


def reopen(db_url: str, ids: list[int]) -> None:
    with transaction(db_url) as session:
        session.execute(
            update(DeadLetter).where(DeadLetter.id.in_(ids)).values(status=DeadLetterStatus.OPEN)
        )
