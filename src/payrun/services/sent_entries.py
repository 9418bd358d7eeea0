"""The entries of the payroll files we sent, each file read at most once: what a return is
matched against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from payrun.adapters.db.models import Employer, Payment
from payrun.domain.ach import codes
from payrun.domain.ach.parser import AchFile, parse_file
from payrun.domain.ach.returns import ReturnEntry
from payrun.services.context import PayrollContext
from payrun.services.nacha_files import read_nacha

SENT_PAYMENTS = ("SENT", "PAID")  # a return can only answer an entry that reached the bank


@dataclass(frozen=True, slots=True)
class SentEntry:
    """One entry of a payroll file we sent: an employee's credit or the employer's debit."""

    payment: Payment
    trace_number: str
    individual_id: str
    amount_cents: int
    credit: bool = True


class SentEntries:
    """The credit entries of the payroll files we sent, each file parsed at most once."""

    def __init__(self, ctx: PayrollContext, session: Any) -> None:
        self.ctx, self.session = ctx, session
        self._by_company: dict[str, list[Payment]] = {}
        self._by_payment: dict[int, list[SentEntry]] = {}

    def matching(self, entry: ReturnEntry, credit: bool = True) -> tuple[list[SentEntry], str]:
        """Newest payment first: by original trace (confirmed by id and amount when several
        share it), else by individual id and amount. Credits, or the funding debits."""
        credits = [
            c
            for p in self._payments(entry.company_id)
            for c in self._credits(p)
            if c.credit is credit
        ]
        individual = entry.individual_id.strip().upper()
        by_trace = [c for c in credits if c.trace_number == entry.original_trace_number]
        confirmed = [
            c
            for c in by_trace
            if c.individual_id == individual and c.amount_cents == entry.amount_cents
        ]
        if confirmed or len(by_trace) == 1:
            return confirmed or by_trace, "trace"
        fallback = [
            c
            for c in credits
            if individual and c.individual_id == individual and c.amount_cents == entry.amount_cents
        ]
        return fallback, "individual_id+amount"

    def matching_trace(
        self, company_id: str, trace: str, individual_id: str
    ) -> tuple[list[SentEntry], str]:
        """The credits of ours with this trace (newest first), confirmed by individual id
        when several files share it."""
        credits = [c for p in self._payments(company_id) for c in self._credits(p) if c.credit]
        by_trace = [c for c in credits if c.trace_number == trace]
        confirmed = [c for c in by_trace if c.individual_id == individual_id.strip().upper()]
        return (confirmed or by_trace[:1]), "trace"

    def _payments(self, company_id: str) -> list[Payment]:
        if company_id not in self._by_company:
            query = select(Payment).where(
                Payment.status.in_(SENT_PAYMENTS), Payment.nacha_path.is_not(None)
            )
            employers = select(Employer.id).where(Employer.ach_company_id == company_id.strip())
            if self.session.scalar(select(func.count()).select_from(employers.subquery())):
                query = query.where(Payment.employer_id.in_(employers))
            order = (Payment.created_at.desc(), Payment.id.desc())
            self._by_company[company_id] = list(self.session.scalars(query.order_by(*order)))
        return self._by_company[company_id]

    def _credits(self, payment: Payment) -> list[SentEntry]:
        if payment.id not in self._by_payment:
            self._by_payment[payment.id] = _read_entries(self.ctx, payment)
        return self._by_payment[payment.id]


def _read_entries(ctx: PayrollContext, payment: Payment) -> list[SentEntry]:
    """Every entry of the payment's file, from the object store. A file that is gone or
    unreadable stops the matching (MissingNachaFile): it must not pass for "no match"."""
    files = [read_nacha(ctx, payment.nacha_path, f"payment {payment.id}")]
    if payment.funding_path:  # the funding debit's own file (funding before credits)
        files.append(read_nacha(ctx, payment.funding_path, f"payment {payment.id} funding"))
    return [entry for data in files for entry in _entries(payment, parse_file(data))]


def _entries(payment: Payment, ach: AchFile) -> list[SentEntry]:
    return [
        SentEntry(
            payment,
            e.detail.trace_number,
            e.detail.individual_identification_number.strip().upper(),
            e.detail.amount,
            codes.is_credit(e.detail.transaction_code),
        )
        for e in ach.entries()
    ]
