"""Funding before credits: the employer's funding debit goes in a file of its own, first; the
credits are released only once it has settled, or at once for a prefunded (trusted) employer
within its exposure limit. A debit not settled in time holds the credits and alerts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employer, Payment
from payrun.domain.ach.builder import build_file
from payrun.domain.statuses import PaymentStatus
from payrun.services.context import PayrollContext
from payrun.services.filing_events import record_debit_settled
from payrun.services.funding import announce_debit_settled, funding_debit_spec
from payrun.services.messages import PreparedPayment
from payrun.services.nacha_files import put_nacha, read_nacha
from payrun.services.notifications import notify
from payrun.services.ports import PaymentBatch

SENT, SETTLED, HELD = "SENT", "SETTLED", "HELD"  # payments.funding_status
HELD_EVENT = "funding.held"


def funding_key(payment_key: str) -> str:
    """The funding debit's own idempotency key at the provider."""
    return f"{payment_key}-funding"


def prepare_funding(
    ctx: PayrollContext, employer: Employer, payment: Payment, effective: date
) -> tuple[str, bool]:
    """Write the debit file (deterministic from the payment) and decide whether the credits
    may go before it settles: (object-store key, release now)."""
    spec = funding_debit_spec(
        ctx, employer, payment.debit_total_cents, effective=effective,
        created=payment.created_at, description="PAYROLL",
    )  # fmt: skip
    key = put_nacha(ctx, f"nacha/{payment.run_id}/employer-{employer.id}-payment-"
                         f"{payment.sequence}-funding.ach", build_file(spec))  # fmt: skip
    with transaction(ctx.db_url) as session:
        session.execute(update(Payment).where(Payment.id == payment.id).values(funding_path=key))
        release = _within_exposure(session, employer, payment)
    return key, release


def _within_exposure(session: object, employer: Employer, payment: Payment) -> bool:
    """A prefunded (trusted) employer's credits go before its debit settles while every such
    unsettled amount, this one included, stays within its exposure limit."""
    if not employer.prefunded:
        return False
    exposed = session.scalar(  # type: ignore[attr-defined]
        select(func.coalesce(func.sum(Payment.credit_total_cents), 0)).where(
            Payment.employer_id == employer.id,
            Payment.id != payment.id,
            Payment.funding_status == SENT,
            Payment.status.in_((PaymentStatus.SENT, PaymentStatus.PAID)),
        )
    )
    return int(exposed or 0) + payment.credit_total_cents <= employer.exposure_limit_cents


def send_funding(ctx: PayrollContext, prepared: PreparedPayment) -> str:
    """Hand the debit file to the provider under its own key (safe to repeat)."""
    with transaction(ctx.db_url) as session:
        payment = session.get(Payment, prepared.payment_id)
        assert payment is not None
        run_id, employer_id, amount = payment.run_id, payment.employer_id, payment.debit_total_cents
        effective = date.fromisoformat(prepared.effective_date)
    data = read_nacha(ctx, prepared.funding_path, f"payment {prepared.payment_id} funding")
    batch = PaymentBatch(funding_key(prepared.idempotency_key), employer_id, run_id, 1, 0,
                         amount, data, effective)  # fmt: skip
    receipt = ctx.payment_provider.submit(batch, None)
    if not receipt.accepted:
        return "rejected"
    with transaction(ctx.db_url) as session:
        session.execute(
            update(Payment)
            .where(Payment.id == prepared.payment_id, Payment.funding_status.is_(None))
            .values(funding_status=SENT)
        )
    return "sent"


def funding_state(ctx: PayrollContext, prepared: PreparedPayment) -> str:
    """Ask the provider about the debit: settled is recorded (SETTLED); the answer returned."""
    answer = ctx.payment_provider.payment_status(funding_key(prepared.idempotency_key))
    if answer.state == "settled":
        with transaction(ctx.db_url) as session:
            session.execute(
                update(Payment)
                .where(Payment.id == prepared.payment_id)
                .values(funding_status=SETTLED)
            )
        announce_debit_settled(ctx, prepared.payment_id)  # the WAIT_FOR_DEBITS event, once
        record_debit_settled(ctx.db_url, prepared.payment_id, ctx.clock())  # and for filings
    return answer.state


def hold_credits(ctx: PayrollContext, prepared: PreparedPayment, why: str) -> None:
    """The debit did not settle in time: the credits stay unsent (HELD) and operators hear."""
    with transaction(ctx.db_url) as session:
        payment = session.get(Payment, prepared.payment_id)
        assert payment is not None
        payment.funding_status = HELD
        run_id, employer_id = payment.run_id, payment.employer_id
    notify(
        ctx,
        key=f"{prepared.idempotency_key}-funding-held",
        event=HELD_EVENT,
        run_id=run_id,
        employer_id=employer_id,
        subject=f"Payroll credits held: employer {employer_id}'s funding debit has not settled",
        body=f"{why}. ${prepared.credit_total_cents / 100:,.2f} of credits wait for it "
        "(the downstream redrive retries it: payrun redrive --error-type downstream_timeout).",
    )
