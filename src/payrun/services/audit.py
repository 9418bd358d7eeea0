"""The audit log: who changed what, through which request, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import AuditLog


@dataclass(frozen=True)
class AuditEntry:
    actor: str  # "api-key:12", "cli"
    action: str  # "POST /v1/employers"
    subject: str  # the target: "/v1/employers/3"
    outcome: str  # ok | rejected | error
    request_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def record(db_url: str, entry: AuditEntry, now: datetime) -> None:
    with transaction(db_url) as session:
        session.add(
            AuditLog(
                at=now,
                actor=entry.actor[:64],
                action=entry.action[:64],
                subject=entry.subject[:200],
                details=entry.details,
                request_id=entry.request_id,
                outcome=entry.outcome,
            )
        )
