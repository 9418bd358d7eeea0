"""Email notifications over SMTP (stdlib smtplib), one Message-ID per idempotency key."""

from __future__ import annotations

import hashlib
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

import structlog

from payrun.adapters.notify.backoff import Backoff
from payrun.adapters.notify.errors import DeliveryFailed, DeliveryRejected
from payrun.services.ports import Notification

log = structlog.get_logger(__name__)

# The connection dropped or the server said "try later" (4xx): safe to retry, because a
# repeat carries the same Message-ID and mail clients and archives collapse duplicates.
TRANSIENT_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    timeout_seconds: float = 10.0
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    message_id_domain: str = "payrun.invalid"


def message_id(idempotency_key: str, domain: str) -> str:
    """Stable across retries: derived from the key, never from the clock or a random value."""
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]}@{domain}>"


def build_message(notification: Notification, settings: SmtpSettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Subject"] = notification.subject
    message["Message-ID"] = message_id(notification.idempotency_key, settings.message_id_domain)
    message["Date"] = formatdate(usegmt=True)
    message["X-Payrun-Event"] = notification.event
    message["X-Payrun-Idempotency-Key"] = notification.idempotency_key
    message.set_content(notification.body)
    return message


class EmailNotifier:
    """Implements Notifier over SMTP with a timeout and bounded retries."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        backoff: Backoff = Backoff(base_seconds=1.0, max_attempts=3),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.recipients:
            raise ValueError("an email notifier needs at least one recipient")
        self.settings, self._backoff, self._sleep = settings, backoff, sleep

    def send(self, notification: Notification) -> None:
        message = build_message(notification, self.settings)
        problem = ""
        for attempt in range(1, self._backoff.max_attempts + 1):
            problem = self._attempt(message)
            if not problem:
                return
            log.info(
                "email retry", key=notification.idempotency_key, attempt=attempt, problem=problem
            )
            if attempt < self._backoff.max_attempts:
                self._sleep(self._backoff.delay(attempt))
        raise DeliveryFailed(f"smtp {self.settings.host}: {problem}")

    def _attempt(self, message: EmailMessage) -> str:
        """'' when the server accepted it; a transient problem; DeliveryRejected on 5xx."""
        try:
            self._deliver(message)
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                return f"SMTP {error.smtp_code}"
            raise DeliveryRejected(f"smtp: {error.smtp_code} {error.smtp_error!r}") from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryRejected(f"smtp: {error}") from None
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryRejected(f"smtp: recipients refused {sorted(error.recipients)}") from None
        except TRANSIENT_ERRORS as error:
            return type(error).__name__
        return ""

    def _deliver(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
            if s.starttls:
                smtp.starttls()
            if s.username is not None:
                smtp.login(s.username, s.password or "")
            refused = smtp.send_message(message, from_addr=s.sender, to_addrs=list(s.recipients))
        if refused:  # some recipients took it; retrying would send them a second copy
            log.warning("smtp refused some recipients", refused=sorted(refused))
