"""The audit log on SQLAlchemy: the repository behind payrun.services.audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from payrun.adapters.db.models import AuditLog
from payrun.services.records import AuditEntry


class SqlAuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: AuditEntry, at: datetime) -> None:
        self.session.add(
            AuditLog(
                at=at,
                actor=entry.actor,
                action=entry.action,
                subject=entry.subject,
                details=entry.details,
                request_id=entry.request_id,
                outcome=entry.outcome,
            )
        )
