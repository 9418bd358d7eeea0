"""Build the notifier from settings: operator channels plus each employer's own channels."""

from __future__ import annotations

from collections.abc import Callable

import structlog

from payrun.adapters.notify.composite import CompositeNotifier
from payrun.adapters.notify.email import EmailNotifier, SmtpSettings
from payrun.adapters.notify.webhook import WebhookNotifier
from payrun.config import Settings
from payrun.domain.errors import InvalidInput
from payrun.services.ports import Notification, Notifier

log = structlog.get_logger(__name__)

ChannelKey = tuple[str | None, str | None]  # (webhook URL, email recipients)


def build_notifier(settings: Settings) -> Notifier | None:
    """None when nothing is configured; otherwise operator channels (every event) routed
    together with the employer's webhook_url / notify_email for that employer's events.

    Employer channels are read when a notification is sent, so employers added or changed
    after the worker started are routed too.
    """
    _check(settings)
    factory = _ChannelFactory(settings)
    operator = factory.channels(settings.webhook_url, settings.notify_email)
    default = _combine(operator)
    if not factory.employer_channels_possible:
        return default
    return EmployerDirectoryNotifier(settings.db_url, factory, default)


class EmployerDirectoryNotifier:
    """Implements Notifier: payload["employer_id"] picks the employer's channels, and the
    operator's channels get every notification as well."""

    def __init__(
        self,
        db_url: str,
        factory: _ChannelFactory,
        default: Notifier | None,
        lookup: Callable[[str, int], ChannelKey] | None = None,
    ) -> None:
        self.db_url, self.factory, self.default = db_url, factory, default
        self._lookup = lookup or employer_channel_settings

    def send(self, notification: Notification) -> None:
        employer_id = notification.payload.get("employer_id")
        routed: list[Notifier] = []
        if isinstance(employer_id, int):
            webhook_url, emails = self._lookup(self.db_url, employer_id)
            routed = self.factory.channels(webhook_url, emails, exclude_operator=True)
        notifier = _combine([*routed, *([self.default] if self.default else [])])
        if notifier is None:
            log.info("no notifier for employer", employer_id=employer_id)
            return
        notifier.send(notification)


def employer_channel_settings(db_url: str, employer_id: int) -> ChannelKey:
    from payrun.adapters.db.engine import session_factory
    from payrun.adapters.db.models import Employer

    with session_factory(db_url)() as session:
        employer = session.get(Employer, employer_id)
        if employer is None:
            return None, None
        return employer.webhook_url, employer.notify_email


class _ChannelFactory:
    """One notifier per webhook URL and per recipient list, reused across sends."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cache: dict[tuple[str, str], Notifier] = {}

    @property
    def employer_channels_possible(self) -> bool:
        return bool(self.settings.webhook_secret) or bool(self.settings.smtp_host)

    def channels(
        self, webhook_url: str | None, emails: str | None, *, exclude_operator: bool = False
    ) -> list[Notifier]:
        s = self.settings
        recipients = ",".join(_addresses(emails))
        if exclude_operator:  # the operator's channels are added once, by the caller
            webhook_url = None if webhook_url == s.webhook_url else webhook_url
            recipients = "" if recipients == ",".join(_addresses(s.notify_email)) else recipients
        found: list[Notifier] = []
        if webhook_url and s.webhook_secret:
            found.append(self._cached("webhook", webhook_url, self._webhook))
        if recipients and s.smtp_host:
            found.append(self._cached("email", recipients, self._email))
        return found

    def _cached(self, kind: str, target: str, make: Callable[[str], Notifier]) -> Notifier:
        key = (kind, target)
        if key not in self._cache:
            self._cache[key] = make(target)
        return self._cache[key]

    def _webhook(self, url: str) -> Notifier:
        assert self.settings.webhook_secret
        return WebhookNotifier(url, self.settings.webhook_secret.encode())

    def _email(self, recipients: str) -> Notifier:
        s = self.settings
        assert s.smtp_host and s.smtp_from
        return EmailNotifier(
            SmtpSettings(s.smtp_host, s.smtp_port, s.smtp_from, tuple(recipients.split(",")))
        )


def _addresses(emails: str | None) -> list[str]:
    return [a.strip() for a in (emails or "").split(",") if a.strip()]


def _combine(notifiers: list[Notifier]) -> Notifier | None:
    if not notifiers:
        return None
    return notifiers[0] if len(notifiers) == 1 else CompositeNotifier(notifiers)


def _check(settings: Settings) -> None:
    """Refuse half a configuration rather than silently dropping notifications."""
    if settings.webhook_url and not settings.webhook_secret:
        raise InvalidInput("webhook_secret", "is required when webhook_url is set")
    if settings.webhook_url and not settings.webhook_url.startswith(("http://", "https://")):
        raise InvalidInput("webhook_url", f"must be an http(s) URL, got {settings.webhook_url!r}")
    if settings.smtp_host and not settings.smtp_from:
        raise InvalidInput("smtp_from", "is required when smtp_host is set")
    if settings.notify_email and not settings.smtp_host:
        raise InvalidInput("smtp_host", "is required when notify_email is set")
