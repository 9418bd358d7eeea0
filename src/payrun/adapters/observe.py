"""The worker's Temporal interceptors: metrics per activity and, when enabled, OpenTelemetry.

The entrypoint that builds a worker hands them to it (workflows/worker.py takes a chain)."""

from __future__ import annotations

import time
from typing import Any

import structlog
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from payrun.adapters import metrics
from payrun.domain.errors import InvalidInput
from payrun.services.messages import (
    EmployerFailure,
    PaymentOutcome,
    RunPlan,
    RunSummary,
    StepResult,
    Validation,
)


class MetricsInterceptor(Interceptor):
    """One latency observation per activity, and the counters its result carries (a chunk's
    paychecks and failures, a payment, a run): per chunk, never per employee."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ActivityMetrics(next)


class _ActivityMetrics(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        name = getattr(input.fn, "__name__", "activity")
        started = time.perf_counter()
        try:
            with structlog.contextvars.bound_contextvars(activity=name, **_ids(input.args)):
                result = await self.next.execute_activity(input)
        except BaseException as error:
            if not _completes_later(error):
                metrics.ACTIVITY_FAILURES.labels(name, _error_type(error)).inc()
            raise
        finally:
            metrics.STEP_SECONDS.labels(name).observe(time.perf_counter() - started)
        count_result(name, input.args, result)
        return result


def _ids(args: Any) -> dict[str, Any]:
    """The run and employer an activity works on, for every log line it writes."""
    first = args[0] if args else None
    task = getattr(first, "task", first)  # RecordHours wraps its ChunkTask
    ids = {key: getattr(task, key, None) for key in ("run_id", "employer_id")}
    return {key: value for key, value in ids.items() if value is not None}


def _completes_later(error: BaseException) -> bool:
    """raise_complete_async: the activity is handed off (bank, time entry), not failed."""
    return type(error).__name__ == "_CompleteAsyncError"


def _error_type(error: BaseException) -> str:
    if isinstance(error, ApplicationError) and error.type:
        return error.type
    return type(error).__name__


def count_result(activity: str, args: Any, result: Any) -> None:
    """The business counters an activity's result (or input) tells."""
    if isinstance(result, StepResult):
        if activity == "net_pay" and result.succeeded:
            metrics.PAYCHECKS_CREATED.inc(result.succeeded)
        if result.failed:
            metrics.EMPLOYEE_FAILURES.labels(result.step or activity).inc(result.failed)
    elif isinstance(result, Validation) and result.failed:
        metrics.EMPLOYEE_FAILURES.labels("validate").inc(result.failed)
    elif isinstance(result, PaymentOutcome):
        metrics.PAYMENTS.labels(result.status).inc()
        metrics.PAYMENT_CENTS.labels(result.status).inc(result.credit_total_cents)
    elif isinstance(result, RunPlan):
        metrics.RUNS_STARTED.inc()
    elif isinstance(result, RunSummary):
        metrics.RUNS_FINISHED.labels(result.status).inc()
    if activity == "compensate_employer" and args and isinstance(args[0], EmployerFailure):
        failure = args[0]
        metrics.EMPLOYER_FAILURES.labels(failure.step, failure.error_type).inc()


def worker_interceptors(tracing: bool) -> list[Interceptor]:
    """Metrics always (a few microseconds per activity); OpenTelemetry spans for workflows and
    activities when `tracing` (PAYRUN_TRACING), exported by whatever tracer provider the
    process configured (opentelemetry-sdk, opentelemetry-instrument)."""
    chain: list[Interceptor] = [MetricsInterceptor()]
    if tracing:
        try:
            from temporalio.contrib.opentelemetry import TracingInterceptor
        except ImportError:
            raise InvalidInput(
                "PAYRUN_TRACING", "needs opentelemetry-sdk: pip install 'payrun[otel]'"
            ) from None
        chain.append(TracingInterceptor())
    return chain
