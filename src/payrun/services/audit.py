"""The audit log: who changed what, through which request, and how it ended."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from payrun.services.records import AuditEntry
from payrun.services.unit_of_work import UnitOfWork

__all__ = ["AuditEntry", "record"]


def record(uow: UnitOfWork, entry: AuditEntry, now: datetime) -> None:
    """Keep one entry, its texts cut to what the log holds (actor and action 64, subject 200)."""
    kept = dataclasses.replace(
        entry, actor=entry.actor[:64], action=entry.action[:64], subject=entry.subject[:200]
    )
    with uow:
        uow.audit.add(kept, now)
        uow.commit()
