"""One workflow per deposit type; each only routes between the shared steps."""

from __future__ import annotations

from temporalio import workflow

from payrun.filings.messages import FilingInput
from payrun.filings.workflows.base import FilingSteps, day_after


class _Deposit(FilingSteps):
    async def deposit(self, inp: FilingInput, wait_for_debits: bool) -> str:
        await self.wait_for(lambda: self.current is not None)
        assert self.current is not None
        own, announced = 0, False
        while True:
            await self.until(lambda: day_after(self.current.period_end))  # type: ignore[union-attr]
            state = self.current
            # what others deposited for these liabilities, and what this filing did (a new run
            # learns it from the state): never deposit a liability twice
            owed = state.amount_cents - state.deposited_cents - max(own, state.deposited_self_cents)
            if owed <= 0:  # merged into another deposit, or all paid
                return "filed" if announced else "nothing to deposit"
            if not announced:
                await self.tell(inp, "opened", owed)
                announced = True
            if wait_for_debits:
                await self.wait_for_debits(inp)
            result = await self.transmit(inp, owed)
            if await self.settle(inp, result, owed):
                own = max(own, state.deposited_self_cents) + owed


@workflow.defn
class FederalDepositWorkflow(_Deposit):
    """FIT + FICA (or FUTA) to the IRS: the employer's money is already with the agency's
    debit authorisation, so no wait for the funding debit."""

    @workflow.run
    async def run(self, inp: FilingInput) -> str:
        return await self.deposit(inp, wait_for_debits=False)


@workflow.defn
class CaliforniaDepositWorkflow(_Deposit):
    """DE 88 PIT + SDI (or UI + ETT) paid by payroll: WAIT_FOR_DEBITS first."""

    @workflow.run
    async def run(self, inp: FilingInput) -> str:
        return await self.deposit(inp, wait_for_debits=True)


@workflow.defn
class CaliforniaDirectDepositWorkflow(_Deposit):
    """DE 88 when the employer pays the EDD directly: no debit to wait for."""

    @workflow.run
    async def run(self, inp: FilingInput) -> str:
        return await self.deposit(inp, wait_for_debits=False)
