"""Payroll's link to the filings service: the activity that applies its updates (on payroll's
task queue) and the publisher that hands it the outbox's events."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import activity
from temporalio.client import Client

from payrun.filings.config import FilingsSettings
from payrun.filings.events import FilingUpdate
from payrun.services.context import PayrollContext
from payrun.services.filing_updates import apply_update
from payrun.workflows.filings_publisher import TemporalFilingsPublisher


class FilingUpdateActivities:
    def __init__(self, ctx: PayrollContext) -> None:
        self.ctx = ctx

    @activity.defn(name="apply_filing_update")
    def apply_filing_update(self, update: FilingUpdate) -> bool:
        return apply_update(self.ctx.db_url, update)

    def all(self) -> list[Any]:
        return [self.apply_filing_update]


def wire_filings(ctx: PayrollContext, client: Client) -> None:
    """Publish outbox events through this worker's client (PAYRUN_FILINGS_PUBLISH=false: keep
    them in the outbox, for `payrun filings relay`)."""
    settings = FilingsSettings()
    if ctx.filings is None and settings.publish:
        loop = asyncio.get_running_loop()
        ctx.filings = TemporalFilingsPublisher(client, loop, settings.task_queue)
