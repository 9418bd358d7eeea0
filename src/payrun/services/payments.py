"""Money movement for one employer and run: one live payment per paycheck, a NACHA file, send,
record, cancel. Each paycheck joins at most one payment (paychecks.payment_id), so a retried
or redriven payment can never include anyone twice."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employee, EmployeeStatus, Employer, Paycheck, Payment
from payrun.domain.ach.builder import build_file
from payrun.domain.ach.spec import AchFileSpec, BatchSpec, EntrySpec
from payrun.domain.statuses import (
    EmployerRunStatus,
    PaycheckStatus,
    PaymentStatus,
    paycheck_sources,
    payment_may_move,
)
from payrun.services.context import PayrollContext
from payrun.services.filing_events import record_debit_settled
from payrun.services.funding import ach_name, announce_debit_settled
from payrun.services.funding_first import funding_key, prepare_funding
from payrun.services.messages import EmployerInput, PaymentOutcome, PreparedPayment
from payrun.services.nacha_files import nacha_key, put_nacha, read_nacha
from payrun.services.ports import PaymentBatch
from payrun.services.repaid import REPAY_PREFIX, settle_repaid
from payrun.services.statuses import set_employer_status

OPEN = ("PENDING", "SENT")
log = logging.getLogger(__name__)
CHECKING, SAVINGS = 22, 32
# What the file needs of a paycheck and its employee (see _payees for the columns).
Payee = Row[int, str, str, bytes, str, str, str]


def prepare_payment(ctx: PayrollContext, inp: EmployerInput) -> PreparedPayment:
    """Reuse the open payment of this employer and run, or open the next one and attach every
    calculated, unpaid paycheck to it; write its NACHA file (deterministic, so retries match).

    The file is built outside the attaching transaction, so no write lock is held while
    account numbers are decrypted; nacha_path (its object-store key) is recorded only once
    the file is in place."""
    with transaction(ctx.db_url) as session:
        payment = _open_payment(session, inp) or _new_payment(session, ctx, inp)
        if payment is None:
            return PreparedPayment(0, "", 0, 0, "")
        employer = session.get(Employer, inp.employer_id)
        assert employer is not None
        payees = _payees(session, payment.id)
        effective = session.scalar(
            select(func.min(Paycheck.pay_date)).where(Paycheck.payment_id == payment.id)
        )
        assert effective is not None, "an open payment always has paychecks"
    key = put_nacha(
        ctx,
        nacha_key(payment.run_id, employer.id, payment.sequence),
        build_file(payroll_file_spec(ctx, employer, payment, payees, effective)),
    )
    if payment.nacha_path != key:
        with transaction(ctx.db_url) as session:
            session.execute(update(Payment).where(Payment.id == payment.id).values(nacha_path=key))
    funding, release = prepare_funding(ctx, employer, payment, effective)
    return PreparedPayment(
        payment.id,
        payment.idempotency_key,
        len(payees),
        payment.credit_total_cents,
        key,
        effective.isoformat(),
        funding,
        release,
    )


def _open_payment(session: Session, inp: EmployerInput) -> Payment | None:
    """The run's open payroll payment (a re-pay's payment, repay-..., is not one)."""
    return session.scalar(
        select(Payment).where(
            Payment.run_id == inp.run_id,
            Payment.employer_id == inp.employer_id,
            Payment.status.in_(OPEN),
            Payment.idempotency_key.not_like(f"{REPAY_PREFIX}%"),
        )
    )


def _new_payment(session: Any, ctx: PayrollContext, inp: EmployerInput) -> Payment | None:
    unpaid = (
        (Paycheck.run_id == inp.run_id)
        & (Paycheck.employer_id == inp.employer_id)
        & (Paycheck.status == "CALCULATED")
        & Paycheck.payment_id.is_(None)
    )
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(Paycheck.net_cents), 0)).where(unpaid)
    ).one()
    if not count:
        return None
    sequence = 1 + (
        session.scalar(
            select(func.max(Payment.sequence)).where(
                Payment.run_id == inp.run_id, Payment.employer_id == inp.employer_id
            )
        )
        or 0
    )
    payment = Payment(
        idempotency_key=f"{inp.run_id}-{inp.employer_id}-payment-{sequence}",
        run_id=inp.run_id,
        employer_id=inp.employer_id,
        sequence=sequence,
        provider=ctx.payment_provider.name,
        status="PENDING",
        entry_count=int(count),
        credit_total_cents=int(total),
        debit_total_cents=int(total),
        created_at=ctx.clock(),
    )
    session.add(payment)
    session.flush()
    session.execute(update(Paycheck).where(unpaid).values(payment_id=payment.id))
    return payment


def _payees(session: Session, payment_id: int) -> Sequence[Payee]:
    """Only what the NACHA file needs of each paycheck of the payment, in employee order."""
    return session.execute(
        select(
            Paycheck.net_cents,
            Employee.bank_account_type,
            Employee.bank_routing,
            Employee.bank_account_enc,
            Employee.external_id,
            Employee.last_name,
            Employee.first_name,
        )
        .join(Employee, Employee.id == Paycheck.employee_id)
        .where(Paycheck.payment_id == payment_id)
        .order_by(Paycheck.employee_id)
    ).all()


def payroll_file_spec(
    ctx: PayrollContext,
    employer: Employer,
    payment: Payment,
    payees: Sequence[Payee],
    effective: date,
) -> AchFileSpec:
    """A PPD credit batch (220) to the employees. The employer's CCD funding debit for the same
    total goes first, in a file of its own (funding_first.prepare_funding)."""
    created: datetime = payment.created_at
    company = ach_name(employer.name, 16)
    credits = tuple(_credit_entry(ctx, payee) for payee in payees if payee.net_cents > 0)
    credit_batch = BatchSpec(
        service_class=220,
        company_name=company,
        company_id=employer.ach_company_id,
        sec_code="PPD",
        entry_description="PAYROLL",
        effective_date=effective,
        odfi=employer.odfi_routing[:8],
        entries=credits,
        descriptive_date=effective.strftime("%b %d").upper(),
    )
    return AchFileSpec(
        immediate_destination=employer.odfi_routing,
        immediate_origin=employer.ach_company_id,
        destination_name="PAYRUN ODFI",
        origin_name=ach_name(employer.name, 23),
        created=created.replace(tzinfo=None),
        file_id_modifier="A",
        batches=(credit_batch,),
    )


def _credit_entry(ctx: PayrollContext, payee: Payee) -> EntrySpec:
    net_cents, account_type, routing, account_enc, external_id, last_name, first_name = payee
    return EntrySpec(
        transaction_code=SAVINGS if account_type == "savings" else CHECKING,
        routing=routing,
        account=ctx.vault.decrypt(account_enc),
        amount_cents=net_cents,
        individual_id=external_id,
        individual_name=ach_name(f"{last_name} {first_name}", 22),
    )


def payment_batch(
    ctx: PayrollContext, prepared: PreparedPayment, run_id: str, employer_id: int
) -> PaymentBatch:
    """The batch to send, its file read from the object store (any worker can send it)."""
    nacha = read_nacha(ctx, prepared.nacha_path, f"payment {prepared.payment_id}")
    return PaymentBatch(
        idempotency_key=prepared.idempotency_key,
        employer_id=employer_id,
        run_id=run_id,
        entry_count=prepared.paychecks,
        credit_total_cents=prepared.credit_total_cents,
        debit_total_cents=0,  # the funding debit travels in its own file, first
        nacha=nacha,
        effective_date=date.fromisoformat(prepared.effective_date),
    )


def mark_sent(ctx: PayrollContext, payment_id: int, reference: str) -> None:
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        if payment.status == PaymentStatus.PENDING:
            payment.status, payment.provider_reference = PaymentStatus.SENT, reference
        _set_employee_status(
            session,
            payment,
            only=PaycheckStatus.CALCULATED,
            status="PAYMENT_SENT",
            payment_sent_at=now,
        )
        set_employer_status(
            session, payment.run_id, payment.employer_id, EmployerRunStatus.PAYMENT_SENT, now
        )


def record_payment(ctx: PayrollContext, outcome: PaymentOutcome) -> PaymentOutcome:
    """The provider settled: the payment and its still-CALCULATED paychecks become PAID
    (idempotent). A paycheck a return reached first stays RETURNED, and so does its employee's
    status: the transitions in domain/statuses decide, in one guarded statement each."""
    if not outcome.payment_id:
        return outcome
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        payment = session.get(Payment, outcome.payment_id)
        assert payment is not None
        if payment_may_move(payment.status, PaymentStatus.PAID):
            payment.status = PaymentStatus.PAID
        payment.settled_at = payment.settled_at or now
        payment.provider_reference = outcome.reference or payment.provider_reference
        paid = (Paycheck.payment_id == payment.id) & Paycheck.status.in_(
            paycheck_sources(PaycheckStatus.PAID)
        )
        session.execute(update(Paycheck).where(paid).values(status=PaycheckStatus.PAID))
        settle_repaid(session, payment, now)  # a re-pay's RETURNED paycheck becomes REPAID
        for settled in (PaycheckStatus.PAID, PaycheckStatus.REPAID):
            _set_employee_status(session, payment, status="PAID", paid_at=now, only=settled)
        set_employer_status(
            session, payment.run_id, payment.employer_id, EmployerRunStatus.PAID, now
        )
    announce_debit_settled(ctx, outcome.payment_id)  # once per payment (outbox key)
    record_debit_settled(ctx.db_url, outcome.payment_id, now)  # the filings service's, once
    return PaymentOutcome(
        outcome.payment_id, outcome.paychecks, outcome.credit_total_cents, "PAID", outcome.reference
    )


def _funding_pulled_back(ctx: PayrollContext, key: str) -> bool:
    """True if the payment's funding debit never reached the provider or was pulled back."""
    debit = funding_key(key)
    if ctx.payment_provider.payment_status(debit).state in ("unknown", "cancelled", "rejected"):
        return True
    return ctx.payment_provider.cancel(debit)


def _set_employee_status(
    session: Any, payment: Payment, only: str | None = None, **values: Any
) -> None:
    """One statement for every employee paid by payment (whose paycheck is in status only,
    if given): the database finds them, and no session sync is asked for (it would fetch
    every updated row back)."""
    paid = select(Paycheck.employee_id).where(Paycheck.payment_id == payment.id)
    if only is not None:
        paid = paid.where(Paycheck.status == only)
    session.execute(
        update(EmployeeStatus)
        .where(EmployeeStatus.run_id == payment.run_id, EmployeeStatus.employee_id.in_(paid))
        .values(**values),
        execution_options={"synchronize_session": False},
    )


def cancel_open_payments(ctx: PayrollContext, run_id: str, employer_id: int) -> int:
    """Compensation: cancel every unsettled payment and detach its paychecks.

    A PENDING payment may have reached the provider too (accepted, then the activity failed
    before mark_sent), so the provider is asked to pull back every open payment, not only the
    SENT ones; a provider that never saw the key simply answers no."""
    with transaction(ctx.db_url) as session:
        open_payments = session.execute(
            select(Payment.id, Payment.idempotency_key, Payment.status).where(
                Payment.run_id == run_id,
                Payment.employer_id == employer_id,
                Payment.status.in_(OPEN),
            )
        ).all()
    cancelled = 0
    for payment_id, key, status in open_payments:
        pulled_back = ctx.payment_provider.cancel(key)
        if status == "SENT" and not pulled_back:
            # The provider may already have moved the money: keep the paychecks attached to
            # this payment so nothing voids or re-pays them; `payrun payments reconcile` asks
            # the provider and records its answer.
            log.warning("payment %s could not be cancelled; left SENT for reconcile", key)
            continue
        if not _funding_pulled_back(ctx, key):
            # The employer's debit is (or will be) collected: the credits stay attached and
            # held, so a redrive sends them once the debit settles; nothing is debited twice.
            log.warning("payment %s: funding debit not pulled back; credits held", key)
            continue
        cancelled += 1
        with transaction(ctx.db_url) as session:
            session.execute(
                update(Payment).where(Payment.id == payment_id).values(status="CANCELLED")
            )
            session.execute(
                update(Paycheck)
                .where(Paycheck.payment_id == payment_id, Paycheck.status == "CALCULATED")
                .values(payment_id=None)
            )
    return cancelled
