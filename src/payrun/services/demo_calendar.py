"""The demo's pay calendar: the four standard schedules and their periods for a year."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from payrun.adapters.db.models import PayPeriod, PaySchedule
from payrun.domain.calendar import (
    PeriodDates,
    is_business_day,
    periods_for_year,
    standard_schedule,
)

SCHEDULE_WEIGHTS = {"weekly": 10, "biweekly": 70, "semimonthly": 10, "monthly": 10}


@dataclass(frozen=True, slots=True)
class SeededSchedule:
    id: int
    first_period: PeriodDates | None  # the first period paid in the seeded year
    workdays: tuple[date, ...]  # business days of that period
    saturdays: tuple[date, ...]


def ensure_calendar(session: Session, year: int) -> tuple[dict[str, SeededSchedule], int, int]:
    """The four schedules and their periods for `year`, adding whichever are missing."""
    table = PaySchedule.__table__
    existing = {row.name for row in session.execute(select(table.c.name))}
    missing = [
        dataclasses.asdict(standard_schedule(name, year))
        for name in SCHEDULE_WEIGHTS
        if name not in existing
    ]
    if missing:
        session.execute(insert(table), missing)
    schedules, periods_added = {}, 0
    for row in session.execute(select(table).where(table.c.name.in_(SCHEDULE_WEIGHTS))):
        periods = periods_for_year(row.frequency, row.anchor_date, year, row.pay_delay_days)
        periods_added += _ensure_periods(session, row.id, periods)
        schedules[row.name] = _schedule(row.id, periods[0] if periods else None)
    return schedules, len(missing), periods_added


def _ensure_periods(session: Session, schedule_id: int, periods: list[PeriodDates]) -> int:
    table = PayPeriod.__table__
    query = select(table.c.start_date).where(table.c.schedule_id == schedule_id)
    known = set(session.scalars(query))
    rows = [
        {
            "schedule_id": schedule_id,
            "start_date": p.start,
            "end_date": p.end,
            "pay_date": p.pay_date,
        }
        for p in periods
        if p.start not in known
    ]
    if rows:
        session.execute(insert(table), rows)
    return len(rows)


def _schedule(schedule_id: int, first: PeriodDates | None) -> SeededSchedule:
    days = list(_days(first.start, first.end)) if first else []
    workdays = tuple(d for d in days if is_business_day(d))
    saturdays = tuple(d for d in days if d.weekday() == 5)
    return SeededSchedule(schedule_id, first, workdays, saturdays)


def _days(start: date, end: date) -> Iterator[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)
