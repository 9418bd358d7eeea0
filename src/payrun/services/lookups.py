"""Lookups that turn an unknown id given at the edge into one InvalidInput naming it."""

from __future__ import annotations

from sqlalchemy import select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import DeadLetter, Employer, PayRun
from payrun.domain.errors import InvalidInput


def require_run(db_url: str, run_id: str) -> None:
    with transaction(db_url) as session:
        if session.get(PayRun, run_id) is None:
            raise InvalidInput("--run", f"no pay run {run_id!r}")


def require_employer(db_url: str, employer_id: int, field: str = "--employer") -> None:
    with transaction(db_url) as session:
        if session.get(Employer, employer_id) is None:
            raise InvalidInput(field, f"no employer {employer_id}")


def require_dead_letters(db_url: str, ids: list[int]) -> None:
    """Every id names a dead letter (open or not); the first unknown one is named."""
    if not ids:
        return
    with transaction(db_url) as session:
        known = set(session.scalars(select(DeadLetter.id).where(DeadLetter.id.in_(ids))))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise InvalidInput("--id", f"no dead letter {unknown[0]}")
