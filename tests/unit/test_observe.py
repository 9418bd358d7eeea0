"""The metrics interceptor counts a failed activity by its error type, and a chunk's paychecks
and failures once per chunk."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY
from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput

from payrun.adapters.observe import MetricsInterceptor
from payrun.services.messages import EmployerFailure, StepResult


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class _Next(ActivityInboundInterceptor):
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def _input(name: str, *args: Any) -> ExecuteActivityInput:
    def activity() -> None: ...

    activity.__name__ = name
    return ExecuteActivityInput(fn=activity, args=args, executor=None, headers={})


async def test_a_failed_activity_counts_under_its_error_type_and_is_timed() -> None:
    error = ApplicationError("w4: bad", type="InvalidInput", non_retryable=True)
    chain = MetricsInterceptor().intercept_activity(_Next(error))
    before = _metric("payrun_activity_failures_total", activity="taxes", error_type="InvalidInput")
    timed = _metric("payrun_step_seconds_count", activity="taxes")
    with pytest.raises(ApplicationError):
        await chain.execute_activity(_input("taxes"))
    assert (
        _metric("payrun_activity_failures_total", activity="taxes", error_type="InvalidInput")
        == before + 1
    )
    assert _metric("payrun_step_seconds_count", activity="taxes") == timed + 1


async def test_a_chunk_counts_its_paychecks_and_failures_once() -> None:
    created = _metric("payrun_paychecks_created_total")
    failed = _metric("payrun_employee_failures_total", step="net")
    chain = MetricsInterceptor().intercept_activity(_Next(StepResult("net", 497, 3)))
    await chain.execute_activity(_input("net_pay"))
    assert _metric("payrun_paychecks_created_total") == created + 497
    assert _metric("payrun_employee_failures_total", step="net") == failed + 3


async def test_a_compensated_employer_counts_by_step_and_error_type() -> None:
    labels = {"step": "payment", "error_type": "PaymentRejected"}
    before = _metric("payrun_employer_failures_total", **labels)
    chain = MetricsInterceptor().intercept_activity(_Next(None))
    await chain.execute_activity(
        _input("compensate_employer", EmployerFailure("r", 1, "payment", "PaymentRejected", "no"))
    )
    assert _metric("payrun_employer_failures_total", **labels) == before + 1


def test_tracing_adds_the_temporal_opentelemetry_interceptor() -> None:
    from temporalio.contrib.opentelemetry import TracingInterceptor

    from payrun.adapters.observe import worker_interceptors

    assert [type(i) for i in worker_interceptors(False)] == [MetricsInterceptor]
    assert isinstance(worker_interceptors(True)[-1], TracingInterceptor)
