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


def test_a_change_effective_from_a_later_day_waits_for_the_period_that_starts_then(
    ctx: PayrollContext,
) -> None:
    from datetime import UTC, datetime

    from payrun.services.employee_records import EmployeeChange, change_employee

    employer = add_employer(ctx, {})
    profile = {"w4": {"filing_status": "single"}}
    control, changed_now, changed_later = (
        add_employee(ctx, employer, 5_200_000, "TX", profile) for _ in range(3)
    )
    asked = datetime(2025, 12, 1, tzinfo=UTC)  # before the first period starts
    extra = EmployeeChange.model_validate(
        {"employee": {"w4": {"filing_status": "single", "step4c_extra": "50.00"}}}
    )
    for employee_id, day in ((changed_now, "2025-12-28"), (changed_later, "2026-01-11")):
        change = extra.model_copy(update={"effective_from": date.fromisoformat(day)})
        assert change_employee(ctx.db_url, employee_id, change, ctx.vault, asked) is not None
    pay_everyone(ctx)  # the period 2025-12-28 .. 2026-01-10
    with transaction(ctx.db_url) as session:
        rows = session.execute(select(Paycheck.employee_id, Paycheck.federal_income_tax_cents))
        fit = dict(rows.tuples().all())
        profiles = {e: session.get(Employee, e).profile for e in (changed_now, changed_later)}
    # Form W-4 Step 4(c): the extra withholding is added to each period's federal tax as is.
    assert fit[changed_now] - fit[control] == 5000
    assert fit[changed_later] == fit[control]
    assert profiles[changed_now]["w4"] == {"step4c_extra": "50.00"}
    assert profiles[changed_later] == profile
