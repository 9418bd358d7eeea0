"""A return racing settlement through the real pipeline: the bank simulator has taken the credits
but not settled them when the operator processes a return file against one of them; the bank's
settlement, arriving afterwards by callback, pays the others and never turns the returned
paycheck PAID.

Real processes: a Temporal dev server, the bank simulator, the CLI (`payrun ach returns`); the
worker runs in the test. The bank holds the credits unsettled (mode "never") until it is
restarted; on restart it settles what it had accepted.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, reading, transaction
from payrun.adapters.db.models import EmployeeStatus, Employer, Payment
from payrun.config import Settings
from payrun.domain.ach.parser import parse_file
from payrun.entrypoints.runner import RunRequest, hosted_worker, plan_run, start_run
from payrun.services.messages import Downstream
from payrun.services.seed import one_schedule, seed_demo
from payrun_sims.process import SimProcess
from tests.integration.test_returns import (
    PaidRun,
    Returned,
    employee_of,
    nacha_of,
    payrun,
    return_file,
    statuses,
)

SECRET = "return-race-secret"
# The bank stays silent while it holds the credits: its heartbeats stop, so the send's
# heartbeat timeout must outlast the return being processed.
DOWNSTREAM = Downstream(heartbeat_seconds=30, timeout_seconds=120, attempts=3)
WAIT = 60.0


@pytest.fixture
def world(payrun_home: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(home=payrun_home, task_queue=f"race-{uuid.uuid4()}")
    migrate(settings.db_url)
    seed_demo(settings.db_url, employers=1, employees=4, seed=11,
              vault=Vault.for_settings(settings))  # fmt: skip
    one_schedule(settings.db_url, "biweekly")
    bank = SimProcess(
        "bank",
        ["--state", str(tmp_path / "bank.sqlite"), "--delay", "0.5", "--heartbeat-interval", "0.5"],
        secret=SECRET,
        log_path=tmp_path / "bank.log",
    ).start()
    try:
        yield settings.model_copy(update={"bank_url": bank.url, "callback_secret": SECRET}), bank
    finally:
        bank.stop()


async def test_a_return_processed_before_the_banks_settlement_stays_returned(
    world, temporal_cli_path: str
) -> None:  # type: ignore[no-untyped-def]
    settings, bank = world
    plan = replace(plan_run(settings, RunRequest("biweekly")), downstream=DOWNSTREAM)
    async with (
        await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli_path) as env,
        hosted_worker(env.client, settings),
    ):
        handle = await start_run(env.client, settings, plan)
        # The debit is taken (and settles: its processing started in mode "ok"); from now on
        # the bank takes batches but does not settle them.
        await _until(lambda: _payment(settings, plan.run_id, "funding_status") == "SENT")
        _behave(bank, "never")
        await _until(lambda: _payment(settings, plan.run_id, "status") == "SENT")
        key = str(_payment(settings, plan.run_id, "idempotency_key"))
        paid = _sent_run(settings, plan.run_id)
        returned = paid.credits[0]
        data = return_file(paid, [Returned("R03", returned)])
        (settings.home / "returns.ach").write_bytes(data)

        at_return = _bank_status(bank, key)
        routed = await asyncio.to_thread(
            payrun, settings.home, "ach", "returns", str(settings.home / "returns.ach")
        )
        before_settlement = statuses(paid)
        await asyncio.to_thread(bank.restart)  # back in mode "ok": it settles what it holds
        summary = await asyncio.wait_for(handle.result(), timeout=WAIT)

    employee = employee_of(paid, returned)
    assert at_return == "accepted"  # the return came first: the bank had not settled
    assert routed.returncode == 0 and "1 routed" in routed.stdout, routed.stdout + routed.stderr
    assert before_settlement[employee] == "RETURNED"
    assert _bank_status(bank, key) == "settled"
    after = statuses(paid)
    assert after.pop(employee) == "RETURNED"  # the settlement did not overwrite it
    assert set(after.values()) == {"PAID"} and after
    assert _payment(settings, plan.run_id, "status") == "PAID"
    with transaction(settings.db_url) as session:
        employee_status = session.scalar(
            select(EmployeeStatus.status).where(
                EmployeeStatus.run_id == plan.run_id, EmployeeStatus.employee_id == employee
            )
        )
    assert employee_status == "RETURNED"
    assert summary.status == "COMPLETED", summary


def _payment(settings: Settings, run_id: str, column: str) -> object:
    with reading(settings.db_url) as session:  # no writer lock: the worker runs in this loop
        return session.scalar(select(getattr(Payment, column)).where(Payment.run_id == run_id))


def _sent_run(settings: Settings, run_id: str) -> PaidRun:
    """The run's payment as return_file needs it, while it is still SENT."""
    with transaction(settings.db_url) as session:
        payment = session.scalars(select(Payment).where(Payment.run_id == run_id)).one()
        employer = session.get(Employer, payment.employer_id)
        assert employer is not None and payment.nacha_path is not None
        ach = parse_file(nacha_of(settings, payment.nacha_path))
        credits = next(b for b in ach.batches if b.header.service_class_code == 220).entries
        return PaidRun(settings, run_id, payment.id, employer.id, employer.ach_company_id,
                       employer.odfi_routing, tuple(credits))  # fmt: skip


async def _until(seen: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not seen():
        if time.monotonic() > deadline:
            pytest.fail("the run never got there")
        await asyncio.sleep(0.05)


def _behave(bank: SimProcess, mode: str) -> None:
    httpx.post(f"{bank.url}/admin/behaviour", json={"mode": mode}, timeout=5).raise_for_status()


def _bank_status(bank: SimProcess, key: str) -> str:
    response = httpx.get(f"{bank.url}/v1/batches/{key}", timeout=5)
    response.raise_for_status()
    return str(response.json()["status"])
