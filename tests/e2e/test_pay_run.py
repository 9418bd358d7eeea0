"""The whole pay run through Temporal (time-skipping test server) against a real database."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Employee, Employer, Paycheck, Payment
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain.ach.parser import parse_file
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.services.messages import RunSummary
from payrun.services.seed import seed_demo
from payrun.workflows.worker import build_worker


@pytest.fixture
def settings(payrun_home: Path, database_url: str) -> Settings:
    settings = Settings(home=payrun_home, database_url=database_url)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=4, employees=15, seed=7, vault=Vault.for_settings(settings)
    )
    return settings


async def _run(
    env: WorkflowEnvironment, settings: Settings, schedule: str, period: str | None = None
) -> RunSummary:
    settings = settings.model_copy(update={"task_queue": f"q-{uuid.uuid4()}"})
    plan = plan_run(settings, RunRequest(schedule, period))
    async with build_worker(env.client, build_context(settings), settings.task_queue):
        handle = await start_run(env.client, settings, plan)
        return await handle.result()


def _schedule_of_first_employer(settings: Settings) -> tuple[str, list[int]]:
    from payrun.adapters.db.models import PaySchedule

    with transaction(settings.db_url) as session:
        employer = session.scalars(select(Employer).order_by(Employer.id)).first()
        assert employer is not None
        schedule = session.get(PaySchedule, employer.schedule_id)
        assert schedule is not None
        ids = session.scalars(select(Employer.id).where(Employer.schedule_id == schedule.id)).all()
        return schedule.name, list(ids)


async def test_pay_run_pays_every_employee_once_and_writes_nacha(
    settings: Settings, temporal_test_server_path: str
) -> None:
    schedule, employer_ids = _schedule_of_first_employer(settings)
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server_path
    ) as env:
        summary = await _run(env, settings, schedule)

    with transaction(settings.db_url) as session:
        employees = session.scalar(
            select(func.count()).select_from(Employee).where(Employee.employer_id.in_(employer_ids))
        )
        checks = session.execute(
            select(Paycheck.employee_id, func.count()).group_by(Paycheck.employee_id)
        ).all()
        payments = session.scalars(select(Payment)).all()
        net = session.scalar(select(func.sum(Paycheck.net_cents)))
        broken = session.scalar(
            select(func.count()).where(
                Paycheck.gross_cents - Paycheck.employee_taxes_cents - Paycheck.deductions_cents
                != Paycheck.net_cents
            )
        )
    assert summary.status == "COMPLETED", summary
    assert summary.paychecks_created == employees == len(checks)
    assert all(n == 1 for _, n in checks)
    assert broken == 0
    assert {p.employer_id for p in payments} == set(employer_ids)
    assert all(p.status == "PAID" for p in payments)
    assert summary.net_cents == net
    for payment in payments:
        ach = parse_file(build_context(settings).store.get_bytes(payment.nacha_path))
        credits = ach.batches[0]
        assert credits.control.total_credit_entry_dollar_amount == payment.credit_total_cents
    # Paid employers leave only their snapshots in the store: the step outputs are discarded.
    left = build_context(settings).store.keys(f"runs/{summary.run_id}/")
    assert any(key.endswith("/snapshot.json") for key in left)
    assert all(key.endswith(("/snapshot.json", "/employers.json")) for key in left), left


async def test_running_the_same_period_again_pays_nobody_twice(
    settings: Settings, temporal_test_server_path: str
) -> None:
    schedule, _ = _schedule_of_first_employer(settings)
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server_path
    ) as env:
        first_plan = plan_run(settings, RunRequest(schedule, None))
        first = await _run(env, settings, schedule)
        period_start = first_plan.run_id.removeprefix(f"payrun-{schedule}-")[:10]
        second = await _run(env, settings, schedule, period_start)
    with transaction(settings.db_url) as session:
        total = session.scalar(select(func.count()).select_from(Paycheck))
        payments = session.scalar(select(func.count()).select_from(Payment))
    assert first.paychecks_created > 0
    assert second.paychecks_created == 0
    assert second.already_paid == first.paychecks_created
    assert total == first.paychecks_created
    assert payments == first.employers
