"""Webhooks signed with HMAC-SHA256 over the timestamp and raw body, retried with backoff."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx
import structlog

from payrun.adapters.notify.backoff import Backoff
from payrun.adapters.notify.errors import DeliveryFailed, DeliveryRejected
from payrun.adapters.redact import safe_url
from payrun.services.ports import Notification

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "Payrun-Signature"  # "t=<unix seconds>,v1=<hex HMAC-SHA256>"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_TOLERANCE_SECONDS = 300
# Transport failures worth another try: the request may not have arrived, and the
# Idempotency-Key lets the receiver drop a repeat if it did.
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class InvalidSignature(Exception):
    """A webhook whose signature or timestamp does not check out."""


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The header value: HMAC-SHA256 of b"<timestamp>." + body, so the time is signed too."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: bytes,
    body: bytes,
    header: str | None,
    *,
    now: float,  # float ok: time
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Receiver side: raise InvalidSignature unless header signs body within tolerance."""
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or not signature:
        raise InvalidSignature(f"{SIGNATURE_HEADER} header is missing or malformed")
    if abs(now - int(timestamp)) > tolerance_seconds:
        raise InvalidSignature("timestamp is outside the tolerance window (possible replay)")
    expected = sign(secret, int(timestamp), body).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, signature):
        raise InvalidSignature("signature does not match the body")


def webhook_body(notification: Notification) -> bytes:
    document = {
        "id": notification.idempotency_key,
        "event": notification.event,
        "subject": notification.subject,
        "body": notification.body,
        "payload": notification.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()


class WebhookNotifier:
    """Implements Notifier: POST a signed JSON body; retry 5xx, timeouts and connection errors."""

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        backoff: Backoff = Backoff(),
        timeout: httpx.Timeout = httpx.Timeout(10.0, connect=3.0),
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ValueError("a webhook secret is required")
        self.url, self._secret, self._backoff = url, secret, backoff
        self._http = http or httpx.Client(timeout=timeout, follow_redirects=False)
        self._sleep, self._clock = sleep, clock

    def send(self, notification: Notification) -> None:
        body = webhook_body(notification)
        problem = ""
        for attempt in range(1, self._backoff.max_attempts + 1):
            problem = self._attempt(notification.idempotency_key, body)
            if not problem:
                return
            log.info(
                "webhook retry", key=notification.idempotency_key, attempt=attempt, problem=problem
            )
            if attempt < self._backoff.max_attempts:
                self._sleep(self._backoff.delay(attempt))
        raise DeliveryFailed(
            f"webhook {safe_url(self.url)}: {problem} after {self._backoff.max_attempts} attempts"
        )

    def close(self) -> None:
        self._http.close()

    def _attempt(self, key: str, body: bytes) -> str:
        """'' when delivered; a transient problem to retry; DeliveryRejected if refused."""
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: key,
            # Signed afresh each attempt so a late retry still falls inside the window.
            SIGNATURE_HEADER: sign(self._secret, int(self._clock()), body),
        }
        try:
            response = self._http.post(self.url, content=body, headers=headers)
        except TRANSIENT_ERRORS as error:
            return type(error).__name__
        if response.is_success:
            return ""
        if response.status_code >= 500:
            return f"HTTP {response.status_code}"
        where = safe_url(self.url)
        raise DeliveryRejected(f"webhook {where}: HTTP {response.status_code} for {key}")
