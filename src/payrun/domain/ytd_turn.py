"""Whose turn it is at an employee's year-to-date when two runs pay that employee at once.

A paycheck's taxes are computed from the YTD its gross step read, and the net step writes it
only if that YTD has not moved since (services.paychecks). So of two runs paying one employee at
once (a regular and an off-cycle run), the later one reads the YTD only once the earlier one has
written its paycheck. "Earlier" is a strict total order on the runs' turns (when the run began
the employee, then the run id): of two runs exactly one is earlier, so two runs never wait for
each other. Every employee of one employer begins in a run at the same moment
(services.employer_steps.begin_employer), so a chunk's employees agree on which run is earlier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from payrun.domain.statuses import STEP_STATUSES, EmployeeRunStatus, RunStatus

# A run holds an employee's YTD from its BEGIN until its paycheck is written (NET_CALCULATED).
UNWRITTEN: frozenset[str] = frozenset(
    STEP_STATUSES[: STEP_STATUSES.index(EmployeeRunStatus.NET_CALCULATED)]
)
# A finished run (COMPLETED, WITH_FAILURES) holds nothing: whatever it left unwritten stays so.
IN_FLIGHT: tuple[str, ...] = (RunStatus.BEGIN, RunStatus.RUNNING)


@dataclass(frozen=True, slots=True)
class Turn:
    """A run's place in line for one employee: when the run began the employee, then its id."""

    run_id: str
    begun_at: datetime | None  # None (a row from before begin times were kept) comes first

    def _key(self) -> tuple[int, datetime | int, str]:
        return (0, 0, self.run_id) if self.begun_at is None else (1, self.begun_at, self.run_id)

    def before(self, other: Turn) -> bool:
        return self._key() < other._key()


@dataclass(frozen=True, slots=True)
class Hold:
    """Another run in flight with one of our employees: its turn and our own, and where the
    employee is in it."""

    employee_id: int
    mine: Turn
    theirs: Turn
    status: str


def waits_for(hold: Hold) -> bool:
    """Whether our run must wait for theirs before reading the employee's YTD: theirs is
    another run, earlier than ours, that has not written the employee's paycheck yet."""
    return (
        hold.theirs.run_id != hold.mine.run_id
        and hold.status in UNWRITTEN
        and hold.theirs.before(hold.mine)
    )


def blocked(holds: Iterable[Hold]) -> dict[int, str]:
    """Each employee our run must wait for, with the earliest run it waits for."""
    found: dict[int, Turn] = {}
    for hold in holds:
        if waits_for(hold):
            current = found.get(hold.employee_id)
            if current is None or hold.theirs.before(current):
                found[hold.employee_id] = hold.theirs
    return {employee_id: turn.run_id for employee_id, turn in found.items()}
