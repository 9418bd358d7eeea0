"""Dead letters for the API: list and read (scoped by employer), skip with a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from payrun.domain.statuses import DeadLetterStatus
from payrun.services.context import utc_text
from payrun.services.errors import Conflict, NotFound
from payrun.services.records import AuditEntry, DeadLetterView, LetterQuery
from payrun.services.unit_of_work import UnitOfWork

__all__ = [
    "LetterQuery",
    "get_letter",
    "letter_json",
    "list_letters",
    "open_letters_of_type",
    "skip_letters",
]


def letter_json(letter: DeadLetterView) -> dict[str, Any]:
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
        "first_failed_at": utc_text(letter.first_failed_at),
        "last_failed_at": utc_text(letter.last_failed_at),
        "resolved_at": utc_text(letter.resolved_at),
    }


def list_letters(uow: UnitOfWork, query: LetterQuery) -> list[dict[str, Any]]:
    with uow:
        return [letter_json(letter) for letter in uow.dead_letters.page(query)]


def get_letter(uow: UnitOfWork, letter_id: int) -> dict[str, Any]:
    with uow:
        letter = uow.dead_letters.get(letter_id)
    if letter is None:
        raise NotFound("dead letter", letter_id)
    return letter_json(letter)


def open_letters_of_type(
    uow: UnitOfWork, error_type: str, only_employers: frozenset[int] | None
) -> list[int]:
    with uow:
        found = uow.dead_letters.open_of_type(error_type)
    return [i for i, e in found if only_employers is None or e in only_employers]


def skip_letters(uow: UnitOfWork, ids: list[int], reason: str, actor: str, now: datetime) -> int:
    """Close open items without retrying them; the reason goes to the audit log. All of them
    or none: an unknown id or a letter no longer open changes nothing."""
    with uow:
        letters = uow.dead_letters.several(ids)
        if len(letters) != len(set(ids)):
            missing = sorted(set(ids) - {d.id for d in letters})
            raise NotFound("dead letter", missing[0])
        for letter in letters:
            if letter.status != DeadLetterStatus.OPEN:
                raise Conflict("status", f"dead letter {letter.id} is {letter.status}")
            uow.dead_letters.close(letter.id, DeadLetterStatus.SKIPPED, "skip", now)
            uow.audit.add(_skipped(letter, reason, actor), now)
        uow.commit()
    return len(letters)


def _skipped(letter: DeadLetterView, reason: str, actor: str) -> AuditEntry:
    return AuditEntry(
        actor=actor[:64],
        action="dead_letter.skipped",
        subject=f"dead-letter-{letter.id}",
        outcome="ok",
        details={"reason": reason, "run_id": letter.run_id},
    )
