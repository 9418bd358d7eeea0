"""Notifications: recorded once per event key, then delivered through the configured notifier."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import NotificationRecord
from payrun.domain.statuses import NotificationStatus
from payrun.services.context import PayrollContext
from payrun.services.ports import Notification

log = logging.getLogger(__name__)


def notify(
    ctx: PayrollContext,
    *,
    key: str,
    event: str,
    run_id: str,
    employer_id: int | None,
    subject: str,
    body: str,
) -> bool:
    """Record and send one notification; a second call with the same key sends nothing.

    Returns True when this call delivered it.
    """
    if not _record(ctx, key, event, run_id, employer_id, subject, body):
        return False
    status = NotificationStatus.RECORDED
    if ctx.notifier is not None:
        payload = {"event": event, "run_id": run_id, "employer_id": employer_id}
        try:
            ctx.notifier.send(Notification(key, event, subject, body, payload))
            status = NotificationStatus.SENT
        except Exception as err:
            # Money has moved or been held either way; a notification that cannot be delivered
            # is kept as FAILED for an operator instead of blocking the pay run.
            log.error("notification %s could not be delivered: %s", key, err)
            status = NotificationStatus.FAILED
    with transaction(ctx.db_url) as session:
        session.execute(
            update(NotificationRecord)
            .where(NotificationRecord.idempotency_key == key)
            .values(
                status=status,
                sent_at=ctx.clock() if status == NotificationStatus.SENT else None,
                attempts=NotificationRecord.attempts + 1,
            )
        )
    log.info("notification %s %s %s", event, key, status)
    return status != NotificationStatus.FAILED


def _record(
    ctx: PayrollContext,
    key: str,
    event: str,
    run_id: str,
    employer_id: int | None,
    subject: str,
    body: str,
) -> bool:
    """Insert the record; False when it was already delivered (retries re-send PENDING ones)."""
    try:
        with transaction(ctx.db_url) as session:
            existing = session.scalar(
                select(NotificationRecord.status).where(NotificationRecord.idempotency_key == key)
            )
            if existing is not None:
                return existing == NotificationStatus.PENDING
            session.add(
                NotificationRecord(
                    idempotency_key=key,
                    event=event,
                    run_id=run_id,
                    employer_id=employer_id,
                    status=NotificationStatus.PENDING,
                    subject=subject[:200],
                    body=body,
                    created_at=ctx.clock(),
                )
            )
    except IntegrityError:
        return False
    return True
