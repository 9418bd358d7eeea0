"""Pay frequencies and their number of periods per year (Pub 15-T Table 3)."""

from __future__ import annotations

from enum import StrEnum

from payrun.domain.errors import InvalidInput


class PayFrequency(StrEnum):
    """How often an employee is paid. The value is the name used in input files."""

    DAILY = "daily"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    SEMIMONTHLY = "semimonthly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"

    @property
    def periods_per_year(self) -> int:
        """Pub 15-T Table 3 (Worksheet 1A line 1b); 1 for an annual payroll period."""
        return _PERIODS_PER_YEAR[self]

    @classmethod
    def parse(cls, value: str, field: str = "frequency") -> PayFrequency:
        found = _BY_NAME.get(value)
        if found is None:
            known = ", ".join(member.value for member in cls)
            raise InvalidInput(field, f"unknown pay frequency {value!r} (one of {known})")
        return found


_PERIODS_PER_YEAR = {
    PayFrequency.DAILY: 260,
    PayFrequency.WEEKLY: 52,
    PayFrequency.BIWEEKLY: 26,
    PayFrequency.SEMIMONTHLY: 24,
    PayFrequency.MONTHLY: 12,
    PayFrequency.QUARTERLY: 4,
    PayFrequency.SEMIANNUAL: 2,
    PayFrequency.ANNUAL: 1,
}

_ALIASES = {"semi-monthly": "semimonthly", "bi-weekly": "biweekly", "semiannually": "semiannual"}
# Every accepted name, aliases included, to its member (one dict lookup per request).
_BY_NAME = {member.value: member for member in PayFrequency} | {
    alias: PayFrequency(name) for alias, name in _ALIASES.items()
}
