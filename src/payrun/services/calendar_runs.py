"""Pay calendars: which periods are due for their regular run, and pausing a pay schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import PayPeriod, PayRun, PaySchedule
from payrun.domain.errors import InvalidInput
from payrun.services.runs import extend_calendar, run_id_for


@dataclass(frozen=True)
class DuePeriod:
    """A period whose regular run should start now; dates are ISO strings (they cross Temporal)."""

    run_id: str
    pay_period_id: int
    start_date: str
    pay_date: str


@dataclass(frozen=True)
class CalendarState:
    name: str
    paused: bool


def due_periods(
    db_url: str, schedule: str, as_of: date, lead_days: int, not_before: date | None = None
) -> list[DuePeriod]:
    """Periods of `schedule` due on `as_of`, oldest first: the work is over (end_date before
    as_of), the pay date is at most `lead_days` away (pay_date - lead_days <= as_of) and no
    regular run of the period has finished. A paused schedule has nothing due. With
    not_before (the catch-up cutoff), a period paid before that day is never started."""
    if lead_days < 0:
        raise InvalidInput("lead_days", f"must be 0 or more, not {lead_days}")
    with transaction(db_url) as session:
        found = _schedule(session, schedule)
        if found.paused:
            return []
        extend_calendar(session, found, as_of.year + 1)  # next year's periods are always there
        finished = select(PayRun.pay_period_id).where(
            PayRun.kind == "regular", PayRun.finished_at.is_not(None)
        )
        query = (
            select(PayPeriod)
            .where(
                PayPeriod.schedule_id == found.id,
                PayPeriod.end_date < as_of,
                PayPeriod.pay_date <= as_of + timedelta(days=lead_days),
                PayPeriod.id.not_in(finished),
            )
            .order_by(PayPeriod.start_date)
        )
        if not_before is not None:
            query = query.where(PayPeriod.pay_date >= not_before)
        return [_due(schedule, p) for p in session.scalars(query)]


def _due(schedule: str, period: PayPeriod) -> DuePeriod:
    run_id = run_id_for(schedule, period, "regular")
    return DuePeriod(run_id, period.id, period.start_date.isoformat(), period.pay_date.isoformat())


def calendars(db_url: str) -> list[CalendarState]:
    """Every pay schedule in the database, by id."""
    with transaction(db_url) as session:
        rows = session.scalars(select(PaySchedule).order_by(PaySchedule.id))
        return [CalendarState(s.name, s.paused) for s in rows]


def calendar(db_url: str, schedule: str) -> CalendarState:
    """One pay schedule; InvalidInput naming `schedule` if there is none by that name."""
    with transaction(db_url) as session:
        found = _schedule(session, schedule)
        return CalendarState(found.name, found.paused)


def set_paused(db_url: str, schedule: str, paused: bool) -> None:
    """Record that a pay schedule is paused (nothing is due) or running again."""
    with transaction(db_url) as session:
        _schedule(session, schedule).paused = paused


def _schedule(session: Session, name: str) -> PaySchedule:
    found = session.scalar(select(PaySchedule).where(PaySchedule.name == name))
    if found is None:
        raise InvalidInput("schedule", f"unknown pay schedule {name!r}")
    return found
