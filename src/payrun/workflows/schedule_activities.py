"""Activities of the scheduled runs: thin adapters from Temporal to the pay-calendar service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from temporalio import activity

from payrun.domain.errors import InvalidInput
from payrun.services import calendar_runs, recovery
from payrun.services.calendar_runs import DuePeriod
from payrun.services.context import PayrollContext
from payrun.workflows.activities import domain_errors


@dataclass(frozen=True)
class DueRequest:
    schedule: str
    as_of: str  # ISO date: the day the schedule's action stands for
    lead_days: int
    not_before: str | None = None  # ISO date: periods paid before it are not started


class ScheduleActivities:
    """Built with its dependencies (the context), like PayrollActivities."""

    def __init__(self, ctx: PayrollContext) -> None:
        self.ctx = ctx

    @activity.defn
    @domain_errors  # a light read of the pay calendar: no step gate, no heartbeats
    def due_periods(self, request: DueRequest) -> list[DuePeriod]:
        cutoff = _day(request.not_before) if request.not_before else None
        return calendar_runs.due_periods(
            self.ctx.db_url, request.schedule, _day(request.as_of), request.lead_days, cutoff
        )

    @activity.defn
    @domain_errors
    def redebit_due(self, as_of: str) -> int:
        """Present again every R01/R09 funding debit due by as_of (once each)."""
        return len(recovery.send_due_redebits(self.ctx, _day(as_of)))

    def all(self) -> list[object]:
        return [self.due_periods, self.redebit_due]


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("as_of", f"must be a date YYYY-MM-DD, not {value!r}") from None
