"""The calculator's JSON input (the ``payrun calc`` shape): pydantic at the edge, domain inside.

``parse_pay_request(data)`` validates a dict and returns the pure ``PayRequest``; any problem
raises ``InvalidInput`` naming the field (``employee.w4.filing_status: unknown ...``).
Unknown keys are refused: a misspelt field silently ignored would mean wrong money.
Amounts are exact decimal strings (or ints, or ``Decimal``); floats are refused.

Amounts are checked by pydantic-core itself (no Python call per field): each is a chain of
"a str, an int or a Decimal" and a decimal schema with the field's limits, and the first
error is put in this module's words (``_problem``).

It runs once per employee in a pay run, so amounts sent as plain digit strings ("2161.55")
that are clearly within their field's limits skip the checks (``ExactDecimal``'s quick path),
and the employer part, the same for every employee of an employer, is validated once per
distinct content (``_EmployerPart``).
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
# The union labels of an amount with a quick path (in an error's loc when both refuse it).
_QUICK, _CHECKED = "quick path", "checked"


class ExactDecimal:
    """Field marker: an exact decimal validated in pydantic-core, within ``limits``.

    Takes a numeric str, an int or a ``Decimal``; refuses floats and bools (error type
    ``exact_decimal``). ``None`` and ``""`` read as 0 (the only inputs that reach Python).
    ``limits`` are ``decimal_schema``'s: ``ge``, ``le``, ``lt``, ``decimal_places``.

    ``quick`` is a pattern of plain digit strings that are certainly within the limits: a
    string matching it is read as ``Decimal(string)`` straight away, which is what the checks
    would return (they cost 1.4 to 4 times as much; ``decimal_places`` calls ``as_tuple()``
    twice); any other input takes the checks. When both refuse an input the union labels the
    errors; ``_first_error`` takes the labels off.
    """

    def __init__(self, quick: str | None = None, **limits: Any) -> None:
        self.quick = quick
        self.limits = limits

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        checked = self._checked()
        if self.quick is None:
            return checked
        quick = core_schema.chain_schema(
            [
                core_schema.str_schema(strict=True, pattern=self.quick),
                core_schema.no_info_plain_validator_function(Decimal),
            ]
        )
        return core_schema.union_schema(
            [(quick, _QUICK), (checked, _CHECKED)], mode="left_to_right"
        )

    def _checked(self) -> CoreSchema:
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


# Quick paths: ASCII digits with an optional fraction, so finite and not negative; then each
# field's own bound ("2161.55" and "0" are whole cents, "75.5" a percent, "0.034" a rate).
_DECIMALS = r"(\.[0-9]{1,15})?"
Amount = Annotated[Decimal, ExactDecimal()]
NonNegative = Annotated[Decimal, ExactDecimal(rf"^[0-9]{{1,15}}{_DECIMALS}$", ge=0)]
Cents = Annotated[Decimal, ExactDecimal(r"^[0-9]{1,15}(\.[0-9]{1,2})?$", ge=0, decimal_places=2)]
Percent = Annotated[Decimal, ExactDecimal(rf"^(100|[0-9]{{1,2}}{_DECIMALS})$", ge=0, le=100)]
Rate = Annotated[Decimal, ExactDecimal(rf"^0{_DECIMALS}$", ge=0, lt=1)]
Hours = Annotated[  # in one calendar day
    Decimal, ExactDecimal(rf"^(24|(1?[0-9]|2[0-3]){_DECIMALS})$", ge=0, le=24)
]
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


class _EmployerPart:
    """Field marker: the employer part, validated as ``EmployerModel``, as the domain's config.

    Every employee of an employer sends the same part. A part whose keys are str and whose
    values are str, int, bool, None or lists of such dicts is keyed on its content with each
    value's exact type (``1`` and ``True`` are equal but not the same input): the same key is
    the same input, hence the same (immutable) config, kept in a small bounded cache. Anything
    else (a ``Decimal``, a float, an invalid part) is validated each time, as is every part
    that fails.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_wrap_validator_function(
            _employer_config,
            handler.generate_schema(EmployerModel),
            serialization=core_schema.simple_ser_schema("any"),  # dumped as the dataclass it is
        )


_EMPLOYERS: dict[tuple[Any, ...], dom.EmployerConfig] = {}
_EMPLOYERS_KEPT = 256  # distinct employer parts at most: a pay run has a few at a time
_PLAIN = frozenset({str, int, bool, type(None)})


def _employer_config(
    part: Any, validate: core_schema.ValidatorFunctionWrapHandler
) -> dom.EmployerConfig:
    key = _content_key(part)
    config = None if key is None else _EMPLOYERS.get(key)
    if config is None:
        config = _employer(validate(part))
        if key is not None:
            if len(_EMPLOYERS) >= _EMPLOYERS_KEPT:
                _EMPLOYERS.clear()
            _EMPLOYERS[key] = config
    return config


def _content_key(part: Any) -> tuple[Any, ...] | None:
    """``part``'s content as (key, exact type, value) triples; None if it is not plain data."""
    if type(part) is not dict:
        return None
    key = []
    for name, value in part.items():
        kind = type(value)
        if type(name) is not str:
            return None
        if kind is list:
            value = tuple(map(_content_key, value))
            if None in value:
                return None
        elif kind not in _PLAIN:
            return None
        key.append((name, kind, value))
    return tuple(key)


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
    employer: Annotated[dom.EmployerConfig, _EmployerPart()] = dom.EmployerConfig()

    def to_domain(self) -> dom.PayRequest:
        frequency = PayFrequency.parse(self.frequency)
        _check_combinations(self)
        employee_id = self.employee_id
        # Positional (a third faster than keywords): test_pay_request_fields checks each lands.
        return dom.PayRequest(
            self.pay_date,
            frequency,
            self.work_state.upper(),
            _employee(self.employee),
            _earnings(self, frequency),
            dom.YearToDate({key: Money(amount) for key, amount in self.ytd.items()}),
            self.employer,
            self.period_start,
            self.period_end,
            None if employee_id is None else str(employee_id),
        )


def parse_pay_request(data: dict[str, Any]) -> dom.PayRequest:
    """Validate the issue-3 JSON shape and build the domain request."""
    try:
        model = PayRequestModel.model_validate(data)
    except ValidationError as error:
        first = _first_error(error)
        field = ".".join(str(part) for part in first["loc"]) or "request"
        raise InvalidInput(field, _problem(first)) from None
    return model.to_domain()


def _first_error(error: ValidationError) -> ErrorDetails:
    """The first error as the checks alone report it.

    If an amount's quick path refused it, the checks' one error for the same amount comes
    next, labelled: take the label off. (The only other loc the label can end is an unknown
    key of that name; every other user-given key ends a loc as ``[key]`` or has an amount.)
    """
    errors = error.errors()
    first = errors[0]
    if first["loc"][-1:] == (_QUICK,) and first["type"] != "extra_forbidden":
        checked = errors[1]
        first = {**checked, "loc": checked["loc"][:-1]}
    return first


def _check_combinations(model: PayRequestModel) -> None:
    employee, earnings, ytd = model.employee, model.earnings, model.ytd
    w4 = employee.w4
    if w4 is not None and employee.w4_pre2020 is not None:
        raise InvalidInput(
            "employee.w4_pre2020",
            "a 2020+ Form W-4 is also on file; send only the most recent form",
        )
    if w4 is not None and w4.form < 2020:
        raise InvalidInput("employee.w4.form", "a form before 2020 goes in w4_pre2020")
    if not _YTD_KEYS.issuperset(ytd):
        key = next(key for key in ytd if key not in _YTD_KEYS)
        raise InvalidInput(
            f"ytd.{key}", f"unknown year-to-date key (known: {', '.join(dom.YTD_KEYS)})"
        )
    salary, annual_salary = earnings.salary, earnings.annual_salary
    if salary and annual_salary:
        raise InvalidInput(
            "earnings.annual_salary", "send either salary (per period) or annual_salary"
        )
    if earnings.hourly_rate is None:
        if earnings.hours:
            raise InvalidInput("earnings.hourly_rate", "required when hours are given")
    elif salary or annual_salary:
        raise InvalidInput(
            "earnings.hourly_rate", "an employee is paid either a salary or by the hour"
        )
    _check_retirement(employee.retirement)
    for lower, upper in pairwise(model.employer.match):
        if not lower.up_to_percent < upper.up_to_percent:
            raise InvalidInput("employer.match", "up_to_percent must increase from tier to tier")


def _check_retirement(retirement: RetirementModel) -> None:
    pretax_percent, roth_percent = retirement.pretax_percent, retirement.roth_percent
    if pretax_percent + roth_percent > MAX_DEFERRAL_PERCENT:
        raise InvalidInput(
            "employee.retirement.pretax_percent",
            f"traditional + Roth deferral is over {MAX_DEFERRAL_PERCENT}% of pay; taxes must fit",
        )
    if pretax_percent and retirement.pretax_amount:
        raise InvalidInput(
            "employee.retirement.pretax_amount", "send a percent or an amount, not both"
        )
    if roth_percent and retirement.roth_amount:
        raise InvalidInput(
            "employee.retirement.roth_amount", "send a percent or an amount, not both"
        )


_YTD_KEYS = frozenset(dom.YTD_KEYS)


def _employee(model: EmployeeModel) -> dom.Employee:
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


def _earnings(model: PayRequestModel, frequency: PayFrequency) -> dom.Earnings:
    earnings = model.earnings
    salary = earnings.salary
    if earnings.annual_salary:
        salary = earnings.annual_salary / frequency.periods_per_year
    hourly = None
    hourly_rate = earnings.hourly_rate
    if hourly_rate is not None:
        # Hours were checked per day by the model (0 to 24); the domain checks them again.
        hours = tuple(sorted(earnings.hours.items()))
        prior = tuple(sorted(earnings.prior_hours.items()))
        start = earnings.workweek_start
        start = model.workweek_start if start is None else start
        hourly = dom.HourlyWork(hourly_rate, hours, prior, 6 if start is None else start)
    return dom.Earnings(
        salary, hourly, earnings.bonus, earnings.commission, earnings.supplemental_method
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
