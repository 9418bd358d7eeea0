"""Quarters, deposit periods and due dates on the Federal Reserve banking calendar."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from payrun.domain.banking_days import add_banking_days, banking_day_on_or_after

WEDNESDAY, FRIDAY = 2, 4


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> date:
    month = 3 * quarter
    return date(year, month, calendar.monthrange(year, month)[1])


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def nth_of_next_month(day: date, nth: int) -> date:
    """The nth of the month after day's month, moved to the next banking day if needed
    (Pub 15 §11: a due date on a weekend or legal holiday moves to the next business day)."""
    return banking_day_on_or_after(_next_month(day).replace(day=nth))


def return_due(period_end: date) -> date:
    """Forms 941, 940 and DE 9: the last day of the month after the period, or the next
    banking day (Pub 15 §12; DE 44 'Due dates')."""
    return banking_day_on_or_after(month_end(_next_month(period_end)))


def lookback_period(year: int) -> tuple[date, date]:
    """Pub 15 §11: the four quarters from 1 July two years before to 30 June last year."""
    return date(year - 2, 7, 1), date(year - 1, 6, 30)


def semiweekly_period(pay_date: date) -> tuple[date, date]:
    """Pub 15 §11: pay dates Wednesday-Friday form one period, Saturday-Tuesday the other."""
    weekday = pay_date.weekday()
    if WEDNESDAY <= weekday <= FRIDAY:
        start = pay_date - timedelta(days=weekday - WEDNESDAY)
        return start, start + timedelta(days=2)
    start = pay_date - timedelta(days=(weekday - 5) % 7)  # the Saturday on or before
    return start, start + timedelta(days=3)


def semiweekly_due(pay_date: date, banking_days: int) -> date:
    """Wednesday-Friday pay dates: the next Wednesday; Saturday-Tuesday: the next Friday; a
    day later for each holiday among those banking days (the period end + 3 banking days)."""
    return add_banking_days(semiweekly_period(pay_date)[1], banking_days)
