"""The log scrubber: a secret that reaches a log line anyway is replaced before it is written."""

from __future__ import annotations

import logging

import pytest

from payrun.config import Settings
from payrun.logs import HIDDEN, Scrubber

SECRET = "whsec-0123456789abcdef"


def test_a_stdlib_record_carrying_a_secret_is_rewritten() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed: %s", (SECRET,), None)
    assert Scrubber([SECRET, None, "short"]).filter(record)
    assert record.getMessage() == f"failed: {HIDDEN}"


def test_a_rendered_structlog_line_is_rewritten_and_short_values_are_left_alone() -> None:
    scrub = Scrubber([SECRET, "abc"])
    line = f"event='retry' url='https://x/{SECRET}' abc=1"
    assert scrub.rendered(None, "warning", line) == f"event='retry' url='https://x/{HIDDEN}' abc=1"


def test_the_settings_name_every_secret_they_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYRUN_SECRET_KEY", "new-key-aaaaaaaa,old-key-bbbbbbbb")
    settings = Settings(
        database_url="postgresql+psycopg://payrun:db-password-1@db.internal/payroll",
        callback_secret="callback-secret-1",
        webhook_secret=SECRET,
    )
    assert set(settings.secret_values()) == {
        "db-password-1",
        "callback-secret-1",
        SECRET,
        "new-key-aaaaaaaa",
        "old-key-bbbbbbbb",
    }
