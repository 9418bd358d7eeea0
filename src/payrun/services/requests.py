"""Build the calculator's JSON request (the `payrun calc` shape) from database rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from payrun.adapters.db.models import Employee, Employer, PayPeriod, PaySchedule


def cents_str(cents: int) -> str:
    """Integer cents as an exact decimal string ("2161.55")."""
    return str(Decimal(cents) / 100)


def hours_str(hundredths: int) -> str:
    return str(Decimal(hundredths) / 100)


def employer_config(employer: Employer) -> dict[str, Any]:
    return {
        "ca_ui_rate": employer.ca_ui_rate,
        "futa_credit_reduction": employer.futa_credit_reduction,
        "match": list(employer.match_formula or []),
    }


def base_request(
    employee: Employee, employer_cfg: dict[str, Any], schedule: PaySchedule, period: PayPeriod
) -> dict[str, Any]:
    """Everything the calculator needs except hours worked and year-to-date amounts."""
    request: dict[str, Any] = {
        "pay_date": period.pay_date.isoformat(),
        "period_start": period.start_date.isoformat(),
        "period_end": period.end_date.isoformat(),
        "frequency": schedule.frequency,
        "work_state": employee.work_state,
        "workweek_start": schedule.workweek_start,
        "employer": employer_cfg,
        "employee": _employee_part(employee),
    }
    if employee.pay_type == "salary":
        request["annual_salary"] = cents_str(employee.rate_cents)
    else:
        request["hourly_rate"] = cents_str(employee.rate_cents)
    return request


def _employee_part(employee: Employee) -> dict[str, Any]:
    part: dict[str, Any] = {
        "birth_date": employee.birth_date.isoformat() if employee.birth_date else None,
        "w4": None,
        "w4_pre2020": None,
        "ca_de4": None,
        "retirement": {
            "pretax_percent": employee.k401_pretax_percent,
            "roth_percent": employee.k401_roth_percent,
        },
        "section125": cents_str(employee.section125_cents),
        "hsa": cents_str(employee.hsa_cents),
        "prior_year_fica_wages": cents_str(employee.prior_year_fica_wages_cents),
        "exempt": bool(employee.w4_exempt),
    }
    if employee.w4_form >= 2020:
        part["w4"] = {
            "form": 2020,
            "filing_status": employee.w4_filing_status,
            "step2_checked": employee.w4_step2_checked,
            "step3_credits": cents_str(employee.w4_step3_cents),
            "step4a_other_income": cents_str(employee.w4_step4a_cents),
            "step4b_deductions": cents_str(employee.w4_step4b_cents),
            "step4c_extra": cents_str(employee.w4_step4c_cents),
        }
    else:
        part["w4_pre2020"] = {
            "marital_status": employee.w4_pre2020_marital_status,
            "allowances": employee.w4_pre2020_allowances or 0,
        }
    if employee.work_state == "CA":
        part["ca_de4"] = {
            "filing_status": employee.ca_de4_filing_status or "single",
            "regular_allowances": employee.ca_de4_regular_allowances,
            "estimated_deduction_allowances": employee.ca_de4_estimated_allowances,
        }
    return part


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


def salary_per_period(annual_salary: str, periods_per_year: int) -> str:
    """Annual salary / periods per year, half-up to the cent."""
    from payrun.domain.money import Money

    return str((Money.of(annual_salary) / periods_per_year).round_cents())


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
