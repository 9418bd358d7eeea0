"""Bank returns: find each returned entry's paycheck, route it to its status, the dead-letter
queue and a notification. One transaction per return file; processing a file twice is a no-op."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    AuditLog,
    Employee,
    EmployeeStatus,
    Employer,
    NotificationRecord,
    Paycheck,
    Payment,
)
from payrun.domain.ach import codes
from payrun.domain.ach.parser import parse_file
from payrun.domain.ach.returns import (
    BANK_RETURN,
    ReturnDisposition,
    ReturnEntry,
    classify_return,
    parse_returns,
)
from payrun.domain.errors import InvalidInput
from payrun.services.compensation import dead_letter
from payrun.services.context import PayrollContext
from payrun.services.notifications import notify

log = logging.getLogger(__name__)

STEP = "bank_return"
EVENT = "paycheck.returned"
SENT_PAYMENTS = ("SENT", "PAID")  # a return can only answer an entry that reached the bank
RETURNABLE = ("CALCULATED", "PAID")  # paycheck statuses a return moves to RETURNED

ROUTED, DUPLICATE, CONFLICT, UNMATCHED = "routed", "duplicate", "conflict", "unmatched"


@dataclass(frozen=True, slots=True)
class RoutedReturn:
    """One return entry and where it went."""

    return_code: str
    original_trace_number: str
    individual_id: str
    amount_cents: int
    outcome: str  # routed | duplicate (seen before) | conflict (paycheck not live) | unmatched
    message: str
    matched_by: str = ""  # trace | individual_id+amount
    payment_id: int | None = None
    paycheck_id: int | None = None
    employee_id: int | None = None
    employer_id: int | None = None
    run_id: str | None = None
    paycheck_status: str | None = None
    account_fix_required: bool = False
    notification_key: str | None = None
    notified: bool = False  # this call delivered the notification


@dataclass(frozen=True, slots=True)
class ReturnsReport:
    returns: tuple[RoutedReturn, ...]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.returns if r.outcome == outcome)


@dataclass(frozen=True, slots=True)
class _Credit:
    """One credit entry of a payroll file we sent."""

    payment: Payment
    trace_number: str
    individual_id: str
    amount_cents: int


def process_returns(ctx: PayrollContext, data: bytes) -> ReturnsReport:
    """Route every return entry of data; InvalidInput if the file cannot be read at all."""
    entries = parse_returns(data)
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        credits = _SentCredits(session)
        routed = [_route(session, credits, entry, now) for entry in entries]
    return ReturnsReport(tuple(_notify(ctx, r) for r in routed))


def return_key(payment_id: int, trace_number: str, code: str) -> str:
    """Business key of one return: our payment, our entry's trace, the reason code."""
    return f"return-{payment_id}-{trace_number}-{code}"


def _route(session: Any, credits: _SentCredits, entry: ReturnEntry, now: datetime) -> RoutedReturn:
    base = _unmatched(entry, "")
    try:
        disposition = classify_return(entry.return_code)
    except InvalidInput as error:
        return _replace(base, message=str(error))
    found, matched_by = credits.matching(entry)
    if not found:
        return _replace(base, message="no payment of ours has this trace, id and amount")
    keys = {return_key(c.payment.id, c.trace_number, disposition.code): c for c in found}
    seen = session.scalar(
        select(NotificationRecord.idempotency_key).where(
            NotificationRecord.idempotency_key.in_(list(keys))
        )
    )
    credit = keys[seen] if seen else found[0]
    paycheck = _paycheck(session, credit)
    if paycheck is None:
        return _replace(base, message=f"payment {credit.payment.id} has no paycheck for this entry")
    routed = _replace(
        base,
        outcome=DUPLICATE if seen else ROUTED,
        message=disposition.message,
        matched_by=matched_by,
        payment_id=credit.payment.id,
        paycheck_id=paycheck.id,
        employee_id=paycheck.employee_id,
        employer_id=paycheck.employer_id,
        run_id=paycheck.run_id,
        paycheck_status=paycheck.status,
        account_fix_required=disposition.account_fix_required,
        notification_key=return_key(credit.payment.id, credit.trace_number, disposition.code),
    )
    if seen:
        return routed
    return _apply(session, routed, paycheck, credit, disposition, now)


def _apply(
    session: Any,
    routed: RoutedReturn,
    paycheck: Paycheck,
    credit: _Credit,
    disposition: ReturnDisposition,
    now: datetime,
) -> RoutedReturn:
    """Paycheck and employee status, dead letter, audit row and the notification record."""
    if paycheck.status in RETURNABLE:
        paycheck.status = disposition.paycheck_status
        session.execute(
            update(EmployeeStatus)
            .where(
                EmployeeStatus.run_id == paycheck.run_id,
                EmployeeStatus.employee_id == paycheck.employee_id,
            )
            .values(
                status=disposition.paycheck_status,
                error_type=BANK_RETURN,
                error=f"{disposition.code}: {disposition.reason}",
                dead_lettered_at=now,
            )
        )
        routed = _replace(routed, paycheck_status=paycheck.status)
    else:
        note = f"The paycheck is {paycheck.status}, so it was left as is: review the money."
        routed = _replace(routed, outcome=CONFLICT, message=f"{routed.message} {note}")
    fix = "yes" if disposition.account_fix_required else "no"
    error = (
        f"{routed.message} [trace {credit.trace_number}, "
        f"${routed.amount_cents / 100:,.2f}, account fix required: {fix}]"
    )
    ref = f"{credit.payment.nacha_path}#trace={credit.trace_number}"
    dead_letter(
        session,
        paycheck.run_id,
        paycheck.employer_id,
        paycheck.employee_id,
        STEP,
        BANK_RETURN,
        error,
        ref,
        now,
    )
    session.add(_audit(routed, now))
    assert routed.notification_key is not None
    subject, body = _notice(routed)
    session.add(
        NotificationRecord(
            idempotency_key=routed.notification_key,
            event=EVENT,
            run_id=paycheck.run_id,
            employer_id=paycheck.employer_id,
            status="PENDING",  # notify() delivers PENDING records after this commits
            subject=subject[:200],
            body=body,
            created_at=now,
        )
    )
    return routed


def _notify(ctx: PayrollContext, routed: RoutedReturn) -> RoutedReturn:
    """Deliver after the commit; a record still PENDING (a crash before sending) is resent."""
    if routed.notification_key is None or routed.run_id is None:
        if routed.outcome == UNMATCHED:
            log.warning("unmatched return %s %s", routed.return_code, routed.original_trace_number)
        return routed
    subject, body = _notice(routed)
    sent = notify(
        ctx,
        key=routed.notification_key,
        event=EVENT,
        run_id=routed.run_id,
        employer_id=routed.employer_id,
        subject=subject,
        body=body,
    )
    return _replace(routed, notified=sent)


def _notice(routed: RoutedReturn) -> tuple[str, str]:
    subject = (
        f"ACH return {routed.return_code} for employee {routed.employee_id} "
        f"(employer {routed.employer_id}, run {routed.run_id})"
    )
    body = (
        f"The bank returned paycheck {routed.paycheck_id} (${routed.amount_cents / 100:,.2f}). "
        f"{routed.message}"
    )
    return subject, body


def _audit(routed: RoutedReturn, now: datetime) -> AuditLog:
    return AuditLog(
        at=now,
        actor="ach-returns",
        action="ach.return",
        subject=routed.notification_key or "",
        details={
            "return_code": routed.return_code,
            "original_trace_number": routed.original_trace_number,
            "matched_by": routed.matched_by,
            "payment_id": routed.payment_id,
            "paycheck_id": routed.paycheck_id,
            "employee_id": routed.employee_id,
            "amount_cents": routed.amount_cents,
            "outcome": routed.outcome,
        },
    )


def _paycheck(session: Any, credit: _Credit) -> Paycheck | None:
    employee_id = session.scalar(
        select(Employee.id).where(
            Employee.employer_id == credit.payment.employer_id,
            func.upper(Employee.external_id) == credit.individual_id,
        )
    )
    if employee_id is None:
        return None
    query = select(Paycheck).where(
        Paycheck.payment_id == credit.payment.id, Paycheck.employee_id == employee_id
    )
    return session.scalar(query.with_for_update())  # type: ignore[no-any-return]


class _SentCredits:
    """The credit entries of the payroll files we sent, each file parsed at most once."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._by_company: dict[str, list[Payment]] = {}
        self._by_payment: dict[int, list[_Credit]] = {}

    def matching(self, entry: ReturnEntry) -> tuple[list[_Credit], str]:
        """Newest payment first: by original trace (confirmed by id and amount when several
        share it), else by individual id and amount."""
        credits = [c for p in self._payments(entry.company_id) for c in self._credits(p)]
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

    def _credits(self, payment: Payment) -> list[_Credit]:
        if payment.id not in self._by_payment:
            self._by_payment[payment.id] = _read_credits(payment)
        return self._by_payment[payment.id]


def _read_credits(payment: Payment) -> list[_Credit]:
    try:
        ach = parse_file(Path(payment.nacha_path or "").read_bytes())
    except (OSError, InvalidInput) as error:
        log.warning("payment %s: NACHA file unreadable (%s)", payment.id, error)
        return []
    return [
        _Credit(
            payment,
            e.detail.trace_number,
            e.detail.individual_identification_number.strip().upper(),
            e.detail.amount,
        )
        for e in ach.entries()
        if codes.is_credit(e.detail.transaction_code)
    ]


def _unmatched(entry: ReturnEntry, message: str) -> RoutedReturn:
    return RoutedReturn(
        return_code=entry.return_code,
        original_trace_number=entry.original_trace_number,
        individual_id=entry.individual_id.strip(),
        amount_cents=entry.amount_cents,
        outcome=UNMATCHED,
        message=message,
    )


def _replace(routed: RoutedReturn, **changes: Any) -> RoutedReturn:
    return replace(routed, **changes)
