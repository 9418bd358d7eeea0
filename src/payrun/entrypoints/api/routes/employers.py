"""/v1/employers: create (admin), read and list (viewer), change (admin)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from payrun.entrypoints.api.auth import in_scope
from payrun.entrypoints.api.deps import (
    Admin,
    Context,
    IdempotencyKey,
    ReadingUow,
    Uow,
    Viewer,
    audit_detail,
)
from payrun.entrypoints.api.idempotency import once
from payrun.entrypoints.api.problems import Problem
from payrun.entrypoints.api.schemas import (
    AccountNumber,
    City,
    CompanyName,
    Email,
    Id,
    Limit,
    MoneyText,
    Page,
    PostalCode,
    Public,
    Routing,
    StateCode,
    Street,
    Strict,
    Url,
    decode_cursor,
    money,
    page,
)
from payrun.services import employers as svc
from payrun.services import registrations
from payrun.services.schema import EmployerModel

router = APIRouter(prefix="/v1/employers", tags=["employers"])


class PayScheduleIn(Strict):
    frequency: Literal["weekly", "biweekly", "semimonthly", "monthly"]
    first_period_start: Annotated[date, Field(strict=False)]


AccountType = Literal["checking", "savings"]


class AccountIn(Strict):
    routing: Routing
    account: AccountNumber
    type: AccountType = "checking"


class AccountChange(Strict):
    """Routing and account change together; the type alone may change (unchanged if absent)."""

    routing: Routing | None = None
    account: AccountNumber | None = None
    type: AccountType | None = None


class AddressIn(Strict):
    """The whole address (its state is the work state)."""

    street: Street
    city: City
    postal_code: PostalCode


class FundingTrustIn(Strict):
    """Whether credits may go before the debit settles, up to the exposure limit; a field left
    out is false / 0.00 on create and unchanged on a change."""

    prefunded: bool | None = None
    exposure_limit: MoneyText | None = None


class StateRegistrationIn(Strict):
    """A state payroll tax account: California's EDD number is 8 digits (123-4567-8 or
    12345678); another state's 1 to 20 letters, digits or hyphens. The UI rate is a pay
    setting (pay_settings.ca_ui_rate / sui_rate), not part of the registration."""

    state: StateCode
    account_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


# At most one registration a state (51 codes): a longer list cannot be right.
StateRegistrations = Annotated[list[StateRegistrationIn], Field(max_length=51)]


class EmployerCreate(Strict):
    name: CompanyName
    ein: Annotated[str, Field(pattern=r"^[0-9]{2}-[0-9]{7}$")]
    work_state: StateCode
    pay_schedule: PayScheduleIn
    funding_account: AccountIn
    validation_policy: Literal["hold", "partial"] = "hold"
    webhook_url: Url | None = None
    notify_email: Email | None = None
    pay_settings: EmployerModel | None = None
    address: AddressIn | None = None
    funding_trust: FundingTrustIn | None = None
    state_registrations: StateRegistrations | None = None


class EmployerChange(Strict):
    name: CompanyName | None = None
    funding_account: AccountChange | None = None
    validation_policy: Literal["hold", "partial"] | None = None
    webhook_url: Url | None = None
    notify_email: Email | None = None
    pay_settings: EmployerModel | None = None
    active: bool | None = None
    address: AddressIn | None = None
    funding_trust: FundingTrustIn | None = None
    state_registrations: StateRegistrations | None = None  # replaces the whole list


class ScheduleOut(Public):
    name: str
    frequency: str
    first_period_start: date


class AccountOut(Public):
    routing: str
    account_last4: str
    type: str


class AddressOut(Public):
    street: str
    city: str
    postal_code: str


class FundingTrustOut(Public):
    prefunded: bool
    exposure_limit: str


class StateRegistrationOut(Public):
    state: str
    account_number: str  # California's as NNN-NNNN-N


class EmployerOut(Public):
    id: int
    name: str
    ein: str
    work_state: str
    pay_schedule: ScheduleOut
    funding_account: AccountOut
    validation_policy: str
    webhook_url: str | None
    notify_email: str | None
    pay_settings: dict[str, Any]
    active: bool
    address: AddressOut | None
    funding_trust: FundingTrustOut
    state_registrations: list[StateRegistrationOut]


def _out(view: svc.EmployerView) -> EmployerOut:
    return EmployerOut(
        id=view.id,
        name=view.name,
        ein=view.ein,
        work_state=view.work_state,
        pay_schedule=ScheduleOut(
            name=view.schedule, frequency=view.frequency, first_period_start=view.first_period_start
        ),
        funding_account=AccountOut(
            routing=view.funding_routing,
            account_last4=view.funding_account_last4,
            type=view.funding_account_type,
        ),
        validation_policy=view.validation_policy,
        webhook_url=view.webhook_url,
        notify_email=view.notify_email,
        pay_settings=view.pay_settings,
        active=view.active,
        address=_address_out(view),
        funding_trust=FundingTrustOut(
            prefunded=view.prefunded, exposure_limit=money(view.exposure_limit_cents)
        ),
        state_registrations=[
            StateRegistrationOut(state=r.state, account_number=r.account_number)
            for r in registrations.shown(view.state_registrations)
        ],
    )


def _address_out(view: svc.EmployerView) -> AddressOut | None:
    if view.address_street is None or view.address_city is None:
        return None
    return AddressOut(
        street=view.address_street,
        city=view.address_city,
        postal_code=view.address_postal_code or "",
    )


def _address(body: AddressIn | None) -> svc.Address | None:
    return None if body is None else svc.Address(body.street, body.city, body.postal_code)


def _limit(trust: FundingTrustIn | None) -> Decimal | None:
    return None if trust is None or trust.exposure_limit is None else Decimal(trust.exposure_limit)


def _audit_trust(request: Request, trust: FundingTrustIn | None) -> None:
    """A change of funding trust is a risk decision: its audit record says what was asked."""
    if trust is not None:
        audit_detail(request, funding_trust=trust.model_dump(exclude_none=True))


def _registrations(
    body: list[StateRegistrationIn] | None, request: Request
) -> tuple[registrations.StateRegistration, ...] | None:
    """The registrations sent, as the service takes them; the audit record keeps what was
    asked (the numbers are not secret: every DE 9 prints California's)."""
    if body is None:
        return None
    asked = tuple(registrations.StateRegistration(r.state, r.account_number) for r in body)
    audit_detail(request, state_registrations=[[r.state, r.account_number] for r in asked])
    return asked


def _settings(model: EmployerModel | None) -> dict[str, Any]:
    return {} if model is None else model.model_dump(mode="json")


@router.post("", status_code=201, response_model=EmployerOut)
async def create_employer(
    body: EmployerCreate,
    who: Admin,
    ctx: Context,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Add an employer (201). With an Idempotency-Key, a retry gets the first answer."""
    if who.employer_ids is not None:
        raise Problem(403, "forbidden", "a key limited to some employers cannot add employers")
    trust = body.funding_trust
    cmd = svc.CreateEmployer(
        name=body.name,
        ein=body.ein,
        work_state=body.work_state,
        frequency=body.pay_schedule.frequency,
        first_period_start=body.pay_schedule.first_period_start,
        routing=body.funding_account.routing,
        account=body.funding_account.account,
        account_type=body.funding_account.type,
        validation_policy=body.validation_policy,
        webhook_url=body.webhook_url,
        notify_email=body.notify_email,
        pay_settings=_settings(body.pay_settings),
        address=_address(body.address),
        prefunded=bool(trust and trust.prefunded),
        exposure_limit=_limit(trust) or Decimal(0),
        state_registrations=_registrations(body.state_registrations, request) or (),
    )

    async def work() -> EmployerOut:
        _audit_trust(request, trust)
        view = await run_in_threadpool(svc.create_employer, uow, cmd, ctx.vault)
        audit_detail(request, employer_id=view.id)
        return _out(view)

    sent = body.model_dump(mode="json")
    return await once(
        request, ctx, who, "employer.create", idempotency_key, sent, 201, work, required=False
    )


@router.get("")
def list_employers(
    who: Viewer,
    uow: ReadingUow,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
) -> Page[EmployerOut]:
    views = svc.list_employers(uow, decode_cursor(cursor), limit + 1, who.employer_ids)
    return Page[EmployerOut](**page([_out(v) for v in views], [v.id for v in views], limit))


@router.get("/{employer_id}")
def get_employer(employer_id: Id, who: Viewer, uow: ReadingUow) -> EmployerOut:
    in_scope(who, employer_id, "employer", employer_id)
    return _out(svc.get_employer(uow, employer_id))


@router.patch("/{employer_id}")
def change_employer(
    employer_id: Id, body: EmployerChange, who: Admin, ctx: Context, uow: Uow, request: Request
) -> EmployerOut:
    in_scope(who, employer_id, "employer", employer_id)
    account, trust = body.funding_account, body.funding_trust
    cmd = svc.ChangeEmployer(
        name=body.name,
        validation_policy=body.validation_policy,
        webhook_url=body.webhook_url,
        notify_email=body.notify_email,
        routing=account.routing if account else None,
        account=account.account if account else None,
        account_type=account.type if account else None,
        pay_settings=None if body.pay_settings is None else _settings(body.pay_settings),
        active=body.active,
        address=_address(body.address),
        prefunded=trust.prefunded if trust else None,
        exposure_limit=_limit(trust),
        state_registrations=_registrations(body.state_registrations, request),
    )
    audit_detail(request, changed=sorted(body.model_fields_set))
    _audit_trust(request, trust)
    return _out(svc.change_employer(uow, employer_id, cmd, ctx.vault))
