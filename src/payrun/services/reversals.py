"""Reverse an erroneous payroll payment: a reversing file built from the file we sent, inside
Nacha's 5-banking-day window; the reversed paychecks become REVERSED and the audit log says so."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import AuditLog, Employee, Paycheck, Payment
from payrun.domain.ach import codes
from payrun.domain.ach.builder import build_file
from payrun.domain.ach.parser import AchFile, Batch, parse_file
from payrun.domain.ach.reversals import build_reversal
from payrun.domain.ach.spec import AchFileSpec
from payrun.domain.banking_days import banking_day_on_or_after
from payrun.domain.errors import InvalidInput
from payrun.private_files import write_private
from payrun.services.context import PayrollContext
from payrun.services.nacha_files import read_nacha
from payrun.services.ytd_adjustments import undo_ytd

REVERSED = "REVERSED"
ACTION = "payment.reversed"


def reverse_payment(
    ctx: PayrollContext,
    payment_id: int,
    employee_ids: Sequence[int] | None,
    reversal_date: date,
) -> Path:
    """The reversing NACHA file for employee_ids' credits (None: every credit) of a settled
    payment. Asking again for the same payment and employees returns the same file.

    Raises ReversalWindowClosed (naming the deadline) when reversal_date is past the window,
    InvalidInput for an unknown payment or employee, or a paycheck that is no longer PAID.
    Nothing is written unless the whole reversal is valid.
    """
    with transaction(ctx.db_url) as session:
        payment = _settled_payment(session, payment_id)
        checks = _paychecks(session, payment, employee_ids)
        subject = reversal_subject(payment.id, [c.employee_id for c, _ in checks])
        done = session.scalar(
            select(AuditLog).where(AuditLog.action == ACTION, AuditLog.subject == subject)
        )
        if done is not None:
            return Path(done.details["path"])
        _require_paid(checks)
        original = parse_file(read_nacha(ctx, payment.nacha_path, f"payment {payment.id}"))
        credits = _credit_batch(original, payment)
        traces = _traces(credits, checks)
        settled = settlement_date(payment, credits)
        batch = build_reversal(
            credits, traces, settlement_date=settled, reversal_date=reversal_date
        )  # raises ReversalWindowClosed before anything is written
        previous = _reversal_count(session, payment.id)
        spec = AchFileSpec(
            immediate_destination=original.header.immediate_destination,
            immediate_origin=original.header.immediate_origin,
            destination_name=original.header.immediate_destination_name,
            origin_name=original.header.immediate_origin_name,
            created=ctx.clock().replace(tzinfo=None),
            file_id_modifier=_modifier(previous),
            batches=(batch,),
        )
        path = _write(ctx, payment, subject, build_file(spec))
        for paycheck, _ in checks:
            paycheck.status = REVERSED
        undo_ytd(session, [paycheck for paycheck, _ in checks], "reversal", ctx.clock())
        session.add(_audit(ctx, payment, checks, subject, path, settled, reversal_date, traces))
    return path


def settlement_date(payment: Payment, credits: Batch) -> date:
    """The banking day the payment settled: when the bank reported it, but never before the
    batch's effective entry date (an ACH entry cannot settle earlier)."""
    effective = banking_day_on_or_after(credits.header.effective_entry_date)
    assert payment.settled_at is not None
    return max(effective, banking_day_on_or_after(payment.settled_at.date()))


def reversal_subject(payment_id: int, employee_ids: Sequence[int]) -> str:
    """Business key of one reversal: the payment and the sorted set of employees."""
    joined = ",".join(str(i) for i in sorted(set(employee_ids)))
    return f"payment-{payment_id}-reversal-{hashlib.sha256(joined.encode()).hexdigest()[:12]}"


def _settled_payment(session: Any, payment_id: int) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise InvalidInput("payment", f"unknown payment {payment_id}")
    if payment.status != "PAID" or payment.settled_at is None:
        raise InvalidInput(
            "payment",
            f"payment {payment_id} is {payment.status}, not settled: cancel it instead",
        )
    if not payment.nacha_path:
        raise InvalidInput("payment", f"payment {payment_id} has no NACHA file on record")
    return payment  # type: ignore[no-any-return]


def _paychecks(
    session: Any, payment: Payment, employee_ids: Sequence[int] | None
) -> list[tuple[Paycheck, Employee]]:
    """The payment's paychecks that carried a credit, for the named employees (locked)."""
    query = (
        select(Paycheck, Employee)
        .join(Employee, Employee.id == Paycheck.employee_id)
        .where(Paycheck.payment_id == payment.id, Paycheck.net_cents > 0)
        .order_by(Paycheck.employee_id)
        .with_for_update()
    )
    rows = [(c, e) for c, e in session.execute(query).all()]
    if employee_ids is None:
        return rows
    if not employee_ids:
        raise InvalidInput("employee_ids", "name at least one employee, or none for all")
    by_employee = {c.employee_id: (c, e) for c, e in rows}
    for employee_id in employee_ids:
        if employee_id not in by_employee:
            raise InvalidInput(
                "employee_ids", f"employee {employee_id} has no credit in payment {payment.id}"
            )
    return [by_employee[i] for i in sorted(set(employee_ids))]


def _require_paid(checks: list[tuple[Paycheck, Employee]]) -> None:
    for paycheck, _ in checks:
        if paycheck.status != "PAID":
            raise InvalidInput(
                "employee_ids",
                f"employee {paycheck.employee_id}'s paycheck {paycheck.id} is "
                f"{paycheck.status}, not PAID; only a paid credit can be reversed",
            )


def _credit_batch(original: AchFile, payment: Payment) -> Batch:
    for batch in original.batches:
        if batch.header.service_class_code == codes.CREDITS_ONLY:
            return batch
    raise InvalidInput("payment", f"payment {payment.id}'s file has no credit (220) batch")


def _traces(credits: Batch, checks: list[tuple[Paycheck, Employee]]) -> list[str]:
    """The trace number of each employee's credit, found by individual id (external id)."""
    by_id = {e.detail.individual_identification_number.strip(): e for e in credits.entries}
    traces = []
    for paycheck, employee in checks:
        entry = by_id.get(employee.external_id.strip().upper())
        if entry is None or entry.detail.amount != paycheck.net_cents:
            raise InvalidInput(
                "employee_ids", f"employee {employee.id} has no matching entry in the payment file"
            )
        traces.append(entry.detail.trace_number)
    return traces


def _reversal_count(session: Any, payment_id: int) -> int:
    rows = session.scalars(
        select(AuditLog.subject).where(
            AuditLog.action == ACTION, AuditLog.subject.like(f"payment-{payment_id}-reversal-%")
        )
    )
    return len(list(rows))


def _modifier(previous: int) -> str:
    """File ID modifier: the payroll file was A; each reversal of it takes the next letter."""
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[min(previous + 1, 35)]


def _write(ctx: PayrollContext, payment: Payment, subject: str, data: bytes) -> Path:
    folder = ctx.output_dir / "nacha" / payment.run_id
    digest = subject.rsplit("-", 1)[1]
    path = (
        folder / f"employer-{payment.employer_id}-payment-{payment.sequence}-{digest}-reversal.ach"
    )
    return write_private(path, data, sync=False)  # owner-only: it holds account numbers


def _audit(
    ctx: PayrollContext,
    payment: Payment,
    checks: list[tuple[Paycheck, Employee]],
    subject: str,
    path: Path,
    settled: date,
    reversal_date: date,
    traces: list[str],
) -> AuditLog:
    return AuditLog(
        at=ctx.clock(),
        actor="ach-reversals",
        action=ACTION,
        subject=subject,
        details={
            "payment_id": payment.id,
            "run_id": payment.run_id,
            "employer_id": payment.employer_id,
            "employee_ids": [c.employee_id for c, _ in checks],
            "paycheck_ids": [c.id for c, _ in checks],
            "trace_numbers": traces,
            "amount_cents": sum(c.net_cents for c, _ in checks),
            "settlement_date": settled.isoformat(),
            "reversal_date": reversal_date.isoformat(),
            "path": str(path),
        },
    )
