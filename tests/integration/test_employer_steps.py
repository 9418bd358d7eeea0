"""The per-employer handlers on a real database: begin's snapshots and BEGIN rows (first run and
redrive), validation's totals and dead letters, compensation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    DeadLetter,
    Employee,
    EmployeeStatus,
    Employer,
    EmployerStatus,
    Paycheck,
    PayPeriod,
    PaySchedule,
)
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.services import employer_steps, runs
from payrun.services.context import PayrollContext
from payrun.workflows.messages import EmployerFailure, EmployerInput, EmployerTally, PayRunInput

RUN = "payrun-test-regular"
FIRST_BEGIN = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
REDRIVE_BEGIN = datetime(2026, 1, 6, 9, 30, tzinfo=UTC)


@pytest.fixture
def ctx(database_url: str, payrun_home: Path) -> PayrollContext:
    """Ten employees of one biweekly employer, a run opened for the first biweekly period."""
    from payrun.services.seed import one_schedule, seed_demo

    settings = Settings(home=payrun_home, database_url=database_url)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=1, employees=10, seed=7, vault=Vault.for_settings(settings)
    )
    period_id = one_schedule(settings.db_url)
    context = build_context(settings)
    context.clock = lambda: FIRST_BEGIN
    runs.open_run(context, PayRunInput(RUN, period_id, chunk_size=4))
    return context


def employee_ids(ctx: PayrollContext) -> list[int]:
    with transaction(ctx.db_url) as session:
        return list(session.scalars(select(Employee.id).order_by(Employee.id)))


def employer_id(ctx: PayrollContext) -> int:
    with transaction(ctx.db_url) as session:
        found = session.scalar(select(Employer.id))
    assert found is not None
    return found


def snapshot(ctx: PayrollContext, chunk: int) -> dict[str, Any]:
    data = ctx.store.get_json(ctx.chunk_key(RUN, employer_id(ctx), chunk, "snapshot"))
    assert isinstance(data, dict)
    return data


def statuses(ctx: PayrollContext) -> dict[int, EmployeeStatus]:
    with transaction(ctx.db_url) as session:
        return {s.employee_id: s for s in session.scalars(select(EmployeeStatus))}


def add_paycheck(ctx: PayrollContext, employee_id: int, **values: Any) -> None:
    """A paycheck of this run's period; reconciles unless the cents say otherwise."""
    employer = employer_id(ctx)
    with transaction(ctx.db_url) as session:
        period = session.scalars(
            select(PayPeriod)
            .join(PaySchedule, PaySchedule.id == PayPeriod.schedule_id)
            .where(PaySchedule.name == "biweekly")
            .order_by(PayPeriod.start_date)
        ).first()
        assert period is not None
        cents = {"gross_cents": 100_000, "employee_taxes_cents": 20_000, "deductions_cents": 5_000}
        cents |= {"net_cents": 75_000, "status": "CALCULATED"}
        cents |= values
        session.add(
            Paycheck(
                idempotency_key=f"regular-{period.id}-{employee_id}-{cents['status']}",
                run_id=RUN,
                employer_id=employer,
                employee_id=employee_id,
                pay_period_id=period.id,
                kind="regular",
                pay_date=period.pay_date,
                employer_taxes_cents=0,
                created_at=FIRST_BEGIN,
                **cents,
            )
        )


def set_statuses(ctx: PayrollContext, ids: list[int], **values: Any) -> None:
    with transaction(ctx.db_url) as session:
        session.execute(
            update(EmployeeStatus).where(EmployeeStatus.employee_id.in_(ids)).values(**values)
        )


def test_begin_snapshots_each_unpaid_active_employee_in_full_chunks(ctx: PayrollContext) -> None:
    ids = employee_ids(ctx)
    with transaction(ctx.db_url) as session:
        session.execute(update(Employee).where(Employee.id.in_(ids[8:])).values(active=False))
    add_paycheck(ctx, ids[1], status="PAID")  # paid already: not snapshotted, counted
    add_paycheck(ctx, ids[2], status="VOIDED")  # voided: still to pay
    add_paycheck(ctx, ids[9], status="PAID")  # inactive now, but paid this period

    plan = employer_steps.begin_employer(ctx, EmployerInput(RUN, employer_id(ctx), chunk_size=4))

    # 8 active - 1 paid = 7 to pay, 4 to a chunk
    assert (plan.chunk_count, plan.employee_count, plan.already_paid) == (2, 7, 2)
    chunks = [snapshot(ctx, 0), snapshot(ctx, 1)]
    snapshotted = [e["employee_id"] for chunk in chunks for e in chunk["employees"]]
    assert snapshotted == [ids[0], *ids[2:8]]
    assert [len(chunk["employees"]) for chunk in chunks] == [4, 3]
    header = {k: v for k, v in chunks[1].items() if k != "employees"}
    assert header == {
        "run_id": RUN,
        "kind": "regular",
        "pay_period_id": header["pay_period_id"],
        "pay_date": chunks[0]["employees"][0]["request"]["pay_date"],
        "period_start": chunks[0]["employees"][0]["request"]["period_start"],
        "period_end": chunks[0]["employees"][0]["request"]["period_end"],
    }
    rows = statuses(ctx)
    assert sorted(rows) == sorted(snapshotted)
    assert {(r.status, r.begin_at.replace(tzinfo=UTC)) for r in rows.values()} == {  # type: ignore[union-attr]
        ("BEGIN", FIRST_BEGIN)
    }
    with transaction(ctx.db_url) as session:
        employer_status = session.scalar(select(EmployerStatus))
        assert employer_status is not None
        assert (employer_status.status, employer_status.employee_count) == ("BEGIN", 7)


SALARIED_PROFILE = {
    "birth_date": "1990-02-03",
    "w4": {
        "filing_status": "head_of_household",
        "step2_checked": True,
        "step3_credits": "2000.00",
        "step4a_other_income": "0.10",
        "step4c_extra": "25.50",
    },
    "ca_de4": {
        "regular_allowances": 2,
        "estimated_deduction_allowances": 1,
        "additional_withholding": "25.00",
    },
    "retirement": {"pretax_percent": "5", "roth_percent": "1.5"},
    "section125": "123.45",
    "prior_year_fica_wages": "50000.00",
}
HOURLY_PROFILE = {
    "w4_pre2020": {"marital_status": "married", "exempt": True},
    "hsa": "50.00",
}


def test_begin_request_carries_the_stored_employee_and_employer_objects_whole(
    ctx: PayrollContext,
) -> None:
    salaried, hourly = employee_ids(ctx)[:2]
    pay_settings = {
        "ca_ui_rate": "0.034",
        "futa_credit_reduction": "0.003",
        "match": [{"up_to_percent": "6", "match_percent": "50"}],
        "ca_pit_method": "annualized",
        "super_catch_up": False,
    }
    with transaction(ctx.db_url) as session:
        employer = session.scalar(select(Employer))
        assert employer is not None
        employer.pay_settings = pay_settings
        session.execute(
            update(Employee)
            .where(Employee.id == salaried)
            .values(
                work_state="CA",
                pay_type="salary",
                rate_cents=130_013,  # $1,300.13 a year
                profile=SALARIED_PROFILE,
            )
        )
        session.execute(
            update(Employee)
            .where(Employee.id == hourly)
            .values(work_state="TX", pay_type="hourly", rate_cents=2_550, profile=HOURLY_PROFILE)
        )

    employer_steps.begin_employer(ctx, EmployerInput(RUN, employer_id(ctx), chunk_size=4))

    first, second = snapshot(ctx, 0)["employees"][:2]
    period = {k: first["request"][k] for k in ("pay_date", "period_start", "period_end")}
    assert first == {
        "employee_id": salaried,
        # 1,300.13 / 26 = 50.005 -> 50.01 half-up (banker's rounding would give 50.00)
        "salary_per_period": "50.01",
        "request": {
            **period,
            "frequency": "biweekly",
            "workweek_start": first["request"]["workweek_start"],
            "work_state": "CA",
            "employer": pay_settings,
            "annual_salary": "1300.13",
            "employee": SALARIED_PROFILE,
        },
    }
    assert second == {
        "employee_id": hourly,
        "request": {
            **period,
            "frequency": "biweekly",
            "workweek_start": first["request"]["workweek_start"],
            "work_state": "TX",
            "employer": pay_settings,
            "hourly_rate": "25.5",
            "employee": HOURLY_PROFILE,
        },
    }


def test_redrive_begin_resets_earlier_rows_and_adds_the_missing(ctx: PayrollContext) -> None:
    ids = employee_ids(ctx)
    inp = EmployerInput(RUN, employer_id(ctx), chunk_size=4)
    employer_steps.begin_employer(ctx, inp)
    before = statuses(ctx)
    set_statuses(
        ctx, ids[:3], status="FAILED", error="boom", error_type="tax", failed_at=FIRST_BEGIN
    )
    set_statuses(ctx, ids[3:5], status="COMPENSATED", compensated_at=FIRST_BEGIN)
    with transaction(ctx.db_url) as session:
        session.execute(delete(EmployeeStatus).where(EmployeeStatus.employee_id == ids[5]))
    add_paycheck(ctx, ids[6], status="PAID")  # paid by the first execution: left as it was

    ctx.clock = lambda: REDRIVE_BEGIN
    plan = employer_steps.begin_employer(ctx, inp)

    assert (plan.employee_count, plan.already_paid) == (9, 1)
    after = statuses(ctx)
    assert sorted(after) == ids
    for employee_id in [*ids[:6], *ids[7:]]:
        row = after[employee_id]
        assert (row.status, row.error, row.error_type) == ("BEGIN", None, None), employee_id
        assert row.begin_at is not None and row.begin_at.replace(tzinfo=UTC) == REDRIVE_BEGIN
    assert after[ids[6]].begin_at == before[ids[6]].begin_at
    # the same rows, their history kept
    assert [after[i].id for i in ids[:5]] == [before[i].id for i in ids[:5]]
    assert after[ids[0]].failed_at is not None and after[ids[3]].compensated_at is not None


def test_validation_totals_every_unpaid_paycheck_and_counts_the_broken(
    ctx: PayrollContext,
) -> None:
    ids = employee_ids(ctx)
    inp = EmployerInput(RUN, employer_id(ctx), chunk_size=4)
    employer_steps.begin_employer(ctx, inp)
    set_statuses(ctx, ids, status="NET_CALCULATED")
    for employee_id in ids[:7]:
        add_paycheck(ctx, employee_id)  # 1,000.00 - 200.00 - 50.00 = 750.00
    add_paycheck(ctx, ids[7], net_cents=74_999)  # off by a cent
    add_paycheck(ctx, ids[8], gross_cents=0, employee_taxes_cents=0, net_cents=-5_000)  # < 0
    add_paycheck(ctx, ids[9], gross_cents=0, employee_taxes_cents=0, net_cents=-1)  # both

    result = employer_steps.validate_employer(ctx, inp)

    # net: 7 x 75,000 + 74,999 - 5,000 - 1 = 594,998; broken: 1 + 1 + 2 (both counts)
    assert (result.ok, result.payable, result.failed, result.net_cents) == (
        False,
        10,
        0,
        594_998,
    )
    assert result.message == "4 paychecks do not reconcile, 0 employees unfinished"
    assert {s.status for s in statuses(ctx).values()} == {"NET_CALCULATED"}


def test_partial_policy_validates_the_rest_and_dead_letters_the_failed(
    ctx: PayrollContext,
) -> None:
    ids = employee_ids(ctx)
    employer = employer_id(ctx)
    inp = EmployerInput(RUN, employer, chunk_size=4)
    employer_steps.begin_employer(ctx, inp)
    with transaction(ctx.db_url) as session:
        session.execute(update(Employer).values(validation_policy="partial"))
        # an earlier attempt's dead letter, resolved by a redrive that picked it twice
        session.add(
            DeadLetter(
                run_id=RUN,
                employer_id=employer,
                employee_id=ids[0],
                step="employee",
                error_type="old",
                error="old",
                payload_ref="old-ref",
                attempts=2,
                status="RESOLVED",
                resolution="redriven",
                first_failed_at=FIRST_BEGIN,
                last_failed_at=FIRST_BEGIN,
                resolved_at=FIRST_BEGIN,
            )
        )
    set_statuses(ctx, ids[3:], status="NET_CALCULATED")
    for employee_id in ids[3:]:
        add_paycheck(ctx, employee_id)
    set_statuses(ctx, [ids[0]], status="FAILED", error_type="tax", error="no table")
    set_statuses(ctx, [ids[1]], status="FAILED", error_type=None, error=None)
    set_statuses(ctx, [ids[2]], status="FAILED", error_type="", error="é" * 4001)
    ctx.clock = lambda: REDRIVE_BEGIN

    result = employer_steps.validate_employer(ctx, inp)

    assert (result.ok, result.payable, result.failed, result.net_cents) == (
        True,
        7,
        3,
        7 * 75_000,
    )
    rows = statuses(ctx)
    assert {i: rows[i].status for i in ids} == {
        **{i: "DEAD_LETTERED" for i in ids[:3]},
        **{i: "VALIDATED" for i in ids[3:]},
    }
    assert {rows[i].dead_lettered_at.replace(tzinfo=UTC) for i in ids[:3]} == {REDRIVE_BEGIN}  # type: ignore[union-attr]
    assert {rows[i].validated_at.replace(tzinfo=UTC) for i in ids[3:]} == {REDRIVE_BEGIN}  # type: ignore[union-attr]
    with transaction(ctx.db_url) as session:
        letters = {d.employee_id: d for d in session.scalars(select(DeadLetter))}
    assert sorted(letters) == ids[:3]
    reopened = letters[ids[0]]
    assert (reopened.status, reopened.resolution, reopened.resolved_at) == ("OPEN", None, None)
    assert (reopened.error_type, reopened.error, reopened.attempts) == ("tax", "no table", 2)
    assert reopened.payload_ref == "old-ref"
    assert reopened.first_failed_at.replace(tzinfo=UTC) == FIRST_BEGIN
    assert reopened.last_failed_at.replace(tzinfo=UTC) == REDRIVE_BEGIN
    new = letters[ids[1]]
    assert (new.step, new.status, new.attempts) == ("employee", "OPEN", 1)
    assert (new.error_type, new.error) == ("error", "")  # what dead_letter makes of no error
    assert new.payload_ref == f"runs/{RUN}/employer-{employer}"
    assert new.first_failed_at.replace(tzinfo=UTC) == REDRIVE_BEGIN
    assert (letters[ids[2]].error_type, letters[ids[2]].error) == ("error", "é" * 4000)


def test_hold_policy_holds_the_employer_when_anyone_failed(ctx: PayrollContext) -> None:
    ids = employee_ids(ctx)
    inp = EmployerInput(RUN, employer_id(ctx), chunk_size=4)
    employer_steps.begin_employer(ctx, inp)
    set_statuses(ctx, ids[1:], status="NET_CALCULATED")
    set_statuses(ctx, ids[:1], status="FAILED", error="x")

    result = employer_steps.validate_employer(ctx, inp)

    assert not result.ok
    assert result.message == "1 employees failed; policy 'hold' holds the whole employer"
    assert statuses(ctx)[ids[0]].status == "FAILED"
    with transaction(ctx.db_url) as session:
        assert session.scalar(select(DeadLetter)) is None


def test_compensation_sets_aside_the_in_flight_and_dead_letters_the_failed(
    ctx: PayrollContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(employer_steps, "VOID_BATCH", 2)  # 3 unpaid paychecks: two batches
    ids = employee_ids(ctx)
    employer = employer_id(ctx)
    employer_steps.begin_employer(ctx, EmployerInput(RUN, employer, chunk_size=4))
    set_statuses(ctx, ids[:2], status="FAILED", error_type="tax", error="no table")
    set_statuses(ctx, ids[2:5], status="NET_CALCULATED")
    for employee_id in ids[2:5]:
        add_paycheck(ctx, employee_id)

    result = employer_steps.compensate_employer(
        ctx, EmployerFailure(RUN, employer, "validate", "Invalid", "does not reconcile", 3, 0)
    )

    assert (result.status, result.failed, result.paychecks_created) == ("DEAD_LETTERED", 5, 0)
    rows = statuses(ctx)
    assert {i: rows[i].status for i in ids} == {
        **{i: "DEAD_LETTERED" for i in ids[:2]},
        **{i: "COMPENSATED" for i in ids[2:]},
    }
    with transaction(ctx.db_url) as session:
        letters = {(d.employee_id, d.step): d.status for d in session.scalars(select(DeadLetter))}
        voided = session.scalars(select(Paycheck.status)).all()
    assert letters == {
        (ids[0], "employee"): "OPEN",
        (ids[1], "employee"): "OPEN",
        (0, "validate"): "OPEN",
    }
    assert set(voided) == {"VOIDED"}


def test_finish_reports_paid_and_set_aside_employees(ctx: PayrollContext) -> None:
    ids = employee_ids(ctx)
    employer = employer_id(ctx)
    employer_steps.begin_employer(ctx, EmployerInput(RUN, employer, chunk_size=4))
    set_statuses(ctx, ids[:8], status="PAID")
    set_statuses(ctx, ids[8:], status="DEAD_LETTERED")
    for employee_id in ids[:8]:
        add_paycheck(ctx, employee_id, status="PAID")

    result = employer_steps.finish_employer(ctx, EmployerTally(RUN, employer, 8, 0))

    assert (result.status, result.paid, result.failed, result.net_cents) == (
        "PARTIAL",
        8,
        2,
        8 * 75_000,
    )
