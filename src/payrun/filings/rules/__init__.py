"""Deposit and return rules: pure functions of dates and cents (no I/O, no clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payrun.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DepositRules:
    """The effective-dated thresholds of tables/<year>/deposits.toml, in cents."""

    effective_from: date
    effective_to: date
    lookback_threshold_cents: int
    next_day_threshold_cents: int
    semiweekly_banking_days: int
    monthly_due_day: int
    futa_deposit_threshold_cents: int
    ca_monthly_pit_threshold_cents: int
    ca_semiweekly_pit_threshold_cents: int
    ca_monthly_due_day: int

    def require_covers(self, day: date) -> None:
        if not self.effective_from <= day <= self.effective_to:
            raise InvalidInput("pay_date", f"{day} is outside the deposit rules' year")


@dataclass(frozen=True, slots=True)
class Liability:
    """One pay date's tax liability for one deposit (federal: FIT + FICA; CA: PIT + SDI)."""

    pay_date: date
    cents: int
    pit_cents: int = 0  # California: the PIT part, which alone decides the CA schedule


@dataclass(frozen=True, slots=True)
class Obligation:
    """One deposit to make: the liabilities it gathers, its period and its due date."""

    key: str
    rule: str  # monthly | semiweekly | next_day | quarterly
    period_start: date
    period_end: date
    due: date
    cents: int
    pay_dates: tuple[date, ...]
