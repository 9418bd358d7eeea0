"""Payments in doubt: a payment SENT (or PENDING) whose answer never reached us is settled,
failed or left waiting by asking the provider about its idempotency key."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import AuditLog, Paycheck, Payment
from payrun.domain.statuses import PaycheckStatus, PaymentStatus, payment_may_move
from payrun.services.context import PayrollContext
from payrun.services.messages import PaymentOutcome
from payrun.services.payments import record_payment

log = logging.getLogger(__name__)
FAILED = {"rejected": PaymentStatus.REJECTED, "cancelled": PaymentStatus.CANCELLED}


@dataclass(frozen=True, slots=True)
class InDoubtAnswer:
    payment_id: int
    idempotency_key: str
    provider_state: str  # what the provider said
    status: str  # the payment's status afterwards


def resolve_in_doubt(ctx: PayrollContext, run_id: str | None = None) -> list[InDoubtAnswer]:
    """Ask the provider about every unsettled payment (of run_id, if given) and record what it
    says: settled -> PAID (paychecks and statuses, as a callback would); rejected or cancelled
    -> the payment fails and its unpaid paychecks are detached for a redrive; accepted or
    unknown -> left as is (still in flight, or never sent: the saga owns those)."""
    with transaction(ctx.db_url) as session:
        query = select(Payment.id, Payment.idempotency_key).where(
            Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.SENT))
        )
        if run_id is not None:
            query = query.where(Payment.run_id == run_id)
        open_payments = session.execute(query.order_by(Payment.id)).all()
    return [_settle(ctx, payment_id, key) for payment_id, key in open_payments]


def _settle(ctx: PayrollContext, payment_id: int, key: str) -> InDoubtAnswer:
    answer = ctx.payment_provider.payment_status(key)
    if answer.state == "settled":
        with transaction(ctx.db_url) as session:
            payment = session.get(Payment, payment_id)
            assert payment is not None
            outcome = PaymentOutcome(
                payment.id, payment.entry_count, payment.credit_total_cents, "settled",
                answer.reference,
            )  # fmt: skip
        record_payment(ctx, outcome)
        status = PaymentStatus.PAID
    elif answer.state in FAILED:
        status = _fail(ctx, payment_id, FAILED[answer.state], answer.message)
    else:
        with transaction(ctx.db_url) as session:
            status = session.scalar(select(Payment.status).where(Payment.id == payment_id))
    log.info("payment in doubt %s: provider says %s -> %s", key, answer.state, status)
    return InDoubtAnswer(payment_id, key, answer.state, str(status))


def _fail(ctx: PayrollContext, payment_id: int, status: PaymentStatus, message: str) -> str:
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        if not payment_may_move(payment.status, status):
            return str(payment.status)
        payment.status = status
        session.execute(
            update(Paycheck)
            .where(Paycheck.payment_id == payment_id, Paycheck.status == PaycheckStatus.CALCULATED)
            .values(payment_id=None)
        )
        session.add(
            AuditLog(
                at=now,
                actor="payments-in-doubt",
                action=f"payment.{status.lower()}",
                subject=payment.idempotency_key,
                details={"payment_id": payment_id, "message": message},
            )
        )
        return str(status)
