"""Fixtures: the agency simulators as real processes, the filings worker and payroll's update
activity on fresh task queues, in Temporal's time-skipping test server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from payrun.adapters.db.engine import migrate
from payrun.adapters.observe import MetricsInterceptor
from payrun.filings.config import FilingsSettings
from payrun.filings.messages import workflow_id
from payrun.filings.store import FilingsStore
from payrun.filings.workflows.inbox import InboxInput
from payrun.filings.workflows.worker import filings_worker
from payrun.services.filing_updates import filing_statuses
from payrun.workflows.filing_updates import FilingUpdateActivities
from payrun_sims.process import SimProcess


@pytest.fixture(scope="module")
def agencies() -> Iterator[dict[str, SimProcess]]:
    irs = SimProcess("agency", ["--agency", "IRS"]).start()
    edd = SimProcess("agency", ["--agency", "EDD"]).start()
    try:
        yield {"IRS": irs, "EDD": edd}
    finally:
        irs.stop()
        edd.stop()


def steer(sim: SimProcess, **behaviour: Any) -> None:
    httpx.post(f"{sim.url}/admin/agency", json=behaviour, timeout=5).raise_for_status()


@dataclass
class Filings:
    env: WorkflowEnvironment
    client: Client
    store: FilingsStore
    settings: FilingsSettings
    payroll_db: str
    agencies: dict[str, SimProcess]

    async def send(self, employer_id: int, *events: Any) -> None:
        """What payroll's outbox relay does: signal-with-start the employer's inbox."""
        envelopes = [{"type": type(e).__name__, "event": asdict(e)} for e in events]
        await self.client.start_workflow(
            "EmployerFilingsWorkflow",
            InboxInput(employer_id),
            id=f"filings-employer-{employer_id}",
            task_queue=self.settings.task_queue,
            start_signal="receive",
            start_signal_args=[envelopes],
        )

    def handle(self, filing_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(workflow_id(filing_id))

    async def result(self, filing_id: str, timeout: float = 60.0) -> Any:
        """The filing workflow's result, once the inbox has started it (bounded wait)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                await self.handle(filing_id).describe()
                break
            except RPCError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)
        async with self.env.time_skipping_unlocked():  # type: ignore[attr-defined]
            return await self.handle(filing_id).result()

    async def skip_until_status(self, filing_id: str, status: str, timeout: float = 120.0) -> None:
        """Let workflow time run ahead (timers fire at once) until payroll shows `status`."""
        async with self.env.time_skipping_unlocked():  # type: ignore[attr-defined]
            await self.until_status(filing_id, status, timeout)

    async def until_status(self, filing_id: str, status: str, timeout: float = 60.0) -> None:
        """Bounded real-time wait until payroll shows the filing in `status`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (found := self.payroll_status(filing_id)) is None or found["status"] != status:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{filing_id} not {status} within {timeout}s: {found}")
            await asyncio.sleep(0.1)

    def payroll_status(self, filing_id: str) -> dict[str, Any] | None:
        found = [s for s in filing_statuses(self.payroll_db) if s["filing_id"] == filing_id]
        return found[0] if found else None


@pytest.fixture
async def filings(
    tmp_path: Path, agencies: dict[str, SimProcess], temporal_test_server_path: str
) -> AsyncIterator[Filings]:
    for sim in agencies.values():
        steer(sim)  # default behaviour: answer on the second check, accept everything
    payroll_db = f"sqlite:///{tmp_path / 'payrun.db'}"
    migrate(payroll_db)
    settings = FilingsSettings(
        home=tmp_path,
        task_queue=f"filings-{uuid.uuid4()}",
        payroll_task_queue=f"payroll-{uuid.uuid4()}",
        irs_url=agencies["IRS"].url,
        edd_url=agencies["EDD"].url,
    )
    ctx: Any = type("Ctx", (), {"db_url": payroll_db})()
    executor = ThreadPoolExecutor(max_workers=4)
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server_path
    ) as env:
        payroll = Worker(
            env.client,
            task_queue=settings.payroll_task_queue,
            activities=FilingUpdateActivities(ctx).all(),
            activity_executor=executor,
        )
        observed = [MetricsInterceptor()]  # as `payrun filings worker` runs it
        async with payroll, filings_worker(env.client, settings, interceptors=observed) as store:
            yield Filings(env, env.client, store, settings, payroll_db, agencies)
    executor.shutdown(wait=False, cancel_futures=True)
