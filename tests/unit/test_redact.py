"""Credentials in URLs stay out of error messages and logs: only scheme, host and port show."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from structlog.testing import capture_logs

from payrun.adapters.http_retry import DownstreamUnavailable, request_with_retries
from payrun.adapters.notify.errors import DeliveryRejected
from payrun.adapters.notify.webhook import WebhookNotifier
from payrun.adapters.redact import safe_url
from payrun.logs import configure
from payrun.services.ports import Notification

TOKEN = "T0KEN-in-the-path"
URL = f"https://ops:p4ss@hooks.example.com:8443/services/{TOKEN}?sig=abc"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (URL, "https://hooks.example.com:8443/…"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://bank.example/", "http://bank.example"),
        ("not a url", "<URL>"),
    ],
)
def test_a_safe_url_keeps_scheme_host_and_port_only(url: str, shown: str) -> None:
    assert safe_url(url) == shown


def _client(status: int) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(lambda _request: httpx.Response(status)))


def test_a_refused_webhook_names_its_host_not_its_token_or_password() -> None:
    notifier = WebhookNotifier(URL, b"whsec", http=_client(400))
    notice = Notification("run-1-run.completed", "run.completed", "done", "done", {})
    with pytest.raises(DeliveryRejected) as refused:
        notifier.send(notice)
    assert "hooks.example.com" in str(refused.value)
    assert TOKEN not in str(refused.value) and "p4ss" not in str(refused.value)


@pytest.fixture
def info_logs() -> Iterator[None]:
    """INFO lines logged whatever an earlier test configured (capture_logs keeps the level)."""
    configure("INFO")
    yield
    configure("WARNING")


@pytest.mark.usefixtures("info_logs")
def test_a_downstream_that_keeps_failing_is_reported_and_logged_without_credentials() -> None:
    with capture_logs() as logs, pytest.raises(DownstreamUnavailable) as failed:
        request_with_retries(_client(503), "POST", URL, attempts=2, backoff=0)
    assert "HTTP 503 after 2 attempts" in str(failed.value)
    text = str(failed.value) + repr(logs)
    assert TOKEN not in text and "p4ss" not in text and len(logs) == 2
