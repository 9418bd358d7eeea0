"""A regular and an off-cycle run for the same employees, started at once through the real
pipeline (time-skipping test server, a real worker, a real database): the run that began an
employee later waits for the other's paycheck instead of dead-lettering, so both pay everyone
and every employee's YTD is the sum of its two paychecks."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    DeadLetter,
    Employee,
    EmployeeStatus,
    Paycheck,
    PaycheckDetail,
    YtdAccumulator,
)
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.services.seed import one_schedule, seed_demo
from payrun.workflows.worker import build_worker


@pytest.fixture
def settings(payrun_home: Path, database_url: str) -> Settings:
    """Two employers of twelve on one schedule; chunks of three, so the two runs' many chunks
    interleave their steps on the one worker."""
    settings = Settings(home=payrun_home, database_url=database_url, chunk_size=3)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=2, employees=12, seed=7, vault=Vault.for_settings(settings)
    )
    one_schedule(settings.db_url)
    return settings.model_copy(update={"task_queue": f"q-{uuid.uuid4()}"})


def employee_ids(settings: Settings) -> list[int]:
    with transaction(settings.db_url) as session:
        return list(session.scalars(select(Employee.id).where(Employee.active.is_(True))))


async def test_a_regular_and_an_off_cycle_run_at_once_both_pay_everyone(
    settings: Settings, temporal_test_server_path: str
) -> None:
    regular = plan_run(settings, RunRequest("biweekly"))
    period = regular.run_id.removeprefix("payrun-biweekly-")[:10]
    everyone = employee_ids(settings)
    bonus = dataclasses.replace(
        plan_run(settings, RunRequest("biweekly", period, "offcycle-bonus")),
        earnings={str(e): {"bonus": "250.00"} for e in everyone},
    )
    async with (
        await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=temporal_test_server_path
        ) as env,
        build_worker(env.client, build_context(settings), settings.task_queue),
    ):
        handles = [await start_run(env.client, settings, inp) for inp in (regular, bonus)]
        summaries = await asyncio.gather(*(handle.result() for handle in handles))

    assert [s.status for s in summaries] == ["COMPLETED", "COMPLETED"], summaries
    assert [s.paychecks_created for s in summaries] == [len(everyone), len(everyone)]
    with transaction(settings.db_url) as session:
        dead_letters = session.scalar(select(func.count()).select_from(DeadLetter))
        statuses = Counter(session.scalars(select(EmployeeStatus.status)))
        checks = session.execute(
            select(Paycheck.employee_id, Paycheck.kind, PaycheckDetail.ytd_delta).join(
                PaycheckDetail, PaycheckDetail.paycheck_id == Paycheck.id
            )
        ).all()
        accumulators = session.execute(select(YtdAccumulator.employee_id, YtdAccumulator.amounts))
        ytd = {employee: amounts for employee, amounts in accumulators}
    assert dead_letters == 0
    assert statuses == {"PAID": 2 * len(everyone)}
    assert Counter((e, kind) for e, kind, _ in checks) == {
        (e, kind): 1 for e in everyone for kind in ("regular", "offcycle-bonus")
    }
    # The seed leaves no YTD before this period: each YTD is its two paychecks added up.
    summed: dict[int, Counter[str]] = {e: Counter() for e in everyone}
    for employee, _, delta in checks:
        summed[employee].update({k: int(v) for k, v in delta.items()})
    for employee in everyone:
        assert {k: int(v) for k, v in ytd[employee].items() if v} == {
            k: v for k, v in summed[employee].items() if v
        }, employee
