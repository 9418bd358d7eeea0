"""Paychecks as the API and `payrun calc --json` show them: the stub's keys, from the stored
paycheck and what it added to year-to-date (paycheck_details.ytd_delta)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from payrun.services.errors import NotFound
from payrun.services.records import PaycheckQuery, PaycheckView
from payrun.services.unit_of_work import UnitOfWork

__all__ = ["PaycheckQuery", "get_paycheck", "list_paychecks", "paycheck_employer", "paycheck_json"]

# calc's key -> the YTD key its current amount is kept under (paystub._TAX_AND_DEDUCTION_LINES)
EMPLOYEE_KEYS = {
    "gross": "gross",
    "federal_income_tax": "federal_income_tax",
    "social_security": "social_security_tax",
    "medicare": "medicare_tax",
    "additional_medicare": "additional_medicare_tax",
    "state_income_tax": "state_income_tax",
    "state_disability": "state_disability_tax",
    "section125": "section125",
    "hsa": "hsa",
    "deferral_401k_pretax": "deferral_401k_pretax",
    "roth_401k": "roth_401k",
    "catch_up_401k": "catch_up_401k",
    "deferral_401k": "deferral_401k",
    "net_pay": "net_pay",
}
EMPLOYER_KEYS = {
    "social_security": "employer_social_security_tax",
    "medicare": "employer_medicare_tax",
    "futa": "futa_tax",
    "state_unemployment": "state_unemployment_tax",
    "ett": "ett_tax",
    "match_401k": "match_401k",
}
WAGE_KEYS = {
    "federal_income_tax": "fit_wages",
    "supplemental": "supplemental_wages",
    "social_security": "social_security_wages",
    "medicare": "medicare_wages",
    "futa": "futa_wages",
    "state_income_tax": "state_pit_wages",
    "state_disability": "sdi_wages",
}


def money(cents: int) -> str:
    return f"{Decimal(int(cents)) / 100:.2f}"


def paycheck_json(check: PaycheckView) -> dict[str, Any]:
    delta, after = check.ytd_delta, check.ytd_after

    def amount(key: str) -> str:
        return money(int(delta.get(key, 0)))

    data: dict[str, Any] = {
        "id": check.id,
        "payrun_id": check.run_id,
        "employer_id": check.employer_id,
        "employee_id": check.employee_id,
        "pay_period_id": check.pay_period_id,
        "period_start": check.period_start.isoformat() if check.period_start else None,
        "period_end": check.period_end.isoformat() if check.period_end else None,
        "pay_date": check.pay_date.isoformat(),
        "kind": check.kind,
        "status": check.status,
    }
    data.update({name: amount(key) for name, key in EMPLOYEE_KEYS.items()})
    data["employer"] = {name: amount(key) for name, key in EMPLOYER_KEYS.items()}
    state_ui = "ca_ui_wages" if "ca_ui_wages" in delta else "state_ui_wages"
    data["wages"] = {name: amount(key) for name, key in WAGE_KEYS.items()}
    data["wages"]["state_unemployment"] = amount(state_ui)
    data["lines"] = [
        {
            "kind": line["kind"],
            "code": line["code"],
            "description": line["description"],
            "current": money(line["cents"]),
            "ytd": money(line["ytd_cents"]),
        }
        for line in check.lines
    ]
    data["ytd_after"] = {key: money(int(value)) for key, value in sorted(after.items())}
    return data


def get_paycheck(uow: UnitOfWork, paycheck_id: int) -> dict[str, Any]:
    with uow:
        check = uow.paychecks.get(paycheck_id)
    if check is None:
        raise NotFound("paycheck", paycheck_id)
    return paycheck_json(check)


def list_paychecks(uow: UnitOfWork, query: PaycheckQuery) -> list[dict[str, Any]]:
    with uow:
        return [paycheck_json(check) for check in uow.paychecks.page(query)]


def paycheck_employer(uow: UnitOfWork, paycheck_id: int) -> int:
    """The employer a paycheck belongs to (for scope checks before anything else is read)."""
    with uow:
        employer_id = uow.paychecks.employer_of(paycheck_id)
    if employer_id is None:
        raise NotFound("paycheck", paycheck_id)
    return employer_id
