"""Dead letters for the API: list and read (scoped by employer), skip with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import AuditLog, DeadLetter
from payrun.services.errors import Conflict, NotFound


@dataclass(frozen=True)
class LetterQuery:
    error_type: str | None = None
    status: str | None = "OPEN"
    after_id: int = 0
    limit: int = 50
    only_employers: frozenset[int] | None = None


def letter_json(letter: DeadLetter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "payrun_id": letter.run_id,
        "employer_id": letter.employer_id,
        "employee_id": letter.employee_id or None,
        "step": letter.step,
        "error_type": letter.error_type,
        "error": letter.error[:2000],
        "attempts": letter.attempts,
        "status": letter.status,
        "resolution": letter.resolution,
        "first_failed_at": letter.first_failed_at.isoformat(),
        "last_failed_at": letter.last_failed_at.isoformat(),
        "resolved_at": letter.resolved_at.isoformat() if letter.resolved_at else None,
    }


def list_letters(db_url: str, query: LetterQuery) -> list[dict[str, Any]]:
    with reading(db_url) as session:
        statement = select(DeadLetter).where(DeadLetter.id > query.after_id)
        if query.status:
            statement = statement.where(DeadLetter.status == query.status)
        if query.error_type:
            statement = statement.where(DeadLetter.error_type == query.error_type)
        if query.only_employers is not None:
            statement = statement.where(DeadLetter.employer_id.in_(query.only_employers))
        rows = session.scalars(statement.order_by(DeadLetter.id).limit(query.limit))
        return [letter_json(letter) for letter in rows]


def get_letter(db_url: str, letter_id: int) -> dict[str, Any]:
    with reading(db_url) as session:
        letter = session.get(DeadLetter, letter_id)
        if letter is None:
            raise NotFound("dead letter", letter_id)
        return letter_json(letter)


def open_letters_of_type(
    db_url: str, error_type: str, only_employers: frozenset[int] | None
) -> list[int]:
    with reading(db_url) as session:
        statement = select(DeadLetter.id, DeadLetter.employer_id).where(
            DeadLetter.status == "OPEN", DeadLetter.error_type == error_type
        )
        rows = session.execute(statement.order_by(DeadLetter.id)).all()
    return [i for i, e in rows if only_employers is None or e in only_employers]


def skip_letters(db_url: str, ids: list[int], reason: str, actor: str, now: datetime) -> int:
    """Close open items without retrying them; the reason goes to the audit log."""
    with transaction(db_url) as session:
        letters = list(session.scalars(select(DeadLetter).where(DeadLetter.id.in_(ids))))
        if len(letters) != len(set(ids)):
            missing = sorted(set(ids) - {d.id for d in letters})
            raise NotFound("dead letter", missing[0])
        for letter in letters:
            if letter.status != "OPEN":
                raise Conflict("status", f"dead letter {letter.id} is {letter.status}")
            letter.status, letter.resolution, letter.resolved_at = "SKIPPED", "skip", now
            session.add(
                AuditLog(
                    at=now,
                    actor=actor[:64],
                    action="dead_letter.skipped",
                    subject=f"dead-letter-{letter.id}",
                    details={"reason": reason, "run_id": letter.run_id},
                    outcome="ok",
                )
            )
        return len(letters)
