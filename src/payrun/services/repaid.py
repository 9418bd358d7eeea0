"""A re-pay settled: its RETURNED paycheck becomes REPAID and the return's dead letter closes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from payrun.adapters.db.models import DeadLetter, Paycheck, Payment
from payrun.domain.statuses import PaycheckStatus

REPAY_PREFIX = "repay-"  # idempotency keys of re-pay payments (services/repay.py)


def settle_repaid(session: Any, payment: Payment, now: datetime) -> None:
    """Called when a re-pay payment settles: its RETURNED paycheck becomes REPAID and the
    return's dead letter is resolved."""
    if not payment.idempotency_key.startswith(REPAY_PREFIX):
        return
    paycheck = session.scalar(
        select(Paycheck).where(
            Paycheck.payment_id == payment.id, Paycheck.status == PaycheckStatus.RETURNED
        )
    )
    if paycheck is None:
        return
    paycheck.status = PaycheckStatus.REPAID
    resolve_return_letter(session, paycheck, "repaid", now)


def resolve_return_letter(session: Any, paycheck: Paycheck, resolution: str, now: datetime) -> None:
    """The bank-return dead letter of the paycheck's employee and run is done with."""
    session.execute(
        update(DeadLetter)
        .where(
            DeadLetter.run_id == paycheck.run_id,
            DeadLetter.employee_id == paycheck.employee_id,
            DeadLetter.step == "bank_return",
            DeadLetter.status == "OPEN",
        )
        .values(status="RESOLVED", resolution=resolution, resolved_at=now)
    )
