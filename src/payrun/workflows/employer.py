"""EmployerPayroll: employee steps in chunks, validation, payment, notification; saga on failure."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from payrun.workflows.activities import PayrollActivities
    from payrun.workflows.messages import (
        ChunkTask,
        EmployerFailure,
        EmployerInput,
        EmployerResult,
        EmployerTally,
        PaymentOutcome,
    )

NON_RETRYABLE = ["InvalidInput", "ValidationFailed", "PaymentRejected"]
STEP_OPTIONS = {
    "start_to_close_timeout": timedelta(minutes=10),
    "retry_policy": RetryPolicy(
        maximum_interval=timedelta(seconds=30),
        maximum_attempts=8,
        non_retryable_error_types=NON_RETRYABLE,
    ),
}
CHUNK_PARALLELISM = 4


@workflow.defn(name="EmployerPayroll")
class EmployerPayrollWorkflow:
    def __init__(self) -> None:
        self._stage = "BEGIN"
        self._chunks_done = 0
        self._chunks = 0
        self._created = 0

    @workflow.run
    async def run(self, inp: EmployerInput) -> EmployerResult:
        acts = PayrollActivities
        plan = await workflow.execute_activity_method(acts.begin_employer, inp, **STEP_OPTIONS)
        self._chunks = plan.chunk_count
        step = "employees"
        try:
            await self._employee_steps(inp, plan.chunk_count)
            step = "validation"
            self._stage = "VALIDATING"
            validation = await workflow.execute_activity_method(
                acts.validate_employer, inp, **STEP_OPTIONS
            )
            if not validation.ok:
                raise ApplicationError(validation.message, type="ValidationFailed")
            if validation.payable:
                step = "payment"
                self._stage = "PAYING"
                await self._pay(inp)
        except (ActivityError, ApplicationError) as err:
            self._stage = "COMPENSATING"
            failure = EmployerFailure(
                inp.run_id,
                inp.employer_id,
                step,
                _error_type(err),
                _message(err),
                self._created,
                plan.already_paid,
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
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
        )
        self._stage = result.status
        return result

    async def _employee_steps(self, inp: EmployerInput, chunk_count: int) -> None:
        gate = asyncio.Semaphore(CHUNK_PARALLELISM)
        acts = PayrollActivities
        steps = (acts.time_entry, acts.gross_pay, acts.taxes, acts.retirement, acts.net_pay)

        async def one(chunk: int) -> None:
            async with gate:
                task = ChunkTask(inp.run_id, inp.employer_id, chunk)
                for step in steps:
                    result = await workflow.execute_activity_method(step, task, **STEP_OPTIONS)
                self._created += result.succeeded
                self._chunks_done += 1

        self._stage = "EMPLOYEES"
        await asyncio.gather(*(one(c) for c in range(chunk_count)))

    async def _pay(self, inp: EmployerInput) -> PaymentOutcome:
        acts = PayrollActivities
        prepared = await workflow.execute_activity_method(acts.prepare_payment, inp, **STEP_OPTIONS)
        if not prepared.paychecks:
            return PaymentOutcome(0, 0, 0, "NOTHING_TO_PAY")
        outcome = await workflow.execute_activity_method(
            acts.send_payment,
            prepared,
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(seconds=60),
            retry_policy=RetryPolicy(
                maximum_interval=timedelta(seconds=30),
                maximum_attempts=5,
                non_retryable_error_types=NON_RETRYABLE,
            ),
        )
        return await workflow.execute_activity_method(acts.record_payment, outcome, **STEP_OPTIONS)

    @workflow.query
    def progress(self) -> dict[str, object]:
        return {
            "stage": self._stage,
            "chunks": self._chunks,
            "chunks_done": self._chunks_done,
            "paychecks_created": self._created,
        }


def _root(err: BaseException) -> BaseException:
    while isinstance(err, ActivityError) and err.cause is not None:
        err = err.cause
    return err


def _error_type(err: BaseException) -> str:
    from temporalio.exceptions import TimeoutError as TemporalTimeout

    root = _root(err)
    if isinstance(root, TemporalTimeout):
        return "downstream_timeout"
    if isinstance(root, ApplicationError):
        return {
            "ValidationFailed": "validation",
            "PaymentRejected": "downstream_rejection",
            "InvalidInput": "calculation_error",
        }.get(root.type or "", root.type or "error")
    return "error"


def _message(err: BaseException) -> str:
    root = _root(err)
    return str(root) or type(root).__name__
