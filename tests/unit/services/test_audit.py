"""The audit log through the unit of work, on fakes: one entry per call, cut to fit."""

from __future__ import annotations

from datetime import UTC, datetime

from payrun.services.audit import AuditEntry, record
from tests.unit.services.fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_an_entry_is_kept_with_its_time_request_and_details() -> None:
    uow = FakeUnitOfWork()
    entry = AuditEntry("api-key:3", "POST /v1/employers", "/v1/employers", "ok", "rid-1", {"x": 1})
    record(uow, entry, NOW)
    assert uow.audit.rows == [(entry, NOW)]
    assert uow.commits == 1


def test_long_texts_are_cut_to_what_the_log_holds() -> None:
    uow = FakeUnitOfWork()
    record(uow, AuditEntry("a" * 70, "b" * 70, "c" * 250, "rejected"), NOW)
    ((kept, _),) = uow.audit.rows
    assert (len(kept.actor), len(kept.action), len(kept.subject)) == (64, 64, 200)
    assert kept.outcome == "rejected"
