"""Recovery cases: an employer's funding debit came back. R01/R09 are presented again once on
the next banking day; any other code (or a second return) holds the employer's pay runs until
an operator resolves the case: re-debit, wire received, or write-off."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import AuditLog, Employer, Payment, RecoveryCase
from payrun.domain.ach.builder import build_file, trace_numbers
from payrun.domain.ach.returns import ReturnDisposition
from payrun.domain.banking_days import next_banking_day
from payrun.domain.errors import InvalidInput
from payrun.domain.statuses import CaseStatus, Resolution, case_may_move
from payrun.services.context import PayrollContext
from payrun.services.errors import NotFound
from payrun.services.funding import funding_debit_spec
from payrun.services.ports import PaymentBatch

log = logging.getLogger(__name__)
AUTOMATIC_REDEBITS = 1  # R01/R09: presented again once automatically (Nacha allows two)
RETRY_DESCRIPTION = "RETRY PYMT"  # Nacha: a reinitiated entry says so in its batch header


class FundingBlocked(InvalidInput):
    """The employer owes us a returned funding debit: no pay run until it is resolved."""


class CaseNotOpen(InvalidInput):
    """The case is resolved, or its re-debit is with the bank: there is nothing to decide."""


@dataclass(frozen=True, slots=True)
class CaseView:
    id: int
    employer_id: int
    run_id: str
    payment_id: int
    return_code: str
    amount_cents: int
    status: str
    redebit_on: date | None
    redebits: int
    resolution: str | None
    note: str | None
    opened_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Cases by id after `after_id`; `only_employers`: an API key's scope (None: every one)."""

    status: str | None = None
    employer_id: int | None = None
    only_employers: frozenset[int] | None = None
    after_id: int = 0
    limit: int | None = None


def open_case(
    session: Any,
    payment: Payment,
    original_trace: str,
    disposition: ReturnDisposition,
    key: str,
    amount_cents: int,
    now: datetime,
) -> tuple[RecoveryCase, bool]:
    """The case for this returned funding debit (key: the return's business key); True if it
    was opened now, False if this return was seen before."""
    existing = session.scalar(select(RecoveryCase).where(RecoveryCase.idempotency_key == key))
    if existing is not None:
        return existing, False
    automatic = disposition.may_retry and disposition.code in ("R01", "R09")
    case = RecoveryCase(
        idempotency_key=key,
        employer_id=payment.employer_id,
        run_id=payment.run_id,
        payment_id=payment.id,
        return_code=disposition.code,
        original_trace=original_trace,
        amount_cents=amount_cents,
        status=CaseStatus.REDEBIT_DUE if automatic else CaseStatus.OPEN,
        redebit_on=next_banking_day(now.date()) if automatic else None,
        redebits=0,
        note=disposition.message,
        created_at=now,
    )
    session.add(case)
    session.flush()
    session.add(_audit(case, "recovery.opened", now))
    return case, True


def redebit_returned(
    session: Any,
    company_id: str,
    original_trace: str,
    disposition: ReturnDisposition,
    now: datetime,
) -> tuple[RecoveryCase, bool] | None:
    """The case whose re-debit this return answers (None: not a re-debit of ours); True if
    this return moved it to OPEN now, False if it was seen before."""
    employers = select(Employer.id).where(Employer.ach_company_id == company_id.strip())
    case = session.scalar(
        select(RecoveryCase)
        .where(
            RecoveryCase.redebit_trace == original_trace,
            RecoveryCase.employer_id.in_(employers),
        )
        .order_by(RecoveryCase.id.desc())
    )
    if case is None:
        return None
    if case.status != CaseStatus.REDEBIT_SENT:
        return case, False
    _move(case, CaseStatus.OPEN)
    case.note = f"the re-debit came back too ({disposition.code}): an operator must resolve it"
    session.add(_audit(case, "recovery.redebit_returned", now))
    return case, True


def check_not_blocked(session: Any, employer_id: int) -> None:
    """Raise FundingBlocked if an open case holds this employer's pay runs."""
    case = session.scalar(
        select(RecoveryCase)
        .where(RecoveryCase.employer_id == employer_id, RecoveryCase.status == CaseStatus.OPEN)
        .order_by(RecoveryCase.id)
    )
    if case is not None:
        raise FundingBlocked(
            f"employer {employer_id}",
            f"recovery case {case.id} ({case.return_code}, "
            f"${case.amount_cents / 100:,.2f} funding debit returned) is open; "
            "resolve it with `payrun recovery resolve` first",
        )


def send_due_redebits(ctx: PayrollContext, today: date) -> list[CaseView]:
    """Present every debit due on or before today again, once; the cases it sent."""
    with transaction(ctx.db_url) as session:
        due = list(
            session.scalars(
                select(RecoveryCase.id).where(
                    RecoveryCase.status == CaseStatus.REDEBIT_DUE, RecoveryCase.redebit_on <= today
                )
            )
        )
    return [_redebit(ctx, case_id, today) for case_id in due]


def resolve_case(
    ctx: PayrollContext, case_id: int, resolution: str, note: str = "", actor: str = "recovery"
) -> CaseView:
    """An operator's decision: re-debit now, wire received, or write-off; the audit record
    names the actor and keeps the note."""
    try:
        chosen = Resolution(resolution)
    except ValueError:
        choices = ", ".join(r.value for r in Resolution)
        raise InvalidInput("resolution", f"must be one of {choices}, got {resolution!r}") from None
    if chosen is Resolution.REDEBIT:
        with transaction(ctx.db_url) as session:
            case = _case(session, case_id)
            _require_open(case)
            case.redebit_on = ctx.clock().date()
        return _redebit(ctx, case_id, ctx.clock().date(), (actor, note))
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        case = _case(session, case_id)
        _require_open(case)
        _move(case, CaseStatus.RESOLVED)
        case.resolution, case.resolved_at = chosen.value, now
        case.note = note or case.note
        session.add(_audit(case, f"recovery.{chosen.value}", now, actor, note))
        return _view(case)


def list_cases(ctx: PayrollContext, status: str | None = None) -> list[CaseView]:
    return find_cases(ctx, CaseQuery(status=status))


def find_cases(ctx: PayrollContext, query: CaseQuery) -> list[CaseView]:
    if query.status is not None and query.status not in {s.value for s in CaseStatus}:
        choices = ", ".join(s.value for s in CaseStatus)
        raise InvalidInput("status", f"must be one of {choices}, got {query.status!r}")
    found = select(RecoveryCase).where(RecoveryCase.id > query.after_id).order_by(RecoveryCase.id)
    if query.status is not None:
        found = found.where(RecoveryCase.status == query.status)
    if query.employer_id is not None:
        found = found.where(RecoveryCase.employer_id == query.employer_id)
    if query.only_employers is not None:
        found = found.where(RecoveryCase.employer_id.in_(sorted(query.only_employers)))
    with reading(ctx.db_url) as session:
        return [_view(case) for case in session.scalars(found.limit(query.limit))]


def get_case(ctx: PayrollContext, case_id: int) -> CaseView:
    with reading(ctx.db_url) as session:
        case = session.get(RecoveryCase, case_id)
        if case is None:
            raise NotFound("recovery case", case_id)
        return _view(case)


def _redebit(
    ctx: PayrollContext, case_id: int, today: date, operator: tuple[str, str] | None = None
) -> CaseView:
    """Build the RETRY PYMT debit into the object store, then hand it to the provider under a
    key of its own (recovery-{case}-redebit-{n}): a retry sends the same file under the same
    key, so the employer is debited once per attempt. operator: who asked, and why (None:
    the automatic re-debit)."""
    with transaction(ctx.db_url) as session:
        case = _case(session, case_id)
        employer = session.get(Employer, case.employer_id)
        assert employer is not None
        attempt = case.redebits + 1
        spec = funding_debit_spec(
            ctx,
            employer,
            case.amount_cents,
            effective=max(today, case.redebit_on or today),
            created=case.created_at,
            description=RETRY_DESCRIPTION,
            first_trace=1_000_000 + case.id * 10 + attempt % 10,
        )
        nacha = build_file(spec)
        trace = next(trace_numbers(spec))
        ref = ctx.store.put_bytes(f"nacha/recovery/case-{case.id}-redebit-{attempt}.ach", nacha)
        key = f"recovery-{case.id}-redebit-{attempt}"
        batch = PaymentBatch(key, case.employer_id, case.run_id, 1, 0, case.amount_cents, nacha,
                             spec.batches[0].effective_date)  # fmt: skip
    receipt = ctx.payment_provider.submit(batch, None)
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        case = _case(session, case_id)
        if case.status == CaseStatus.REDEBIT_SENT and case.redebits == attempt:
            return _view(case)  # another attempt recorded it
        case.redebits, case.redebit_ref, case.redebit_trace = attempt, ref, trace
        if receipt.accepted:
            _move(case, CaseStatus.REDEBIT_SENT)
            action = "recovery.redebit_sent" + (" (operator)" if operator else "")
        else:
            _move(case, CaseStatus.OPEN)
            case.note = f"the bank refused the re-debit: {receipt.message}"
            action = "recovery.redebit_refused"
        actor, note = operator or ("recovery", "")
        session.add(_audit(case, action, now, actor, note))
        return _view(case)


def _case(session: Any, case_id: int) -> RecoveryCase:
    case = session.get(RecoveryCase, case_id)
    if case is None:
        raise InvalidInput("--id", f"no recovery case {case_id}")
    return case  # type: ignore[no-any-return]


def _require_open(case: RecoveryCase) -> None:
    if case.status not in (CaseStatus.OPEN, CaseStatus.REDEBIT_DUE):
        raise CaseNotOpen("--id", f"recovery case {case.id} is {case.status}, not open")


def _move(case: RecoveryCase, new: CaseStatus) -> None:
    if not case_may_move(case.status, new):
        raise InvalidInput("status", f"recovery case {case.id} cannot go {case.status} -> {new}")
    case.status = new


def _view(case: RecoveryCase) -> CaseView:
    return CaseView(
        case.id,
        case.employer_id,
        case.run_id,
        case.payment_id,
        case.return_code,
        case.amount_cents,
        case.status,
        case.redebit_on,
        case.redebits,
        case.resolution,
        case.note,
        case.created_at,
        case.resolved_at,
    )


def _audit(
    case: RecoveryCase, action: str, now: datetime, actor: str = "recovery", note: str = ""
) -> AuditLog:
    details: dict[str, Any] = {
        "employer_id": case.employer_id,
        "payment_id": case.payment_id,
        "return_code": case.return_code,
        "amount_cents": case.amount_cents,
        "status": case.status,
    }
    if note:
        details["note"] = note
    return AuditLog(
        at=now, actor=actor, action=action, subject=f"recovery-case-{case.id}", details=details
    )
