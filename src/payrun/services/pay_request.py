"""The calculator's JSON input (the ``payrun calc`` shape): pydantic at the edge, domain inside.

``parse_pay_request(data)`` validates a dict and returns the pure ``PayRequest``; any problem
raises ``InvalidInput`` naming the field (``employee.w4.filing_status: unknown ...``).
The employee and employer parts are the one schema of ``payrun.services.schema``; this module
adds the pay period, the earnings and the year-to-date amounts.

It runs once per employee in a pay run, so the employer part, the same for every employee of
an employer, is validated once per distinct content (``_EmployerPart``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, GetCoreSchemaHandler, ValidationError
from pydantic_core import CoreSchema, core_schema

from payrun.domain import request as dom
from payrun.domain.errors import InvalidInput
from payrun.domain.money import Money
from payrun.domain.periods import PayFrequency
from payrun.services.schema.amounts import (
    ZERO,
    Cents,
    Hours,
    NonNegative,
    StrictModel,
    invalid_input,
)
from payrun.services.schema.employee import EmployeeModel, check_employee
from payrun.services.schema.employee import to_domain as employee_to_domain
from payrun.services.schema.employer import EmployerModel, check_match
from payrun.services.schema.employer import to_domain as employer_to_domain

__all__ = ["PayRequestModel", "parse_pay_request"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower() in _WEEKDAYS:
        return _WEEKDAYS.index(value.strip().lower())
    raise ValueError(f"must be a weekday name or 0 (Monday) .. 6 (Sunday), got {value!r}")


class EarningsModel(StrictModel):
    salary: Cents = ZERO  # per pay period
    annual_salary: NonNegative = ZERO  # divided by periods per year
    hourly_rate: NonNegative | None = None
    hours: dict[date, Hours] = Field(default_factory=dict)
    prior_hours: dict[date, Hours] = Field(default_factory=dict)
    workweek_start: Annotated[int, BeforeValidator(_weekday)] | None = None
    bonus: Cents = ZERO
    commission: Cents = ZERO
    supplemental_method: dom.SupplementalMethod = dom.SupplementalMethod.FLAT


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
        config = employer_to_domain(validate(part))
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


class PayRequestModel(StrictModel):
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
            employee_to_domain(self.employee),
            _earnings(self, frequency),
            dom.YearToDate({key: Money(amount) for key, amount in self.ytd.items()}),
            self.employer,
            self.period_start,
            self.period_end,
            None if employee_id is None else str(employee_id),
        )


def parse_pay_request(data: dict[str, Any]) -> dom.PayRequest:
    """Validate the ``payrun calc`` JSON shape and build the domain request."""
    try:
        model = PayRequestModel.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error) from None
    return model.to_domain()


def _check_combinations(model: PayRequestModel) -> None:
    earnings, ytd = model.earnings, model.ytd
    check_employee(model.employee)
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
    check_match(model.employer.match)


_YTD_KEYS = frozenset(dom.YTD_KEYS)


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
