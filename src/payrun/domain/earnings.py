"""Gross pay: salary, hourly with overtime, and supplemental (bonus, commission) lines."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from payrun.domain.money import Money, cents
from payrun.domain.overtime import DOUBLE_TIME_FACTOR, OVERTIME_FACTOR, split_hours
from payrun.domain.request import Earnings

ZERO = Decimal(0)

# code -> (description, YTD key, supplemental?)
EARNING_CODES: dict[str, tuple[str, str, bool]] = {
    "SALARY": ("Salary", "salary_earnings", False),
    "REG": ("Regular hours", "regular_earnings", False),
    "OT": ("Overtime 1.5x", "overtime_earnings", False),
    "DT": ("Double time 2x", "double_time_earnings", False),
    "BONUS": ("Bonus (supplemental)", "bonus_earnings", True),
    "COMMISSION": ("Commission (supplemental)", "commission_earnings", True),
}


@dataclass(frozen=True, slots=True)
class EarningLine:
    code: str
    amount: Money
    hours: Decimal | None = None
    rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class GrossPay:
    """Stage 1 result. ``regular`` is non-supplemental; ``bonus`` and ``commission`` are not."""

    lines: tuple[EarningLine, ...]
    total: Money
    regular: Money
    bonus: Money
    commission: Money

    @property
    def supplemental(self) -> Money:
        return Money(self.bonus.amount + self.commission.amount)


def compute_gross(earnings: Earnings, california: bool) -> GrossPay:
    lines: list[EarningLine] = []
    if earnings.salary:
        lines.append(EarningLine("SALARY", Money(cents(earnings.salary))))
    if earnings.hourly is not None:
        lines.extend(_hourly_lines(earnings, california))
    regular = ZERO
    for line in lines:
        regular += line.amount.amount
    bonus = cents(earnings.bonus)
    commission = cents(earnings.commission)
    if bonus:
        lines.append(EarningLine("BONUS", Money(bonus)))
    if commission:
        lines.append(EarningLine("COMMISSION", Money(commission)))
    return GrossPay(
        tuple(lines),
        Money(regular + bonus + commission),
        Money(regular),
        Money(bonus),
        Money(commission),
    )


def _hourly_lines(earnings: Earnings, california: bool) -> list[EarningLine]:
    work = earnings.hourly
    assert work is not None
    split = split_hours(work.hours, work.prior_hours, work.workweek_start, california)
    rate = work.hourly_rate
    lines = [EarningLine("REG", Money(cents(split.regular * rate)), split.regular, rate)]
    if split.overtime:
        ot_rate = rate * OVERTIME_FACTOR
        lines.append(
            EarningLine("OT", Money(cents(split.overtime * ot_rate)), split.overtime, ot_rate)
        )
    if split.double_time:
        dt_rate = rate * DOUBLE_TIME_FACTOR
        lines.append(
            EarningLine("DT", Money(cents(split.double_time * dt_rate)), split.double_time, dt_rate)
        )
    return lines
