"""Re-pay a returned paycheck: the same net, to the employee's account as it is now, in an
off-cycle credit file of its own; taxes are not recalculated. Exactly once per return: the
repayment's key (repay-{paycheck}-{attempt}) is unique, and a retry resumes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    AuditLog,
    Employee,
    Employer,
    Paycheck,
    Payment,
    Repayment,
)
from payrun.domain.ach.builder import build_file
from payrun.domain.ach.spec import AchFileSpec, BatchSpec, EntrySpec
from payrun.domain.banking_days import next_banking_day
from payrun.domain.errors import InvalidInput
from payrun.domain.statuses import PaycheckStatus, PaymentStatus
from payrun.services.context import PayrollContext
from payrun.services.funding import ach_name
from payrun.services.messages import PaymentOutcome
from payrun.services.nacha_files import put_nacha
from payrun.services.payments import CHECKING, SAVINGS, mark_sent, record_payment
from payrun.services.ports import PaymentBatch
from payrun.services.repaid import REPAY_PREFIX, resolve_return_letter
from payrun.services.ytd_adjustments import undo_ytd

FINISHED = (PaymentStatus.PAID, PaymentStatus.REJECTED, PaymentStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class RepayResult:
    paycheck_id: int
    payment_id: int
    attempt: int
    net_cents: int
    status: str  # the re-pay payment's status
    account_last4: str


def repay(ctx: PayrollContext, paycheck_id: int) -> RepayResult:
    """Open (or resume) the re-pay of a RETURNED paycheck, send it, record a synchronous
    provider's answer. Asking again for a paycheck already re-paid returns that re-pay."""
    try:
        payment_id = _open(ctx, paycheck_id)
    except IntegrityError:  # another caller opened the same attempt first: resume theirs
        payment_id = _open(ctx, paycheck_id)
    with transaction(ctx.db_url) as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        status, key = payment.status, payment.idempotency_key
    if status == PaymentStatus.PENDING:
        data = _file(ctx, payment_id)
        batch = PaymentBatch(key, payment.employer_id, payment.run_id, 1,
                             payment.credit_total_cents, 0, data,
                             next_banking_day(payment.created_at.date()))  # fmt: skip
        receipt = ctx.payment_provider.submit(batch, None)
        if not receipt.accepted:
            raise InvalidInput("--paycheck", f"the bank refused the re-pay: {receipt.message}")
        mark_sent(ctx, payment_id, receipt.provider_reference)
        status = PaymentStatus.SENT
    if status == PaymentStatus.SENT and not getattr(ctx.payment_provider, "asynchronous", False):
        record_payment(ctx, PaymentOutcome(payment_id, 1, payment.credit_total_cents, "settled"))
    return _result(ctx, payment_id)


def write_off(ctx: PayrollContext, paycheck_id: int, note: str = "") -> None:
    """A returned paycheck that will not be paid again: VOIDED, its YTD taken back out once,
    its return's dead letter resolved."""
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        paycheck = session.scalar(
            select(Paycheck).where(Paycheck.id == paycheck_id).with_for_update()
        )
        if paycheck is None:
            raise InvalidInput("--paycheck", f"no paycheck {paycheck_id}")
        if paycheck.status != PaycheckStatus.RETURNED:
            raise InvalidInput(
                "--paycheck", f"paycheck {paycheck_id} is {paycheck.status}, not RETURNED"
            )
        open_repay = session.scalar(
            select(Payment.id)
            .join(Repayment, Repayment.payment_id == Payment.id)
            .where(
                Repayment.paycheck_id == paycheck_id,
                Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.SENT)),
            )
        )
        if open_repay is not None:
            raise InvalidInput("--paycheck", f"a re-pay of paycheck {paycheck_id} is in flight")
        undo_ytd(session, [paycheck], "write-off", now)
        paycheck.status = PaycheckStatus.VOIDED
        resolve_return_letter(session, paycheck, "write-off", now)
        session.add(AuditLog(at=now, actor="repay", action="paycheck.write_off",
                             subject=f"paycheck-{paycheck_id}",
                             details={"net_cents": paycheck.net_cents, "note": note}))  # fmt: skip


def _open(ctx: PayrollContext, paycheck_id: int) -> int:
    """The payment of the re-pay to send: the latest one if still open or already settled
    (nothing came back since), else a new attempt. The paycheck joins it."""
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        paycheck = session.scalar(
            select(Paycheck).where(Paycheck.id == paycheck_id).with_for_update()
        )
        if paycheck is None:
            raise InvalidInput("--paycheck", f"no paycheck {paycheck_id}")
        latest = session.scalar(
            select(Repayment)
            .where(Repayment.paycheck_id == paycheck_id)
            .order_by(Repayment.attempt.desc())
        )
        if latest is not None:
            latest_status = session.scalar(
                select(Payment.status).where(Payment.id == latest.payment_id)
            )
            if paycheck.status != PaycheckStatus.RETURNED or latest_status not in FINISHED:
                return int(latest.payment_id)
        if paycheck.status != PaycheckStatus.RETURNED:
            raise InvalidInput(
                "--paycheck", f"paycheck {paycheck_id} is {paycheck.status}, not RETURNED"
            )
        attempt = latest.attempt + 1 if latest is not None else 1
        payment = _new_payment(session, ctx, paycheck, attempt, now)
        session.add(
            Repayment(
                idempotency_key=payment.idempotency_key,
                paycheck_id=paycheck.id,
                attempt=attempt,
                employee_id=paycheck.employee_id,
                original_payment_id=latest.payment_id if latest else paycheck.payment_id,
                payment_id=payment.id,
                net_cents=paycheck.net_cents,
                created_at=now,
            )
        )
        paycheck.payment_id = payment.id
        session.add(AuditLog(at=now, actor="repay", action="paycheck.repay",
                             subject=payment.idempotency_key,
                             details={"paycheck_id": paycheck.id, "net_cents": paycheck.net_cents,
                                      "attempt": attempt}))  # fmt: skip
        return int(payment.id)


def _new_payment(
    session: Any, ctx: PayrollContext, paycheck: Paycheck, attempt: int, now: Any
) -> Payment:
    sequence = 1 + (
        session.scalar(
            select(func.max(Payment.sequence)).where(
                Payment.run_id == paycheck.run_id, Payment.employer_id == paycheck.employer_id
            )
        )
        or 0
    )
    payment = Payment(
        idempotency_key=f"{REPAY_PREFIX}{paycheck.id}-{attempt}",
        run_id=paycheck.run_id,
        employer_id=paycheck.employer_id,
        sequence=sequence,
        provider=ctx.payment_provider.name,
        status=PaymentStatus.PENDING,
        entry_count=1,
        credit_total_cents=paycheck.net_cents,
        debit_total_cents=0,  # funded already: the returned credit came back to the ODFI
        created_at=now,
    )
    session.add(payment)
    session.flush()
    return payment


def _file(ctx: PayrollContext, payment_id: int) -> bytes:
    """The credit-only file (deterministic from the payment, so a retry sends the same bytes)
    to the employee's account as it is now; stored, and its key recorded."""
    with transaction(ctx.db_url) as session:
        payment = session.get(Payment, payment_id)
        paycheck = session.scalar(select(Paycheck).where(Paycheck.payment_id == payment_id))
        assert payment is not None and paycheck is not None
        employee = session.get(Employee, paycheck.employee_id)
        employer = session.get(Employer, paycheck.employer_id)
        assert employee is not None and employer is not None
        effective = next_banking_day(payment.created_at.date())
        entry = EntrySpec(
            transaction_code=SAVINGS if employee.bank_account_type == "savings" else CHECKING,
            routing=employee.bank_routing,
            account=ctx.vault.decrypt(employee.bank_account_enc),
            amount_cents=paycheck.net_cents,
            individual_id=employee.external_id,
            individual_name=ach_name(f"{employee.last_name} {employee.first_name}", 22),
        )
        spec = AchFileSpec(
            immediate_destination=employer.odfi_routing,
            immediate_origin=employer.ach_company_id,
            destination_name="PAYRUN ODFI",
            origin_name=ach_name(employer.name, 23),
            created=payment.created_at.replace(tzinfo=None),
            file_id_modifier="R",
            batches=(
                BatchSpec(
                    service_class=220,
                    company_name=ach_name(employer.name, 16),
                    company_id=employer.ach_company_id,
                    sec_code="PPD",
                    entry_description="PAYROLL",
                    effective_date=effective,
                    odfi=employer.odfi_routing[:8],
                    entries=(entry,),
                    descriptive_date=effective.strftime("%b %d").upper(),
                ),
            ),
        )
        data = build_file(spec)
        key = put_nacha(ctx, f"nacha/repay/{payment.idempotency_key}.ach", data)
        payment.nacha_path = key
        return data


def _result(ctx: PayrollContext, payment_id: int) -> RepayResult:
    with transaction(ctx.db_url) as session:
        row = session.execute(
            select(Repayment, Payment.status, Employee.bank_account_last4)
            .join(Payment, Payment.id == Repayment.payment_id)
            .join(Employee, Employee.id == Repayment.employee_id)
            .where(Repayment.payment_id == payment_id)
        ).one()
        repayment, status, last4 = row
        return RepayResult(repayment.paycheck_id, payment_id, repayment.attempt,
                           repayment.net_cents, str(status), last4)  # fmt: skip
