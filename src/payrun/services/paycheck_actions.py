"""Void a paycheck not yet paid; reverse a paid one inside the NACHA window. Each is idempotent
and takes the paycheck's amounts out of year-to-date exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import AuditLog, Paycheck, Payment, PayRun
from payrun.services.context import PayrollContext
from payrun.services.errors import Conflict, NotFound
from payrun.services.paychecks import void_paychecks
from payrun.services.reversals import reverse_payment

LIVE_PAYMENTS = ("PENDING", "SENT", "PAID")
YTD_REVERSED = "paycheck.ytd_reversed"


@dataclass(frozen=True)
class Outcome:
    paycheck_id: int
    status: str
    changed: bool  # False: it was already done (a repeat)
    reversal_file: str | None = None


def void_paycheck(ctx: PayrollContext, paycheck_id: int, actor: str) -> Outcome:
    with transaction(ctx.db_url) as session:
        check = _locked(session, paycheck_id)
        if check.status == "VOIDED":
            return Outcome(check.id, check.status, False)
        if check.status != "CALCULATED" or _in_live_payment(session, check):
            raise Conflict(
                "status", f"paycheck is {check.status} and in a payment: reverse it instead"
            )
        run = session.get(PayRun, check.run_id)
        if run is not None and run.status in ("BEGIN", "RUNNING"):
            raise Conflict("status", f"its pay run {run.id} is still running")
        void_paychecks(session, [check])
        session.add(_audit(ctx, "paycheck.voided", check, actor))
        return Outcome(check.id, "VOIDED", True)


def reverse_paycheck(ctx: PayrollContext, paycheck_id: int, actor: str, today: date) -> Outcome:
    """A reversing entry for this paycheck's credit (services.reversals), then its amounts out
    of YTD. A repeat finds both done; a crash between them is finished by the next call."""
    with transaction(ctx.db_url) as session:
        check = _locked(session, paycheck_id)
        status, payment_id, employee_id = check.status, check.payment_id, check.employee_id
    if status not in ("PAID", "REVERSED") or payment_id is None:
        raise Conflict("status", f"paycheck is {status}: only a paid paycheck can be reversed")
    path = reverse_payment(ctx, payment_id, [employee_id], today)
    with transaction(ctx.db_url) as session:
        check = _locked(session, paycheck_id)
        subject = f"paycheck-{paycheck_id}"
        done = session.scalar(
            select(AuditLog.id).where(AuditLog.action == YTD_REVERSED, AuditLog.subject == subject)
        )
        if done is not None:
            return Outcome(paycheck_id, check.status, False, str(path))
        void_paychecks(session, [check])  # YTD adjusted once, as a void does
        check.status = "REVERSED"
        session.add(_audit(ctx, YTD_REVERSED, check, actor, path=str(path)))
        return Outcome(paycheck_id, "REVERSED", True, str(path))


def _locked(session: Any, paycheck_id: int) -> Paycheck:
    check = session.scalar(select(Paycheck).where(Paycheck.id == paycheck_id).with_for_update())
    if check is None:
        raise NotFound("paycheck", paycheck_id)
    return check  # type: ignore[no-any-return]


def _in_live_payment(session: Any, check: Paycheck) -> bool:
    if check.payment_id is None:
        return False
    status = session.scalar(select(Payment.status).where(Payment.id == check.payment_id))
    return status in LIVE_PAYMENTS


def _audit(
    ctx: PayrollContext, action: str, check: Paycheck, actor: str, **details: Any
) -> AuditLog:
    return AuditLog(
        at=ctx.clock(),
        actor=actor[:64],
        action=action,
        subject=f"paycheck-{check.id}",
        details={"employee_id": check.employee_id, "run_id": check.run_id, **details},
        outcome="ok",
    )
