"""The calculator's JSON input (the ``payrun calc`` shape): pydantic at the edge, domain inside.

``parse_pay_request(data)`` validates a dict and returns the pure ``PayRequest``; any problem
raises ``InvalidInput`` naming the field (``employee.w4.filing_status: unknown ...``).
Unknown keys are refused: a misspelt field silently ignored would mean wrong money.
Amounts are exact decimal strings (or ints, or ``Decimal``); floats are refused.

Amounts are checked by pydantic-core itself (no Python call per field): each is a chain of
"a str, an int or a Decimal" and a decimal schema with the field's limits, and the first
error is put in this module's words (``_problem``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationError,
)
from pydantic_core import CoreSchema, ErrorDetails, core_schema

from payrun.domain import request as dom
from payrun.domain.errors import InvalidInput
from payrun.domain.money import Money
from payrun.domain.periods import PayFrequency

__all__ = ["PayRequestModel", "parse_pay_request"]

ZERO = Decimal(0)


class ExactDecimal:
    """Field marker: an exact decimal validated in pydantic-core, within ``limits``.

    Takes a numeric str, an int or a ``Decimal``; refuses floats and bools (error type
    ``exact_decimal``). ``None`` and ``""`` read as 0 (the only inputs that reach Python).
    ``limits`` are ``decimal_schema``'s: ``ge``, ``le``, ``lt``, ``decimal_places``.
    """

    def __init__(self, **limits: Any) -> None:
        self.limits = limits

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        blank_is_zero = core_schema.chain_schema(
            [
                core_schema.literal_schema([None, ""]),
                core_schema.no_info_plain_validator_function(lambda _: ZERO),
            ]
        )
        # Left to right, the common inputs first: a failed branch costs an error object.
        exact = core_schema.union_schema(
            [
                core_schema.str_schema(strict=True, min_length=1),
                core_schema.int_schema(strict=True),
                core_schema.is_instance_schema(Decimal),
                blank_is_zero,
            ],
            mode="left_to_right",
            custom_error_type="exact_decimal",
            custom_error_message="must be an exact decimal string",
        )
        limited = core_schema.decimal_schema(allow_inf_nan=False, **self.limits)
        return core_schema.chain_schema([exact, limited])


Amount = Annotated[Decimal, ExactDecimal()]
NonNegative = Annotated[Decimal, ExactDecimal(ge=0)]
Cents = Annotated[Decimal, ExactDecimal(ge=0, decimal_places=2)]
Percent = Annotated[Decimal, ExactDecimal(ge=0, le=100)]
Rate = Annotated[Decimal, ExactDecimal(ge=0, lt=1)]
Hours = Annotated[Decimal, ExactDecimal(ge=0, le=24)]  # in one calendar day
Count = Annotated[int, Field(ge=0, le=99, strict=True)]


_NOT_ON_2020_FORM = (
    "a 2020-or-later Form W-4 has no allowances; they cannot be combined with "
    "Step 2 — send a 2019-or-earlier form as w4_pre2020 instead"
)
_NOT_ON_2019_FORM = "a 2019-or-earlier Form W-4 has allowances, not the 2020 form's Steps 2-4"
# A field of the other W-4 form (refused as unknown): say which form it belongs to.
_OTHER_FORM: dict[tuple[str, ...], str] = {
    ("w4", "allowances"): _NOT_ON_2020_FORM,
    ("w4_pre2020", "step2_checked"): _NOT_ON_2019_FORM,
    ("w4_pre2020", "step3_credits"): _NOT_ON_2019_FORM,
    ("w4_pre2020", "step4a_other_income"): _NOT_ON_2019_FORM,
    ("w4_pre2020", "step4b_deductions"): _NOT_ON_2019_FORM,
}


def _problem(error: ErrorDetails) -> str:
    """The first validation error in this module's words (pydantic's message otherwise)."""
    kind, given = error["type"], error.get("input")
    where = tuple(str(part) for part in error["loc"][-2:])
    if kind == "extra_forbidden" and where in _OTHER_FORM:
        return _OTHER_FORM[where]
    limit = next(iter(error.get("ctx", {}).values()), None)
    if kind == "exact_decimal":
        return f"must be an exact decimal string, not {type(given).__name__}"
    if kind == "decimal_parsing":
        return f"is not a number: {given!r}"
    if kind == "finite_number":
        return f"must be finite, got {given!r}"
    if kind == "greater_than_equal" and limit == 0:
        return f"must not be negative, got {given}"
    if kind == "decimal_max_places" and limit == 2:
        return f"must be whole cents, got {given}"
    if kind == "less_than_equal" and limit == 100:
        return f"is a percent of pay and must be at most 100, got {given}"
    if kind == "less_than_equal":
        return f"must be at most {limit}, got {given}"
    if kind == "less_than" and limit == 1:
        return f"is a rate (0.034 = 3.4%) and must be below 1, got {given}"
    return error["msg"].removeprefix("Value error, ")


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
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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
    filing_status: Annotated[dom.FederalFilingStatus, _status(_FEDERAL_STATUS)] = (
        dom.FederalFilingStatus.SINGLE
    )
    step2_checked: bool = False
    step3_credits: NonNegative = ZERO
    step4a_other_income: NonNegative = ZERO
    step4b_deductions: NonNegative = ZERO
    step4c_extra: Cents = ZERO
    exempt: bool = False


class W4Pre2020Model(_Model):
    marital_status: Annotated[dom.Pre2020Marital, _status(_PRE2020_STATUS)]
    allowances: Count = 0
    additional_withholding: Cents = ZERO
    exempt: bool = False


class DE4Model(_Model):
    filing_status: Annotated[dom.CaFilingStatus, _status(_CA_STATUS)] = dom.CaFilingStatus.SINGLE
    regular_allowances: Count = 0
    estimated_deduction_allowances: Count = 0
    additional_withholding: Cents = ZERO
    exempt: bool = False


class RetirementModel(_Model):
    pretax_percent: Percent = ZERO
    roth_percent: Percent = ZERO
    pretax_amount: Cents = ZERO
    roth_amount: Cents = ZERO


class EmployeeModel(_Model):
    birth_date: date | None = None
    w4: W4Model | None = None
    w4_pre2020: W4Pre2020Model | None = None
    ca_de4: DE4Model | None = None
    retirement: RetirementModel = RetirementModel()
    section125: Cents = ZERO
    hsa: Cents = ZERO
    prior_year_fica_wages: NonNegative = ZERO
    exempt: bool = False  # federal: the W-4 claims exemption


class EarningsModel(_Model):
    salary: Cents = ZERO  # per pay period
    annual_salary: NonNegative = ZERO  # divided by periods per year
    hourly_rate: NonNegative | None = None
    hours: dict[date, Hours] = Field(default_factory=dict)
    prior_hours: dict[date, Hours] = Field(default_factory=dict)
    workweek_start: Annotated[int, BeforeValidator(_weekday)] | None = None
    bonus: Cents = ZERO
    commission: Cents = ZERO
    supplemental_method: dom.SupplementalMethod = dom.SupplementalMethod.FLAT


class MatchTierModel(_Model):
    up_to_percent: Percent
    match_percent: NonNegative


class EmployerModel(_Model):
    ca_ui_rate: Rate | None = None
    futa_credit_reduction: Rate = ZERO
    match: list[MatchTierModel] = Field(default_factory=list)
    ca_pit_method: dom.CaPitMethod = dom.CaPitMethod.PER_PERIOD
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
        raise InvalidInput(field, _problem(first)) from None
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
    if not _YTD_KEYS.issuperset(model.ytd):
        key = next(key for key in model.ytd if key not in _YTD_KEYS)
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
    for lower, upper in pairwise(model.employer.match):
        if not lower.up_to_percent < upper.up_to_percent:
            raise InvalidInput("employer.match", "up_to_percent must increase from tier to tier")


_YTD_KEYS = frozenset(dom.YTD_KEYS)


def _employee(model: EmployeeModel) -> dom.Employee:
    w4, old, de4, retirement = model.w4, model.w4_pre2020, model.ca_de4, model.retirement
    if w4 is None and old is None and model.exempt:
        w4 = W4Model(exempt=True)
    return dom.Employee(
        birth_date=model.birth_date,
        w4=None
        if w4 is None
        else dom.W4(
            w4.filing_status,
            w4.step2_checked,
            w4.step3_credits,
            w4.step4a_other_income,
            w4.step4b_deductions,
            w4.step4c_extra,
            w4.exempt or model.exempt,
        ),
        w4_pre2020=None
        if old is None
        else dom.W4Pre2020(
            old.marital_status,
            old.allowances,
            old.additional_withholding,
            old.exempt or model.exempt,
        ),
        ca_de4=None
        if de4 is None
        else dom.DE4(
            de4.filing_status,
            de4.regular_allowances,
            de4.estimated_deduction_allowances,
            de4.additional_withholding,
            de4.exempt,
        ),
        retirement=dom.RetirementElection(
            retirement.pretax_percent,
            retirement.roth_percent,
            retirement.pretax_amount,
            retirement.roth_amount,
        ),
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
        # Hours were checked per day by the model (0 to 24); the domain checks them again.
        hours = tuple(sorted(earnings.hours.items()))
        prior = tuple(sorted(earnings.prior_hours.items()))
        start = earnings.workweek_start
        start = model.workweek_start if start is None else start
        hourly = dom.HourlyWork(earnings.hourly_rate, hours, prior, 6 if start is None else start)
    return dom.Earnings(
        salary=salary,
        hourly=hourly,
        bonus=earnings.bonus,
        commission=earnings.commission,
        supplemental_method=earnings.supplemental_method,
    )


def _employer(model: EmployerModel) -> dom.EmployerConfig:
    return dom.EmployerConfig(
        ca_ui_rate=model.ca_ui_rate,
        futa_credit_reduction=model.futa_credit_reduction,
        match=tuple([dom.MatchTier(t.up_to_percent, t.match_percent) for t in model.match]),
        ca_pit_method=model.ca_pit_method,
        super_catch_up=model.super_catch_up,
        sui_rate=model.sui_rate,
        sui_wage_base=model.sui_wage_base,
    )
