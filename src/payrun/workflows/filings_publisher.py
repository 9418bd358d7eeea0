"""Hands outbox events to the filings service: signal-with-start of the employer's inbox."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.client import Client

PUBLISH_TIMEOUT = 30.0  # float ok: seconds


class TemporalFilingsPublisher:
    """Called from activity threads (sync); the signal goes out on the worker's event loop.
    The workflow is named, not imported: payroll does not depend on the service's code."""

    def __init__(self, client: Client, loop: asyncio.AbstractEventLoop, task_queue: str) -> None:
        self.client, self.loop, self.task_queue = client, loop, task_queue

    def __call__(self, employer_id: int, envelopes: list[dict[str, Any]]) -> None:
        future = asyncio.run_coroutine_threadsafe(self.send(employer_id, envelopes), self.loop)
        future.result(timeout=PUBLISH_TIMEOUT)

    async def send(self, employer_id: int, envelopes: list[dict[str, Any]]) -> None:
        await self.client.start_workflow(
            "EmployerFilingsWorkflow",
            {"employer_id": employer_id, "handled": 0},
            id=f"filings-employer-{employer_id}",
            task_queue=self.task_queue,
            start_signal="receive",
            start_signal_args=[envelopes],
        )
