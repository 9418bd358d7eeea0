"""Bank returns: find each returned entry's paycheck, route it to its status, the dead-letter
queue and a notification. One transaction per return file; processing a file twice is a no-op."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    AuditLog,
    Employee,
    EmployeeStatus,
    NotificationRecord,
    Paycheck,
    Repayment,
)
from payrun.domain.ach.notices import notices_in
from payrun.domain.ach.parser import parse_file
from payrun.domain.ach.returns import (
    BANK_RETURN,
    ReturnDisposition,
    ReturnEntry,
    classify_return,
    returns_in,
)
from payrun.domain.errors import InvalidInput
from payrun.domain.statuses import PaycheckStatus, paycheck_may_move
from payrun.services.compensation import dead_letter
from payrun.services.context import PayrollContext
from payrun.services.notices import AppliedNotice, apply_notices
from payrun.services.notifications import notify
from payrun.services.recovery import open_case, redebit_returned
from payrun.services.sent_entries import SentEntries, SentEntry

log = logging.getLogger(__name__)

STEP = "bank_return"
EVENT = "paycheck.returned"
FUNDING_EVENT = "funding.returned"  # an operator alert: the employer's debit came back


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
    recovery_case_id: int | None = None  # a returned funding debit's case
    event: str = EVENT


@dataclass(frozen=True, slots=True)
class ReturnsReport:
    returns: tuple[RoutedReturn, ...]
    notices: tuple[AppliedNotice, ...] = ()

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.returns if r.outcome == outcome)


def process_returns(ctx: PayrollContext, data: bytes) -> ReturnsReport:
    """Route every return entry of data; InvalidInput if the file cannot be read at all."""
    ach = parse_file(data)
    entries, notices = returns_in(ach), notices_in(ach)
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        credits = SentEntries(ctx, session)
        routed = [_route(session, credits, entry, now) for entry in entries]
        changes = apply_notices(ctx, session, credits, notices, now)
    return ReturnsReport(tuple(_notify(ctx, r) for r in routed), tuple(changes))


def return_key(payment_id: int, trace_number: str, code: str) -> str:
    """Business key of one return: our payment, our entry's trace, the reason code."""
    return f"return-{payment_id}-{trace_number}-{code}"


def _route(session: Any, credits: SentEntries, entry: ReturnEntry, now: datetime) -> RoutedReturn:
    base = _unmatched(entry, "")
    try:
        disposition = classify_return(entry.return_code)
    except InvalidInput as error:
        return _replace(base, message=str(error))
    if not entry.returned_credit:
        return _route_debit(session, credits, entry, disposition, now)
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


def _route_debit(
    session: Any,
    credits: SentEntries,
    entry: ReturnEntry,
    disposition: ReturnDisposition,
    now: datetime,
) -> RoutedReturn:
    """A returned funding debit (or re-debit): its employer's recovery case and an alert."""
    base = _replace(_unmatched(entry, ""), event=FUNDING_EVENT)
    again = redebit_returned(session, entry.company_id, entry.original_trace_number,
                             disposition, now)  # fmt: skip
    if again is not None:
        case, new = again
        key = f"{case.idempotency_key}-redebit-{case.redebits}"
    else:
        found, matched_by = credits.matching(entry, credit=False)
        if not found:
            return _replace(base, message="no funding debit of ours has this trace and amount")
        debit = found[0]
        key = return_key(debit.payment.id, debit.trace_number, disposition.code)
        case, new = open_case(session, debit.payment, debit.trace_number, disposition, key,
                              entry.amount_cents, now)  # fmt: skip
        base = _replace(base, matched_by=matched_by)
    routed = _replace(
        base,
        outcome=ROUTED if new else DUPLICATE,
        message=f"{disposition.message} Recovery case {case.id} is {case.status}.",
        payment_id=case.payment_id,
        employer_id=case.employer_id,
        run_id=case.run_id,
        notification_key=key,
        recovery_case_id=case.id,
    )
    if new:
        session.add(_audit(routed, now))
        _record_notice(session, routed, now)
    return routed


def _record_notice(session: Any, routed: RoutedReturn, now: datetime) -> None:
    assert routed.notification_key is not None and routed.run_id is not None
    subject, body = _notice(routed)
    session.add(
        NotificationRecord(
            idempotency_key=routed.notification_key,
            event=routed.event,
            run_id=routed.run_id,
            employer_id=routed.employer_id,
            status="PENDING",  # notify() delivers PENDING records after this commits
            subject=subject[:200],
            body=body,
            created_at=now,
        )
    )


def _apply(
    session: Any,
    routed: RoutedReturn,
    paycheck: Paycheck,
    credit: SentEntry,
    disposition: ReturnDisposition,
    now: datetime,
) -> RoutedReturn:
    """Paycheck and employee status, dead letter, audit row and the notification record."""
    if paycheck_may_move(paycheck.status, PaycheckStatus.RETURNED):
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
    _record_notice(session, routed, now)
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
        event=routed.event,
        run_id=routed.run_id,
        employer_id=routed.employer_id,
        subject=subject,
        body=body,
    )
    return _replace(routed, notified=sent)


def _notice(routed: RoutedReturn) -> tuple[str, str]:
    if routed.recovery_case_id is not None:
        subject = (
            f"ACH return {routed.return_code} of the funding debit of employer "
            f"{routed.employer_id} (run {routed.run_id})"
        )
        body = f"The employer's bank returned ${routed.amount_cents / 100:,.2f}. {routed.message}"
        return subject, body
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


def _paycheck(session: Any, credit: SentEntry) -> Paycheck | None:
    employee_id = session.scalar(
        select(Employee.id).where(
            Employee.employer_id == credit.payment.employer_id,
            func.upper(Employee.external_id) == credit.individual_id,
        )
    )
    if employee_id is None:
        return None
    # The paycheck joined a re-pay's payment since: found through its repayment.
    repaid = select(Repayment.paycheck_id).where(Repayment.original_payment_id == credit.payment.id)
    query = select(Paycheck).where(
        (Paycheck.payment_id == credit.payment.id) | Paycheck.id.in_(repaid),
        Paycheck.employee_id == employee_id,
    )
    return session.scalar(query.with_for_update())  # type: ignore[no-any-return]


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
