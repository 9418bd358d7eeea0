"""Status transitions inside the caller's transaction: an employer's (with its event) and a
chunk step's employees (set-based)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from payrun.adapters.db.models import EmployeeStatus, EmployerStatus, StatusEvent
from payrun.domain.statuses import EmployeeRunStatus, EmployerRunStatus, check

Failures = dict[int, str]  # employee id -> what went wrong


def record_step(
    session: Any,
    run_id: str,
    succeeded: list[int],
    status: str,
    column: str,
    failures: Failures,
    now: datetime,
) -> None:
    """The employees that passed the step move to `status` (its time in `column`), in one
    statement; the ones that failed become FAILED with their error, in one more."""
    connection = session.connection()
    table = EmployeeStatus.__table__
    if succeeded:
        connection.execute(
            update(table)
            .where(table.c.run_id == run_id, table.c.employee_id.in_(succeeded))
            .values({"status": status, column: now})
        )
    if failures:
        connection.execute(
            update(table)
            .where(table.c.run_id == run_id, table.c.employee_id == bindparam("eid"))
            .values(
                status=EmployeeRunStatus.FAILED,
                error_type="calculation_error",
                error=bindparam("err"),
                failed_at=now,
            ),
            [{"eid": i, "err": message[:2000]} for i, message in failures.items()],
        )


def set_employer_status(
    session: Any,
    run_id: str,
    employer_id: int,
    status: EmployerRunStatus,
    now: datetime,
    **values: Any,
) -> None:
    """Move the employer to ``status`` (a move its lifecycle allows) and record the event."""
    row = session.scalar(
        select(EmployerStatus).where(
            EmployerStatus.run_id == run_id, EmployerStatus.employer_id == employer_id
        )
    )
    if row is None:
        row = EmployerStatus(run_id=run_id, employer_id=employer_id)
        session.add(row)
    else:
        check(EmployerRunStatus(row.status), status, f"employer {employer_id} of run {run_id}")
    row.status, row.updated_at = status, now
    for key, value in values.items():
        setattr(row, key, value)
    session.add(
        StatusEvent(
            run_id=run_id,
            employer_id=employer_id,
            status=status,
            at=now,
            detail=values.get("error"),
        )
    )
