"""What the API asks of Temporal: start a pay run or a redrive, pause or resume a schedule.

A small port so the routes never hold a client themselves; tests of the HTTP edge that do not
reach Temporal give the app a recording fake with the same methods.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Protocol

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from payrun.services.messages import PayRunInput, RedriveInput

_HEALTH_TIMEOUT = timedelta(seconds=2)


class TemporalGateway(Protocol):
    async def start_run(self, inp: PayRunInput) -> None: ...

    async def start_redrive(self, inp: RedriveInput) -> str: ...

    async def pause(self, name: str, note: str | None) -> None: ...

    async def resume(self, name: str) -> None: ...

    async def reachable(self) -> bool: ...


class ClientGateway:
    def __init__(self, client: Client, task_queue: str, db_url: str) -> None:
        self.client, self.task_queue, self.db_url = client, task_queue, db_url

    async def start_run(self, inp: PayRunInput) -> None:
        from payrun.workflows.pay_run import PayRunWorkflow

        await self.client.start_workflow(
            PayRunWorkflow.run,
            inp,
            id=inp.run_id,
            task_queue=self.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )

    async def start_redrive(self, inp: RedriveInput) -> str:
        from payrun.workflows.redrive import RedriveWorkflow

        workflow_id = f"redrive-{uuid.uuid4().hex[:12]}"
        await self.client.start_workflow(
            RedriveWorkflow.run, inp, id=workflow_id, task_queue=self.task_queue
        )
        return workflow_id

    async def pause(self, name: str, note: str | None) -> None:
        from payrun.entrypoints.schedules import pause_schedule

        await pause_schedule(self.client, self.db_url, name, note)

    async def resume(self, name: str) -> None:
        from payrun.entrypoints.schedules import resume_schedule

        await resume_schedule(self.client, self.db_url, name)

    async def reachable(self) -> bool:
        try:
            await self.client.service_client.check_health(timeout=_HEALTH_TIMEOUT)
        except Exception:  # any failure means not ready
            return False
        return True
