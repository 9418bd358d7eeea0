"""The time-entry simulator as a real process reading a real SQLite payroll database."""

from __future__ import annotations

import base64
import time
from datetime import date

import httpx
import pytest

from payrun.adapters.http_retry import DownstreamUnavailable
from payrun.adapters.timeentry_http import TimeEntryClient, TimeEntryRefused

from .conftest import CallbackSink

PERIOD = (date(2026, 1, 5), date(2026, 1, 18))


def ask(client: TimeEntryClient, token: bytes, request_id: str = "run-1-employer-7-hours"):
    return client.request_hours(request_id, 7, *PERIOD, [1, 2, 3], token)


def test_hours_come_back_exact_per_employee_and_day(start_timeentry, sink: CallbackSink):
    service = start_timeentry(delay=0.5)
    ack = ask(TimeEntryClient(service.url, sink.url), b"token-1")

    answer = sink.wait_for("completed")[0]

    assert not ack.duplicate
    assert answer["signed"]
    assert answer["token_b64"] == base64.b64encode(b"token-1").decode()
    # rows in the fixture: 1 -> 8.00 and 7.50 + 0.25; 2 -> 10.33 (its 01-19 row is outside);
    # 3 has no rows; 9 was not asked for
    assert answer["result"] == {
        "request_id": "run-1-employer-7-hours",
        "hours": {
            "1": {"2026-01-05": "8.00", "2026-01-06": "7.75"},
            "2": {"2026-01-05": "10.33"},
            "3": {},
        },
    }
    assert len(sink.of("heartbeat")) >= 2


def test_repeated_request_is_answered_again_to_the_new_token(start_timeentry, sink):
    service = start_timeentry()
    client = TimeEntryClient(service.url, sink.url)
    ask(client, b"token-1")
    first = sink.wait_for("completed")[0]

    assert ask(client, b"token-2").duplicate
    second = sink.wait_for("completed", base64.b64encode(b"token-2").decode())[0]

    assert second["result"] == first["result"]


def test_silent_service_answers_once_it_is_back(start_timeentry, sink: CallbackSink):
    service = start_timeentry(mode="never")
    client = TimeEntryClient(service.url, sink.url)
    ask(client, b"token-1")
    time.sleep(0.8)
    assert sink.received == []

    httpx.post(f"{service.url}/admin/behaviour", json={"mode": "ok"}, timeout=5)
    ask(client, b"token-2")

    assert sink.wait_for("completed")[0]["token_b64"] == base64.b64encode(b"token-2").decode()


def test_rejecting_service_fails_the_request(start_timeentry, sink: CallbackSink):
    service = start_timeentry(mode="reject")
    ask(TimeEntryClient(service.url, sink.url), b"token-1")

    assert sink.wait_for("failed")[0]["error_type"] == "downstream_rejection"


def test_failing_service_is_unavailable_and_bad_requests_are_refused(start_timeentry, sink):
    service = start_timeentry(mode="fail")
    client = TimeEntryClient(service.url, sink.url, attempts=2)
    with pytest.raises(DownstreamUnavailable, match="503"):
        ask(client, b"token-1")

    httpx.post(f"{service.url}/admin/behaviour", json={"mode": "ok"}, timeout=5)
    with pytest.raises(TimeEntryRefused, match="422"):
        client.request_hours("backwards", 7, PERIOD[1], PERIOD[0], [1], b"token-1")
