"""The worker: hosts both workflows and every activity on one task queue."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from payrun.services.context import PayrollContext
from payrun.workflows.activities import PayrollActivities
from payrun.workflows.employer import EmployerPayrollWorkflow
from payrun.workflows.pay_run import PayRunWorkflow
from payrun.workflows.redrive import RedriveWorkflow
from payrun.workflows.schedule_activities import ScheduleActivities
from payrun.workflows.scheduled import ScheduledPayRunsWorkflow, ScheduledRedriveWorkflow

WORKFLOWS = [
    PayRunWorkflow,
    EmployerPayrollWorkflow,
    RedriveWorkflow,
    ScheduledPayRunsWorkflow,
    ScheduledRedriveWorkflow,
]


def build_worker(
    client: Client, ctx: PayrollContext, task_queue: str, max_activities: int = 8
) -> Worker:
    activities = PayrollActivities(ctx)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=activities.all() + ScheduleActivities(ctx).all(),
        activity_executor=ThreadPoolExecutor(max_workers=max_activities),
        max_concurrent_activities=max_activities,
    )
