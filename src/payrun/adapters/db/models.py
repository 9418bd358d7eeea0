"""The relational model. Money is integer cents (BigInteger); rates are exact decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from payrun.adapters.db.base import Base, Cents


class PaySchedule(Base):
    __tablename__ = "pay_schedules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    frequency: Mapped[str] = mapped_column(String(16))  # weekly|biweekly|semimonthly|monthly
    anchor_date: Mapped[date] = mapped_column(Date)  # start of the first period
    pay_delay_days: Mapped[int] = mapped_column(Integer, default=3)
    workweek_start: Mapped[int] = mapped_column(Integer, default=6)  # 0=Mon .. 6=Sun
    paused: Mapped[bool] = mapped_column(Boolean, default=False)


class PayPeriod(Base):
    __tablename__ = "pay_periods"
    __table_args__ = (UniqueConstraint("schedule_id", "start_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("pay_schedules.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    pay_date: Mapped[date] = mapped_column(Date)


class Employer(Base):
    __tablename__ = "employers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ein: Mapped[str] = mapped_column(String(10), unique=True)  # NN-NNNNNNN
    name: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(2))
    schedule_id: Mapped[int] = mapped_column(ForeignKey("pay_schedules.id"), index=True)
    funding_routing: Mapped[str] = mapped_column(String(9))
    funding_account_enc: Mapped[bytes] = mapped_column(LargeBinary)
    funding_account_last4: Mapped[str] = mapped_column(String(4))
    ach_company_id: Mapped[str] = mapped_column(String(10))
    odfi_routing: Mapped[str] = mapped_column(String(9))
    validation_policy: Mapped[str] = mapped_column(String(16), default="hold")  # hold|partial
    # The `employer` object of `payrun calc` (payrun.services.schema.employer): every
    # setting that affects a paycheck, validated before it is stored.
    pay_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    notify_email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    address_street: Mapped[str | None] = mapped_column(String(120), nullable=True)
    address_city: Mapped[str | None] = mapped_column(String(60), nullable=True)
    address_postal_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # Funding (migration 0006): the debited account's type (27 checking / 37 savings), and
    # whether credits may go out before the debit settles, up to exposure_limit_cents.
    funding_account_type: Mapped[str] = mapped_column(String(8), default="checking")
    prefunded: Mapped[bool] = mapped_column(Boolean, default=False)
    exposure_limit_cents: Mapped[int] = mapped_column(Cents, default=0)
    # State payroll tax account numbers (migration 0008), state -> number, California's EDD
    # number as its 8 digits (payrun.services.registrations). Not a secret: on every DE 9.
    state_registrations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = (UniqueConstraint("employer_id", "external_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(15))
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    ssn_enc: Mapped[bytes] = mapped_column(LargeBinary)  # Vault ciphertext, never logged
    ssn_last4: Mapped[str] = mapped_column(String(4))
    hire_date: Mapped[date] = mapped_column(Date)
    terminated_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # paid through it
    home_state: Mapped[str] = mapped_column(String(2))
    work_state: Mapped[str] = mapped_column(String(2))
    pay_type: Mapped[str] = mapped_column(String(8))  # salary|hourly
    rate_cents: Mapped[int] = mapped_column(Cents)  # annual salary or hourly rate
    # Everything else that affects pay: the `employee` object of `payrun calc`
    # (payrun.services.schema.employee), validated before it is stored.
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # direct deposit
    bank_routing: Mapped[str] = mapped_column(String(9))
    bank_account_enc: Mapped[bytes] = mapped_column(LargeBinary)
    bank_account_last4: Mapped[str] = mapped_column(String(4))
    bank_account_type: Mapped[str] = mapped_column(String(8), default="checking")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    address_street: Mapped[str | None] = mapped_column(String(120), nullable=True)
    address_city: Mapped[str | None] = mapped_column(String(60), nullable=True)
    address_postal_code: Mapped[str | None] = mapped_column(String(10), nullable=True)


class TimeEntry(Base):
    __tablename__ = "time_entries"
    __table_args__ = (UniqueConstraint("employee_id", "work_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    work_date: Mapped[date] = mapped_column(Date)
    hours_hundredths: Mapped[int] = mapped_column(Integer)  # 8.25 h -> 825, exact


class PayRun(Base):
    __tablename__ = "pay_runs"
    __table_args__ = (UniqueConstraint("pay_period_id", "kind"),)
    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # the workflow id
    pay_period_id: Mapped[int] = mapped_column(ForeignKey("pay_periods.id"))
    kind: Mapped[str] = mapped_column(String(32), default="regular")  # regular|offcycle-...
    status: Mapped[str] = mapped_column(String(24), default="BEGIN")
    employer_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # empty = all
    snapshot_ref: Mapped[str | None] = mapped_column(String(500), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class EmployerStatus(Base):
    __tablename__ = "employer_status"
    __table_args__ = (UniqueConstraint("run_id", "employer_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("pay_runs.id"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    status: Mapped[str] = mapped_column(String(24))
    employee_count: Mapped[int] = mapped_column(Integer, default=0)
    snapshot_ref: Mapped[str | None] = mapped_column(String(500), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EmployeeStatus(Base):
    """One row per employee per run; a timestamp column per transition keeps the history.
    On PostgreSQL its pages are half filled (migration 0003), so the step updates, which
    touch no indexed column, are written in place."""

    __tablename__ = "employee_status"
    __table_args__ = (
        UniqueConstraint("run_id", "employee_id"),
        Index("ix_employee_status_run_employer", "run_id", "employer_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(120))
    employer_id: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24))
    error_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    begin_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    time_entered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    gross_calculated_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    taxed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    retirement_done_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    net_calculated_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    validated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    payment_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    compensated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    dead_lettered_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


class StatusEvent(Base):
    """Employer- and run-level transitions with their time (employees: see EmployeeStatus)."""

    __tablename__ = "status_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(120), index=True)
    employer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Paycheck(Base):
    __tablename__ = "paychecks"
    __table_args__ = (
        # At most one live (not voided) paycheck per employee, period and run kind.
        Index(
            "uq_paycheck_once",
            "employee_id",
            "pay_period_id",
            "kind",
            unique=True,
            sqlite_where=text("status <> 'VOIDED'"),
            postgresql_where=text("status <> 'VOIDED'"),
        ),
        Index("ix_paychecks_run_employer", "run_id", "employer_id", "status"),
        Index("ix_paychecks_payment", "payment_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160))  # {kind}-{period}-{employee}
    payment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    run_id: Mapped[str] = mapped_column(String(120))
    employer_id: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int] = mapped_column(Integer)
    pay_period_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    pay_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="CALCULATED")
    gross_cents: Mapped[int] = mapped_column(Cents)
    employee_taxes_cents: Mapped[int] = mapped_column(Cents)
    employer_taxes_cents: Mapped[int] = mapped_column(Cents)
    deductions_cents: Mapped[int] = mapped_column(Cents)
    net_cents: Mapped[int] = mapped_column(Cents)
    federal_income_tax_cents: Mapped[int] = mapped_column(Cents, default=0)
    social_security_cents: Mapped[int] = mapped_column(Cents, default=0)
    medicare_cents: Mapped[int] = mapped_column(Cents, default=0)
    state_income_tax_cents: Mapped[int] = mapped_column(Cents, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaycheckDetail(Base):
    """What a paycheck shows and what it added to YTD: written once with it, read for stubs and
    voids. Kept apart so the paycheck row itself stays small for its status updates."""

    __tablename__ = "paycheck_details"
    paycheck_id: Mapped[int] = mapped_column(ForeignKey("paychecks.id"), primary_key=True)
    lines: Mapped[list[Any]] = mapped_column(JSON)  # [{kind, code, description, cents, ytd_cents}]
    ytd_after: Mapped[dict[str, Any]] = mapped_column(JSON)  # cents per accumulator
    ytd_delta: Mapped[dict[str, Any]] = mapped_column(JSON)  # what it added; a void undoes it


class YtdAccumulator(Base):
    __tablename__ = "ytd_accumulators"
    __table_args__ = (UniqueConstraint("employee_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    amounts: Mapped[dict[str, Any]] = mapped_column(JSON)  # accumulator -> cents
    last_paycheck_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Payment(Base):
    """One employer's money movement for one run. Each paycheck joins at most one live payment."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("run_id", "employer_id", "sequence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    run_id: Mapped[str] = mapped_column(String(120))
    employer_id: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    provider: Mapped[str] = mapped_column(String(32))
    provider_reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # PENDING|SENT|PAID|REJECTED|CANCELLED
    entry_count: Mapped[int] = mapped_column(Integer)
    credit_total_cents: Mapped[int] = mapped_column(Cents)
    debit_total_cents: Mapped[int] = mapped_column(Cents)
    nacha_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Funding before credits (migration 0006): the debit's own file and SENT|SETTLED|HELD.
    funding_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    funding_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DeadLetter(Base):
    __tablename__ = "dead_letters"
    __table_args__ = (
        UniqueConstraint("run_id", "employer_id", "employee_id", "step", name="uq_dead_letter"),
        Index("ix_dead_letters_status", "status", "error_type"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(120))
    employer_id: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int] = mapped_column(Integer, default=0)  # 0 = the employer as a whole
    step: Mapped[str] = mapped_column(String(32))
    error_type: Mapped[str] = mapped_column(String(32))
    error: Mapped[str] = mapped_column(Text)
    payload_ref: Mapped[str | None] = mapped_column(String(500), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="OPEN")  # OPEN|RESOLVED|SKIPPED
    resolution: Mapped[str | None] = mapped_column(String(32), nullable=True)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class NotificationRecord(Base):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(48))
    run_id: Mapped[str] = mapped_column(String(120))
    employer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # PENDING|SENT|FAILED
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "action", "subject"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # API calls
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # ok|rejected|error


# The rest of the model, named here too so every table is one import away.
from payrun.adapters.db.models_more import (  # noqa: E402
    ApiKey,
    ApiRequest,
    EmployeeChange,
    FilingOutbox,
    FilingStatus,
    RecoveryCase,
    Repayment,
    YtdAdjustment,
)

__all__ = [
    "ApiKey",
    "ApiRequest",
    "Base",
    "Cents",
    "EmployeeChange",
    "FilingOutbox",
    "FilingStatus",
    "RecoveryCase",
    "Repayment",
    "YtdAdjustment",
]
