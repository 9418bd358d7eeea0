"""Workflows Temporal Schedules start: a pay calendar's due runs, and the dead-letter redrive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from payrun.services.calendar_runs import DuePeriod
    from payrun.services.messages import (
        Downstream,
        PayRunInput,
        RedriveInput,
        RedriveResult,
        RunSummary,
    )
    from payrun.workflows.pay_run import PayRunWorkflow
    from payrun.workflows.redrive import RedriveWorkflow
    from payrun.workflows.schedule_activities import DueRequest, ScheduleActivities

# Set by the server on every workflow a Schedule starts, backfills included: the action's
# nominal time. workflow.now() is the wall clock of the run, which a backfill is not about.
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
RETRYABLE_ERROR_TYPES = ("downstream_timeout", "error")  # the rest need a human fix_and_retry

OPTIONS = {
    "start_to_close_timeout": timedelta(minutes=2),
    "retry_policy": RetryPolicy(
        maximum_interval=timedelta(seconds=30), non_retryable_error_types=["InvalidInput"]
    ),
}


@dataclass(frozen=True)
class ScheduledRunsInput:
    schedule: str
    lead_days: int = 2  # process a period this many days before its pay date
    chunk_size: int = 500
    employer_parallelism: int = 8
    as_of: str | None = None  # ISO date; None: the schedule's action time
    downstream: Downstream = field(default_factory=Downstream)
    # The catch-up cutoff (ISO date, set by `schedules sync`): a period paid before it is not
    # started by the daily action. An action standing for an earlier day is a backfill, which
    # runs past periods on purpose: the cutoff does not apply to it.
    not_before: str | None = None


@dataclass(frozen=True)
class ScheduledRunsResult:
    schedule: str
    as_of: str
    runs: list[RunSummary] = field(default_factory=list)
    already_running: list[str] = field(default_factory=list)  # started elsewhere; left to them


@workflow.defn(name="ScheduledPayRuns")
class ScheduledPayRunsWorkflow:
    """Routes only: ask which periods are due, run them one at a time, oldest first (the
    year-to-date totals of a period build on the one before)."""

    @workflow.run
    async def run(self, inp: ScheduledRunsInput) -> ScheduledRunsResult:
        as_of = inp.as_of or scheduled_time().date().isoformat()
        done: list[RunSummary] = []
        started: set[str] = set()
        while (period := await self._next_due(inp, as_of, started)) is not None:
            started.add(period.run_id)
            try:
                done.append(await self._run_period(inp, period))
            except WorkflowAlreadyStartedError:
                # Someone (the CLI, the API) is running it: the next action takes the rest.
                return ScheduledRunsResult(inp.schedule, as_of, done, [period.run_id])
        return ScheduledRunsResult(inp.schedule, as_of, done)

    async def _next_due(
        self, inp: ScheduledRunsInput, as_of: str, started: set[str]
    ) -> DuePeriod | None:
        """Asked again before each period, so a pause or a run finished elsewhere counts."""
        backfill = inp.not_before is not None and as_of < inp.not_before
        cutoff = None if backfill else inp.not_before
        request = DueRequest(inp.schedule, as_of, inp.lead_days, cutoff)
        due = await workflow.execute_activity_method(
            ScheduleActivities.due_periods, request, **OPTIONS
        )
        return next((p for p in due if p.run_id not in started), None)

    async def _run_period(self, inp: ScheduledRunsInput, period: DuePeriod) -> RunSummary:
        run = PayRunInput(
            run_id=period.run_id,
            pay_period_id=period.pay_period_id,
            chunk_size=inp.chunk_size,
            employer_parallelism=inp.employer_parallelism,
            downstream=inp.downstream,
        )
        return await workflow.execute_child_workflow(
            PayRunWorkflow.run,
            run,
            id=period.run_id,  # the business key: one execution of a period at a time
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            # A run that has started moving money finishes even if this workflow is closed.
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
        )


def scheduled_time() -> datetime:
    """The action time of the Schedule that started this workflow (a backfill's past time
    included); a workflow started by hand falls back to workflow.now()."""
    return workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()


@dataclass(frozen=True)
class ScheduledRedriveInput:
    error_types: list[str] = field(default_factory=lambda: list(RETRYABLE_ERROR_TYPES))
    chunk_size: int = 500


@workflow.defn(name="ScheduledRedrive")
class ScheduledRedriveWorkflow:
    """One Redrive per retryable error type, one after the other, so two redrives never
    re-run the same employer at once."""

    @workflow.run
    async def run(self, inp: ScheduledRedriveInput) -> list[RedriveResult]:
        me = workflow.info().workflow_id
        # Returned funding debits (R01/R09) due today are presented again first, once each.
        today = scheduled_time().date().isoformat()
        await workflow.execute_activity_method(ScheduleActivities.redebit_due, today, **OPTIONS)
        results = []
        for error_type in inp.error_types:
            result = await workflow.execute_child_workflow(
                RedriveWorkflow.run,
                RedriveInput(error_type=error_type, chunk_size=inp.chunk_size),
                id=f"{me}/{error_type}",
            )
            results.append(result)
        return results
