"""One workflow per return: Form 941 (+ Schedule B), DE 9 + DE 9C, Form 940."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from payrun.filings.messages import FilingInput, ReturnCheck
from payrun.filings.workflows.base import RETRY, STEP, FilingSteps, day_after


class _Return(FilingSteps):
    async def file_return(self, inp: FilingInput) -> str:
        await self.wait_for(lambda: self.current is not None)
        await self.until(lambda: day_after(self.current.period_end))  # type: ignore[union-attr]
        await self.tell(inp, "opened")
        while True:
            check = await self._reconcile(inp)
            if not check.balanced:
                self.retry_requested = False
                await self.tell(
                    inp, "blocked", reason=check.reason, resource=f"filings/{inp.filing_id}"
                )
                await self.wait_for(lambda: self.retry_requested)
                await self.tell(inp, "opened")
                continue
            result = await self.transmit(inp, check.amount_cents)
            if await self.settle(inp, result, check.amount_cents):
                return "filed"

    async def _reconcile(self, inp: FilingInput) -> ReturnCheck:
        """Reconcile once every deposit of the period is final; a deposit still on its way
        after `deposit_wait` is a difference like any other (-> blocked)."""
        waited = 0
        while True:
            check = await workflow.execute_activity(
                "prepare_return",
                inp.filing_id,
                result_type=ReturnCheck,
                start_to_close_timeout=STEP,
                retry_policy=RETRY,
            )
            if check.ready or waited >= inp.timings.deposit_wait:
                return check
            await workflow.sleep(timedelta(seconds=inp.timings.deposit_recheck))
            waited += inp.timings.deposit_recheck


@workflow.defn
class Form941Workflow(_Return):
    @workflow.run
    async def run(self, inp: FilingInput) -> str:
        return await self.file_return(inp)


@workflow.defn
class De9Workflow(_Return):
    @workflow.run
    async def run(self, inp: FilingInput) -> str:
        return await self.file_return(inp)


@workflow.defn
class Form940Workflow(_Return):
    @workflow.run
    async def run(self, inp: FilingInput) -> str:
        return await self.file_return(inp)
