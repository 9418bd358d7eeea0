"""Redrive: re-run the employers behind open dead letters; idempotency keeps it exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy

with workflow.unsafe.imports_passed_through():
    from payrun.services.messages import (
        CloseRun,
        EmployerInput,
        EmployerResult,
        RedriveInput,
        RedriveResult,
    )
    from payrun.workflows.activities import PayrollActivities
    from payrun.workflows.employer import EmployerPayrollWorkflow

OPTIONS = {
    "start_to_close_timeout": timedelta(minutes=5),
    "heartbeat_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        maximum_interval=timedelta(seconds=30), non_retryable_error_types=["InvalidInput"]
    ),
}


@workflow.defn(name="Redrive")
class RedriveWorkflow:
    @workflow.run
    async def run(self, inp: RedriveInput) -> RedriveResult:
        acts = PayrollActivities
        plan = await workflow.execute_activity_method(acts.select_redrive, inp, **OPTIONS)
        gate = asyncio.Semaphore(4)
        me = workflow.info().workflow_id

        async def one(run_id: str, employer_id: int) -> EmployerResult:
            async with gate:
                return await workflow.execute_child_workflow(
                    EmployerPayrollWorkflow.run,
                    EmployerInput(run_id, employer_id, inp.chunk_size, True, inp.downstream),
                    id=f"{run_id}/employer-{employer_id}/{me}",
                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                )

        results = await asyncio.gather(*(one(t.run_id, t.employer_id) for t in plan.targets))
        resolved = await workflow.execute_activity_method(acts.resolve_redrive, plan, **OPTIONS)
        for run_id in sorted({t.run_id for t in plan.targets}):
            created = sum(
                r.paychecks_created
                for t, r in zip(plan.targets, results, strict=True)
                if t.run_id == run_id
            )
            await workflow.execute_activity_method(
                acts.close_run, CloseRun(run_id, created, 0), **OPTIONS
            )
        return RedriveResult(len(plan.targets), plan.skipped, resolved, list(results))
