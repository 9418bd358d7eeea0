"""An employer's state payroll tax registrations: one account number per state it pays in.

California's is the EDD employer payroll tax account number, printed on every DE 9 and DE 88:
8 digits, usually written NNN-NNNN-N. It is stored as its 8 digits and shown formatted. Other
states' numbers are kept as given (1 to 20 letters, digits and hyphens). The number is not a
secret (unlike a bank account) and is stored in clear. The UI rate is not here: it is a pay
setting (`pay_settings.ca_ui_rate` / `sui_rate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from payrun.domain.errors import InvalidInput
from payrun.services.employees import US_STATES

FIELD = "state_registrations"
_CA_DIGITS = re.compile(r"^[0-9]{8}$")
_OTHER = re.compile(r"^[0-9A-Za-z-]{1,20}$")


@dataclass(frozen=True)
class StateRegistration:
    state: str  # two-letter code, one of payrun.services.employees.US_STATES
    account_number: str  # as sent: "123-4567-8" and "12345678" are the same CA number


def checked(registrations: Iterable[StateRegistration]) -> dict[str, str]:
    """The registrations as stored, state -> account number (California's as its 8 digits);
    the first bad one raises InvalidInput naming `state_registrations.<index>.<field>`."""
    stored: dict[str, str] = {}
    for index, registration in enumerate(registrations):
        at = f"{FIELD}.{index}"
        state = registration.state
        if state not in US_STATES:
            raise InvalidInput(f"{at}.state", f"unknown state code {state!r}")
        if state in stored:
            raise InvalidInput(f"{at}.state", f"{state} is registered twice; one number a state")
        stored[state] = _number(state, registration.account_number, f"{at}.account_number")
    return stored


def _number(state: str, number: str, field: str) -> str:
    if state == "CA":
        digits = number.replace("-", "").replace(" ", "")
        if not _CA_DIGITS.match(digits):
            raise InvalidInput(field, "a California EDD account number is 8 digits, NNN-NNNN-N")
        return digits
    if not _OTHER.match(number):
        raise InvalidInput(field, "must be 1 to 20 letters, digits or hyphens")
    return number


def shown(stored: Mapping[str, str]) -> list[StateRegistration]:
    """The stored registrations as the API shows them, by state (California's NNN-NNNN-N)."""
    return [StateRegistration(state, formatted(state, stored[state])) for state in sorted(stored)]


def formatted(state: str, number: str) -> str:
    if state == "CA" and _CA_DIGITS.match(number):
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return number


def ca_account(stored: Mapping[str, str] | None) -> str:
    """California's EDD account number as stored (8 digits), or "" when it is not on file."""
    return (stored or {}).get("CA", "")
