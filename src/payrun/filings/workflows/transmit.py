"""Agency transmission: one transmitter per agency sends batches; one workflow per batch waits
and checks (backoff, a maximum wait, then a clear failure) and answers each filing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError
from temporalio.workflow import ParentClosePolicy

from payrun.filings.messages import AgencyResult, BatchSent, TransmitterInput, workflow_id
from payrun.filings.workflows.base import RETRY, STEP

IDLE = timedelta(hours=1)
BATCHES_PER_RUN = 200


@dataclass(frozen=True)
class BatchInput:
    batch: BatchSent
    first_poll: int
    max_poll: int
    max_wait: int


@workflow.defn
class AgencyTransmitterWorkflow:
    """Gathers what was queued for the agency during a short window and sends it as one batch;
    ends when idle (the next filing's kick starts it again)."""

    def __init__(self) -> None:
        self.kicks = 0

    @workflow.signal
    def kick(self) -> None:
        self.kicks += 1

    @workflow.run
    async def run(self, inp: TransmitterInput) -> int:
        sent = inp.batches_sent
        while True:
            await workflow.sleep(timedelta(seconds=inp.batch_window))
            seen = self.kicks
            batch_id = f"{inp.agency}-{workflow.info().run_id[:8]}-{sent}"
            batch = await workflow.execute_activity(
                "send_batch",
                args=[inp.agency, batch_id],
                result_type=BatchSent,
                start_to_close_timeout=STEP,
                retry_policy=RETRY,
            )
            if batch.item_ids:
                sent += 1
                await workflow.start_child_workflow(
                    AgencyBatchWorkflow.run,
                    BatchInput(batch, inp.first_poll, inp.max_poll, inp.agency_max_wait),
                    id=f"batch-{batch_id}",
                    parent_close_policy=ParentClosePolicy.ABANDON,
                )
            if sent - inp.batches_sent >= BATCHES_PER_RUN:
                workflow.continue_as_new(replace(inp, batches_sent=sent))
            if self.kicks == seen:
                try:
                    await workflow.wait_condition(lambda s=seen: self.kicks > s, timeout=IDLE)
                except TimeoutError:
                    return sent


@workflow.defn
class AgencyBatchWorkflow:
    """Wait and check until every item is accepted or rejected; after the maximum wait the
    rest fail clearly ("no answer") and their filings are blocked."""

    @workflow.run
    async def run(self, inp: BatchInput) -> dict[str, int]:
        pending = dict(zip(inp.batch.item_ids, inp.batch.filing_ids, strict=True))
        waited, delay, tally = 0, inp.first_poll, {"accepted": 0, "rejected": 0, "no_answer": 0}
        while pending and waited < inp.max_wait:
            step = min(delay, inp.max_wait - waited)
            await workflow.sleep(timedelta(seconds=step))
            waited, delay = waited + step, min(delay * 2, inp.max_poll)
            try:
                results = await workflow.execute_activity(
                    "check_batch",
                    args=[inp.batch.agency, inp.batch.batch_id],
                    result_type=list[AgencyResult],
                    start_to_close_timeout=STEP,
                    retry_policy=RetryPolicy(maximum_attempts=3),
                )
            except ActivityError:
                continue  # unreachable this time: the next check may reach it
            for result in results:
                if result.item_id in pending:
                    await self._answer(pending.pop(result.item_id), result)
                    tally[result.outcome] += 1
        days = inp.max_wait / 86400
        for item_id, filing_id in pending.items():
            reason = f"no answer from {inp.batch.agency} within {days:g} days"
            await self._answer(
                filing_id,
                AgencyResult(item_id, "no_answer", reason=reason, batch_id=inp.batch.batch_id),
            )
            tally["no_answer"] += 1
        return tally

    async def _answer(self, filing_id: str, result: AgencyResult) -> None:
        handle = workflow.get_external_workflow_handle(workflow_id(filing_id))
        try:
            await handle.signal("agency_result", result)
        except Exception as exc:  # the filing's workflow is gone: its store keeps the result
            workflow.logger.warning("filing %s not answered: %s", filing_id, exc)
