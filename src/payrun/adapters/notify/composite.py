"""Send one notification through several notifiers, or to the notifier of its employer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import structlog

from payrun.adapters.notify.errors import DeliveryFailed, DeliveryRejected, NotifyError
from payrun.services.ports import Notification, Notifier

log = structlog.get_logger(__name__)


class CompositeNotifier:
    """Implements Notifier: every channel is tried; any failure is raised after the rest ran.

    A channel that already delivered will see the same idempotency key again if the caller
    retries, so receivers (Idempotency-Key, Message-ID) drop the repeat.
    """

    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        self.notifiers = tuple(notifiers)

    def send(self, notification: Notification) -> None:
        failures: list[NotifyError] = []
        for notifier in self.notifiers:
            try:
                notifier.send(notification)
            except NotifyError as error:
                log.warning("notifier failed", key=notification.idempotency_key, error=str(error))
                failures.append(error)
        if not failures:
            return
        message = "; ".join(str(f) for f in failures)
        if all(isinstance(f, DeliveryRejected) for f in failures):
            raise DeliveryRejected(message)
        raise DeliveryFailed(message)


class EmployerRoutedNotifier:
    """Implements Notifier: picks the channel configured for payload["employer_id"]."""

    def __init__(self, by_employer: Mapping[int, Notifier], default: Notifier | None) -> None:
        self.by_employer, self.default = dict(by_employer), default

    def send(self, notification: Notification) -> None:
        employer_id = notification.payload.get("employer_id")
        routed = self.by_employer.get(employer_id) if isinstance(employer_id, int) else None
        notifier = routed or self.default
        if notifier is None:
            log.info("no notifier for employer", employer_id=employer_id)
            return
        notifier.send(notification)
