"""Banking days: weekdays the Federal Reserve Banks are open (ACH settles only on these)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from payrun.domain.errors import InvalidInput

SATURDAY = 5

# The `holidays` package's Federal Reserve calendar (market "XFED"). It differs from the
# federal-government calendar (holidays.US) in one way that matters for money: when a
# holiday falls on a Saturday the Reserve Banks stay open the Friday before, so e.g.
# Friday 3 July 2026 is a banking day although federal offices close.


@lru_cache(maxsize=64)
def _reserve_bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.financial_holidays("XFED", years=year).keys())


def is_holiday(day: date) -> bool:
    return day in _reserve_bank_holidays(day.year)


def is_banking_day(day: date) -> bool:
    """Monday to Friday, and not a Federal Reserve holiday."""
    _require_date(day)
    return day.weekday() < SATURDAY and not is_holiday(day)


def add_banking_days(start: date, count: int) -> date:
    """The banking day `count` banking days after start (start itself is not counted)."""
    _require_date(start)
    if count < 0:
        raise InvalidInput("count", f"must not be negative, got {count}")
    day = start
    for _ in range(count):
        day = next_banking_day(day)
    return day


def next_banking_day(day: date) -> date:
    """The first banking day strictly after day."""
    day += timedelta(days=1)
    while not is_banking_day(day):
        day += timedelta(days=1)
    return day


def banking_day_on_or_after(day: date) -> date:
    """day itself if it is a banking day, else the next one (where a payment settles)."""
    return day if is_banking_day(day) else next_banking_day(day)


def banking_days_between(start: date, end: date) -> int:
    """Banking days in (start, end]: 0 when end is start, negative never (end >= start)."""
    _require_date(start)
    _require_date(end)
    if end < start:
        raise InvalidInput("end", f"{end} is before {start}")
    days = (start + timedelta(days=offset) for offset in range(1, (end - start).days + 1))
    return sum(1 for day in days if is_banking_day(day))


def _require_date(value: object) -> None:
    if not isinstance(value, date):
        raise InvalidInput("date", f"must be a date, not {type(value).__name__}")
