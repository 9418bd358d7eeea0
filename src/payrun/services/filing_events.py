"""Payroll's events for the filings service, written to the outbox with the paid status.

One liability event per employer x agency x tax x pay date (figures summed from the paid
paychecks' details), the employer's enrolment for the year, its settled funding debits, and
the close of a quarter once a pay date in a later quarter is paid. Delivery is separate
(deliver_pending): the outbox keeps every event until the filings service has taken it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import msgspec
import structlog
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employee, Employer, FilingOutbox, Paycheck, PaycheckDetail
from payrun.adapters.db.models import Payment as PaymentRow
from payrun.filings.events import (
    TAXES,
    EmployeeWages,
    EmployerEnrolled,
    FundingDebitSettled,
    QuarterClosed,
    TaxLiabilityRecorded,
)
from payrun.filings.rules.calendar import lookback_period, quarter_end, quarter_of, quarter_start
from payrun.services.filing_figures import DELTA_KEYS, KEYS, additional_medicare_wages, de9c_line
from payrun.services.funding import settled_debit
from payrun.services.registrations import ca_account

log = structlog.get_logger(__name__)


def record_filing_events(session: Any, run_id: str, employer_id: int, now: datetime) -> int:
    """Add this employer's events for the run to the outbox (in the caller's transaction).
    Returns how many were new; an event already in the outbox is not added again."""
    employer = session.get(Employer, employer_id)
    totals, de9c, paychecks = _totals(session, run_id, employer_id)
    if employer is None or not paychecks:
        return 0
    events: list[Any] = []
    for pay_date in sorted({day for day, _ in totals}):
        events.append(_enrolment(session, employer, pay_date.year))
        groups = {is_ca: group for (day, is_ca), group in totals.items() if day == pay_date}
        lines = tuple(de9c.get(pay_date, ()))
        events += _liabilities(run_id, employer_id, pay_date, groups, lines, paychecks)
        events += _closed_quarters(session, employer_id, pay_date)
    for payment_id, settled in _settled_payments(session, run_id, employer_id):
        events.append(_debit_event(employer_id, payment_id, settled or now))
    return _add(session, employer_id, events, now)


def record_debit_settled(db_url: str, payment_id: int, now: datetime) -> int:
    """FundingDebitSettled for a debit that settled after its employer's events were recorded
    (a prefunded employer's credits go out before its debit settles): once, under the same
    key as the one record_filing_events adds; nothing while it has not settled."""
    with transaction(db_url) as session:
        row = session.execute(
            select(PaymentRow.employer_id, PaymentRow.settled_at).where(
                PaymentRow.id == payment_id, settled_debit()
            )
        ).first()
        if row is None:
            return 0
        employer_id, settled = row
        return _add(
            session, employer_id, [_debit_event(employer_id, payment_id, settled or now)], now
        )


def _debit_event(employer_id: int, payment_id: int, settled: datetime) -> FundingDebitSettled:
    key = f"debit:{payment_id}"
    return FundingDebitSettled(key, employer_id, payment_id, settled.year, settled.isoformat())


Totals = dict[tuple[date, bool], dict[str, Any]]


def _totals(
    session: Any, run_id: str, employer_id: int
) -> tuple[Totals, dict[date, list[EmployeeWages]], int]:
    """One pass over the paid paychecks (only their delta is decoded, once): sums per pay
    date and California or not, the DE 9C lines, and how many paychecks."""
    medicare_after = PaycheckDetail.ytd_after["medicare_wages"].as_string()
    rows = session.connection().execute(
        select(
            Paycheck.pay_date,
            Employee.work_state,
            Paycheck.payment_id,
            Paycheck.gross_cents,
            PaycheckDetail.ytd_delta,
            medicare_after,
            Employee.id,
            Employee.first_name,
            Employee.last_name,
            Employee.ssn_last4,
        )
        .join(PaycheckDetail, PaycheckDetail.paycheck_id == Paycheck.id)
        .join(Employee, Employee.id == Paycheck.employee_id)
        .where(
            Paycheck.run_id == run_id,
            Paycheck.employer_id == employer_id,
            Paycheck.status == "PAID",
        )
        .order_by(Paycheck.employee_id)
    )
    totals: Totals = {}
    de9c: dict[date, list[EmployeeWages]] = defaultdict(list)
    count = 0
    for day, state, payment, gross, delta, after, eid, first, last, last4 in rows:
        count += 1
        group = totals.setdefault((day, state == "CA"), {"paychecks": 0, "gross": 0})
        group["paychecks"] += 1
        group["gross"] += gross
        group["payment_id"] = group.get("payment_id") or payment
        for key in DELTA_KEYS:
            group[key] = group.get(key, 0) + delta.get(key, 0)
        extra = additional_medicare_wages(int(after or 0), delta.get("medicare_wages", 0))
        group["additional_medicare_wages"] = group.get("additional_medicare_wages", 0) + extra
        if state == "CA":
            de9c[day].append(de9c_line(eid, f"{first} {last}", last4, delta))
    return totals, de9c, count


def _liabilities(
    run_id: str,
    employer_id: int,
    pay_date: date,
    groups: dict[bool, dict[str, Any]],
    de9c: tuple[EmployeeWages, ...],
    revision: int,
) -> list[TaxLiabilityRecorded]:
    """Each tax's figures on a pay date (California's from its California employees)."""
    events = []
    for tax, (wages_key, withheld_key, employer_key) in KEYS.items():
        in_ca = tax.startswith("CA_")
        scope = [g for is_ca, g in groups.items() if is_ca or not in_ca]
        if not scope:
            continue

        def total(key: str | None, scope: list[dict[str, Any]] = scope) -> int:
            return sum(int(g.get(key, 0)) for g in scope) if key else 0

        taxable = total("additional_medicare_wages" if tax == "ADDITIONAL_MEDICARE" else wages_key)
        events.append(
            TaxLiabilityRecorded(
                event_id=f"{run_id}:{employer_id}:{pay_date.isoformat()}:{tax}",
                employer_id=employer_id,
                agency=TAXES[tax],
                tax=tax,
                pay_date=pay_date.isoformat(),
                run_id=run_id,
                wages_cents=total("gross"),
                taxable_wages_cents=taxable,
                withheld_cents=total(withheld_key),
                employer_cents=total(employer_key),
                employee_count=total("paychecks"),
                funding_payment_id=next(
                    (g["payment_id"] for g in scope if g.get("payment_id")), None
                ),
                employees=de9c if tax == "CA_PIT" else (),
                revision=revision,
            )
        )
    return events


def _enrolment(session: Any, employer: Employer, year: int) -> EmployerEnrolled:
    """Once a year, and once more whenever the CA account number differs from the one last
    sent (added, changed, removed, or changed back): the outbox key names the number, so the
    change reaches the filings service with the next paid run."""
    state_account = ca_account(employer.state_registrations)
    key = _enrolment_key(session, employer.id, year, state_account)
    known = session.scalar(select(FilingOutbox.id).where(FilingOutbox.idempotency_key == key))
    lookback = 0 if known else _lookback_tax_cents(session, employer.id, year)
    return EmployerEnrolled(
        key,
        employer.id,
        employer.ein,
        employer.name,
        employer.state,
        year,
        lookback,
        futa_credit_reduction=str(
            (employer.pay_settings or {}).get("futa_credit_reduction") or "0"
        ),
        state_account=state_account,
    )


def _enrolment_key(session: Any, employer_id: int, year: int, state_account: str) -> str:
    """The last enrolment's key if it sent this number; else a new key naming the number
    (and, when that number was sent before another one, the last enrolment's row)."""
    base = f"enrol:{employer_id}:{year}"
    last = session.execute(
        select(FilingOutbox.id, FilingOutbox.idempotency_key, FilingOutbox.payload)
        .where(
            FilingOutbox.employer_id == employer_id,
            or_(
                FilingOutbox.idempotency_key == base, FilingOutbox.idempotency_key.like(base + ":%")
            ),
        )
        .order_by(FilingOutbox.id.desc())
        .limit(1)
    ).first()
    if last is not None and (last.payload or {}).get("state_account", "") == state_account:
        return str(last.idempotency_key)
    key = base + (f":{state_account}" if state_account else "")
    taken = session.scalar(select(FilingOutbox.id).where(FilingOutbox.idempotency_key == key))
    return key if last is None or taken is None else f"{key}:after-{last.id}"


def _lookback_tax_cents(session: Any, employer_id: int, year: int) -> int:
    """Form 941 line 12 over the lookback period, from this employer's paid paychecks:
    income tax withheld plus both shares of Social Security and Medicare."""
    start, end = lookback_period(year)
    rows = session.execute(
        select(PaycheckDetail.ytd_delta)
        .join(Paycheck, Paycheck.id == PaycheckDetail.paycheck_id)
        .where(
            Paycheck.employer_id == employer_id,
            Paycheck.status == "PAID",
            Paycheck.pay_date.between(start, end),
        )
    ).scalars()
    keys = KEYS["FIT"][1:2] + KEYS["SOCIAL_SECURITY"][1:] + KEYS["MEDICARE"][1:]
    keys += ("additional_medicare_tax",)
    return sum(int(delta.get(k, 0)) for delta in rows for k in keys if k)


def _closed_quarters(session: Any, employer_id: int, pay_date: date) -> list[QuarterClosed]:
    """The quarter of the employer's last paid pay date before this pay date's quarter."""
    start = quarter_start(pay_date.year, quarter_of(pay_date))
    last = session.scalar(
        select(func.max(Paycheck.pay_date)).where(
            Paycheck.employer_id == employer_id,
            Paycheck.status == "PAID",
            Paycheck.pay_date < start,
        )
    )
    if last is None:
        return []
    return [quarter_closed(employer_id, last.year, quarter_of(last))]


def close_quarter(
    db_url: str, year: int, quarter: int, now: datetime, employer_id: int | None = None
) -> int:
    """QuarterClosed for every employer paid in that quarter (or the one given): how a
    quarter's returns are filed when no later pay run closes it. Once per employer and
    quarter (the outbox key); returns how many were new."""
    paid_in_quarter = select(Paycheck.employer_id).where(
        Paycheck.status == "PAID",
        Paycheck.pay_date.between(quarter_start(year, quarter), quarter_end(year, quarter)),
    )
    if employer_id is not None:
        paid_in_quarter = paid_in_quarter.where(Paycheck.employer_id == employer_id)
    with transaction(db_url) as session:
        employers = sorted(set(session.scalars(paid_in_quarter)))
        return sum(_add(session, e, [quarter_closed(e, year, quarter)], now) for e in employers)


def quarter_closed(employer_id: int, year: int, quarter: int) -> QuarterClosed:
    return QuarterClosed(f"quarter:{employer_id}:{year}Q{quarter}", employer_id, year, quarter)


def _settled_payments(session: Any, run_id: str, employer_id: int) -> list[tuple[int, Any]]:
    return [
        (int(pid), settled)
        for pid, settled in session.execute(
            select(PaymentRow.id, PaymentRow.settled_at).where(
                PaymentRow.run_id == run_id,
                PaymentRow.employer_id == employer_id,
                settled_debit(),  # the debit, not the credits: a prefunded employer's may lag
            )
        ).all()
    ]


def _add(session: Any, employer_id: int, events: list[Any], now: datetime) -> int:
    rows = [
        {
            "idempotency_key": _outbox_key(e),
            "employer_id": employer_id,
            "event_type": type(e).__name__,
            "payload": msgspec.to_builtins(e),
            "created_at": now,
            "attempts": 0,
        }
        for e in {_outbox_key(e): e for e in events}.values()
    ]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    added = session.execute(
        insert(FilingOutbox)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(FilingOutbox.id)  # rowcount is not reliable here on every driver
    )
    return len(added.all())


def _outbox_key(event: Any) -> str:
    revision = getattr(event, "revision", None)
    return f"{event.event_id}#r{revision}" if revision is not None else str(event.event_id)


def add_events(db_url: str, employer_id: int, events: list[Any], now: datetime) -> int:
    """Outbox events outside a pay run (e.g. a quarter closed by the operator)."""
    with transaction(db_url) as session:
        return _add(session, employer_id, events, now)


Publisher = Callable[[int, list[dict[str, Any]]], None]


def deliver_pending(db_url: str, publish: Publisher, now: datetime, limit: int = 1000) -> int:
    """Hand undelivered events to the filings service, oldest first, one call per employer;
    an employer whose call fails keeps its events for the next delivery. Returns delivered."""
    with transaction(db_url) as session:
        pending = session.execute(
            select(
                FilingOutbox.id,
                FilingOutbox.employer_id,
                FilingOutbox.event_type,
                FilingOutbox.payload,
            )
            .where(FilingOutbox.delivered_at.is_(None))
            .order_by(FilingOutbox.id)
            .limit(limit)
        ).all()
    by_employer: dict[int, list[Any]] = defaultdict(list)
    for row in pending:
        by_employer[row.employer_id].append(row)
    delivered = 0
    for employer_id, rows in by_employer.items():
        envelopes = [{"type": r.event_type, "event": r.payload} for r in rows]
        ids = [r.id for r in rows]
        try:
            publish(employer_id, envelopes)
        except Exception as exc:  # kept in the outbox: the next delivery tries again
            log.warning("filing events not delivered", employer_id=employer_id, error=str(exc))
            _count_attempt(db_url, ids)
            continue
        with transaction(db_url) as session:
            session.execute(
                update(FilingOutbox).where(FilingOutbox.id.in_(ids)).values(delivered_at=now)
            )
        delivered += len(ids)
    return delivered


def _count_attempt(db_url: str, ids: list[int]) -> None:
    with transaction(db_url) as session:
        session.execute(
            update(FilingOutbox)
            .where(FilingOutbox.id.in_(ids))
            .values(attempts=FilingOutbox.attempts + 1)
        )


def deliver_filing_events(ctx: Any) -> int:
    """After a commit: hand the outbox to the filings service if a publisher is wired. Never
    raises: undelivered events stay in the outbox for the next delivery (or `payrun filings
    relay`), and the employer's completion does not wait on the filings service."""
    if ctx.filings is None:
        return 0
    try:
        return deliver_pending(ctx.db_url, ctx.filings, ctx.clock())
    except Exception as exc:  # housekeeping; the outbox keeps the events
        log.warning("filing events delivery failed", error=str(exc))
        return 0
