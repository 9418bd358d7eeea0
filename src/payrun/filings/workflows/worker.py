"""The filings worker: its own workflows and activities on its own task queue."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Interceptor, Worker

from payrun.filings.config import FilingsSettings
from payrun.filings.store import FilingsStore
from payrun.filings.workflows.activities import FilingsActivities
from payrun.filings.workflows.deposits import (
    CaliforniaDepositWorkflow,
    CaliforniaDirectDepositWorkflow,
    FederalDepositWorkflow,
)
from payrun.filings.workflows.inbox import EmployerFilingsWorkflow
from payrun.filings.workflows.returns import De9Workflow, Form940Workflow, Form941Workflow
from payrun.filings.workflows.transmit import AgencyBatchWorkflow, AgencyTransmitterWorkflow

WORKFLOWS = [
    EmployerFilingsWorkflow,
    FederalDepositWorkflow,
    CaliforniaDepositWorkflow,
    CaliforniaDirectDepositWorkflow,
    Form941Workflow,
    De9Workflow,
    Form940Workflow,
    AgencyTransmitterWorkflow,
    AgencyBatchWorkflow,
]


@contextlib.asynccontextmanager
async def filings_worker(
    client: Client,
    settings: FilingsSettings,
    store: FilingsStore | None = None,
    interceptors: Sequence[Interceptor] = (),
) -> AsyncIterator[FilingsStore]:
    """`interceptors`: what the entrypoint chose (adapters/observe.py: latency and failures
    per activity)."""
    store = store or FilingsStore(settings.db_url)
    activities = FilingsActivities(store, settings, client)
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with Worker(
            client,
            task_queue=settings.task_queue,
            workflows=WORKFLOWS,
            activities=activities.all(),
            activity_executor=executor,
            interceptors=list(interceptors),
        ):
            yield store
