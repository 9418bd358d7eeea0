"""Checks on one employee's input values, shared by the demo seed, file imports and the API.

A row uses the column names of `employees`, except that secrets arrive in clear as `ssn` and
`bank_account` (they are encrypted after validation), and the employee object of the one
schema (payrun.services.schema) arrives as `profile`. Every failure names its field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from payrun.domain.ach.routing import is_valid_routing, validate_routing
from payrun.domain.errors import InvalidInput
from payrun.services.schema.employee import parse_employee

PAY_TYPES = frozenset({"salary", "hourly"})
ACCOUNT_TYPES = frozenset({"checking", "savings"})
# The 50 states and DC; territories have their own payroll regimes and are not supported.
US_STATES = frozenset(
    (  # noqa: SIM905 - a code list reads best as one string
        "AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND "
        "NE NH NJ NM NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY"
    ).split()
)
REQUIRED = ("pay_type", "rate_cents", "home_state", "work_state", "bank_routing", "bank_account")


def valid_routing(number: str) -> bool:
    """True for a 9-digit ABA routing number whose check digit (weights 3, 7, 1) is right."""
    return is_valid_routing(number)


def validate_employee_row(values: Mapping[str, object]) -> None:
    """Raise InvalidInput naming the first field that can never make a correct paycheck."""
    for field in REQUIRED:
        if values.get(field) is None:
            raise InvalidInput(field, "is required")
    for field, check in _CHECKS.items():
        if values.get(field) is not None:
            check(field, values[field])
    parse_employee(values.get("profile") or {})


def _whole(unit: str) -> Callable[[str, object], None]:
    def check(field: str, value: object) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput(field, f"must be whole {unit}, not {type(value).__name__}")
        if value < 0:
            raise InvalidInput(field, f"must not be negative, got {value}")

    return check


def _routing(field: str, value: object) -> None:
    validate_routing(value, field)


def _account_number(field: str, value: object) -> None:
    text = value if isinstance(value, str) else ""
    if not (4 <= len(text) <= 17 and text.isascii() and text.isalnum()):
        raise InvalidInput(field, "must be 4 to 17 letters or digits")


def _ssn(field: str, value: object) -> None:
    digits = value.replace("-", "") if isinstance(value, str) else ""
    if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
        raise InvalidInput(field, "must be 9 digits")
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        raise InvalidInput(field, "is not a number the SSA issues (area, group or serial)")


def _one_of(allowed: frozenset[object], what: str) -> Callable[[str, object], None]:
    def check(field: str, value: object) -> None:
        if value not in allowed:
            raise InvalidInput(field, f"unknown {what} {value!r}")

    return check


_CHECKS: dict[str, Callable[[str, object], None]] = {
    "pay_type": _one_of(PAY_TYPES, "pay type (salary or hourly)"),
    "rate_cents": _whole("cents"),
    "home_state": _one_of(US_STATES, "state code"),
    "work_state": _one_of(US_STATES, "state code"),
    "bank_routing": _routing,
    "bank_account": _account_number,
    "bank_account_type": _one_of(ACCOUNT_TYPES, "account type (checking or savings)"),
    "ssn": _ssn,
}
