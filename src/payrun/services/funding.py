"""The employer's funding debit: CCD entries to the registered account (27 checking, 37
savings), in the payroll file or in a file of its own (a re-debit); and the "debit settled"
signal point (debits_settled, FundingDebitSettled) the filings service waits on."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employer, NotificationRecord, Payment, RecoveryCase
from payrun.domain.ach.spec import AchFileSpec, BatchSpec, EntrySpec, split_amount
from payrun.domain.statuses import CaseStatus, PaymentStatus
from payrun.services.context import PayrollContext

DEBIT_CODES = {"checking": 27, "savings": 37}  # Nacha transaction codes by account type


def funding_debits(
    ctx: PayrollContext, employer: Employer, total_cents: int
) -> tuple[EntrySpec, ...]:
    """The employer's debit of total_cents: one entry per split_amount share, as one entry's
    10-digit amount field holds at most $99,999,999.99."""
    account = ctx.vault.decrypt(employer.funding_account_enc)
    code = DEBIT_CODES[employer.funding_account_type or "checking"]
    company = ach_name(employer.name, 16)
    return tuple(
        EntrySpec(
            transaction_code=code,
            routing=employer.funding_routing,
            account=account,
            amount_cents=amount,
            individual_id=employer.ein.replace("-", ""),
            individual_name=company,
        )
        for amount in split_amount(total_cents, "funding_debit")
    )


def funding_debit_spec(
    ctx: PayrollContext,
    employer: Employer,
    amount_cents: int,
    *,
    effective: date,
    created: datetime,
    description: str,
    first_trace: int = 1,
) -> AchFileSpec:
    """A file holding only the employer's CCD debit batch (225)."""
    company = ach_name(employer.name, 16)
    batch = BatchSpec(
        service_class=225,
        company_name=company,
        company_id=employer.ach_company_id,
        sec_code="CCD",
        entry_description=description,
        effective_date=effective,
        odfi=employer.odfi_routing[:8],
        entries=funding_debits(ctx, employer, amount_cents),
        descriptive_date=effective.strftime("%b %d").upper(),
    )
    return AchFileSpec(
        immediate_destination=employer.odfi_routing,
        immediate_origin=employer.ach_company_id,
        destination_name="PAYRUN ODFI",
        origin_name=ach_name(employer.name, 23),
        created=created.replace(tzinfo=None),
        file_id_modifier="B",
        batches=(batch,),
        first_trace_sequence=first_trace,
    )


def ach_name(text: str, length: int) -> str:
    """Upper-case ASCII for the fixed-width name fields (accents dropped, not rejected)."""
    if not (text.isascii() and text.isprintable()):  # most names are plain ASCII already
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        text = "".join(ch for ch in ascii_text if 32 <= ord(ch) < 127)
    return text.upper()[:length].strip() or "PAYEE"


FUNDING_SETTLED_EVENT = "funding.debit_settled"


@dataclass(frozen=True, slots=True)
class FundingDebitSettled:
    """The employer's funding debit for a run settled (and has not come back since)."""

    run_id: str
    employer_id: int
    payment_id: int
    amount_cents: int


def debits_settled(
    ctx: PayrollContext, run_id: str, employer_id: int | None = None
) -> list[FundingDebitSettled]:
    """The signal point for the filings service's WAIT_FOR_DEBITS: every settled funding debit
    of the run (of one employer, if given) with no open recovery case against it. The debit
    travels in its own file (funding_status SETTLED once the provider says so); a payment
    from before that (no funding file) settled with its payroll file (PAID)."""
    query = (
        select(Payment.run_id, Payment.employer_id, Payment.id, Payment.debit_total_cents)
        .where(Payment.run_id == run_id, settled_debit())
        .order_by(Payment.id)
    )
    if employer_id is not None:
        query = query.where(Payment.employer_id == employer_id)
    with transaction(ctx.db_url) as session:
        return [FundingDebitSettled(*row) for row in session.execute(query).all()]


def settled_debit() -> Any:
    """Which payments' funding debits count as collected: settled, something to collect, and
    no open recovery case against it (the filings service's outbox events use it too)."""
    return (
        _debit_settled()
        & (Payment.debit_total_cents > 0)
        & ~select(RecoveryCase.id)
        .where(RecoveryCase.payment_id == Payment.id, RecoveryCase.status != CaseStatus.RESOLVED)
        .exists()
    )


def _debit_settled() -> Any:
    return (Payment.funding_status == "SETTLED") | (
        Payment.funding_path.is_(None) & (Payment.status == PaymentStatus.PAID)
    )


def _settled(payment: Payment) -> bool:
    if payment.funding_path is None:
        return payment.status == PaymentStatus.PAID
    return payment.funding_status == "SETTLED"


def announce_debit_settled(ctx: PayrollContext, payment_id: int) -> FundingDebitSettled | None:
    """Record FundingDebitSettled once per payment in the events outbox (the notifications
    table: event funding.debit_settled, key {payment}-debit-settled, status RECORDED). It is
    not pushed to employer or operator webhooks; the filings side reads it from there."""
    with transaction(ctx.db_url) as session:
        payment = session.get(Payment, payment_id)
        if payment is None or not _settled(payment):
            return None
        if not payment.debit_total_cents:
            return None
        event = FundingDebitSettled(
            payment.run_id, payment.employer_id, payment.id, payment.debit_total_cents
        )
        key = f"{payment.idempotency_key}-debit-settled"
        if session.scalar(
            select(NotificationRecord.id).where(NotificationRecord.idempotency_key == key)
        ):
            return event
        session.add(
            NotificationRecord(
                idempotency_key=key,
                event=FUNDING_SETTLED_EVENT,
                run_id=event.run_id,
                employer_id=event.employer_id,
                status="RECORDED",
                subject=f"Funding debit settled: employer {event.employer_id}",
                body=f"${event.amount_cents / 100:,.2f} collected (payment {event.payment_id}).",
                created_at=ctx.clock(),
            )
        )
    return event
