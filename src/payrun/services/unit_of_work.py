"""The storage seam: a unit of work and the repositories a handler reads and writes through.

A handler takes a unit of work, not a database URL (cosmicpython's ``unit_of_work.py``):
``with uow: ...; uow.commit()``. Leaving the block without ``commit()`` writes nothing. The
SQLAlchemy implementation is ``payrun.adapters.db.unit_of_work``; tests use in-memory fakes.
Handlers still on ``transaction(url)`` are listed in ``.importlinter`` until they move here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self


@dataclass(frozen=True, slots=True)
class NewEmployee:
    """An employee as stored: secrets already encrypted, only their last four in clear."""

    employer_id: int
    external_id: str
    first_name: str
    last_name: str
    ssn_enc: bytes
    ssn_last4: str
    hire_date: date
    home_state: str
    work_state: str
    pay_type: str
    rate_cents: int
    profile: dict[str, Any]  # the employee object of payrun.services.schema
    bank_routing: str
    bank_account_enc: bytes
    bank_account_last4: str
    bank_account_type: str
    terminated_on: date | None = None  # paid through the period holding it, not after


@dataclass(frozen=True, slots=True)
class NewNotification:
    """A notification recorded before it is sent: its key makes it once per event."""

    idempotency_key: str
    event: str
    run_id: str
    employer_id: int | None
    subject: str
    body: str
    created_at: datetime


class AlreadyRecorded(Exception):
    """Another writer recorded the same idempotency key first (a unique constraint said so)."""


class EmployerRepository(Protocol):
    def exists(self, employer_id: int) -> bool: ...


class EmployeeRepository(Protocol):
    def external_id_taken(self, employer_id: int, external_id: str) -> bool: ...

    def add(self, employee: NewEmployee) -> int:
        """Store a new employee; returns its id."""


class NotificationRepository(Protocol):
    def status_of(self, idempotency_key: str) -> str | None:
        """The recorded notification's status, None if there is none by that key."""

    def add(self, notification: NewNotification) -> None:
        """Record it PENDING; AlreadyRecorded (here or at commit) if the key is taken."""

    def finish(self, idempotency_key: str, status: str, sent_at: datetime | None) -> None:
        """Its outcome after one delivery attempt (the attempt is counted)."""


class UnitOfWork(Protocol):
    employers: EmployerRepository
    employees: EmployeeRepository
    notifications: NotificationRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""

    def commit(self) -> None: ...
