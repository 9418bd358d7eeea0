"""Activities: thin, idempotent adapters from Temporal to the service handlers."""

from __future__ import annotations

import dataclasses
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from payrun.domain.errors import InvalidInput
from payrun.services import (
    compensation,
    employee_steps,
    employer_steps,
    funding_first,
    payments,
    redrive,
    runs,
)
from payrun.services.context import PayrollContext
from payrun.services.messages import (
    ChunkTask,
    CloseRun,
    EmployerFailure,
    EmployerInput,
    EmployerPlan,
    EmployerResult,
    EmployerTally,
    HeldCredits,
    PaymentOutcome,
    PayRunInput,
    PreparedPayment,
    RecordHours,
    RedriveInput,
    RedrivePlan,
    RunPlan,
    RunSummary,
    StepResult,
    Validation,
)
from payrun.workflows import runtime


def domain_errors(fn):  # type: ignore[no-untyped-def]
    """InvalidInput, which can never succeed on retry, surfaces as a non-retryable error."""
    import functools

    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return fn(self, *args, **kwargs)
        except InvalidInput as err:
            kind = "FundingBlocked" if type(err).__name__ == "FundingBlocked" else "InvalidInput"
            raise ApplicationError(str(err), type=kind, non_retryable=True) from err

    return wrapper


class PayrollActivities:
    """Built with its dependencies (the context); one method per single-purpose step."""

    def __init__(self, ctx: PayrollContext, worker_queue: str = "", steps_at_once: int = 1) -> None:
        self.ctx = ctx
        self.ctx.heartbeat = _heartbeat
        self.ctx.pause = runtime.idle  # a step waiting on another run frees the step gate
        # This worker's own task queue: a chunk's later steps are sent here, where its stage
        # objects are in memory (services.stage_store); empty when the worker has none.
        self.worker_queue = worker_queue
        self.step_gate = runtime.step_gate(steps_at_once)

    def _here(self, result: StepResult) -> StepResult:
        return dataclasses.replace(result, worker_queue=self.worker_queue)

    @activity.defn
    @runtime.step
    @domain_errors
    def open_run(self, inp: PayRunInput) -> RunPlan:
        return runs.open_run(self.ctx, inp)

    @activity.defn
    @runtime.step
    @domain_errors
    def close_run(self, close: CloseRun) -> RunSummary:
        return runs.close_run(self.ctx, close)

    @activity.defn
    @runtime.step
    @domain_errors
    def begin_employer(self, inp: EmployerInput) -> EmployerPlan:
        return employer_steps.begin_employer(self.ctx, inp)

    @activity.defn
    @runtime.step
    @domain_errors
    def time_entry(self, task: ChunkTask) -> StepResult:
        return self._here(employee_steps.time_entry(self.ctx, task))

    @activity.defn
    def request_time_entries(self, task: ChunkTask) -> dict[str, Any]:
        """Hand the chunk to the time-entry service; its callback completes this activity with
        {"request_id", "hours"} (asynchronous completion by task token)."""
        employee_steps.request_hours(self.ctx, task, activity.info().task_token)
        activity.raise_complete_async()

    @activity.defn
    @runtime.step
    @domain_errors
    def record_time_entries(self, record: RecordHours) -> StepResult:
        return self._here(employee_steps.record_hours(self.ctx, record.task, record.hours))

    @activity.defn
    @runtime.step
    @domain_errors
    def gross_pay(self, task: ChunkTask) -> StepResult:
        return self._here(employee_steps.gross_pay(self.ctx, task))

    @activity.defn
    @runtime.step
    @domain_errors
    def taxes(self, task: ChunkTask) -> StepResult:
        return self._here(employee_steps.taxes(self.ctx, task))

    @activity.defn
    @runtime.step
    @domain_errors
    def retirement(self, task: ChunkTask) -> StepResult:
        return self._here(employee_steps.retirement(self.ctx, task))

    @activity.defn
    @runtime.step
    @domain_errors
    def net_pay(self, task: ChunkTask) -> StepResult:
        return self._here(employee_steps.net_pay(self.ctx, task))

    @activity.defn
    @runtime.step
    @domain_errors
    def validate_employer(self, inp: EmployerInput) -> Validation:
        return employer_steps.validate_employer(self.ctx, inp)

    @activity.defn
    @runtime.step
    @domain_errors
    def prepare_payment(self, inp: EmployerInput) -> PreparedPayment:
        return payments.prepare_payment(self.ctx, inp)

    @activity.defn
    def send_payment(self, prepared: PreparedPayment) -> dict[str, Any]:
        """Hand the batch to the provider. An asynchronous provider answers later through the
        callback receiver with this activity's task token; a synchronous one answers now."""
        info = activity.info()
        run_id, employer_id = _run_and_employer(prepared.idempotency_key)
        batch = payments.payment_batch(self.ctx, prepared, run_id, employer_id)
        provider = self.ctx.payment_provider
        receipt = provider.submit(batch, info.task_token)
        if not receipt.accepted:
            raise ApplicationError(
                f"payment rejected: {receipt.message}", type="PaymentRejected", non_retryable=True
            )
        payments.mark_sent(self.ctx, prepared.payment_id, receipt.provider_reference)
        if getattr(provider, "asynchronous", False):
            activity.raise_complete_async()
        return {"reference": receipt.provider_reference, "status": "accepted"}

    @activity.defn
    @runtime.step
    @domain_errors
    def send_funding(self, prepared: PreparedPayment) -> str:
        return funding_first.send_funding(self.ctx, prepared)

    @activity.defn
    @runtime.step
    @domain_errors
    def funding_state(self, prepared: PreparedPayment) -> str:
        return funding_first.funding_state(self.ctx, prepared)

    @activity.defn
    @runtime.step
    @domain_errors
    def hold_credits(self, held: HeldCredits) -> None:
        funding_first.hold_credits(self.ctx, held.prepared, held.why)

    @activity.defn
    @runtime.step
    @domain_errors
    def record_payment(self, outcome: PaymentOutcome) -> PaymentOutcome:
        return payments.record_payment(self.ctx, outcome)

    @activity.defn
    @runtime.step
    @domain_errors
    def finish_employer(self, tally: EmployerTally) -> EmployerResult:
        return employer_steps.finish_employer(self.ctx, tally)

    @activity.defn
    @runtime.step
    @domain_errors
    def compensate_employer(self, failure: EmployerFailure) -> EmployerResult:
        return compensation.compensate_employer(self.ctx, failure)

    @activity.defn
    @runtime.step
    @domain_errors
    def select_redrive(self, inp: RedriveInput) -> RedrivePlan:
        return redrive.select_redrive(self.ctx, inp)

    @activity.defn
    @runtime.step
    @domain_errors
    def resolve_redrive(self, plan: RedrivePlan) -> int:
        return redrive.resolve_redrive(self.ctx, plan)

    def all(self) -> list[object]:
        return [
            self.select_redrive,
            self.resolve_redrive,
            self.open_run,
            self.close_run,
            self.begin_employer,
            self.time_entry,
            self.request_time_entries,
            self.record_time_entries,
            self.gross_pay,
            self.taxes,
            self.retirement,
            self.net_pay,
            self.validate_employer,
            self.prepare_payment,
            self.send_payment,
            self.send_funding,
            self.funding_state,
            self.hold_credits,
            self.record_payment,
            self.finish_employer,
            self.compensate_employer,
        ]


def _heartbeat() -> None:
    if activity.in_activity():
        activity.heartbeat()


def _run_and_employer(idempotency_key: str) -> tuple[str, int]:
    """'{run}-{employer}-payment-{n}' -> (run, employer)."""
    head = idempotency_key.rsplit("-payment-", 1)[0]
    run_id, employer = head.rsplit("-", 1)
    return run_id, int(employer)
