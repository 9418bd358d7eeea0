"""Updates from the filings service, applied to payroll's filing_status: a fixed set of types,
idempotent, and an update older than the one already applied is ignored."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import FilingStatus
from payrun.domain.errors import InvalidInput
from payrun.filings.events import STATUS_OF_UPDATE, FilingUpdate


def apply_update(db_url: str, update: FilingUpdate) -> bool:
    """Apply `update` unless payroll already holds a newer (or the same) one. Every update
    joins the history once. Returns whether the current state changed."""
    if update.update_type not in STATUS_OF_UPDATE:
        raise InvalidInput("update_type", f"unknown update type {update.update_type!r}")
    at = _aware(datetime.fromisoformat(update.at)).astimezone(UTC)
    with transaction(db_url) as session:
        row = session.scalar(
            select(FilingStatus).where(FilingStatus.filing_id == update.filing_id).with_for_update()
        )
        if row is None:
            row = FilingStatus(filing_id=update.filing_id, history=[], sequence=-1)
            row.as_of = at
            session.add(row)
            newer = True
        else:
            newer = (at, update.sequence) > (_aware(row.as_of), row.sequence)
        entry = {"type": update.update_type, "at": update.at, "sequence": update.sequence}
        if entry not in row.history:
            row.history = sorted([*row.history, entry], key=lambda e: (e["at"], e["sequence"]))
        if not newer:
            return False
        row.employer_id, row.filing_type = update.employer_id, update.filing_type
        row.period, row.due = update.period, date.fromisoformat(update.due)
        row.status = STATUS_OF_UPDATE[update.update_type]
        row.amount_cents, row.ack_id, row.reason = update.amount_cents, update.ack_id, update.reason
        row.as_of, row.sequence = at, update.sequence
        return True


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone columns: they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def filing_statuses(db_url: str, employer_id: int | None = None) -> list[dict[str, object]]:
    with transaction(db_url) as session:
        stmt = select(FilingStatus).order_by(FilingStatus.due, FilingStatus.filing_id)
        if employer_id is not None:
            stmt = stmt.where(FilingStatus.employer_id == employer_id)
        return [
            {
                "filing_id": r.filing_id,
                "employer_id": r.employer_id,
                "filing_type": r.filing_type,
                "period": r.period,
                "due": r.due.isoformat(),
                "status": r.status,
                "amount_cents": r.amount_cents,
                "ack_id": r.ack_id,
                "reason": r.reason,
                "history": list(r.history),
            }
            for r in session.scalars(stmt)
        ]


def filings_due(
    db_url: str,
    employer_ids: frozenset[int] | None,
    status: str | None,
    offset: int,
    limit: int,
) -> list[dict[str, object]]:
    """One page of filings by due date (then id), for these employers (None: every one)."""
    with transaction(db_url) as session:
        stmt = select(FilingStatus).order_by(FilingStatus.due, FilingStatus.filing_id)
        if employer_ids is not None:
            stmt = stmt.where(FilingStatus.employer_id.in_(sorted(employer_ids)))
        if status:
            stmt = stmt.where(FilingStatus.status == status)
        rows = session.scalars(stmt.offset(offset).limit(limit))
        return [
            {
                "filing_id": r.filing_id,
                "employer_id": r.employer_id,
                "filing_type": r.filing_type,
                "period": r.period,
                "due": r.due.isoformat(),
                "status": r.status,
                "amount_cents": r.amount_cents,
                "ack_id": r.ack_id,
                "reason": r.reason,
            }
            for r in rows
        ]
