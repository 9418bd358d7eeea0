"""Why a notification was not delivered: refused for good, or still failing after retries."""

from __future__ import annotations


class NotifyError(Exception):
    """Base of notification delivery errors."""


class DeliveryRejected(NotifyError):
    """The receiver refused the notification (4xx, 5xx SMTP reply): retrying will not help."""


class DeliveryFailed(NotifyError):
    """Transient failures outlasted the retries; worth trying again later."""
