"""One inbox per employer: events arrive by signal-with-start and are handled in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import workflow

from payrun.filings.workflows.base import RETRY

IDLE = timedelta(hours=1)
EVENTS_PER_RUN = 1000


@dataclass(frozen=True)
class InboxInput:
    employer_id: int
    handled: int = 0


@workflow.defn
class EmployerFilingsWorkflow:
    def __init__(self) -> None:
        self.queue: list[dict[str, Any]] = []

    @workflow.signal
    def receive(self, envelopes: list[dict[str, Any]]) -> None:
        self.queue.extend(envelopes)

    @workflow.run
    async def run(self, inp: InboxInput) -> int:
        handled = inp.handled
        while True:
            try:
                await workflow.wait_condition(lambda: bool(self.queue), timeout=IDLE)
            except TimeoutError:
                return handled
            batch, self.queue = self.queue, []
            await workflow.execute_activity(
                "handle_events",
                args=[inp.employer_id, batch],
                start_to_close_timeout=timedelta(minutes=5),
                retry_policy=RETRY,
            )
            handled += len(batch)
            if handled - inp.handled >= EVENTS_PER_RUN and not self.queue:
                workflow.continue_as_new(InboxInput(inp.employer_id, handled))
