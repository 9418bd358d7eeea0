"""Notifications through the unit of work, on fakes: once per key, kept when they fail."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from payrun.services.context import PayrollContext
from payrun.services.notifications import notify
from payrun.services.ports import Notification
from tests.unit.services.fakes import FakeUnitOfWork

NOW = datetime(2026, 1, 9, 17, 0, tzinfo=UTC)


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Notification] = []
        self.fail = fail

    def send(self, notification: Notification) -> None:
        if self.fail:
            raise ConnectionError("webhook down")
        self.sent.append(notification)


def context(uow: FakeUnitOfWork, notifier: Recorder | None) -> PayrollContext:
    return PayrollContext(
        db_url="unused://",
        store=None,  # type: ignore[arg-type]
        output_dir=Path("/nonexistent"),
        payment_provider=None,  # type: ignore[arg-type]
        notifier=notifier,  # type: ignore[arg-type]
        clock=lambda: NOW,
        unit_of_work=lambda: uow,
    )


def send(ctx: PayrollContext, key: str = "run-1-7-employer.paid") -> bool:
    return notify(
        ctx, key=key, event="employer.paid", run_id="run-1", employer_id=7, subject="s", body="b"
    )


def test_a_notification_is_sent_once_per_key() -> None:
    uow, notifier = FakeUnitOfWork(), Recorder()
    ctx = context(uow, notifier)
    assert send(ctx) is True
    assert send(ctx) is False  # a retried activity: nothing sent twice
    assert [n.idempotency_key for n in notifier.sent] == ["run-1-7-employer.paid"]
    row = uow.notifications.rows["run-1-7-employer.paid"]
    assert (row["status"], row["attempts"], row["sent_at"]) == ("SENT", 1, NOW)


def test_an_undeliverable_notification_is_kept_failed_and_the_run_goes_on() -> None:
    uow = FakeUnitOfWork()
    assert send(context(uow, Recorder(fail=True))) is False
    assert uow.notifications.rows["run-1-7-employer.paid"]["status"] == "FAILED"


def test_without_a_channel_it_is_recorded_for_the_operator() -> None:
    uow = FakeUnitOfWork()
    assert send(context(uow, None)) is True
    assert uow.notifications.rows["run-1-7-employer.paid"]["status"] == "RECORDED"


def test_a_key_another_writer_recorded_first_is_not_sent_here() -> None:
    uow, notifier = FakeUnitOfWork(), Recorder()
    uow.notifications.taken_by_another.add("run-1-7-employer.paid")
    assert send(context(uow, notifier)) is False
    assert notifier.sent == []
