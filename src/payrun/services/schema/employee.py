"""The employee: one description of everything about a person that affects their pay.

This is the ``employee`` object that ``payrun calc`` reads, the one the API accepts, the one the
database stores (``employees.profile``, as ``profile(model)``) and the one a pay run's snapshot
carries. Adding a W-4 or DE 4 field is one change here (and the domain rule that reads it).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError

from payrun.domain import request as dom
from payrun.domain.errors import InvalidInput
from payrun.services.schema.amounts import (
    ZERO,
    Cents,
    Count,
    NonNegative,
    Percent,
    StrictModel,
    invalid_input,
)

_FEDERAL_STATUS = {
    "single": dom.FederalFilingStatus.SINGLE,
    "married_filing_jointly": dom.FederalFilingStatus.MARRIED_FILING_JOINTLY,
    "married": dom.FederalFilingStatus.MARRIED_FILING_JOINTLY,
    "mfj": dom.FederalFilingStatus.MARRIED_FILING_JOINTLY,
    "married_filing_separately": dom.FederalFilingStatus.MARRIED_FILING_SEPARATELY,
    "mfs": dom.FederalFilingStatus.MARRIED_FILING_SEPARATELY,
    "head_of_household": dom.FederalFilingStatus.HEAD_OF_HOUSEHOLD,
    "hoh": dom.FederalFilingStatus.HEAD_OF_HOUSEHOLD,
}
_PRE2020_STATUS = {
    "single": dom.Pre2020Marital.SINGLE,
    "married": dom.Pre2020Marital.MARRIED,
    "married_single_rate": dom.Pre2020Marital.MARRIED_SINGLE_RATE,
    "married_but_withhold_at_higher_single_rate": dom.Pre2020Marital.MARRIED_SINGLE_RATE,
}
_CA_STATUS = {
    "single": dom.CaFilingStatus.SINGLE,
    "single_or_dual": dom.CaFilingStatus.SINGLE,
    "married_two_incomes": dom.CaFilingStatus.SINGLE,
    "married": dom.CaFilingStatus.MARRIED,
    "married_one_income": dom.CaFilingStatus.MARRIED,
    "head_of_household": dom.CaFilingStatus.HEAD_OF_HOUSEHOLD,
    "hoh": dom.CaFilingStatus.HEAD_OF_HOUSEHOLD,
}
MAX_DEFERRAL_PERCENT = Decimal(75)  # leaves room for FICA, SDI and income tax on any check


def _status(table: dict[str, Any]) -> Any:
    """A filing status by any of its names (case and spaces ignored), as the domain's member."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and value in table:  # the common case: a name as listed
            return table[value]
        key = str(value).strip().lower() if value is not None else "single"
        if key not in table:
            raise ValueError(f"unknown filing status {value!r} (one of {', '.join(sorted(table))})")
        return table[key]

    return BeforeValidator(check)


class W4Model(StrictModel):
    form: int = 2020
    filing_status: Annotated[dom.FederalFilingStatus, _status(_FEDERAL_STATUS)] = (
        dom.FederalFilingStatus.SINGLE
    )
    step2_checked: bool = False
    step3_credits: NonNegative = ZERO
    step4a_other_income: NonNegative = ZERO
    step4b_deductions: NonNegative = ZERO
    step4c_extra: Cents = ZERO
    exempt: bool = False


class W4Pre2020Model(StrictModel):
    marital_status: Annotated[dom.Pre2020Marital, _status(_PRE2020_STATUS)]
    allowances: Count = 0
    additional_withholding: Cents = ZERO
    exempt: bool = False


class DE4Model(StrictModel):
    filing_status: Annotated[dom.CaFilingStatus, _status(_CA_STATUS)] = dom.CaFilingStatus.SINGLE
    regular_allowances: Count = 0
    estimated_deduction_allowances: Count = 0
    additional_withholding: Cents = ZERO
    exempt: bool = False


class RetirementModel(StrictModel):
    pretax_percent: Percent = ZERO
    roth_percent: Percent = ZERO
    pretax_amount: Cents = ZERO
    roth_amount: Cents = ZERO


class EmployeeModel(StrictModel):
    birth_date: date | None = None
    w4: W4Model | None = None
    w4_pre2020: W4Pre2020Model | None = None
    ca_de4: DE4Model | None = None
    retirement: RetirementModel = RetirementModel()
    section125: Cents = ZERO
    hsa: Cents = ZERO
    prior_year_fica_wages: NonNegative = ZERO
    exempt: bool = False  # federal: the W-4 claims exemption


def parse_employee(data: Any, prefix: str = "employee") -> EmployeeModel:
    """Validate an employee object; ``InvalidInput`` names the field (``employee.w4...``)."""
    try:
        model = EmployeeModel.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error, prefix) from None
    check_employee(model, prefix)
    return model


def profile(model: EmployeeModel) -> dict[str, Any]:
    """The stored form: JSON values, defaults left out (what the pay run's snapshot carries)."""
    return model.model_dump(mode="json", exclude_defaults=True)


def check_employee(employee: EmployeeModel, prefix: str = "employee") -> None:
    """The rules across fields that one field's type cannot say."""
    w4 = employee.w4
    if w4 is not None and employee.w4_pre2020 is not None:
        raise InvalidInput(
            f"{prefix}.w4_pre2020",
            "a 2020+ Form W-4 is also on file; send only the most recent form",
        )
    if w4 is not None and w4.form < 2020:
        raise InvalidInput(f"{prefix}.w4.form", "a form before 2020 goes in w4_pre2020")
    _check_retirement(employee.retirement, prefix)


def _check_retirement(retirement: RetirementModel, prefix: str) -> None:
    pretax_percent, roth_percent = retirement.pretax_percent, retirement.roth_percent
    if pretax_percent + roth_percent > MAX_DEFERRAL_PERCENT:
        raise InvalidInput(
            f"{prefix}.retirement.pretax_percent",
            f"traditional + Roth deferral is over {MAX_DEFERRAL_PERCENT}% of pay; taxes must fit",
        )
    if pretax_percent and retirement.pretax_amount:
        raise InvalidInput(
            f"{prefix}.retirement.pretax_amount", "send a percent or an amount, not both"
        )
    if roth_percent and retirement.roth_amount:
        raise InvalidInput(
            f"{prefix}.retirement.roth_amount", "send a percent or an amount, not both"
        )


def to_domain(model: EmployeeModel) -> dom.Employee:
    w4, old, de4, retirement = model.w4, model.w4_pre2020, model.ca_de4, model.retirement
    exempt = model.exempt
    if w4 is None and old is None and exempt:
        w4 = W4Model(exempt=True)
    return dom.Employee(
        model.birth_date,
        None
        if w4 is None
        else dom.W4(
            w4.filing_status,
            w4.step2_checked,
            w4.step3_credits,
            w4.step4a_other_income,
            w4.step4b_deductions,
            w4.step4c_extra,
            w4.exempt or exempt,
        ),
        None
        if old is None
        else dom.W4Pre2020(
            old.marital_status, old.allowances, old.additional_withholding, old.exempt or exempt
        ),
        None
        if de4 is None
        else dom.DE4(
            de4.filing_status,
            de4.regular_allowances,
            de4.estimated_deduction_allowances,
            de4.additional_withholding,
            de4.exempt,
        ),
        dom.RetirementElection(
            retirement.pretax_percent,
            retirement.roth_percent,
            retirement.pretax_amount,
            retirement.roth_amount,
        ),
        model.section125,
        model.hsa,
        model.prior_year_fica_wages,
    )
