"""The storage seam: a unit of work and the repositories a handler reads and writes through.

A handler takes a unit of work, not a database URL (cosmicpython's ``unit_of_work.py``):
``with uow: ...; uow.commit()``. Leaving the block without ``commit()`` writes nothing. The
SQLAlchemy implementation is ``payrun.adapters.db.unit_of_work``; tests use in-memory fakes.
Handlers still on ``transaction(url)`` are listed in ``.importlinter`` until they move here.
A handler that only reads takes a reading unit of work (the context's
``reading_unit_of_work``): on SQLite it takes no write lock, and ``commit()`` refuses.
What the repositories take and give back are the plain values of ``payrun.services.records``.
"""

from __future__ import annotations

from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from payrun.services.records import (
    AuditEntry,
    DeadLetterView,
    EmployerChanges,
    EmployerView,
    LetterQuery,
    NewApiKey,
    NewEmployee,
    NewEmployer,
    NewNotification,
    NewSchedule,
    PaycheckQuery,
    PaycheckView,
    SeenRequest,
    StoredApiKey,
)


class AlreadyRecorded(Exception):
    """Another writer recorded the same idempotency key first (a unique constraint said so)."""


class EmployerRepository(Protocol):
    def exists(self, employer_id: int) -> bool: ...

    def ein_taken(self, ein: str) -> bool: ...

    def add(self, employer: NewEmployer) -> int:
        """Store a new, active employer; returns its id."""

    def view(self, employer_id: int) -> EmployerView | None: ...

    def change(self, employer_id: int, changes: EmployerChanges) -> None: ...

    def page(self, after_id: int, limit: int, only: frozenset[int] | None) -> list[EmployerView]:
        """Up to `limit` employers with ids above `after_id`, by id; `only`: just these ids."""


class ScheduleRepository(Protocol):
    def find(self, frequency: str, first_period_start: date) -> int | None:
        """The id of the pay calendar with this frequency and first period, if there is one."""

    def add(self, schedule: NewSchedule) -> int:
        """Store the calendar and its periods; returns its id."""


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


class ApiKeyRepository(Protocol):
    def add(self, key: NewApiKey) -> int:
        """Store a new key; returns its id."""

    def by_prefix(self, prefix: str) -> StoredApiKey | None: ...

    def get(self, key_id: int) -> StoredApiKey | None: ...

    def every(self) -> list[StoredApiKey]:
        """Every key, by id."""

    def revoke(self, key_id: int, at: datetime) -> None: ...


class AuditRepository(Protocol):
    def add(self, entry: AuditEntry, at: datetime) -> None: ...


class DeadLetterRepository(Protocol):
    def page(self, query: LetterQuery) -> list[DeadLetterView]:
        """The query's letters, by id."""

    def get(self, letter_id: int) -> DeadLetterView | None: ...

    def several(self, letter_ids: list[int]) -> list[DeadLetterView]:
        """Those of these ids that exist, by id."""

    def open_of_type(self, error_type: str) -> list[tuple[int, int]]:
        """(id, employer id) of every open letter of this type, by id."""

    def close(self, letter_id: int, status: str, resolution: str, at: datetime) -> None: ...


class PaycheckRepository(Protocol):
    def get(self, paycheck_id: int) -> PaycheckView | None: ...

    def page(self, query: PaycheckQuery) -> list[PaycheckView]:
        """The query's paychecks, by id."""

    def employer_of(self, paycheck_id: int) -> int | None: ...


class ApiRequestRepository(Protocol):
    """Idempotency-Keys by API key and action: claimed, then answered (or let go)."""

    def find(self, key_id: int, action: str, key: str) -> SeenRequest | None: ...

    def claim(self, key_id: int, action: str, key: str, digest: str, at: datetime) -> None:
        """Record the key unanswered; a claim of the same key fails at commit (AlreadyRecorded)."""

    def answer(
        self, key_id: int, action: str, key: str, status: int, body: dict[str, Any]
    ) -> None: ...

    def release(self, key_id: int, action: str, key: str) -> None:
        """Forget an unanswered claim, so the same key may be sent again."""


class UnitOfWork(Protocol):
    employers: EmployerRepository
    schedules: ScheduleRepository
    employees: EmployeeRepository
    notifications: NotificationRepository
    api_keys: ApiKeyRepository
    audit: AuditRepository
    dead_letters: DeadLetterRepository
    paychecks: PaycheckRepository
    api_requests: ApiRequestRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""

    def commit(self) -> None: ...
