"""Payroll's activity that applies the filings service's updates (on payroll's task queue)."""

from __future__ import annotations

from typing import Any

from temporalio import activity

from payrun.filings.events import FilingUpdate
from payrun.services.context import PayrollContext
from payrun.services.filing_updates import apply_update


class FilingUpdateActivities:
    def __init__(self, ctx: PayrollContext) -> None:
        self.ctx = ctx

    @activity.defn(name="apply_filing_update")
    def apply_filing_update(self, update: FilingUpdate) -> bool:
        return apply_update(self.ctx.db_url, update)

    def all(self) -> list[Any]:
        return [self.apply_filing_update]
