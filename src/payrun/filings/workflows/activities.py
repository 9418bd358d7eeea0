"""The filings service's activities: thin, idempotent adapters over its handlers."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from temporalio import activity
from temporalio.client import Client

from payrun.filings import batches, metrics, service, statuses
from payrun.filings.agency_client import AgencyClient, BatchUnknown
from payrun.filings.config import FilingsSettings
from payrun.filings.events import FilingUpdate
from payrun.filings.messages import (
    AgencyResult,
    BatchSent,
    FilingInput,
    ReturnCheck,
    Route,
    StatusChange,
    Submission,
    Timings,
    TransmitterInput,
    workflow_id,
)
from payrun.filings.store import FilingsStore


def timings_of(settings: FilingsSettings) -> Timings:
    return Timings(
        debit_timeout=settings.debit_timeout_hours * 3600,
        batch_window=settings.batch_window_seconds,
        agency_max_wait=settings.agency_max_wait_days * 86400,
    )


class FilingsActivities:
    def __init__(self, store: FilingsStore, settings: FilingsSettings, client: Client) -> None:
        self.store, self.settings, self.client = store, settings, client
        self.timings = timings_of(settings)

    @activity.defn
    async def handle_events(self, employer_id: int, envelopes: list[dict[str, Any]]) -> int:
        """Store the events (each once) and start or signal every filing whose state changed."""
        routes = await asyncio.to_thread(service.receive, self.store, envelopes)
        for route in routes:
            await self._route(route)
        return len(routes)

    async def _route(self, route: Route) -> None:
        inp = FilingInput(
            route.filing_id,
            route.employer_id,
            route.filing_type,
            route.agency,
            self.settings.payroll_task_queue,
            self.timings,
        )
        await self.client.start_workflow(
            route.workflow,
            inp,
            id=workflow_id(route.filing_id),
            task_queue=self.settings.task_queue,
            start_signal="state",
            start_signal_args=[route.state],
        )

    @activity.defn
    def record_status(self, change: StatusChange) -> FilingUpdate:
        update = statuses.record_status(self.store, change)
        metrics.FILING_UPDATES.labels(update.filing_type, update.update_type).inc()
        return update

    @activity.defn
    def prepare_return(self, filing_id: str) -> ReturnCheck:
        return statuses.prepare_return(self.store, filing_id)

    @activity.defn
    def enqueue(self, submission: Submission) -> str:
        return batches.enqueue(self.store, submission)

    @activity.defn
    async def kick_transmitter(self, inp: TransmitterInput) -> None:
        await self.client.start_workflow(
            "AgencyTransmitterWorkflow",
            inp,
            id=f"transmitter-{inp.agency}",
            task_queue=self.settings.task_queue,
            start_signal="kick",
        )

    @activity.defn
    def send_batch(self, agency: str, batch_id: str) -> BatchSent:
        """Take the queued items into the batch and POST it (the agency dedupes by id)."""
        batch = batches.take_batch(self.store, agency, batch_id)
        if batch.item_ids:
            items = batches.batch_items(self.store, batch_id)
            AgencyClient(self.settings.agency_url(agency)).send_batch(batch_id, items)
            metrics.AGENCY_ITEMS_SENT.labels(agency).inc(len(batch.item_ids))
        return batch

    @activity.defn
    def check_batch(self, agency: str, batch_id: str) -> list[AgencyResult]:
        """The items the agency has decided on so far."""
        client = AgencyClient(self.settings.agency_url(agency))
        try:
            answer = client.batch_status(batch_id)
        except BatchUnknown:  # the agency lost it (e.g. restarted): the same batch again
            client.send_batch(batch_id, batches.batch_items(self.store, batch_id))
            return []
        results = [
            AgencyResult(i["item_id"], i["status"], i.get("ack_id"), i.get("reason"), batch_id)
            for i in answer.get("items", [])
            if i.get("status") in ("accepted", "rejected")
        ]
        batches.record_results(self.store, batch_id, [asdict(r) for r in results])
        return results

    def all(self) -> list[Any]:
        return [
            self.handle_events,
            self.record_status,
            self.prepare_return,
            self.enqueue,
            self.kick_transmitter,
            self.send_batch,
            self.check_batch,
        ]
