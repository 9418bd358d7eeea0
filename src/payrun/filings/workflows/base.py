"""What every filing workflow shares: its signals and the single-purpose steps it routes
between (tell payroll, wait until, wait for debits, transmit through a batch)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from payrun.filings.events import FilingUpdate
from payrun.filings.messages import (
    AgencyResult,
    DebitSettledSignal,
    FilingInput,
    FilingState,
    StatusChange,
    Submission,
    TransmitterInput,
)

STEP = timedelta(seconds=60)
DAY = timedelta(days=1)
RETRY = RetryPolicy(
    maximum_interval=timedelta(minutes=5), non_retryable_error_types=["InvalidInput"]
)


def day_after(iso_day: str) -> datetime:
    """The first instant after a period's last day (UTC)."""
    day = datetime.fromisoformat(iso_day).replace(tzinfo=UTC)
    return day + timedelta(days=1)


class FilingSteps:
    """Signals and steps; each workflow's run() decides which steps it takes, in what order."""

    def __init__(self) -> None:
        self.current: FilingState | None = None
        self.settled: set[int] = set()
        self.result: AgencyResult | None = None
        self.item_id: str | None = None
        self.retry_requested = False
        self.changed = False
        self.sequence = 0
        self.attempt = 0

    @workflow.signal
    def state(self, state: FilingState) -> None:
        if self.current is None or state.version >= self.current.version:
            self.current = state
            self.settled |= set(state.settled_payment_ids)
            self.changed = True

    @workflow.signal
    def debit_settled(self, signal: DebitSettledSignal) -> None:
        self.settled.add(signal.payment_id)

    @workflow.signal
    def agency_result(self, result: AgencyResult) -> None:
        if result.item_id == self.item_id:
            self.result = result

    @workflow.signal
    def retry(self) -> None:
        self.retry_requested = True

    @workflow.query
    def status(self) -> dict[str, object]:
        return {"sequence": self.sequence, "attempt": self.attempt, "item": self.item_id}

    async def tell(
        self, inp: FilingInput, status: str, amount: int = 0, **extra: str | None
    ) -> None:
        """Record the status in the service's store, then apply it on the payroll side (its
        own task queue: durable, retried until payroll takes it)."""
        self.sequence += 1
        change = StatusChange(
            inp.filing_id,
            status,
            workflow.now().isoformat(),
            self.sequence,
            amount_cents=amount,
            **extra,
        )
        update = await workflow.execute_activity(
            "record_status",
            change,
            result_type=FilingUpdate,
            start_to_close_timeout=STEP,
            retry_policy=RETRY,
        )
        await workflow.execute_activity(
            "apply_filing_update",
            update,
            task_queue=inp.payroll_task_queue,
            start_to_close_timeout=STEP,
            retry_policy=RETRY,
        )

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        """Wait as long as it takes, waking daily (a timer always pending keeps the history
        moving and lets a time-skipping test server advance a day at a time)."""
        while not condition():
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(condition, timeout=DAY)

    async def until(self, deadline: Callable[[], datetime]) -> None:
        """Sleep until deadline() (re-read whenever a newer state arrives)."""
        while (left := deadline() - workflow.now()) > timedelta(0):
            self.changed = False
            try:
                await workflow.wait_condition(lambda: self.changed, timeout=left)
            except TimeoutError:
                return

    async def wait_for_debits(self, inp: FilingInput) -> None:
        """WAIT_FOR_DEBITS: the employer's funding debits must settle before its taxes are paid
        over; past the timeout the filing is blocked (escalated) and still waits."""

        def missing() -> list[int]:
            assert self.current is not None
            return sorted(set(self.current.payment_ids) - self.settled)

        if not missing():
            return
        try:
            await workflow.wait_condition(
                lambda: not missing(), timeout=timedelta(seconds=inp.timings.debit_timeout)
            )
            return
        except TimeoutError:
            pending = missing()
            hours = inp.timings.debit_timeout // 3600
            reason = f"funding debit {', '.join(map(str, pending))} not settled after {hours} hours"
            await self.tell(inp, "blocked", reason=reason, resource=f"payments/{pending[0]}")
        await self.wait_for(lambda: not missing())
        await self.tell(inp, "opened")

    async def transmit(self, inp: FilingInput, amount: int) -> AgencyResult:
        """Queue the item for the agency's next batch and wait for the batch's answer."""
        self.attempt += 1
        self.result = None
        self.item_id = f"{inp.filing_id}#{self.attempt}"
        submission = Submission(inp.agency, inp.filing_id, self.attempt, amount)
        await workflow.execute_activity(
            "enqueue", submission, start_to_close_timeout=STEP, retry_policy=RETRY
        )
        t = inp.timings
        transmitter = TransmitterInput(
            inp.agency, t.batch_window, t.agency_max_wait, t.first_poll, t.max_poll
        )
        await workflow.execute_activity(
            "kick_transmitter", transmitter, start_to_close_timeout=STEP, retry_policy=RETRY
        )
        await self.tell(inp, "submitted", amount)
        await self.wait_for(lambda: self.result is not None)
        assert self.result is not None
        return self.result

    async def settle(self, inp: FilingInput, result: AgencyResult, amount: int) -> bool:
        """filed on acceptance; rejected or blocked (no answer) otherwise, then wait for an
        operator's retry. True when filed."""
        if result.outcome == "accepted":
            await self.tell(inp, "filed", amount, ack_id=result.ack_id)
            return True
        self.retry_requested = False
        if result.outcome == "rejected":
            await self.tell(
                inp, "rejected", reason=result.reason, resource=f"filings/{inp.filing_id}"
            )
        else:
            await self.tell(
                inp, "blocked", reason=result.reason, resource=f"batches/{result.batch_id}"
            )
        await self.wait_for(lambda: self.retry_requested)
        await self.tell(inp, "opened")
        return False
