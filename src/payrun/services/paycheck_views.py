"""Paychecks as the API and `payrun calc --json` show them: the stub's keys, from the stored
paycheck and what it added to year-to-date (paycheck_details.ytd_delta)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import Paycheck, PaycheckDetail, PayPeriod
from payrun.services.errors import NotFound

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


@dataclass(frozen=True)
class PaycheckQuery:
    run_id: str | None = None
    employee_id: int | None = None
    employer_id: int | None = None
    after_id: int = 0
    limit: int = 50
    only_employers: frozenset[int] | None = None


def money(cents: int) -> str:
    return f"{Decimal(int(cents)) / 100:.2f}"


def paycheck_json(
    check: Paycheck, detail: PaycheckDetail | None, period: PayPeriod | None
) -> dict[str, Any]:
    delta = detail.ytd_delta if detail else {}
    after = detail.ytd_after if detail else {}

    def amount(key: str) -> str:
        return money(int(delta.get(key, 0)))

    data: dict[str, Any] = {
        "id": check.id,
        "payrun_id": check.run_id,
        "employer_id": check.employer_id,
        "employee_id": check.employee_id,
        "pay_period_id": check.pay_period_id,
        "period_start": period.start_date.isoformat() if period else None,
        "period_end": period.end_date.isoformat() if period else None,
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
        for line in (detail.lines if detail else [])
    ]
    data["ytd_after"] = {key: money(int(value)) for key, value in sorted(after.items())}
    return data


def get_paycheck(db_url: str, paycheck_id: int) -> dict[str, Any]:
    with reading(db_url) as session:
        row = session.execute(
            select(Paycheck, PaycheckDetail, PayPeriod)
            .outerjoin(PaycheckDetail, PaycheckDetail.paycheck_id == Paycheck.id)
            .outerjoin(PayPeriod, PayPeriod.id == Paycheck.pay_period_id)
            .where(Paycheck.id == paycheck_id)
        ).first()
        if row is None:
            raise NotFound("paycheck", paycheck_id)
        return paycheck_json(*row)


def list_paychecks(db_url: str, query: PaycheckQuery) -> list[dict[str, Any]]:
    with reading(db_url) as session:
        statement = (
            select(Paycheck, PaycheckDetail, PayPeriod)
            .outerjoin(PaycheckDetail, PaycheckDetail.paycheck_id == Paycheck.id)
            .outerjoin(PayPeriod, PayPeriod.id == Paycheck.pay_period_id)
            .where(Paycheck.id > query.after_id)
            .order_by(Paycheck.id)
            .limit(query.limit)
        )
        if query.run_id is not None:
            statement = statement.where(Paycheck.run_id == query.run_id)
        if query.employee_id is not None:
            statement = statement.where(Paycheck.employee_id == query.employee_id)
        if query.employer_id is not None:
            statement = statement.where(Paycheck.employer_id == query.employer_id)
        if query.only_employers is not None:
            statement = statement.where(Paycheck.employer_id.in_(query.only_employers))
        return [paycheck_json(*row) for row in session.execute(statement).all()]


def paycheck_employer(db_url: str, paycheck_id: int) -> int:
    """The employer a paycheck belongs to (for scope checks before anything else is read)."""
    with reading(db_url) as session:
        employer_id = session.scalar(select(Paycheck.employer_id).where(Paycheck.id == paycheck_id))
    if employer_id is None:
        raise NotFound("paycheck", paycheck_id)
    return int(employer_id)
