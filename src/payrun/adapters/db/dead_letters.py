"""Dead letters on SQLAlchemy: the repository behind payrun.services.dead_letter_views."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from payrun.adapters.db.models import DeadLetter
from payrun.domain.statuses import DeadLetterStatus
from payrun.services.records import DeadLetterView, LetterQuery


class SqlDeadLetterRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def page(self, query: LetterQuery) -> list[DeadLetterView]:
        statement = select(DeadLetter).where(DeadLetter.id > query.after_id)
        if query.status:
            statement = statement.where(DeadLetter.status == query.status)
        if query.error_type:
            statement = statement.where(DeadLetter.error_type == query.error_type)
        if query.only_employers is not None:
            statement = statement.where(DeadLetter.employer_id.in_(query.only_employers))
        rows = self.session.scalars(statement.order_by(DeadLetter.id).limit(query.limit))
        return [_view(row) for row in rows]

    def get(self, letter_id: int) -> DeadLetterView | None:
        row = self.session.get(DeadLetter, letter_id)
        return None if row is None else _view(row)

    def several(self, letter_ids: list[int]) -> list[DeadLetterView]:
        rows = self.session.scalars(
            select(DeadLetter).where(DeadLetter.id.in_(letter_ids)).order_by(DeadLetter.id)
        )
        return [_view(row) for row in rows]

    def open_of_type(self, error_type: str) -> list[tuple[int, int]]:
        statement = select(DeadLetter.id, DeadLetter.employer_id).where(
            DeadLetter.status == DeadLetterStatus.OPEN, DeadLetter.error_type == error_type
        )
        return [(i, e) for i, e in self.session.execute(statement.order_by(DeadLetter.id))]

    def close(self, letter_id: int, status: str, resolution: str, at: datetime) -> None:
        self.session.execute(
            update(DeadLetter)
            .where(DeadLetter.id == letter_id)
            .values(status=status, resolution=resolution, resolved_at=at)
        )


def _view(row: DeadLetter) -> DeadLetterView:
    return DeadLetterView(
        id=row.id,
        run_id=row.run_id,
        employer_id=row.employer_id,
        employee_id=row.employee_id,
        step=row.step,
        error_type=row.error_type,
        error=row.error,
        attempts=row.attempts,
        status=row.status,
        resolution=row.resolution,
        first_failed_at=row.first_failed_at,
        last_failed_at=row.last_failed_at,
        resolved_at=row.resolved_at,
    )
