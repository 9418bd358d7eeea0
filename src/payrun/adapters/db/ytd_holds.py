"""Who else holds our employees' YTD (services.ports.YtdHolds) on the status tables."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import EmployeeStatus, PayRun
from payrun.domain.ytd_turn import IN_FLIGHT, UNWRITTEN, Hold, Turn

_MINE = aliased(EmployeeStatus, name="mine")
_THEIRS = aliased(EmployeeStatus, name="theirs")


class SqlYtdHolds:
    def __init__(self, url: str) -> None:
        self.url = url

    def holds(self, run_id: str, employee_ids: list[int]) -> list[Hold]:
        """One read, driven by the other runs in flight (a handful of pay_runs rows): each one's
        rows for the chunk's employees come through the (run_id, employee_id) unique index, and
        our own begin time only for the rows found. With no other run in flight it reads no
        employee_status row at all."""
        if not employee_ids:
            return []
        others = select(PayRun.id).where(PayRun.status.in_(IN_FLIGHT), PayRun.id != run_id)
        mine = (
            select(_MINE.begin_at)
            .where(_MINE.run_id == run_id, _MINE.employee_id == _THEIRS.employee_id)
            .scalar_subquery()
        )
        query = select(
            _THEIRS.employee_id, _THEIRS.run_id, _THEIRS.begin_at, _THEIRS.status, mine
        ).where(
            _THEIRS.run_id.in_(others),
            _THEIRS.employee_id.in_(employee_ids),
            _THEIRS.status.in_(sorted(UNWRITTEN)),
        )
        with reading(self.url) as session:
            rows = session.execute(query).all()
        return [
            Hold(employee_id, Turn(run_id, mine_at), Turn(theirs_id, theirs_at), status)
            for employee_id, theirs_id, theirs_at, status, mine_at in rows
        ]
