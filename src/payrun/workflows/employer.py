"""EmployerPayroll: employee steps in chunks, validation, payment, notification; saga on failure."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as TemporalTimeout

with workflow.unsafe.imports_passed_through():
    from payrun.domain.statuses import EmployerRunStatus
    from payrun.services.messages import (
        ChunkTask,
        EmployerFailure,
        EmployerInput,
        EmployerPlan,
        EmployerResult,
        EmployerTally,
        HeldCredits,
        PaymentOutcome,
        PreparedPayment,
        RecordHours,
        StepResult,
    )
    from payrun.workflows.activities import PayrollActivities

NON_RETRYABLE = [
    "InvalidInput",
    "ValidationFailed",
    "PaymentRejected",
    "FundingBlocked",
    "FundingHeld",
]
# Funding before credits: how often the provider is asked whether the employer's debit has
# settled (a doubling pause); how long to wait is Downstream.funding_wait_seconds.
FUNDING_FIRST_PAUSE = timedelta(seconds=1)
FUNDING_LONGEST_PAUSE = timedelta(minutes=30)
RETRY = RetryPolicy(
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=8,
    non_retryable_error_types=NON_RETRYABLE,
)
# Steps heartbeat every few seconds while they run (runtime.heartbeating): a worker killed
# mid-step is noticed within the heartbeat timeout; a step that hangs is cut at start-to-close.
STEP_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(minutes=10),
    "heartbeat_timeout": timedelta(seconds=30),
    "retry_policy": RETRY,
}
# begin_employer writes every snapshot of a large employer: it may run long.
BEGIN_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(minutes=30),
    "heartbeat_timeout": timedelta(seconds=30),
    "retry_policy": RETRY,
}
CHUNK_PARALLELISM = 4
# A chunk's next step waits this long on its worker's own queue before any worker may take it.
WORKER_GONE_AFTER = timedelta(seconds=10)
ONE_ATTEMPT = RetryPolicy(maximum_attempts=1)


@workflow.defn(name="EmployerPayroll")
class EmployerPayrollWorkflow:
    def __init__(self) -> None:
        self._stage = "BEGIN"
        self._chunks_done = 0
        self._chunks = 0
        self._created = 0
        self._step = ""  # the activity that failed, for the dead letter

    @workflow.run
    async def run(self, inp: EmployerInput) -> EmployerResult:
        acts = PayrollActivities
        already_paid = 0
        try:
            self._step = "begin_employer"
            plan = await workflow.execute_activity_method(acts.begin_employer, inp, **BEGIN_OPTIONS)
            self._chunks, already_paid = plan.chunk_count, plan.already_paid
            await self._employee_steps(inp, plan)
            self._step, self._stage = "validate_employer", "VALIDATING"
            validation = await workflow.execute_activity_method(
                acts.validate_employer, inp, **STEP_OPTIONS
            )
            if not validation.ok:
                self._step = "validation"
                raise ApplicationError(validation.message, type="ValidationFailed")
            if validation.payable:
                self._stage = "PAYING"
                await self._pay(inp)
        except (ActivityError, ApplicationError) as err:
            self._stage = "COMPENSATING"
            failure = EmployerFailure(
                inp.run_id,
                inp.employer_id,
                self._step,
                _error_type(err),
                _message(err),
                self._created,
                already_paid,
            )
            return await workflow.execute_activity_method(
                acts.compensate_employer, failure, **STEP_OPTIONS
            )
        # Money has moved: a failing notification is retried, never compensated.
        self._stage = "NOTIFYING"
        tally = EmployerTally(inp.run_id, inp.employer_id, self._created, plan.already_paid)
        result = await workflow.execute_activity_method(
            acts.finish_employer,
            tally,
            start_to_close_timeout=timedelta(minutes=5),
            heartbeat_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
        )
        self._stage = result.status
        return result

    async def _employee_steps(self, inp: EmployerInput, plan: EmployerPlan) -> None:
        gate = asyncio.Semaphore(CHUNK_PARALLELISM)
        acts = PayrollActivities
        steps = (acts.gross_pay, acts.taxes, acts.retirement, acts.net_pay)

        async def one(chunk: int) -> None:
            async with gate:
                task = ChunkTask(inp.run_id, inp.employer_id, chunk)
                step_name = "time_entry"
                try:
                    result = await self._time_entry(inp, plan, task)
                    versions = {"time_entry": result.version}
                    for step in steps:
                        step_name = step.__name__
                        task = ChunkTask(inp.run_id, inp.employer_id, chunk, dict(versions))
                        result = await _on_worker_of(result, step, task)
                        versions[step_name] = result.version
                except BaseException:
                    self._step = self._step or step_name
                    raise
                self._created += result.succeeded
                self._chunks_done += 1

        self._stage, self._step = "EMPLOYEES", ""
        # Every chunk finishes (or fails) before anyone compensates: a sibling still writing
        # paychecks after the voids would leave live paychecks on a dead-lettered employer.
        outcomes = await asyncio.gather(
            *(one(c) for c in range(plan.chunk_count)), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _time_entry(
        self, inp: EmployerInput, plan: EmployerPlan, task: ChunkTask
    ) -> StepResult:
        """Hours from the time-entry system: asynchronously (task token) when it is a service."""
        acts = PayrollActivities
        if not plan.time_entry_async:
            return await workflow.execute_activity_method(acts.time_entry, task, **STEP_OPTIONS)
        hours = await workflow.execute_activity_method(
            acts.request_time_entries, task, **_downstream_options(inp)
        )
        return await workflow.execute_activity_method(
            acts.record_time_entries, RecordHours(task, hours["hours"]), **STEP_OPTIONS
        )

    async def _pay(self, inp: EmployerInput) -> PaymentOutcome:
        acts = PayrollActivities
        self._step = "prepare_payment"
        prepared = await workflow.execute_activity_method(acts.prepare_payment, inp, **STEP_OPTIONS)
        if not prepared.paychecks:
            return PaymentOutcome(0, 0, 0, EmployerRunStatus.NOTHING_TO_PAY)
        if prepared.funding_path:
            await self._fund(inp, prepared)
        self._step = "send_payment"
        answer = await workflow.execute_activity_method(
            acts.send_payment, prepared, **_downstream_options(inp)
        )
        outcome = PaymentOutcome(
            prepared.payment_id,
            prepared.paychecks,
            prepared.credit_total_cents,
            str(answer.get("status", "settled")),
            str(answer.get("reference", "")),
        )
        self._step = "record_payment"
        return await workflow.execute_activity_method(acts.record_payment, outcome, **STEP_OPTIONS)

    async def _fund(self, inp: EmployerInput, prepared: PreparedPayment) -> None:
        """The employer's debit goes first, in its own file; the credits wait until it has
        settled (asked with a doubling pause), unless the employer is prefunded within its
        exposure limit. Not settled in time (Downstream.funding_wait_seconds): the credits are
        held, operators alerted, the employer dead-lettered (downstream_timeout) for a redrive."""
        acts = PayrollActivities
        self._step, self._stage = "send_funding", "FUNDING"
        sent = await workflow.execute_activity_method(acts.send_funding, prepared, **STEP_OPTIONS)
        if sent != "sent":
            raise ApplicationError("the bank refused the funding debit", type="PaymentRejected")
        if prepared.release_now:
            return
        self._step = "funding_state"
        deadline, pause = (
            workflow.now() + timedelta(seconds=inp.downstream.funding_wait_seconds),
            FUNDING_FIRST_PAUSE,
        )
        while True:
            state = await workflow.execute_activity_method(
                acts.funding_state, prepared, **STEP_OPTIONS
            )
            if state == "settled":
                return
            if state in ("rejected", "cancelled") or workflow.now() >= deadline:
                why = f"the funding debit is {state}"
                await workflow.execute_activity_method(
                    acts.hold_credits, HeldCredits(prepared, why), **STEP_OPTIONS
                )
                raise ApplicationError(why, type="FundingHeld", non_retryable=True)
            await workflow.sleep(pause)
            pause = min(pause * 2, FUNDING_LONGEST_PAUSE)

    @workflow.query
    def progress(self) -> dict[str, object]:
        return {
            "stage": self._stage,
            "chunks": self._chunks,
            "chunks_done": self._chunks_done,
            "paychecks_created": self._created,
        }


async def _on_worker_of(previous: StepResult, step: Any, task: ChunkTask) -> StepResult:
    """Run a chunk's next step on the worker that ran the previous one, where the chunk's objects
    are in memory: one attempt there. If that worker is gone (nobody takes the task in time, or
    the attempt stops heartbeating) or the attempt fails in a way a retry may fix, the step goes
    to the shared queue with the usual retries; any worker reads the objects from the store."""
    if previous.worker_queue:
        try:
            return await workflow.execute_activity_method(  # type: ignore[no-any-return]
                step,
                task,
                task_queue=previous.worker_queue,
                schedule_to_start_timeout=WORKER_GONE_AFTER,
                **{**STEP_OPTIONS, "retry_policy": ONE_ATTEMPT},
            )
        except ActivityError as err:
            if _final(err):
                raise
    return await workflow.execute_activity_method(step, task, **STEP_OPTIONS)  # type: ignore[no-any-return]


def _final(err: ActivityError) -> bool:
    """An error no retry can fix (bad input, a rejected payment ...)."""
    root = _root(err)
    return isinstance(root, ApplicationError) and (root.non_retryable or root.type in NON_RETRYABLE)


def _downstream_options(inp: EmployerInput) -> dict[str, Any]:
    """A downstream system answers by callback and heartbeats while it works: silence fails the
    attempt loudly (downstream_timeout) instead of hanging; a rejection is not retried."""
    d = inp.downstream
    return {
        "start_to_close_timeout": timedelta(seconds=d.timeout_seconds),
        "heartbeat_timeout": timedelta(seconds=d.heartbeat_seconds),
        "retry_policy": RetryPolicy(
            maximum_interval=timedelta(seconds=30),
            maximum_attempts=d.attempts,
            non_retryable_error_types=[*NON_RETRYABLE, "downstream_rejection", "batch_cancelled"],
        ),
    }


def _root(err: BaseException) -> BaseException:
    while isinstance(err, ActivityError) and err.cause is not None:
        err = err.cause
    return err


def _error_type(err: BaseException) -> str:
    root = _root(err)
    if isinstance(root, TemporalTimeout):
        return "downstream_timeout"
    if isinstance(root, ApplicationError):
        return {
            "ValidationFailed": "validation",
            "PaymentRejected": "downstream_rejection",
            "InvalidInput": "calculation_error",
            "batch_cancelled": "downstream_rejection",
            "FundingBlocked": "funding_blocked",
            # The bank did not settle the debit in time: retried by the downstream redrive.
            "FundingHeld": "downstream_timeout",
        }.get(root.type or "", root.type or "error")
    return "error"


def _message(err: BaseException) -> str:
    root = _root(err)
    return str(root) or type(root).__name__
