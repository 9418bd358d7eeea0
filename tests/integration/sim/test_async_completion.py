"""End to end: an activity hands a batch to the bank process and Temporal hears the settlement."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.client import WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError, TimeoutType
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():  # the workflow sandbox re-imports this module
    import httpx
    import pytest

    from payrun.adapters.callbacks import CallbackServer
    from payrun.adapters.payments.bank_http import BankHttpProvider
    from payrun.services.ports import PaymentBatch
    from payrun_sims.process import SimProcess

    from .conftest import SECRET


@dataclass
class PayInput:
    idempotency_key: str
    credit_total_cents: int
    heartbeat_timeout_seconds: float
    retry_when_told: bool = False


class BankActivities:
    """The shape a real payment activity takes: submit with the token, then complete async."""

    def __init__(self, provider: BankHttpProvider) -> None:
        self.provider = provider

    @activity.defn
    async def pay_employer(self, pay: PayInput) -> dict[str, Any]:
        batch = PaymentBatch(
            idempotency_key=pay.idempotency_key,
            employer_id=7,
            run_id="run-e2e",
            entry_count=1,
            credit_total_cents=pay.credit_total_cents,
            debit_total_cents=0,
            nacha=b"opaque",
            effective_date=date(2026, 1, 15),
        )
        receipt = await asyncio.to_thread(self.provider.submit, batch, activity.info().task_token)
        if not receipt.accepted:
            raise ApplicationError(receipt.message, type="payment_refused", non_retryable=True)
        activity.raise_complete_async()


@workflow.defn
class PayEmployer:
    def __init__(self) -> None:
        self.first_failure = ""
        self.bank_is_back = False

    @workflow.run
    async def run(self, pay: PayInput) -> dict[str, Any]:
        try:
            return {"settlement": await self._pay(pay)}
        except ActivityError as err:
            if not pay.retry_when_told:
                raise
            self.first_failure = describe(err)
        await workflow.wait_condition(lambda: self.bank_is_back)
        return {"first_failure": self.first_failure, "settlement": await self._pay(pay)}

    async def _pay(self, pay: PayInput) -> dict[str, Any]:
        return await workflow.execute_activity_method(
            BankActivities.pay_employer,
            pay,
            start_to_close_timeout=timedelta(seconds=30),
            heartbeat_timeout=timedelta(seconds=pay.heartbeat_timeout_seconds),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )

    @workflow.signal
    def bank_back(self) -> None:
        self.bank_is_back = True

    @workflow.query
    def failure(self) -> str:
        return self.first_failure


def describe(err: ActivityError) -> str:
    cause = err.cause
    if isinstance(cause, TimeoutError):
        return f"timeout:{TimeoutType(cause.type).name}" if cause.type else "timeout"
    return f"{type(cause).__name__}:{getattr(cause, 'type', '')}"


async def run_against_bank(
    cli_path: str, bank: SimProcess, scenario: Callable[..., Awaitable[Any]]
) -> Any:
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=cli_path) as env:
        queue = f"pay-{uuid.uuid4()}"
        server = CallbackServer(lambda: env.client, SECRET)
        async with server:
            provider = BankHttpProvider(bank.url, server.callback_url("payment"), timeout=5)
            activities = BankActivities(provider)
            async with Worker(
                env.client,
                task_queue=queue,
                workflows=[PayEmployer],
                activities=[activities.pay_employer],
            ):

                async def start(pay: PayInput):
                    return await env.client.start_workflow(
                        PayEmployer.run, pay, id=f"pay-{uuid.uuid4()}", task_queue=queue
                    )

                return await scenario(start, provider)


def test_settlement_callback_completes_the_activity_after_heartbeats(start_bank, temporal_cli_path):
    # the bank takes 2 s but heartbeats every 0.2 s, so a 1 s heartbeat timeout never fires
    bank = start_bank(delay=2.0)

    async def scenario(start, provider):
        handle = await start(PayInput("run-e2e-employer-7", 123_456, heartbeat_timeout_seconds=1))
        result = await asyncio.wait_for(handle.result(), 20)
        return result, await asyncio.to_thread(provider.status, "run-e2e-employer-7")

    result, status = asyncio.run(run_against_bank(temporal_cli_path, bank, scenario))

    reference = status["reference"]
    assert result == {
        "settlement": {"reference": reference, "status": "settled", "settled_cents": 123_456}
    }
    assert status["settlements"] == 1


def test_silent_bank_times_out_on_heartbeat_then_the_retry_settles_once(
    start_bank, temporal_cli_path
):
    bank = start_bank(mode="never")
    pay = PayInput(
        "run-e2e-employer-8", 50_000, heartbeat_timeout_seconds=1.5, retry_when_told=True
    )

    async def scenario(start, provider):
        started = time.monotonic()
        handle = await start(pay)
        first_failure = await wait_for_query(handle, "failure", timeout=10)
        timed_out_after = time.monotonic() - started
        await asyncio.to_thread(
            httpx.post, f"{bank.url}/admin/behaviour", json={"mode": "ok"}, timeout=5
        )
        await handle.signal(PayEmployer.bank_back)
        result = await asyncio.wait_for(handle.result(), 20)
        return (
            first_failure,
            timed_out_after,
            result,
            await asyncio.to_thread(provider.status, pay.idempotency_key),
        )

    first_failure, timed_out_after, result, status = asyncio.run(
        run_against_bank(temporal_cli_path, bank, scenario)
    )

    assert first_failure == "timeout:HEARTBEAT"
    assert timed_out_after < 8
    assert result["settlement"]["status"] == "settled"
    assert (status["submissions"], status["settlements"]) == (2, 1)


def test_bank_rejection_fails_the_workflow_with_the_bank_error_type(start_bank, temporal_cli_path):
    bank = start_bank(mode="reject")

    async def scenario(start, provider):
        handle = await start(PayInput("run-e2e-employer-9", 1, heartbeat_timeout_seconds=2))
        with pytest.raises(WorkflowFailureError) as failure:
            await asyncio.wait_for(handle.result(), 20)
        return failure.value

    failure = asyncio.run(run_against_bank(temporal_cli_path, bank, scenario))

    activity_error = failure.cause
    assert isinstance(activity_error, ActivityError)
    assert isinstance(activity_error.cause, ApplicationError)
    assert activity_error.cause.type == "downstream_rejection"


async def wait_for_query(handle: Any, query: str, timeout: float) -> str:
    """Poll a string query until it is non-empty (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = await handle.query(query)
        if answer:
            return answer
        await asyncio.sleep(0.1)
    raise AssertionError(f"query {query!r} stayed empty for {timeout}s")
