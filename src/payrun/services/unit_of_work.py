"""The storage seam: a unit of work and the repositories a handler reads and writes through.

A handler takes a unit of work, not a database URL (cosmicpython's ``unit_of_work.py``):
``with uow: ...; uow.commit()``. Leaving the block without ``commit()`` writes nothing. The
SQLAlchemy implementation is ``payrun.adapters.db.unit_of_work``; tests use in-memory fakes.
Handlers still on ``transaction(url)`` are listed in ``.importlinter`` until they move here.
A handler that only reads takes a reading unit of work (the context's
``reading_unit_of_work``): on SQLite it takes no write lock, and ``commit()`` refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from payrun.domain.calendar import PeriodDates


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


@dataclass(frozen=True, slots=True)
class NewSchedule:
    """A pay calendar and its periods, stored together."""

    name: str
    frequency: str
    first_period_start: date
    pay_delay_days: int
    periods: tuple[PeriodDates, ...]


@dataclass(frozen=True, slots=True)
class NewEmployer:
    """An employer as stored: the funding account already encrypted, its last four in clear."""

    ein: str
    name: str
    work_state: str
    schedule_id: int
    funding_routing: str
    funding_account_enc: bytes
    funding_account_last4: str
    ach_company_id: str
    odfi_routing: str
    validation_policy: str
    webhook_url: str | None
    notify_email: str | None
    pay_settings: dict[str, Any]  # the employer object of payrun.services.schema


@dataclass(frozen=True, slots=True)
class EmployerChanges:
    """What changes on an employer: only the fields given (not None)."""

    name: str | None = None
    validation_policy: str | None = None
    webhook_url: str | None = None
    notify_email: str | None = None
    active: bool | None = None
    funding_routing: str | None = None
    funding_account_enc: bytes | None = None
    funding_account_last4: str | None = None
    pay_settings: dict[str, Any] | None = None


@dataclass(frozen=True)
class EmployerView:
    """An employer with its pay calendar, as the API shows it (never the account number)."""

    id: int
    name: str
    ein: str
    work_state: str
    schedule: str
    frequency: str
    first_period_start: date
    funding_routing: str
    funding_account_last4: str
    validation_policy: str
    webhook_url: str | None
    notify_email: str | None
    pay_settings: dict[str, Any]
    active: bool


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """An API key as stored: its public prefix and only a slow hash of its secret."""

    prefix: str
    secret_hash: str
    name: str
    role: str
    employer_ids: tuple[int, ...]  # empty: every employer
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredApiKey:
    """A stored API key; its times are timezone-aware (UTC)."""

    id: int
    prefix: str
    secret_hash: str
    name: str
    role: str
    employer_ids: tuple[int, ...]  # empty: every employer
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class AuditEntry:
    actor: str  # "api-key:12", "cli"
    action: str  # "POST /v1/employers"
    subject: str  # the target: "/v1/employers/3"
    outcome: str  # ok | rejected | error
    request_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


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


class UnitOfWork(Protocol):
    employers: EmployerRepository
    schedules: ScheduleRepository
    employees: EmployeeRepository
    notifications: NotificationRepository
    api_keys: ApiKeyRepository
    audit: AuditRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""

    def commit(self) -> None: ...
