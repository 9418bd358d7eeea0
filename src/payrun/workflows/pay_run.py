"""PayRun: fan out over employers, one child workflow each, and summarize."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from payrun.domain.statuses import EmployerRunStatus
    from payrun.services.messages import (
        CloseRun,
        EmployerInput,
        EmployerResult,
        PayRunInput,
        RunSummary,
    )
    from payrun.workflows.activities import PayrollActivities
    from payrun.workflows.employer import EmployerPayrollWorkflow

SHORT = {
    "start_to_close_timeout": timedelta(minutes=5),
    "heartbeat_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        maximum_interval=timedelta(seconds=30), non_retryable_error_types=["InvalidInput"]
    ),
}


@workflow.defn(name="PayRun")
class PayRunWorkflow:
    """Routes only: open the run, run employers in parallel, close the run."""

    def __init__(self) -> None:
        self._employers_total = 0
        self._results: dict[int, EmployerResult] = {}

    @workflow.run
    async def run(self, inp: PayRunInput) -> RunSummary:
        plan = await workflow.execute_activity_method(PayrollActivities.open_run, inp, **SHORT)
        self._employers_total = len(plan.employer_ids)
        gate = asyncio.Semaphore(inp.employer_parallelism)

        async def one(employer_id: int) -> None:
            async with gate:
                try:
                    result = await workflow.execute_child_workflow(
                        EmployerPayrollWorkflow.run,
                        EmployerInput(
                            inp.run_id, employer_id, inp.chunk_size, downstream=inp.downstream
                        ),
                        id=f"{inp.run_id}/employer-{employer_id}",
                        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                    )
                except ChildWorkflowError as err:
                    # One employer that could not even be compensated must not sink the run:
                    # the others finish; this one is visible as FAILED in the summary.
                    result = EmployerResult(employer_id, "FAILED", message=str(err.cause or err))
                self._results[employer_id] = result

        await asyncio.gather(*(one(e) for e in plan.employer_ids))
        done = list(self._results.values())
        close = CloseRun(
            inp.run_id,
            paychecks_created=sum(r.paychecks_created for r in done),
            already_paid=sum(r.already_paid for r in done),
        )
        return await workflow.execute_activity_method(PayrollActivities.close_run, close, **SHORT)

    @workflow.query
    def progress(self) -> dict[str, int]:
        done = list(self._results.values())
        return {
            "employers_total": self._employers_total,
            "employers_done": len(done),
            "employers_failed": sum(r.status != EmployerRunStatus.PAID for r in done),
            "paychecks_created": sum(r.paychecks_created for r in done),
            "employees_failed": sum(r.failed for r in done),
        }
