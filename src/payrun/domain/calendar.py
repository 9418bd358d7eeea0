"""Pay calendars: a schedule's periods whose pay dates fall in a tax year; business days."""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass
from datetime import date, timedelta

from payrun.domain.banking_days import is_banking_day
from payrun.domain.errors import InvalidInput
from payrun.domain.periods import PayFrequency

FREQUENCIES = (
    PayFrequency.WEEKLY,
    PayFrequency.BIWEEKLY,
    PayFrequency.SEMIMONTHLY,
    PayFrequency.MONTHLY,
)
_STEP_DAYS = {PayFrequency.WEEKLY: 7, PayFrequency.BIWEEKLY: 14}
_SATURDAY = 5
_MAX_PAY_DELAY_DAYS = 60


@dataclass(frozen=True, slots=True, order=True)
class PeriodDates:
    """One pay period: the days worked (start..end, inclusive) and the day they are paid."""

    start: date
    end: date
    pay_date: date


def periods_for_year(
    frequency: str, anchor_date: date, year: int, pay_delay_days: int
) -> list[PeriodDates]:
    """Every period of the schedule whose pay date falls in `year` (the tax year of a wage
    payment is the year it is paid), in order.

    `anchor_date` is the start of the schedule's first period: no period starts before it.
    Weekly and biweekly periods step 7 or 14 days from it; semimonthly periods are the 1st-15th
    and the 16th-last day of a month; monthly periods are calendar months.
    """
    cadence = _check_schedule(frequency, anchor_date, pay_delay_days)
    if cadence in _STEP_DAYS:
        candidates = _stepped_periods(anchor_date, _STEP_DAYS[cadence], year, pay_delay_days)
    else:
        candidates = _month_periods(cadence, year, pay_delay_days)
    return [
        PeriodDates(start, end, pay_date_for(end, pay_delay_days))
        for start, end in candidates
        if start >= anchor_date and pay_date_for(end, pay_delay_days).year == year
    ]


def pay_date_for(period_end: date, pay_delay_days: int) -> date:
    """The period end plus the delay, moved back to a business day if it is not one."""
    return previous_business_day(period_end + timedelta(days=pay_delay_days))


def previous_business_day(day: date) -> date:
    """`day` itself if it is a business day, else the closest business day before it."""
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def is_business_day(day: date) -> bool:
    """A banking day: the money of a pay date moves only when the Federal Reserve is open
    (banking_days.py). Unlike holidays.US, a Saturday holiday moves nothing: the Friday
    before it (e.g. Friday 3 July 2026) is a banking day."""
    return is_banking_day(day)


def _check_schedule(frequency: str, anchor_date: date, pay_delay_days: int) -> PayFrequency:
    cadence = PayFrequency.parse(frequency)
    if cadence not in FREQUENCIES:
        supported = ", ".join(FREQUENCIES)
        raise InvalidInput("frequency", f"no pay calendar for {frequency!r} (one of {supported})")
    if not 0 <= pay_delay_days <= _MAX_PAY_DELAY_DAYS:
        raise InvalidInput("pay_delay_days", f"must be 0 to {_MAX_PAY_DELAY_DAYS}")
    if cadence == PayFrequency.MONTHLY and anchor_date.day != 1:
        raise InvalidInput("anchor_date", "a monthly schedule starts on the 1st of a month")
    if cadence == PayFrequency.SEMIMONTHLY and anchor_date.day not in (1, 16):
        raise InvalidInput("anchor_date", "a semimonthly schedule starts on the 1st or 16th")
    return cadence


def _stepped_periods(
    anchor: date, step_days: int, year: int, pay_delay_days: int
) -> list[tuple[date, date]]:
    """Periods of `step_days` from the anchor, from one whose pay date is surely in an
    earlier year to the last one that can still be paid in `year`."""
    earliest_end = date(year, 1, 1) - timedelta(days=pay_delay_days + 7)
    first = max(0, (earliest_end - anchor).days // step_days - 1)
    last_end = date(year, 12, 31)
    spans = []
    start = anchor + timedelta(days=first * step_days)
    while start <= last_end:
        spans.append((start, start + timedelta(days=step_days - 1)))
        start += timedelta(days=step_days)
    return spans


def _month_periods(
    cadence: PayFrequency, year: int, pay_delay_days: int
) -> list[tuple[date, date]]:
    """Calendar months or half months ending from a little before `year` to its end."""
    first_month = date(year, 1, 1) - timedelta(days=pay_delay_days + 7)
    spans = []
    month = date(first_month.year, first_month.month, 1)
    while month.year <= year:
        spans.extend(_month_spans(month, semimonthly=cadence == PayFrequency.SEMIMONTHLY))
        month = (month + timedelta(days=32)).replace(day=1)
    return spans


def _month_spans(first_day: date, *, semimonthly: bool) -> list[tuple[date, date]]:
    last_day = first_day.replace(day=gregorian.monthrange(first_day.year, first_day.month)[1])
    if not semimonthly:
        return [(first_day, last_day)]
    return [(first_day, first_day.replace(day=15)), (first_day.replace(day=16), last_day)]


@dataclass(frozen=True, slots=True)
class StandardSchedule:
    """A pay schedule as payrun sets one up: its periods' anchor, pay delay and workweek."""

    name: str
    frequency: str
    anchor_date: date
    pay_delay_days: int
    workweek_start: int = 6  # Sunday (FLSA workweek as most employers define it)
    paused: bool = False


def standard_schedule(frequency: str, year: int) -> StandardSchedule:
    """The schedule paying `year`: weekly and biweekly periods start on the Sunday on or before
    Dec 28 of the year before (2025-12-28 for 2026) and are paid 6 days after they end;
    semimonthly and monthly ones start Dec 1 of the year before (December's work paid in
    January counts) and are paid 5 days after they end."""
    if frequency in ("weekly", "biweekly"):
        dec_28 = date(year - 1, 12, 28)
        anchor = dec_28 - timedelta(days=(dec_28.weekday() + 1) % 7)
        return StandardSchedule(frequency, frequency, anchor, 6)
    return StandardSchedule(frequency, frequency, date(year - 1, 12, 1), 5)
