"""The payroll error hierarchy; every message names the field at fault."""

from __future__ import annotations


class PayrollError(Exception):
    """Base of every error the payroll rules raise."""


class InvalidInput(PayrollError):
    """Input that can never produce a correct paycheck. Non-retryable."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class UnknownTable(PayrollError):
    """No tax table is on file for a year, state or frequency. Never default silently."""


class LimitExceeded(PayrollError):
    """A statutory or business limit would be exceeded."""
