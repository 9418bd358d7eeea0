"""Build the calculator's JSON request (the `payrun calc` shape) from database rows."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from payrun.adapters.db.models import Employee, Employer, PayPeriod, PaySchedule
from payrun.domain.money import CENT


def cents_str(cents: int) -> str:
    """Integer cents as an exact decimal string ("2161.55")."""
    if not cents:  # most deductions and W-4 amounts: skip the Decimal
        return "0"
    return str(Decimal(cents) / 100)


def hours_str(hundredths: int) -> str:
    return str(Decimal(hundredths) / 100)


def employer_config(employer: Employer) -> dict[str, Any]:
    """The employer's pay settings as stored: the `employer` object of every request."""
    return employer.pay_settings


class EmployeeRow(NamedTuple):
    """What base_request reads of an employee, selected as columns rather than an entity
    (a plain tuple: its fields read far faster than a SQLAlchemy row's)."""

    id: int
    work_state: str
    pay_type: str
    rate_cents: int
    profile: dict[str, Any]


# select(*EMPLOYEE_ROW_COLUMNS) returns rows in EmployeeRow's order: EmployeeRow(*row).
EMPLOYEE_ROW_COLUMNS = tuple(getattr(Employee, name) for name in EmployeeRow._fields)


def period_request(schedule: PaySchedule, period: PayPeriod) -> dict[str, Any]:
    """The part of every request of a pay period that is the same for each employee."""
    return {
        "pay_date": period.pay_date.isoformat(),
        "period_start": period.start_date.isoformat(),
        "period_end": period.end_date.isoformat(),
        "frequency": schedule.frequency,
        "workweek_start": schedule.workweek_start,
    }


def base_request(
    employee: EmployeeRow | Employee, employer_cfg: dict[str, Any], period_part: dict[str, Any]
) -> dict[str, Any]:
    """Everything the calculator needs except hours worked and year-to-date amounts: the
    stored employee object goes in as it is (one schema, no copy to drift)."""
    request: dict[str, Any] = {
        **period_part,
        "work_state": employee.work_state,
        "employer": employer_cfg,
        "employee": employee.profile,
    }
    if employee.pay_type == "salary":
        request["annual_salary"] = cents_str(employee.rate_cents)
    else:
        request["hourly_rate"] = cents_str(employee.rate_cents)
    return request


def with_earnings(
    base: dict[str, Any], hours: dict[str, str] | None, salary_per_period: str | None
) -> dict[str, Any]:
    """Complete the request with this period's earnings."""
    request = {k: v for k, v in base.items() if k not in ("annual_salary", "hourly_rate")}
    if "hourly_rate" in base:
        request["earnings"] = {"hourly_rate": base["hourly_rate"], "hours": hours or {}}
    else:
        request["earnings"] = {"salary": salary_per_period}
    return request


def salary_per_period(annual_salary_cents: int, periods_per_year: int) -> str:
    """Annual salary / periods per year, half-up to the cent (as Money.round_cents does)."""
    per_period = Decimal(annual_salary_cents) / 100 / periods_per_year
    return f"{per_period.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def ytd_request(amounts_cents: dict[str, int]) -> dict[str, str]:
    """YTD accumulators (cents) in the calculator's string form; missing keys are zero."""
    keys = (
        "gross",
        "social_security_wages",
        "medicare_wages",
        "futa_wages",
        "ca_ui_wages",
        "deferral_401k",
    )
    result = {key: "0" for key in keys}
    for key, cents in amounts_cents.items():
        result[key] = cents_str(int(cents))
    return result


def tax_year(pay_date: date) -> int:
    return pay_date.year
