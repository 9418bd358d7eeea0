"""The tables added around the pay run: API keys and requests, effective-dated employee
changes, the filings outbox and status, YTD adjustments, re-payments and recovery cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from payrun.adapters.db.base import Base, Cents


class EmployeeChange(Base):
    """A change to an employee effective from a later day: kept (encrypted: it may hold an
    SSN or account number) until a pay run opens a period starting on or after that day."""

    __tablename__ = "employee_changes"
    __table_args__ = (Index("ix_employee_changes_due", "employee_id", "applied_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    changes_enc: Mapped[bytes] = mapped_column(LargeBinary)  # the changed fields, as JSON
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it could not apply


class ApiKey(Base):
    """An API key: its public prefix finds it, only a slow hash of its secret is kept."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(16))  # viewer|operator|admin
    employer_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # empty = every employer
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ApiRequest(Base):
    """An Idempotency-Key seen on a POST: the body it came with and what it started, and (for
    the POSTs answered through payrun.services.idempotency) the answer to replay; no answer
    yet means the first request is still being handled, or died while it was."""

    __tablename__ = "api_requests"
    __table_args__ = (
        UniqueConstraint("api_key_id", "action", "idempotency_key", name="uq_api_request"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class FilingOutbox(Base):
    """Events for the filings service, written in the transaction that makes them true and
    delivered afterwards (the transactional outbox): none lost, none sent twice by key."""

    __tablename__ = "filing_outbox"
    __table_args__ = (Index("ix_filing_outbox_pending", "delivered_at", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)  # the event id
    employer_id: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class FilingStatus(Base):
    """What payroll knows of each tax deposit and return, from the filings service's updates:
    the newest update wins (by the time it describes, then its sequence)."""

    __tablename__ = "filing_status"
    __table_args__ = (Index("ix_filing_status_employer", "employer_id", "status"),)
    filing_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    employer_id: Mapped[int] = mapped_column(Integer)
    filing_type: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # pending|blocked|submitted|filed|rejected
    amount_cents: Mapped[int] = mapped_column(Cents, default=0)
    ack_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the update's own time
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)


class YtdAdjustment(Base):
    """A paycheck's YTD contribution taken back out (void, reversal, written-off return):
    at most once per paycheck, whatever the reason or however often it is asked."""

    __tablename__ = "ytd_adjustments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)  # ytd-undo-{paycheck}
    paycheck_id: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))  # void | reversal | write-off
    delta: Mapped[dict[str, Any]] = mapped_column(JSON)  # cents taken out, per accumulator
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Repayment(Base):
    """A returned paycheck's net paid again off-cycle (attempt 1, 2 ... if a re-pay also came
    back); the paycheck joins the repayment's payment, the original payment is kept here."""

    __tablename__ = "repayments"
    __table_args__ = (UniqueConstraint("paycheck_id", "attempt"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    paycheck_id: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int] = mapped_column(Integer)
    original_payment_id: Mapped[int] = mapped_column(Integer, index=True)
    payment_id: Mapped[int] = mapped_column(Integer, unique=True)
    net_cents: Mapped[int] = mapped_column(Cents)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecoveryCase(Base):
    """An employer's funding debit that came back: re-debited once (R01/R09) or held open,
    blocking the employer's pay runs, until an operator resolves it."""

    __tablename__ = "recovery_cases"
    __table_args__ = (Index("ix_recovery_cases_employer", "employer_id", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)  # the return's key
    employer_id: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str] = mapped_column(String(120))
    payment_id: Mapped[int] = mapped_column(Integer)
    return_code: Mapped[str] = mapped_column(String(3))
    original_trace: Mapped[str] = mapped_column(String(15))
    amount_cents: Mapped[int] = mapped_column(Cents)
    status: Mapped[str] = mapped_column(String(16))  # statuses.CaseStatus
    redebit_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    redebits: Mapped[int] = mapped_column(Integer, default=0)
    redebit_ref: Mapped[str | None] = mapped_column(String(500), nullable=True)
    redebit_trace: Mapped[str | None] = mapped_column(String(15), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
