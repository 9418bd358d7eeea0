"""Notifications of change (C01-C03): the bank's corrected routing or account number is written
to the employee whose entry it answers, once per notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from payrun.adapters.db.models import AuditLog, Employee
from payrun.domain.ach.notices import APPLIED, ChangeNotice
from payrun.services.bank_accounts import change_bank_account
from payrun.services.context import PayrollContext
from payrun.services.sent_entries import SentEntries

CHANGED, SEEN, NOT_APPLIED, UNMATCHED = "changed", "duplicate", "not_applied", "unmatched"


@dataclass(frozen=True, slots=True)
class AppliedNotice:
    change_code: str
    original_trace_number: str
    outcome: str  # changed | duplicate | not_applied (a code applied by hand) | unmatched
    employee_id: int | None = None
    account_last4: str | None = None


def apply_notices(
    ctx: PayrollContext,
    session: Any,
    sent: SentEntries,
    notices: tuple[ChangeNotice, ...],
    now: datetime,
) -> list[AppliedNotice]:
    return [_apply(ctx, session, sent, notice, now) for notice in notices]


def _apply(
    ctx: PayrollContext, session: Any, sent: SentEntries, notice: ChangeNotice, now: datetime
) -> AppliedNotice:
    base = AppliedNotice(notice.change_code, notice.original_trace_number, UNMATCHED)
    found, _ = sent.matching_trace(notice.company_id, notice.original_trace_number,
                                   notice.individual_id)  # fmt: skip
    if not found:
        return base
    entry = found[0]
    employee_id = session.scalar(
        select(Employee.id).where(
            Employee.employer_id == entry.payment.employer_id,
            func.upper(Employee.external_id) == entry.individual_id,
        )
    )
    if employee_id is None:
        return base
    key = f"noc-{entry.payment.id}-{entry.trace_number}-{notice.change_code}"
    seen = session.scalar(select(AuditLog.id).where(AuditLog.subject == key))
    if seen is not None or notice.change_code not in APPLIED:
        outcome = SEEN if seen is not None else NOT_APPLIED
        return AppliedNotice(notice.change_code, notice.original_trace_number, outcome, employee_id)
    employee = change_bank_account(ctx, session, employee_id, routing=notice.routing,
                                   account=notice.account, actor="ach-noc", now=now)  # fmt: skip
    details = {"employee_id": employee_id, "code": notice.change_code}
    session.add(
        AuditLog(at=now, actor="ach-noc", action="ach.notice_of_change", subject=key,
                 details=details)
    )  # fmt: skip
    return AppliedNotice(notice.change_code, notice.original_trace_number, CHANGED, employee_id,
                         employee.bank_account_last4)  # fmt: skip
