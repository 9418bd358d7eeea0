"""The worker: workflows and every activity on the shared task queue, plus its own queue."""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Interceptor, Worker

from payrun.services.context import PayrollContext
from payrun.workflows.activities import PayrollActivities
from payrun.workflows.employer import EmployerPayrollWorkflow
from payrun.workflows.filing_updates import FilingUpdateActivities, wire_filings
from payrun.workflows.pay_run import PayRunWorkflow
from payrun.workflows.redrive import RedriveWorkflow
from payrun.workflows.runtime import tune_garbage_collector
from payrun.workflows.schedule_activities import ScheduleActivities
from payrun.workflows.scheduled import ScheduledPayRunsWorkflow, ScheduledRedriveWorkflow

WORKFLOWS = [
    PayRunWorkflow,
    EmployerPayrollWorkflow,
    RedriveWorkflow,
    ScheduledPayRunsWorkflow,
    ScheduledRedriveWorkflow,
]


def worker_queue(task_queue: str) -> str:
    """A task queue only this worker process polls: `{shared}/{host}-{pid}-{random}`."""
    return f"{task_queue}/{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@contextlib.asynccontextmanager
async def build_worker(
    client: Client,
    ctx: PayrollContext,
    task_queue: str,
    max_activities: int = 8,
    steps_at_once: int = 1,
    interceptors: list[Interceptor] | None = None,
) -> AsyncIterator[None]:
    """Two pollers in one process: the shared task queue (workflows and every activity) and
    this worker's own queue, which takes the later steps of the chunks it started. Each takes
    up to `max_activities` tasks; `steps_at_once` of them run at a time (activities.py).
    `interceptors`: the metrics and tracing chain the entrypoint chose (adapters/observe.py)."""
    tune_garbage_collector()
    wire_filings(ctx, client)
    own = worker_queue(task_queue)
    activities = PayrollActivities(ctx, own, steps_at_once)
    executor = ThreadPoolExecutor(max_workers=2 * max_activities)
    chain = list(interceptors or ())
    shared = Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=activities.all()
        + ScheduleActivities(ctx).all()
        + FilingUpdateActivities(ctx).all(),
        activity_executor=executor,
        max_concurrent_activities=max_activities,
        # Eager dispatch would hand every activity of a workflow to the worker running that
        # workflow: with several workers, one would do all the work of its employers.
        disable_eager_activity_execution=True,
        interceptors=chain,
    )
    sticky = Worker(
        client,
        task_queue=own,
        activities=activities.all(),
        activity_executor=executor,
        max_concurrent_activities=max_activities,
        interceptors=chain,
    )
    try:
        async with shared, sticky:
            yield
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
