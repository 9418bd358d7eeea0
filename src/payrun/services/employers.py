"""Employers: created with their pay calendar and funding account, read, changed, listed.

The funding account is checking (debited with Nacha code 27) or savings (37). The address's
state is the work state. The funding trust (`prefunded`, `exposure_limit`) lets a trusted
employer's credits go before its debit settles, up to the limit (services.funding_first).

`pay_settings` is the calculator's `employer` object (payrun.services.schema.EmployerModel: UI
rate, FUTA credit reduction, 401(k) match ...), validated by the model `payrun calc` uses and
stored whole as `employers.pay_settings`; the UI rate is set there, not with the employer's
state registrations (payrun.services.registrations: the CA EDD account number and the like,
whose list a change replaces whole).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from payrun.domain.ach.routing import validate_routing
from payrun.domain.calendar import periods_for_year
from payrun.domain.errors import InvalidInput
from payrun.domain.money import whole_cents
from payrun.services.employees import US_STATES
from payrun.services.errors import Conflict, NotFound
from payrun.services.records import EmployerChanges, EmployerView, NewEmployer, NewSchedule
from payrun.services.registrations import StateRegistration
from payrun.services.registrations import checked as checked_registrations
from payrun.services.schema import parse_employer_settings
from payrun.services.schema import settings as stored_settings
from payrun.services.unit_of_work import UnitOfWork

FREQUENCIES = ("weekly", "biweekly", "semimonthly", "monthly")
POLICIES = ("hold", "partial")
DEFAULT_ODFI = "021000021"  # the originating bank of the platform's ACH files
_EIN = re.compile(r"^[0-9]{2}-[0-9]{7}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{4,17}$")
ACCOUNT_TYPES = ("checking", "savings")
_ZIP = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")  # ZIP or ZIP+4
MAX_EXPOSURE = Decimal("999999999.99")
_LIMIT = "funding_trust.exposure_limit"


@dataclass(frozen=True)
class Address:
    """Where the employer is (printed on pay stubs); its state is the employer's work state."""

    street: str
    city: str
    postal_code: str


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
    account_type: str = "checking"
    address: Address | None = None
    prefunded: bool = False
    exposure_limit: Decimal = Decimal(0)
    state_registrations: tuple[StateRegistration, ...] = ()


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
    account_type: str | None = None
    address: Address | None = None
    prefunded: bool | None = None
    exposure_limit: Decimal | None = None
    state_registrations: tuple[StateRegistration, ...] | None = None  # replaces the whole list


def create_employer(uow: UnitOfWork, cmd: CreateEmployer, vault: Any) -> EmployerView:
    _check(cmd.ein, cmd.work_state, cmd.validation_policy, cmd.routing, cmd.account)
    _check_account_type(cmd.account_type)
    address = _address(cmd.address)
    exposure_limit_cents = _exposure_cents(cmd.exposure_limit)
    registrations = checked_registrations(cmd.state_registrations)
    with uow:
        if uow.employers.ein_taken(cmd.ein):
            raise Conflict("ein", f"an employer with EIN {cmd.ein} exists")
        schedule_id = _schedule_for(uow, cmd.frequency, cmd.first_period_start)
        pay_settings = _pay_settings(cmd.pay_settings)
        employer_id = uow.employers.add(
            NewEmployer(
                ein=cmd.ein,
                name=cmd.name,
                work_state=cmd.work_state,
                schedule_id=schedule_id,
                funding_routing=cmd.routing,
                funding_account_enc=vault.encrypt(cmd.account),
                funding_account_last4=cmd.account[-4:],
                ach_company_id="1" + cmd.ein.replace("-", ""),
                odfi_routing=DEFAULT_ODFI,
                validation_policy=cmd.validation_policy,
                webhook_url=cmd.webhook_url,
                notify_email=cmd.notify_email,
                pay_settings=pay_settings,
                funding_account_type=cmd.account_type,
                address_street=address[0],
                address_city=address[1],
                address_postal_code=address[2],
                prefunded=cmd.prefunded,
                exposure_limit_cents=exposure_limit_cents,
                state_registrations=registrations,
            )
        )
        view = _found(uow, employer_id)
        uow.commit()
    return view


def change_employer(
    uow: UnitOfWork, employer_id: int, cmd: ChangeEmployer, vault: Any
) -> EmployerView:
    if cmd.validation_policy is not None and cmd.validation_policy not in POLICIES:
        raise InvalidInput("validation_policy", f"must be one of {', '.join(POLICIES)}")
    if (cmd.routing is None) != (cmd.account is None):
        raise InvalidInput("funding_account", "send routing and account together")
    if cmd.routing is not None and cmd.account is not None:
        _check_account("funding_account", cmd.routing, cmd.account)
    if cmd.account_type is not None:
        _check_account_type(cmd.account_type)
    address = _address(cmd.address)
    limit = None if cmd.exposure_limit is None else _exposure_cents(cmd.exposure_limit)
    registrations = cmd.state_registrations
    stored_registrations = None if registrations is None else checked_registrations(registrations)
    with uow:
        _found(uow, employer_id)
        pay_settings = None if cmd.pay_settings is None else _pay_settings(cmd.pay_settings)
        account = cmd.account
        uow.employers.change(
            employer_id,
            EmployerChanges(
                name=cmd.name,
                validation_policy=cmd.validation_policy,
                webhook_url=cmd.webhook_url,
                notify_email=cmd.notify_email,
                active=cmd.active,
                funding_routing=cmd.routing,
                funding_account_enc=None if account is None else vault.encrypt(account),
                funding_account_last4=None if account is None else account[-4:],
                funding_account_type=cmd.account_type,
                pay_settings=pay_settings,
                address_street=address[0],
                address_city=address[1],
                address_postal_code=address[2],
                prefunded=cmd.prefunded,
                exposure_limit_cents=limit,
                state_registrations=stored_registrations,
            ),
        )
        view = _found(uow, employer_id)
        uow.commit()
    return view


def get_employer(uow: UnitOfWork, employer_id: int) -> EmployerView:
    with uow:
        return _found(uow, employer_id)


def list_employers(
    uow: UnitOfWork, after_id: int, limit: int, only: frozenset[int] | None
) -> list[EmployerView]:
    with uow:
        return uow.employers.page(after_id, limit, only)


def _found(uow: UnitOfWork, employer_id: int) -> EmployerView:
    view = uow.employers.view(employer_id)
    if view is None:
        raise NotFound("employer", employer_id)
    return view


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


def _check_account_type(account_type: str) -> None:
    if account_type not in ACCOUNT_TYPES:
        raise InvalidInput("funding_account.type", f"must be one of {', '.join(ACCOUNT_TYPES)}")


def _address(address: Address | None) -> tuple[str | None, str | None, str | None]:
    """The address as stored (street, city, postal code), checked; no address: three Nones."""
    if address is None:
        return None, None, None
    street, city = address.street.strip(), address.city.strip()
    if not 1 <= len(street) <= 120:
        raise InvalidInput("address.street", "must be 1 to 120 characters")
    if not 1 <= len(city) <= 60:
        raise InvalidInput("address.city", "must be 1 to 60 characters")
    if not _ZIP.match(address.postal_code):
        raise InvalidInput("address.postal_code", "must be a ZIP code, NNNNN or NNNNN-NNNN")
    return street, city, address.postal_code


def _exposure_cents(limit: Decimal) -> int:
    """The exposure limit in whole cents: not negative, at most two decimals."""
    if not limit.is_finite():
        raise InvalidInput(_LIMIT, f"must be a finite amount, got {limit}")
    if limit < 0:
        raise InvalidInput(_LIMIT, f"must not be negative, got {limit}")
    if limit > MAX_EXPOSURE:
        raise InvalidInput(_LIMIT, f"must be at most {MAX_EXPOSURE}, got {limit}")
    try:
        return whole_cents(limit)
    except ValueError:
        raise InvalidInput(_LIMIT, f"must be whole cents (two decimals), got {limit}") from None


def _schedule_for(uow: UnitOfWork, frequency: str, first_start: date) -> int:
    """The pay calendar with this frequency and first period, made (with its periods for the
    first period's year and the next) if there is none."""
    if frequency not in FREQUENCIES:
        raise InvalidInput("pay_schedule.frequency", f"must be one of {', '.join(FREQUENCIES)}")
    found = uow.schedules.find(frequency, first_start)
    if found is not None:
        return found
    delay = 6 if frequency in ("weekly", "biweekly") else 5
    periods = [
        period
        for year in (first_start.year, first_start.year + 1)
        for period in periods_for_year(frequency, first_start, year, delay)
    ]
    return uow.schedules.add(
        NewSchedule(
            name=f"{frequency}-{first_start.isoformat()}",
            frequency=frequency,
            first_period_start=first_start,
            pay_delay_days=delay,
            periods=tuple(periods),
        )
    )


def _pay_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The employer object of the one schema, validated, stored whole."""
    return stored_settings(parse_employer_settings(settings, "pay_settings"))
