"""A terminated employee is paid through the pay period that holds the termination day, and
not in a period that starts after it (the pay run's own employee selection)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employee, Paycheck
from payrun.services.context import PayrollContext
from tests.integration.test_one_schema import add_employee, add_employer, ctx, pay_everyone

__all__ = ["ctx"]  # the fixture, from the one-schema tests
FIRST_PERIOD_START = date(2025, 12, 28)  # biweekly: 2025-12-28 .. 2026-01-10


def test_a_terminated_employee_is_paid_through_the_last_period_and_not_after(
    ctx: PayrollContext,
) -> None:
    employer = add_employer(ctx, {})
    profile = {"w4": {"filing_status": "single"}}
    left_before = add_employee(ctx, employer, 5_200_000, "TX", profile)
    leaves_within = add_employee(ctx, employer, 5_200_000, "TX", profile)
    stays = add_employee(ctx, employer, 5_200_000, "TX", profile)
    with transaction(ctx.db_url) as session:
        session.get(Employee, left_before).terminated_on = date(2025, 12, 27)
        session.get(Employee, leaves_within).terminated_on = date(2026, 1, 5)
    pay_everyone(ctx)
    with transaction(ctx.db_url) as session:
        paid = set(session.scalars(select(Paycheck.employee_id)))
    assert paid == {leaves_within, stays}
