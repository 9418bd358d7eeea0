"""What the web console shows (read queries for entrypoints/console): runs with per-employer

Every query is bounded by a page (offset/limit on an indexed order) or by the page's employers,
so a run of 10,000 employers reads 50 of them at a time; the run's totals come from its
employer statuses (one row per employer), never from its employees."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import (
    Employee,
    EmployeeStatus,
    Employer,
    EmployerStatus,
    Paycheck,
    PayPeriod,
    PayRun,
    PaySchedule,
)
from payrun.services.errors import NotFound

FINISHED = frozenset({"PAID", "PARTIAL", "NOTHING_TO_PAY", "DEAD_LETTERED"})
EMPLOYEE_DONE = frozenset({"PAID"})
EMPLOYEE_FAILED = frozenset({"FAILED", "COMPENSATED", "DEAD_LETTERED"})
# An employee's transitions, in pipeline order: (label, EmployeeStatus column).
TRANSITIONS = (
    ("begun", "begin_at"),
    ("time entered", "time_entered_at"),
    ("gross calculated", "gross_calculated_at"),
    ("taxed", "taxed_at"),
    ("retirement", "retirement_done_at"),
    ("net calculated", "net_calculated_at"),
    ("validated", "validated_at"),
    ("payment sent", "payment_sent_at"),
    ("paid", "paid_at"),
    ("failed", "failed_at"),
    ("compensated", "compensated_at"),
    ("dead-lettered", "dead_lettered_at"),
)

Scope = Collection[int] | None  # the employers a key may see; None: all


@dataclass(frozen=True)
class RunSummaryRow:
    run_id: str
    schedule: str
    period_start: str
    pay_date: str
    kind: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    employers_total: int
    employers_finished: int

    @property
    def percent(self) -> int:
        if not self.employers_total:
            return 100 if self.finished_at else 0
        return min(100, self.employers_finished * 100 // self.employers_total)


@dataclass(frozen=True)
class EmployerRow:
    employer_id: int
    name: str
    status: str
    updated_at: datetime | None
    done: int
    failed: int
    pending: int
    error: str | None


def visible(employer_ids: list[int], scope: Scope) -> bool:
    """The API's rule: a scoped key sees a run only if every employer of it is in scope."""
    return scope is None or (bool(employer_ids) and set(employer_ids) <= set(scope))


def list_runs(db_url: str, scope: Scope, offset: int, limit: int) -> list[RunSummaryRow]:
    with reading(db_url) as session:
        query = select(PayRun).order_by(PayRun.started_at.desc(), PayRun.id)
        if scope is None:
            runs = list(session.scalars(query.offset(offset).limit(limit)))
        else:  # few runs per schedule and period: filtered here, after the JSON column
            runs = [r for r in session.scalars(query) if visible(r.employer_ids, scope)]
            runs = runs[offset : offset + limit]
        return [_summary(session, run) for run in runs]


def run_summary(db_url: str, run_id: str, scope: Scope) -> RunSummaryRow:
    with reading(db_url) as session:
        run = session.get(PayRun, run_id)
        if run is None or not visible(run.employer_ids, scope):
            raise NotFound("pay run", run_id)
        return _summary(session, run)


def _summary(session: Any, run: PayRun) -> RunSummaryRow:
    period = session.get(PayPeriod, run.pay_period_id)
    schedule = session.get(PaySchedule, period.schedule_id) if period else None
    finished = session.scalar(
        select(func.count())
        .select_from(EmployerStatus)
        .where(EmployerStatus.run_id == run.id, EmployerStatus.status.in_(FINISHED))
    )
    if run.employer_ids:
        total = len(run.employer_ids)
    else:
        total = session.scalar(
            select(func.count())
            .select_from(Employer)
            .where(Employer.schedule_id == (period.schedule_id if period else -1), Employer.active)
        )
    return RunSummaryRow(
        run.id,
        schedule.name if schedule else "?",
        period.start_date.isoformat() if period else "?",
        period.pay_date.isoformat() if period else "?",
        run.kind,
        run.status,
        run.started_at,
        run.finished_at,
        int(total or 0),
        int(finished or 0),
    )


def run_employers(
    db_url: str, run_id: str, scope: Scope, offset: int, limit: int
) -> list[EmployerRow]:
    """One page of the run's employers (by id) with their employees done / failed / pending."""
    with reading(db_url) as session:
        query = (
            select(EmployerStatus, Employer.name)
            .join(Employer, Employer.id == EmployerStatus.employer_id)
            .where(EmployerStatus.run_id == run_id)
            .order_by(EmployerStatus.employer_id)
        )
        if scope is not None:
            query = query.where(EmployerStatus.employer_id.in_(scope))
        rows = session.execute(query.offset(offset).limit(limit)).all()
        ids = [status.employer_id for status, _ in rows]
        counts: dict[int, dict[str, int]] = {e: {"done": 0, "failed": 0, "pending": 0} for e in ids}
        if ids:
            for employer_id, status, number in session.execute(
                select(EmployeeStatus.employer_id, EmployeeStatus.status, func.count())
                .where(EmployeeStatus.run_id == run_id, EmployeeStatus.employer_id.in_(ids))
                .group_by(EmployeeStatus.employer_id, EmployeeStatus.status)
            ):
                counts[employer_id][_bucket(status)] += number
    return [
        EmployerRow(
            status.employer_id,
            name,
            status.status,
            status.updated_at,
            error=status.error,
            **counts[status.employer_id],
        )
        for status, name in rows
    ]


def _bucket(status: str) -> str:
    if status in EMPLOYEE_DONE:
        return "done"
    return "failed" if status in EMPLOYEE_FAILED else "pending"


@dataclass(frozen=True)
class EmployeeHistory:
    employee_id: int
    employer_id: int
    employer_name: str
    name: str
    external_id: str
    runs: list[dict[str, Any]]  # {run_id, status, error, steps: [(label, at)]}
    paychecks: list[dict[str, Any]]


def employee_history(db_url: str, employee_id: int, scope: Scope, limit: int) -> EmployeeHistory:
    """The employee's status in each of its last `limit` runs, each transition with its time,
    and its last `limit` paychecks."""
    with reading(db_url) as session:
        row = session.execute(
            select(Employee, Employer.name)
            .join(Employer, Employer.id == Employee.employer_id)
            .where(Employee.id == employee_id)
        ).first()
        if row is None or (scope is not None and row[0].employer_id not in scope):
            raise NotFound("employee", employee_id)
        employee, employer_name = row
        # The employer's last runs first (employer_status: one row per employer and run), then
        # the employee's row in each through the (run_id, employee_id) unique index: the
        # employee-status table has no index of its own on employee_id (it would tax every
        # write of every pay run).
        run_ids = session.scalars(
            select(EmployerStatus.run_id)
            .where(EmployerStatus.employer_id == employee.employer_id)
            .order_by(EmployerStatus.id.desc())
            .limit(limit)
        ).all()
        statuses = session.scalars(
            select(EmployeeStatus)
            .where(EmployeeStatus.run_id.in_(run_ids), EmployeeStatus.employee_id == employee_id)
            .order_by(EmployeeStatus.id.desc())
        ).all()
        checks = session.scalars(
            select(Paycheck)
            .where(Paycheck.employee_id == employee_id)
            .order_by(Paycheck.id.desc())
            .limit(limit)
        ).all()
        runs = [
            {
                "run_id": s.run_id,
                "status": s.status,
                "error_type": s.error_type,
                "steps": [(label, getattr(s, column)) for label, column in TRANSITIONS
                          if getattr(s, column) is not None],
            }
            for s in statuses
        ]  # fmt: skip
        paychecks = [
            {
                "id": c.id,
                "run_id": c.run_id,
                "pay_date": c.pay_date.isoformat(),
                "status": c.status,
                "gross_cents": c.gross_cents,
                "net_cents": c.net_cents,
            }
            for c in checks
        ]
    return EmployeeHistory(
        employee.id,
        employee.employer_id,
        employer_name,
        f"{employee.first_name} {employee.last_name}",
        employee.external_id,
        runs,
        paychecks,
    )


def run_employees(
    db_url: str, run_id: str, employer_id: int, scope: Scope, offset: int, limit: int
) -> list[dict[str, Any]]:
    """One page of an employer's employees in a run, for links to their histories."""
    if scope is not None and employer_id not in scope:
        raise NotFound("employer", employer_id)
    with reading(db_url) as session:
        rows = session.execute(
            select(EmployeeStatus, Employee.first_name, Employee.last_name, Employee.external_id)
            .join(Employee, Employee.id == EmployeeStatus.employee_id)
            .where(EmployeeStatus.run_id == run_id, EmployeeStatus.employer_id == employer_id)
            .order_by(EmployeeStatus.employee_id)
            .offset(offset)
            .limit(limit)
        ).all()
    return [
        {
            "employee_id": s.employee_id,
            "name": f"{first} {last}",
            "external_id": external,
            "status": s.status,
            "error_type": s.error_type,
        }
        for s, first, last, external in rows
    ]
