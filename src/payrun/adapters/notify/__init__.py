"""Notifiers: signed webhooks, SMTP email, and fan-out/routing over several of them."""

from __future__ import annotations

from payrun.adapters.notify.composite import CompositeNotifier, EmployerRoutedNotifier
from payrun.adapters.notify.email import EmailNotifier, SmtpSettings
from payrun.adapters.notify.errors import DeliveryFailed, DeliveryRejected, NotifyError
from payrun.adapters.notify.webhook import InvalidSignature, WebhookNotifier, verify_signature

__all__ = [
    "CompositeNotifier",
    "DeliveryFailed",
    "DeliveryRejected",
    "EmailNotifier",
    "EmployerRoutedNotifier",
    "InvalidSignature",
    "NotifyError",
    "SmtpSettings",
    "WebhookNotifier",
    "verify_signature",
]
