"""A pay calendar made for its first years does not run out: the daily due check keeps next
year's periods there, and `payrun run` without --period adds them when every period has run."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import PayPeriod, PayRun, PaySchedule
from payrun.domain.calendar import periods_for_year
from payrun.services.calendar_runs import due_periods
from payrun.services.runs import resolve_period

ANCHOR = date(2025, 12, 28)  # a biweekly calendar as the API makes it: paid in 2026 only here


@pytest.fixture
def db(database_url: str) -> str:
    migrate(database_url)
    with transaction(database_url) as session:
        schedule = PaySchedule(
            name="biweekly-api", frequency="biweekly", anchor_date=ANCHOR, pay_delay_days=6
        )
        session.add(schedule)
        session.flush()
        for p in periods_for_year("biweekly", ANCHOR, 2026, 6):
            session.add(
                PayPeriod(
                    schedule_id=schedule.id, start_date=p.start, end_date=p.end, pay_date=p.pay_date
                )
            )
    return database_url


def periods(db: str) -> list[tuple[date, date, date]]:
    with transaction(db) as session:
        rows = session.execute(
            select(PayPeriod.start_date, PayPeriod.end_date, PayPeriod.pay_date).order_by(
                PayPeriod.start_date
            )
        )
        return [(start, end, pay) for start, end, pay in rows]


def test_the_daily_due_check_adds_next_years_periods_once(db: str) -> None:
    paid_2026 = periods(db)
    assert paid_2026[-1][2].year == 2026

    due_periods(db, "biweekly-api", date(2026, 12, 4), 2)
    due_periods(db, "biweekly-api", date(2026, 12, 5), 2)  # nothing more the next day

    # 2027's periods continue the same two-week step from the same anchor: the last one paid
    # in 2026 is Dec 13-26 (paid Dec 31: Jan 1 is a holiday), 2027's first starts Dec 27.
    expected_2027 = [
        (p.start, p.end, p.pay_date) for p in periods_for_year("biweekly", ANCHOR, 2027, 6)
    ]
    assert periods(db) == paid_2026 + expected_2027
    assert paid_2026[-1] == (date(2026, 12, 13), date(2026, 12, 26), date(2026, 12, 31))
    assert expected_2027[0] == (date(2026, 12, 27), date(2027, 1, 9), date(2027, 1, 15))
    assert len(expected_2027) == 26


def test_a_run_without_a_period_after_every_period_ran_takes_the_next_years_first(db: str) -> None:
    at = datetime(2026, 12, 31, tzinfo=UTC)
    with transaction(db) as session:
        for period in session.scalars(select(PayPeriod)):
            session.add(
                PayRun(
                    id=f"payrun-biweekly-api-{period.start_date}-regular",
                    pay_period_id=period.id,
                    kind="regular",
                    status="COMPLETED",
                    started_at=at,
                    finished_at=at,
                )
            )
    last_2026 = periods(db)[-1]
    with transaction(db) as session:
        found = resolve_period(session, "biweekly-api", None)
        first_new = (found.start_date, found.end_date, found.pay_date)
    assert first_new[2].year == 2027 and first_new[0] > last_2026[0]
    assert first_new == periods(db)[len(periods_for_year("biweekly", ANCHOR, 2026, 6))]
