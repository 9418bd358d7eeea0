"""A pay run's preview: every paycheck calculated as the run would, its totals and every
blocker at once (an employer on hold, a calculation error, a negative net, no bank account),
without writing a paycheck or moving money. Nothing is written at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import Employee, Employer, Paycheck, PaySchedule
from payrun.domain.errors import PayrollError
from payrun.domain.paycheck import calculate
from payrun.domain.periods import PayFrequency
from payrun.services.employee_steps import read_hours, read_ytd
from payrun.services.pay_request import parse_pay_request
from payrun.services.payrun_requests import one_schedule
from payrun.services.requests import (
    EMPLOYEE_ROW_COLUMNS,
    EmployeeRow,
    base_request,
    employer_config,
    period_request,
    salary_per_period,
    with_earnings,
    ytd_request,
)
from payrun.services.runs import resolve_period
from payrun.tables import load_tables

TOTALS = ("gross", "employee_taxes", "deductions", "net_pay", "employer_taxes")


@dataclass
class Preview:
    period_start: str
    pay_date: str
    employees: int = 0
    already_paid: int = 0
    totals: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(TOTALS, Decimal(0)))
    paychecks: list[dict[str, Any]] = field(default_factory=list)
    blockers: list[dict[str, Any]] = field(default_factory=list)


def preview_payrun(
    db_url: str, employer_ids: tuple[int, ...], period_start: date | None
) -> Preview:
    with reading(db_url) as session:
        schedule: PaySchedule = one_schedule(session, employer_ids)
        period = resolve_period(
            session, schedule.name, period_start.isoformat() if period_start else None
        )
        preview = Preview(period.start_date.isoformat(), period.pay_date.isoformat())
        part = period_request(schedule, period)
        per_year = PayFrequency.parse(schedule.frequency).periods_per_year
        if schedule.paused:
            preview.blockers.append(_blocker(None, None, "schedule_paused", schedule.name))
        work = []
        for employer_id in sorted(set(employer_ids)):
            employer = session.get(Employer, employer_id)
            rows, paid = _employees(session, employer_id, period)
            preview.already_paid += paid
            work.append((employer, rows))
    for employer, rows in work:
        _employer(db_url, preview, employer, rows, part, per_year, period)
    return preview


def _employees(session: Any, employer_id: int, period: Any) -> tuple[list[Any], int]:
    """The employees the run would pay (as it selects them) and how many are paid already."""
    live = select(Paycheck.employee_id).where(
        Paycheck.pay_period_id == period.id,
        Paycheck.kind == "regular",
        Paycheck.status != "VOIDED",
        Paycheck.employer_id == employer_id,
    )
    paid = set(session.scalars(live))
    rows = session.execute(
        select(*EMPLOYEE_ROW_COLUMNS, Employee.bank_routing, Employee.bank_account_last4)
        .where(
            Employee.employer_id == employer_id,
            Employee.active.is_(True),
            or_(Employee.terminated_on.is_(None), Employee.terminated_on >= period.start_date),
        )
        .order_by(Employee.id)
    ).all()
    return [r for r in rows if r[0] not in paid], len(paid)


def _employer(
    db_url: str,
    preview: Preview,
    employer: Employer,
    rows: list[Any],
    part: dict[str, Any],
    per_year: int,
    period: Any,
) -> None:
    width = len(EmployeeRow._fields)
    employees = [EmployeeRow(*row[:width]) for row in rows]
    ids = [e.id for e in employees]
    hours = read_hours(
        db_url,
        [e.id for e in employees if e.pay_type == "hourly"],
        period.start_date,
        period.end_date,
    )
    ytd = read_ytd(db_url, ids, period.pay_date.year)
    config = employer_config(employer)
    blocked = len(preview.blockers)
    for employee, row in zip(employees, rows, strict=True):
        if not row[width] or not row[width + 1]:
            preview.blockers.append(_blocker(employer.id, employee.id, "missing_bank_account"))
            continue
        salary = (
            salary_per_period(employee.rate_cents, per_year)
            if employee.pay_type == "salary"
            else None
        )
        request = with_earnings(
            base_request(employee, config, part), hours.get(str(employee.id)), salary
        )
        request["ytd"] = ytd_request(ytd.get(employee.id, ({}, None))[0])
        try:
            parsed = parse_pay_request(request)
            stub = calculate(parsed, load_tables(parsed.pay_date.year, parsed.work_state))
        except PayrollError as error:
            preview.blockers.append(
                _blocker(employer.id, employee.id, "calculation_error", str(error)[:300])
            )
            continue
        if stub.net_pay.amount < 0:
            preview.blockers.append(_blocker(employer.id, employee.id, "negative_net"))
            continue
        _add(preview, employer.id, employee.id, stub)
    if not employer.active:
        preview.blockers.append(_blocker(employer.id, None, "employer_inactive"))
    elif employer.validation_policy == "hold" and len(preview.blockers) > blocked:
        preview.blockers.append(
            _blocker(
                employer.id,
                None,
                "employer_on_hold",
                "policy hold: one failed employee holds the employer",
            )
        )


def _add(preview: Preview, employer_id: int, employee_id: int, stub: Any) -> None:
    employee_taxes = sum(
        (line.current.amount for line in stub.lines if line.kind == "employee_tax"), Decimal(0)
    )
    deductions = sum(
        (line.current.amount for line in stub.lines if line.kind == "deduction"), Decimal(0)
    )
    employer_taxes = sum(
        (line.current.amount for line in stub.lines if line.kind == "employer_tax"), Decimal(0)
    )
    amounts = {
        "gross": stub.gross.amount,
        "employee_taxes": employee_taxes,
        "deductions": deductions,
        "net_pay": stub.net_pay.amount,
        "employer_taxes": employer_taxes,
    }
    for key, amount in amounts.items():
        preview.totals[key] += amount
    preview.employees += 1
    preview.paychecks.append(
        {"employer_id": employer_id, "employee_id": employee_id}
        | {key: f"{amount:.2f}" for key, amount in amounts.items()}
    )


def _blocker(
    employer_id: int | None, employee_id: int | None, code: str, detail: str = ""
) -> dict[str, Any]:
    return {"employer_id": employer_id, "employee_id": employee_id, "code": code, "detail": detail}
