"""Notifications: recorded once per event key, then delivered through the configured notifier."""

from __future__ import annotations

import logging

from payrun.domain.statuses import NotificationStatus
from payrun.services.context import PayrollContext
from payrun.services.ports import Notification
from payrun.services.records import NewNotification
from payrun.services.unit_of_work import AlreadyRecorded

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
    record = NewNotification(key, event, run_id, employer_id, subject, body, ctx.clock())
    if not _record(ctx, record):
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
    with ctx.unit_of_work() as uow:
        sent_at = ctx.clock() if status == NotificationStatus.SENT else None
        uow.notifications.finish(key, status, sent_at)
        uow.commit()
    log.info("notification %s %s %s", event, key, status)
    return status != NotificationStatus.FAILED


def _record(ctx: PayrollContext, record: NewNotification) -> bool:
    """Record it; False when it was already delivered (a retry re-sends a PENDING one)."""
    try:
        with ctx.unit_of_work() as uow:
            existing = uow.notifications.status_of(record.idempotency_key)
            if existing is not None:
                return existing == NotificationStatus.PENDING
            uow.notifications.add(record)
            uow.commit()
    except AlreadyRecorded:
        return False
    return True
