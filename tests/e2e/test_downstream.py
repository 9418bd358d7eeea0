"""Downstream systems as real processes: hours and payments arrive by signed callback.

A real Temporal dev server (real time: heartbeat timeouts must not be skipped), the bank and
time-entry simulators as subprocesses on loopback, and the worker hosting the callback receiver.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    DeadLetter,
    Employee,
    EmployeeStatus,
    Employer,
    Paycheck,
    Payment,
    PaySchedule,
)
from payrun.config import Settings
from payrun.entrypoints.runner import RunRequest, hosted_worker, plan_run, start_run
from payrun.services.messages import Downstream, RedriveInput
from payrun.services.seed import seed_demo
from payrun.workflows.redrive import RedriveWorkflow
from payrun_sims.process import SimProcess

SECRET = "test-callback-secret"
FAST = Downstream(heartbeat_seconds=3, timeout_seconds=30, attempts=2, funding_wait_seconds=30)


@pytest.fixture
def world(payrun_home: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=2, employees=12, seed=11, vault=Vault.for_settings(settings)
    )
    with transaction(settings.db_url) as session:  # one schedule for everyone: one run
        biweekly = session.scalar(select(PaySchedule.id).where(PaySchedule.name == "biweekly"))
        session.execute(update(Employer).values(schedule_id=biweekly))
    common = ["--heartbeat-interval", "0.5"]
    bank = SimProcess(
        "bank",
        ["--state", str(tmp_path / "bank.sqlite"), "--delay", "1", *common],
        secret=SECRET,
        log_path=tmp_path / "bank.log",
    ).start()
    hours = SimProcess(
        "timeentry",
        ["--database-url", settings.db_url, "--delay", "0.5", *common],
        secret=SECRET,
        log_path=tmp_path / "timeentry.log",
    ).start()
    settings = settings.model_copy(
        update={
            "bank_url": bank.url,
            "time_entry_url": hours.url,
            "callback_secret": SECRET,
            "task_queue": f"q-{uuid.uuid4()}",
        }
    )
    try:
        yield settings, bank, hours
    finally:
        bank.stop()
        hours.stop()


def _behave(sim: SimProcess, mode: str) -> None:
    httpx.post(f"{sim.url}/admin/behaviour", json={"mode": mode}, timeout=5).raise_for_status()


def _counts(settings: Settings) -> dict[str, int]:
    with transaction(settings.db_url) as session:
        live = Paycheck.status != "VOIDED"
        return {
            "employees": session.scalar(select(func.count()).select_from(Employee)),
            "live": session.scalar(select(func.count()).where(live)),
            "paid": session.scalar(select(func.count()).where(Paycheck.status == "PAID")),
            "distinct": session.scalar(select(func.count(func.distinct(Paycheck.employee_id)))),
            "payments_paid": session.scalar(
                select(func.count()).select_from(Payment).where(Payment.status == "PAID")
            ),
            "hours_entered": session.scalar(
                select(func.count()).where(EmployeeStatus.time_entered_at.is_not(None))
            ),
        }


async def test_hours_and_payment_arrive_by_callback(world, temporal_cli_path: str) -> None:  # type: ignore[no-untyped-def]
    settings, _, _ = world
    plan = plan_run(settings, RunRequest("biweekly"))
    plan = replace(plan, downstream=FAST)
    async with (
        await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli_path) as env,
        hosted_worker(env.client, settings),
    ):
        summary = await (await start_run(env.client, settings, plan)).result()
    counts = _counts(settings)
    assert summary.status == "COMPLETED", summary
    assert counts["paid"] == counts["employees"] == counts["distinct"] == counts["hours_entered"]
    assert counts["payments_paid"] == 2


async def test_silent_bank_times_out_to_dead_letter_then_redrive_pays_once(
    world, temporal_cli_path: str
) -> None:  # type: ignore[no-untyped-def]
    settings, bank, _ = world
    _behave(bank, "never")
    plan = plan_run(settings, RunRequest("biweekly"))
    plan = replace(plan, downstream=FAST)
    async with (
        await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli_path) as env,
        hosted_worker(env.client, settings),
    ):
        summary = await (await start_run(env.client, settings, plan)).result()
        with transaction(settings.db_url) as session:
            letters = session.scalars(select(DeadLetter).where(DeadLetter.employee_id == 0))
            types = {(d.step, d.error_type) for d in letters}
        assert summary.employers_failed == 2
        # The funding debit goes first and never settles: the credits are held, never sent.
        assert types == {("funding_state", "downstream_timeout")}
        assert _counts(settings)["live"] == 0  # every paycheck voided by compensation

        _behave(bank, "ok")
        result = await env.client.execute_workflow(
            RedriveWorkflow.run,
            RedriveInput(error_type="downstream_timeout", downstream=FAST),
            id=f"redrive-{uuid.uuid4()}",
            task_queue=settings.task_queue,
        )
        again = await env.client.execute_workflow(
            RedriveWorkflow.run,
            RedriveInput(error_type="downstream_timeout", downstream=FAST),
            id=f"redrive-{uuid.uuid4()}",
            task_queue=settings.task_queue,
        )
    counts = _counts(settings)
    assert result.resolved == 2
    assert again.redriven == 0  # nothing open any more: a second redrive changes nothing
    assert counts["paid"] == counts["live"] == counts["employees"] == counts["distinct"]
    assert counts["payments_paid"] == 2
    with transaction(settings.db_url) as session:
        statuses = set(session.scalars(select(Payment.status)))
        open_letters = session.scalar(
            select(func.count()).select_from(DeadLetter).where(DeadLetter.status == "OPEN")
        )
    assert statuses == {"PAID", "CANCELLED"}
    assert open_letters == 0
