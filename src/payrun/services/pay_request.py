"""The calculator's JSON input (the ``payrun calc`` shape): pydantic at the edge, domain inside.

``parse_pay_request(data)`` validates a dict and returns the pure ``PayRequest``; any problem
raises ``InvalidInput`` naming the field (``employee.w4.filing_status: unknown ...``).
Unknown keys are refused: a misspelt field silently ignored would mean wrong money.
Amounts are exact decimal strings (or ints, or ``Decimal``); floats are refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from payrun.domain import request as dom
from payrun.domain.errors import InvalidInput
from payrun.domain.money import CENT, Money, to_decimal
from payrun.domain.overtime import check_hours
from payrun.domain.periods import PayFrequency

__all__ = ["PayRequestModel", "parse_pay_request"]


def _exact(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    try:
        return to_decimal(value)
    except InvalidInput as error:
        raise ValueError(error.problem) from None


def _non_negative(value: Any) -> Decimal:
    amount = _exact(value)
    if amount < 0:
        raise ValueError(f"must not be negative, got {amount}")
    return amount


def _whole_cents(value: Any) -> Decimal:
    amount = _non_negative(value)
    if amount != amount.quantize(CENT):
        raise ValueError(f"must be whole cents, got {amount}")
    return amount


def _percent(value: Any) -> Decimal:
    amount = _non_negative(value)
    if amount > 100:
        raise ValueError(f"is a percent of pay and must be at most 100, got {amount}")
    return amount


def _rate(value: Any) -> Decimal:
    amount = _non_negative(value)
    if amount >= 1:
        raise ValueError(f"is a rate (0.034 = 3.4%) and must be below 1, got {amount}")
    return amount


Amount = Annotated[Decimal, BeforeValidator(_exact)]
NonNegative = Annotated[Decimal, BeforeValidator(_non_negative)]
Cents = Annotated[Decimal, BeforeValidator(_whole_cents)]
Percent = Annotated[Decimal, BeforeValidator(_percent)]
Rate = Annotated[Decimal, BeforeValidator(_rate)]
Count = Annotated[int, Field(ge=0, le=99, strict=True)]

_FEDERAL_STATUS = {
    "single": "single",
    "married_filing_jointly": "married_filing_jointly",
    "married": "married_filing_jointly",
    "mfj": "married_filing_jointly",
    "married_filing_separately": "married_filing_separately",
    "mfs": "married_filing_separately",
    "head_of_household": "head_of_household",
    "hoh": "head_of_household",
}
_PRE2020_STATUS = {
    "single": "single",
    "married": "married",
    "married_single_rate": "married_single_rate",
    "married_but_withhold_at_higher_single_rate": "married_single_rate",
}
_CA_STATUS = {
    "single": "single",
    "single_or_dual": "single",
    "married_two_incomes": "single",
    "married": "married",
    "married_one_income": "married",
    "head_of_household": "head_of_household",
    "hoh": "head_of_household",
}
MAX_DEFERRAL_PERCENT = Decimal(75)  # leaves room for FICA, SDI and income tax on any check
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _status(table: dict[str, str]) -> Any:
    def check(value: Any) -> str:
        key = str(value).strip().lower() if value is not None else "single"
        if key not in table:
            raise ValueError(f"unknown filing status {value!r} (one of {', '.join(sorted(table))})")
        return table[key]

    return BeforeValidator(check)


def _weekday(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower() in _WEEKDAYS:
        return _WEEKDAYS.index(value.strip().lower())
    raise ValueError(f"must be a weekday name or 0 (Monday) .. 6 (Sunday), got {value!r}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class W4Model(_Model):
    form: int = 2020
    filing_status: Annotated[str, _status(_FEDERAL_STATUS)] = "single"
    step2_checked: bool = False
    step3_credits: NonNegative = Decimal(0)
    step4a_other_income: NonNegative = Decimal(0)
    step4b_deductions: NonNegative = Decimal(0)
    step4c_extra: NonNegative = Decimal(0)
    exempt: bool = False

    @model_validator(mode="before")
    @classmethod
    def _no_allowances(cls, data: Any) -> Any:
        if isinstance(data, dict) and "allowances" in data:
            raise InvalidInput(
                "employee.w4.allowances",
                "a 2020-or-later Form W-4 has no allowances; they cannot be combined with "
                "Step 2 — send a 2019-or-earlier form as w4_pre2020 instead",
            )
        return data


class W4Pre2020Model(_Model):
    marital_status: Annotated[str, _status(_PRE2020_STATUS)]
    allowances: Count = 0
    additional_withholding: NonNegative = Decimal(0)
    exempt: bool = False

    @model_validator(mode="before")
    @classmethod
    def _no_steps(cls, data: Any) -> Any:
        for key in ("step2_checked", "step3_credits", "step4a_other_income", "step4b_deductions"):
            if isinstance(data, dict) and key in data:
                raise InvalidInput(
                    f"employee.w4_pre2020.{key}",
                    "a 2019-or-earlier Form W-4 has allowances, not the 2020 form's Steps 2-4",
                )
        return data


class DE4Model(_Model):
    filing_status: Annotated[str, _status(_CA_STATUS)] = "single"
    regular_allowances: Count = 0
    estimated_deduction_allowances: Count = 0
    additional_withholding: NonNegative = Decimal(0)
    exempt: bool = False


class RetirementModel(_Model):
    pretax_percent: Percent = Decimal(0)
    roth_percent: Percent = Decimal(0)
    pretax_amount: NonNegative = Decimal(0)
    roth_amount: NonNegative = Decimal(0)


class EmployeeModel(_Model):
    birth_date: date | None = None
    w4: W4Model | None = None
    w4_pre2020: W4Pre2020Model | None = None
    ca_de4: DE4Model | None = None
    retirement: RetirementModel = RetirementModel()
    section125: NonNegative = Decimal(0)
    hsa: NonNegative = Decimal(0)
    prior_year_fica_wages: NonNegative = Decimal(0)
    exempt: bool = False  # federal: the W-4 claims exemption


class EarningsModel(_Model):
    salary: NonNegative = Decimal(0)  # per pay period
    annual_salary: NonNegative = Decimal(0)  # divided by periods per year
    hourly_rate: NonNegative | None = None
    hours: dict[date, Amount] = Field(default_factory=dict)
    prior_hours: dict[date, Amount] = Field(default_factory=dict)
    workweek_start: Annotated[int, BeforeValidator(_weekday)] | None = None
    bonus: NonNegative = Decimal(0)
    commission: NonNegative = Decimal(0)
    supplemental_method: Literal["flat", "aggregate"] = "flat"


class MatchTierModel(_Model):
    up_to_percent: Percent
    match_percent: Annotated[Decimal, BeforeValidator(_non_negative)]


class EmployerModel(_Model):
    ca_ui_rate: Rate | None = None
    futa_credit_reduction: Rate = Decimal(0)
    match: list[MatchTierModel] = Field(default_factory=list)
    ca_pit_method: Literal["per_period", "annualized"] = "per_period"
    super_catch_up: bool = True
    sui_rate: Rate | None = None
    sui_wage_base: NonNegative | None = None


class PayRequestModel(_Model):
    pay_date: date
    frequency: str
    work_state: Annotated[str, Field(min_length=2, max_length=2)]
    period_start: date | None = None
    period_end: date | None = None
    workweek_start: Annotated[int, BeforeValidator(_weekday)] | None = None
    employee_id: str | int | None = None
    employee: EmployeeModel
    earnings: EarningsModel
    ytd: dict[str, Cents] = Field(default_factory=dict)
    employer: EmployerModel = EmployerModel()

    def to_domain(self) -> dom.PayRequest:
        frequency = PayFrequency.parse(self.frequency)
        _check_combinations(self)
        return dom.PayRequest(
            pay_date=self.pay_date,
            frequency=frequency,
            work_state=self.work_state.upper(),
            employee=_employee(self.employee),
            earnings=_earnings(self, frequency),
            ytd=dom.YearToDate({k: Money(v) for k, v in self.ytd.items()}),
            employer=_employer(self.employer),
            period_start=self.period_start,
            period_end=self.period_end,
            employee_id=None if self.employee_id is None else str(self.employee_id),
        )


def parse_pay_request(data: dict[str, Any]) -> dom.PayRequest:
    """Validate the issue-3 JSON shape and build the domain request."""
    try:
        model = PayRequestModel.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "request"
        raise InvalidInput(field, first["msg"].removeprefix("Value error, ")) from None
    return model.to_domain()


def _check_combinations(model: PayRequestModel) -> None:
    employee, earnings = model.employee, model.earnings
    if employee.w4 is not None and employee.w4_pre2020 is not None:
        raise InvalidInput(
            "employee.w4_pre2020",
            "a 2020+ Form W-4 is also on file; send only the most recent form",
        )
    if employee.w4 is not None and employee.w4.form < 2020:
        raise InvalidInput("employee.w4.form", "a form before 2020 goes in w4_pre2020")
    for key in model.ytd:
        if key not in dom.YTD_KEYS:
            raise InvalidInput(
                f"ytd.{key}", f"unknown year-to-date key (known: {', '.join(dom.YTD_KEYS)})"
            )
    if earnings.salary and earnings.annual_salary:
        raise InvalidInput(
            "earnings.annual_salary", "send either salary (per period) or annual_salary"
        )
    if earnings.hours and earnings.hourly_rate is None:
        raise InvalidInput("earnings.hourly_rate", "required when hours are given")
    if earnings.hourly_rate is not None and (earnings.salary or earnings.annual_salary):
        raise InvalidInput(
            "earnings.hourly_rate", "an employee is paid either a salary or by the hour"
        )
    retirement = employee.retirement
    if retirement.pretax_percent + retirement.roth_percent > MAX_DEFERRAL_PERCENT:
        raise InvalidInput(
            "employee.retirement.pretax_percent",
            f"traditional + Roth deferral is over {MAX_DEFERRAL_PERCENT}% of pay; taxes must fit",
        )
    if retirement.pretax_percent and retirement.pretax_amount:
        raise InvalidInput(
            "employee.retirement.pretax_amount", "send a percent or an amount, not both"
        )
    if retirement.roth_percent and retirement.roth_amount:
        raise InvalidInput(
            "employee.retirement.roth_amount", "send a percent or an amount, not both"
        )
    bounds = [tier.up_to_percent for tier in model.employer.match]
    if bounds != sorted(set(bounds)):
        raise InvalidInput("employer.match", "up_to_percent must increase from tier to tier")


def _employee(model: EmployeeModel) -> dom.Employee:
    w4 = model.w4
    if w4 is None and model.w4_pre2020 is None and model.exempt:
        w4 = W4Model(exempt=True)
    return dom.Employee(
        birth_date=model.birth_date,
        w4=None
        if w4 is None
        else dom.W4(
            dom.FederalFilingStatus(w4.filing_status),
            w4.step2_checked,
            w4.step3_credits,
            w4.step4a_other_income,
            w4.step4b_deductions,
            w4.step4c_extra,
            w4.exempt or model.exempt,
        ),
        w4_pre2020=None
        if model.w4_pre2020 is None
        else dom.W4Pre2020(
            dom.Pre2020Marital(model.w4_pre2020.marital_status),
            model.w4_pre2020.allowances,
            model.w4_pre2020.additional_withholding,
            model.w4_pre2020.exempt or model.exempt,
        ),
        ca_de4=None
        if model.ca_de4 is None
        else dom.DE4(
            dom.CaFilingStatus(model.ca_de4.filing_status),
            model.ca_de4.regular_allowances,
            model.ca_de4.estimated_deduction_allowances,
            model.ca_de4.additional_withholding,
            model.ca_de4.exempt,
        ),
        retirement=dom.RetirementElection(**model.retirement.model_dump()),
        section125=model.section125,
        hsa=model.hsa,
        prior_year_fica_wages=model.prior_year_fica_wages,
    )


def _earnings(model: PayRequestModel, frequency: PayFrequency) -> dom.Earnings:
    earnings = model.earnings
    salary = earnings.salary
    if earnings.annual_salary:
        salary = earnings.annual_salary / frequency.periods_per_year
    hourly = None
    if earnings.hourly_rate is not None:
        hours = tuple(sorted(earnings.hours.items()))
        prior = tuple(sorted(earnings.prior_hours.items()))
        check_hours(hours, "earnings.hours")
        check_hours(prior, "earnings.prior_hours")
        start = earnings.workweek_start
        start = model.workweek_start if start is None else start
        hourly = dom.HourlyWork(earnings.hourly_rate, hours, prior, 6 if start is None else start)
    return dom.Earnings(
        salary=salary,
        hourly=hourly,
        bonus=earnings.bonus,
        commission=earnings.commission,
        supplemental_method=dom.SupplementalMethod(earnings.supplemental_method),
    )


def _employer(model: EmployerModel) -> dom.EmployerConfig:
    return dom.EmployerConfig(
        ca_ui_rate=model.ca_ui_rate,
        futa_credit_reduction=model.futa_credit_reduction,
        match=tuple(dom.MatchTier(t.up_to_percent, t.match_percent) for t in model.match),
        ca_pit_method=dom.CaPitMethod(model.ca_pit_method),
        super_catch_up=model.super_catch_up,
        sui_rate=model.sui_rate,
        sui_wage_base=model.sui_wage_base,
    )
