"""Exact amounts at the edge: decimals validated in pydantic-core, errors in the field's words.

Amounts are exact decimal strings (or ints, or ``Decimal``); floats are refused. They are
checked by pydantic-core itself (no Python call per field): each is a chain of "a str, an int
or a Decimal" and a decimal schema with the field's limits, and the first error is put in this
module's words (``problem``). Amounts sent as plain digit strings ("2161.55") that are clearly
within their field's limits skip the checks (``ExactDecimal``'s quick path): a pay run
validates one request per employee.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, ValidationError
from pydantic_core import CoreSchema, ErrorDetails, core_schema

from payrun.domain.errors import InvalidInput

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


def problem(error: ErrorDetails) -> str:
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


def first_error(error: ValidationError) -> ErrorDetails:
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


def invalid_input(error: ValidationError, prefix: str = "") -> InvalidInput:
    """The first validation error as ``InvalidInput`` naming the field (under ``prefix``)."""
    first = first_error(error)
    field = ".".join(str(part) for part in first["loc"])
    field = ".".join(part for part in (prefix, field) if part) or "request"
    return InvalidInput(field, problem(first))


class StrictModel(BaseModel):
    """Unknown keys are refused: a misspelt field silently ignored would mean wrong money."""

    model_config = ConfigDict(extra="forbid", frozen=True)
