"""Hours worked, as the API takes them: each entry replaces one employee's hours for one day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, insert, select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employee, Employer, TimeEntry
from payrun.domain.errors import InvalidInput
from payrun.services.errors import NotFound


@dataclass(frozen=True)
class TimeEntryInput:
    employee_id: int
    work_date: date
    hours: Decimal


def record_time(db_url: str, employer_id: int, entries: Sequence[TimeEntryInput]) -> int:
    """Each entry replaces that employee's hours for that day; all of them or none."""
    keys = [(e.employee_id, e.work_date) for e in entries]
    if len(set(keys)) != len(keys):
        raise InvalidInput("entries", "the same employee and date appear twice")
    wanted = {e.employee_id for e in entries}
    with transaction(db_url) as session:
        if session.get(Employer, employer_id) is None:
            raise NotFound("employer", employer_id)
        known = set(
            session.scalars(
                select(Employee.id).where(
                    Employee.employer_id == employer_id, Employee.id.in_(wanted)
                )
            )
        )
        for index, entry in enumerate(entries):
            if entry.employee_id not in known:
                raise InvalidInput(
                    f"{index}.employee_id", f"no employee {entry.employee_id} at this employer"
                )
        for entry in entries:
            session.execute(
                delete(TimeEntry).where(
                    TimeEntry.employee_id == entry.employee_id,
                    TimeEntry.work_date == entry.work_date,
                )
            )
        if entries:
            session.execute(
                insert(TimeEntry),
                [
                    {
                        "employee_id": e.employee_id,
                        "work_date": e.work_date,
                        "hours_hundredths": int(e.hours * 100),
                    }
                    for e in entries
                ],
            )
    return len(entries)
