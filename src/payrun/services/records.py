"""What the repositories take and give back: plain values, never ORM rows.

The records of the storage seam (payrun.services.unit_of_work); a handler builds them, an
adapter stores them and reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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
    funding_account_type: str  # checking (debited with code 27) or savings (37)
    address_street: str | None  # the address's state is the work state
    address_city: str | None
    address_postal_code: str | None
    prefunded: bool  # credits may go before the debit settles, up to the limit
    exposure_limit_cents: int
    # state -> payroll tax account number (CA's as 8 digits): payrun.services.registrations
    state_registrations: dict[str, str] = field(default_factory=dict)


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
    funding_account_type: str | None = None
    pay_settings: dict[str, Any] | None = None
    address_street: str | None = None  # the address changes whole: all three or none
    address_city: str | None = None
    address_postal_code: str | None = None
    prefunded: bool | None = None
    exposure_limit_cents: int | None = None
    state_registrations: dict[str, str] | None = None  # the whole set: {} removes them all


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
    funding_account_type: str
    address_street: str | None
    address_city: str | None
    address_postal_code: str | None
    prefunded: bool
    exposure_limit_cents: int
    state_registrations: dict[str, str]  # state -> account number as stored


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


@dataclass(frozen=True)
class SeenRequest:
    """A POST's Idempotency-Key as stored: the body's digest and, once answered, the answer."""

    digest: str
    created_at: datetime  # timezone-aware (UTC)
    status: int | None  # None: not answered yet (in progress, or its request died)
    body: dict[str, Any] | None


@dataclass(frozen=True)
class LetterQuery:
    """A page of dead letters: after a cursor, of one status and type, of some employers."""

    error_type: str | None = None
    status: str | None = "OPEN"
    after_id: int = 0
    limit: int = 50
    only_employers: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class DeadLetterView:
    """A dead letter as stored (its times as the database gives them back)."""

    id: int
    run_id: str
    employer_id: int
    employee_id: int  # 0: the employer as a whole
    step: str
    error_type: str
    error: str
    attempts: int
    status: str
    resolution: str | None
    first_failed_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class PaycheckQuery:
    """A page of paychecks: after a cursor, of a run, an employee, an employer, some employers."""

    run_id: str | None = None
    employee_id: int | None = None
    employer_id: int | None = None
    after_id: int = 0
    limit: int = 50
    only_employers: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class PaycheckView:
    """A stored paycheck with its period and details (empty when it has none)."""

    id: int
    run_id: str
    employer_id: int
    employee_id: int
    pay_period_id: int
    period_start: date | None
    period_end: date | None
    pay_date: date
    kind: str
    status: str
    lines: list[dict[str, Any]]  # {kind, code, description, cents, ytd_cents}
    ytd_after: dict[str, Any]  # cents per accumulator
    ytd_delta: dict[str, Any]  # what this paycheck added
