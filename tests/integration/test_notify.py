"""Notifiers against a real local HTTP receiver and a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from payrun.adapters.notify import (
    CompositeNotifier,
    DeliveryFailed,
    DeliveryRejected,
    EmailNotifier,
    EmployerRoutedNotifier,
    InvalidSignature,
    SmtpSettings,
    WebhookNotifier,
    verify_signature,
)
from payrun.adapters.notify.backoff import Backoff
from payrun.adapters.notify.email import message_id
from payrun.adapters.notify.webhook import sign
from payrun.services.ports import Notification

SECRET = b"whsec-test"
FAST = Backoff(base_seconds=0.01, max_seconds=0.05, max_attempts=5)
DONE = Notification(
    "run-7-employer-3-paid", "employer.paid", "Payroll paid", "3 paychecks", {"employer_id": 3}
)


class Receiver(ThreadingHTTPServer):
    """Answers `failures` requests with `failure_status`, then records each key once."""

    def __init__(self, failures: int = 0, failure_status: int = 500, stall: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.failures, self.failure_status, self.stall = failures, failure_status, stall
        self.requests = 0
        self.deliveries: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.requests += 1
            failing = self.server.requests <= self.server.failures
        if failing and self.server.stall:
            time.sleep(self.server.stall)
        if failing:
            return self._answer(self.server.failure_status)
        try:
            verify_signature(SECRET, body, self.headers["Payrun-Signature"], now=time.time())
        except InvalidSignature:
            return self._answer(401)
        with self.server.lock:
            self.server.deliveries.setdefault(self.headers["Idempotency-Key"], json.loads(body))
        self._answer(200)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(receiver: Receiver) -> Iterator[Receiver]:
    thread = threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield receiver
    finally:
        receiver.shutdown()
        receiver.server_close()
        thread.join(timeout=5)


@pytest.fixture
def flaky_receiver() -> Iterator[Receiver]:
    yield from serve(Receiver(failures=2))


def notifier(url: str, **options: Any) -> WebhookNotifier:
    return WebhookNotifier(url, SECRET, backoff=FAST, **options)


def test_receiver_failing_twice_gets_exactly_one_delivery(flaky_receiver: Receiver) -> None:
    notifier(flaky_receiver.url).send(DONE)
    assert flaky_receiver.requests == 3
    assert list(flaky_receiver.deliveries) == ["run-7-employer-3-paid"]
    assert flaky_receiver.deliveries["run-7-employer-3-paid"]["event"] == "employer.paid"


def test_repeated_send_is_dropped_by_the_idempotency_key(flaky_receiver: Receiver) -> None:
    hook = notifier(flaky_receiver.url)
    hook.send(DONE)
    hook.send(DONE)
    assert flaky_receiver.requests == 4
    assert len(flaky_receiver.deliveries) == 1


def test_client_errors_are_not_retried() -> None:
    for receiver in serve(Receiver(failures=10, failure_status=422)):
        with pytest.raises(DeliveryRejected):
            notifier(receiver.url).send(DONE)
        assert receiver.requests == 1


def test_gives_up_after_the_last_attempt() -> None:
    for receiver in serve(Receiver(failures=100, failure_status=503)):
        with pytest.raises(DeliveryFailed, match="HTTP 503 after 5 attempts"):
            notifier(receiver.url).send(DONE)
        assert receiver.requests == 5


def test_timeouts_are_retried() -> None:
    for receiver in serve(Receiver(failures=1, stall=0.5)):
        notifier(receiver.url, timeout=httpx.Timeout(0.2)).send(DONE)
        assert list(receiver.deliveries) == ["run-7-employer-3-paid"]


def test_connection_refused_is_retried_then_fails() -> None:
    port = free_port()
    with pytest.raises(DeliveryFailed, match="ConnectError"):
        notifier(f"http://127.0.0.1:{port}/hooks").send(DONE)


def test_backoff_grows_exponentially_with_jitter() -> None:
    delays: list[float] = []
    backoff = Backoff(base_seconds=1.0, max_seconds=30.0, max_attempts=4)
    port = free_port()
    hook = WebhookNotifier(
        f"http://127.0.0.1:{port}/", SECRET, backoff=backoff, sleep=delays.append
    )
    with pytest.raises(DeliveryFailed):
        hook.send(DONE)
    # Retry n waits between half and all of 1 * 2**(n-1) seconds.
    assert len(delays) == 3
    for retry, delay in enumerate(delays, start=1):
        assert 2 ** (retry - 1) / 2 <= delay <= 2 ** (retry - 1)


def test_signature_verification() -> None:
    body = b'{"id":"k"}'
    header = sign(SECRET, 1_700_000_000, body)
    verify_signature(SECRET, body, header, now=1_700_000_010)
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_signature(SECRET, body + b" ", header, now=1_700_000_010)
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_signature(b"other", body, header, now=1_700_000_010)
    with pytest.raises(InvalidSignature, match="tolerance"):
        verify_signature(SECRET, body, header, now=1_700_000_000 + 301)
    with pytest.raises(InvalidSignature, match="malformed"):
        verify_signature(SECRET, body, None, now=1_700_000_000)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """aiosmtpd handler: keeps every message it is handed; can refuse the first few."""

    def __init__(self, temporary_failures: int = 0) -> None:
        self.messages: list[bytes] = []
        self.temporary_failures = temporary_failures

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        if self.temporary_failures:
            self.temporary_failures -= 1
            return "451 Try again later"
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def settings(port: int) -> SmtpSettings:
    return SmtpSettings(
        "127.0.0.1", port, "payroll@acme.test", ("ops@acme.test",), timeout_seconds=5
    )


def test_email_is_delivered_with_a_message_id_from_the_key(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    EmailNotifier(settings(port), backoff=FAST).send(DONE)
    (raw,) = inbox.messages
    message = message_from_bytes(raw)
    assert message["Subject"] == "Payroll paid"
    assert message["Message-ID"] == message_id("run-7-employer-3-paid", "payrun.invalid")
    assert message["X-Payrun-Idempotency-Key"] == "run-7-employer-3-paid"
    assert message.get_payload().strip() == "3 paychecks"


def test_email_retries_a_temporary_smtp_failure(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    inbox.temporary_failures = 2
    EmailNotifier(settings(port), backoff=FAST).send(DONE)
    assert len(inbox.messages) == 1


def test_email_to_a_dead_server_fails_after_retries() -> None:
    with pytest.raises(DeliveryFailed):
        EmailNotifier(settings(free_port()), backoff=FAST).send(DONE)


def test_composite_sends_everywhere_and_reports_the_failed_channel(
    smtp: tuple[Inbox, int], flaky_receiver: Receiver
) -> None:
    inbox, port = smtp
    dead = notifier(f"http://127.0.0.1:{free_port()}/")
    both = CompositeNotifier([dead, EmailNotifier(settings(port), backoff=FAST)])
    with pytest.raises(DeliveryFailed):
        both.send(DONE)
    assert len(inbox.messages) == 1  # the failing webhook did not stop the email
    CompositeNotifier([notifier(flaky_receiver.url)]).send(DONE)
    assert len(flaky_receiver.deliveries) == 1


def test_employer_routing_picks_the_employers_channel(flaky_receiver: Receiver) -> None:
    sent: list[str] = []

    class Recorder:
        def send(self, notification: Notification) -> None:
            sent.append(notification.idempotency_key)

    routed = EmployerRoutedNotifier({3: notifier(flaky_receiver.url)}, default=Recorder())
    routed.send(DONE)
    routed.send(
        Notification("run-7-employer-4-paid", "employer.paid", "s", "b", {"employer_id": 4})
    )
    assert list(flaky_receiver.deliveries) == ["run-7-employer-3-paid"]
    assert sent == ["run-7-employer-4-paid"]
