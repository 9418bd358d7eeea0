"""Employers: created with their pay calendar and funding account, read, changed, listed.

`pay_settings` is the calculator's `employer` object (payrun.services.schema.EmployerModel: UI
rate, FUTA credit reduction, 401(k) match ...), validated by the model `payrun calc` uses and
stored whole as `employers.pay_settings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import Employer, PayPeriod, PaySchedule
from payrun.domain.ach.routing import validate_routing
from payrun.domain.calendar import periods_for_year
from payrun.domain.errors import InvalidInput
from payrun.services.employees import US_STATES
from payrun.services.errors import Conflict, NotFound
from payrun.services.schema import parse_employer_settings
from payrun.services.schema import settings as stored_settings

FREQUENCIES = ("weekly", "biweekly", "semimonthly", "monthly")
POLICIES = ("hold", "partial")
DEFAULT_ODFI = "021000021"  # the originating bank of the platform's ACH files
_EIN = re.compile(r"^[0-9]{2}-[0-9]{7}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{4,17}$")


@dataclass(frozen=True)
class CreateEmployer:
    name: str
    ein: str
    work_state: str
    frequency: str
    first_period_start: date
    routing: str
    account: str
    validation_policy: str = "hold"
    webhook_url: str | None = None
    notify_email: str | None = None
    pay_settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeEmployer:
    """Only the fields given (not None) change."""

    name: str | None = None
    validation_policy: str | None = None
    webhook_url: str | None = None
    notify_email: str | None = None
    routing: str | None = None
    account: str | None = None
    pay_settings: dict[str, Any] | None = None
    active: bool | None = None


@dataclass(frozen=True)
class EmployerView:
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


def create_employer(db_url: str, cmd: CreateEmployer, vault: Any) -> EmployerView:
    _check(cmd.ein, cmd.work_state, cmd.validation_policy, cmd.routing, cmd.account)
    with transaction(db_url) as session:
        if session.scalar(select(Employer.id).where(Employer.ein == cmd.ein)) is not None:
            raise Conflict("ein", f"an employer with EIN {cmd.ein} exists")
        schedule = _schedule_for(session, cmd.frequency, cmd.first_period_start)
        employer = Employer(
            ein=cmd.ein,
            name=cmd.name,
            state=cmd.work_state,
            schedule_id=schedule.id,
            funding_routing=cmd.routing,
            funding_account_enc=vault.encrypt(cmd.account),
            funding_account_last4=cmd.account[-4:],
            ach_company_id="1" + cmd.ein.replace("-", ""),
            odfi_routing=DEFAULT_ODFI,
            validation_policy=cmd.validation_policy,
            webhook_url=cmd.webhook_url,
            notify_email=cmd.notify_email,
            active=True,
        )
        _store_pay_settings(employer, cmd.pay_settings)
        session.add(employer)
        session.flush()
        return _view(employer, schedule)


def change_employer(db_url: str, employer_id: int, cmd: ChangeEmployer, vault: Any) -> EmployerView:
    if cmd.validation_policy is not None and cmd.validation_policy not in POLICIES:
        raise InvalidInput("validation_policy", f"must be one of {', '.join(POLICIES)}")
    if (cmd.routing is None) != (cmd.account is None):
        raise InvalidInput("funding_account", "send routing and account together")
    if cmd.routing is not None and cmd.account is not None:
        _check_account("funding_account", cmd.routing, cmd.account)
    with transaction(db_url) as session:
        employer = _employer(session, employer_id)
        for name in ("name", "validation_policy", "webhook_url", "notify_email", "active"):
            value = getattr(cmd, name)
            if value is not None:
                setattr(employer, name, value)
        if cmd.routing is not None and cmd.account is not None:
            employer.funding_routing = cmd.routing
            employer.funding_account_enc = vault.encrypt(cmd.account)
            employer.funding_account_last4 = cmd.account[-4:]
        if cmd.pay_settings is not None:
            _store_pay_settings(employer, cmd.pay_settings)
        return _view(employer, session.get(PaySchedule, employer.schedule_id))


def get_employer(db_url: str, employer_id: int) -> EmployerView:
    with reading(db_url) as session:
        employer = _employer(session, employer_id)
        return _view(employer, session.get(PaySchedule, employer.schedule_id))


def list_employers(
    db_url: str, after_id: int, limit: int, only: frozenset[int] | None
) -> list[EmployerView]:
    with reading(db_url) as session:
        query = (
            select(Employer, PaySchedule)
            .join(PaySchedule, PaySchedule.id == Employer.schedule_id)
            .where(Employer.id > after_id)
            .order_by(Employer.id)
            .limit(limit)
        )
        if only is not None:
            query = query.where(Employer.id.in_(only))
        return [_view(e, s) for e, s in session.execute(query).all()]


def _employer(session: Session, employer_id: int) -> Employer:
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise NotFound("employer", employer_id)
    return employer


def _check(ein: str, state: str, policy: str, routing: str, account: str) -> None:
    if not _EIN.match(ein):
        raise InvalidInput("ein", "must be NN-NNNNNNN")
    if state not in US_STATES:
        raise InvalidInput("work_state", f"unknown state code {state!r}")
    if policy not in POLICIES:
        raise InvalidInput("validation_policy", f"must be one of {', '.join(POLICIES)}")
    _check_account("funding_account", routing, account)


def _check_account(field_name: str, routing: str, account: str) -> None:
    validate_routing(routing, f"{field_name}.routing")
    if not _ACCOUNT.match(account):
        raise InvalidInput(f"{field_name}.account", "must be 4 to 17 letters or digits")


def _schedule_for(session: Session, frequency: str, first_start: date) -> PaySchedule:
    """The pay calendar with this frequency and first period, made (with its periods for the
    first period's year and the next) if there is none."""
    if frequency not in FREQUENCIES:
        raise InvalidInput("pay_schedule.frequency", f"must be one of {', '.join(FREQUENCIES)}")
    found = session.scalar(
        select(PaySchedule).where(
            PaySchedule.frequency == frequency, PaySchedule.anchor_date == first_start
        )
    )
    if found is not None:
        return found
    delay = 6 if frequency in ("weekly", "biweekly") else 5
    schedule = PaySchedule(
        name=f"{frequency}-{first_start.isoformat()}",
        frequency=frequency,
        anchor_date=first_start,
        pay_delay_days=delay,
        workweek_start=6,
        paused=False,
    )
    session.add(schedule)
    session.flush()
    for year in (first_start.year, first_start.year + 1):
        for period in periods_for_year(frequency, first_start, year, delay):
            session.add(
                PayPeriod(
                    schedule_id=schedule.id,
                    start_date=period.start,
                    end_date=period.end,
                    pay_date=period.pay_date,
                )
            )
    return schedule


def _store_pay_settings(employer: Employer, settings: dict[str, Any]) -> None:
    """The employer object of the one schema, validated, stored whole."""
    employer.pay_settings = stored_settings(parse_employer_settings(settings, "pay_settings"))


def pay_settings_of(employer: Employer) -> dict[str, Any]:
    return dict(employer.pay_settings or {})


def _view(employer: Employer, schedule: PaySchedule | None) -> EmployerView:
    assert schedule is not None
    return EmployerView(
        id=employer.id,
        name=employer.name,
        ein=employer.ein,
        work_state=employer.state,
        schedule=schedule.name,
        frequency=schedule.frequency,
        first_period_start=schedule.anchor_date,
        funding_routing=employer.funding_routing,
        funding_account_last4=employer.funding_account_last4,
        validation_policy=employer.validation_policy,
        webhook_url=employer.webhook_url,
        notify_email=employer.notify_email,
        pay_settings=pay_settings_of(employer),
        active=employer.active,
    )
