"""Adding one employee (the CLI's `employee add`; an import or the API call the same)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from payrun.domain.errors import InvalidInput
from payrun.services.employees import validate_employee_row
from payrun.services.ports import Encrypter
from payrun.services.records import NewEmployee
from payrun.services.schema.employee import parse_employee, profile
from payrun.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class HireEmployee:
    employer_id: int
    external_id: str
    first_name: str
    last_name: str
    ssn: str
    pay_type: str
    rate: str  # dollars: annual salary or hourly rate, an exact decimal string
    routing: str
    account: str
    state: str
    birth_date: date | None = None
    hire_date: date | None = None
    filing_status: str = "single"
    account_type: str = "checking"


def rate_cents(rate: str) -> int:
    try:
        amount = Decimal(rate) * 100
    except InvalidOperation:
        raise InvalidInput("--rate", f"is not a number: {rate!r}") from None
    if not amount.is_finite():
        raise InvalidInput("--rate", f"is not a number: {rate!r}")
    if amount < 0:
        raise InvalidInput("--rate", "must not be negative")
    if amount != amount.to_integral_value():
        raise InvalidInput("--rate", "must be whole cents")
    return int(amount)


def hire(uow: UnitOfWork, cmd: HireEmployee, vault: Encrypter, today: date) -> int:
    """Validate everything first, then insert; returns the new employee id."""
    values = {
        "pay_type": cmd.pay_type,
        "rate_cents": rate_cents(cmd.rate),
        "home_state": cmd.state,
        "work_state": cmd.state,
        "bank_routing": cmd.routing,
        "bank_account": cmd.account,
        "bank_account_type": cmd.account_type,
        "ssn": cmd.ssn,
        "profile": _profile(cmd),
    }
    validate_employee_row(values)
    with uow:
        if not uow.employers.exists(cmd.employer_id):
            raise InvalidInput("--employer", f"unknown employer {cmd.employer_id}")
        if uow.employees.external_id_taken(cmd.employer_id, cmd.external_id):
            raise InvalidInput("--external-id", f"{cmd.external_id!r} already exists")
        ssn = cmd.ssn.replace("-", "")
        new_id = uow.employees.add(
            NewEmployee(
                employer_id=cmd.employer_id,
                external_id=cmd.external_id,
                first_name=cmd.first_name,
                last_name=cmd.last_name,
                ssn_enc=vault.encrypt(ssn),
                ssn_last4=ssn[-4:],
                hire_date=cmd.hire_date or today,
                home_state=cmd.state,
                work_state=cmd.state,
                pay_type=cmd.pay_type,
                rate_cents=values["rate_cents"],
                profile=values["profile"],
                bank_routing=cmd.routing,
                bank_account_enc=vault.encrypt(cmd.account),
                bank_account_last4=cmd.account[-4:],
                bank_account_type=cmd.account_type,
            )
        )
        uow.commit()
    return new_id


def _profile(cmd: HireEmployee) -> dict[str, object]:
    """The employee object (payrun.services.schema) this command's few fields describe."""
    data: dict[str, object] = {"w4": {"filing_status": cmd.filing_status}}
    if cmd.birth_date is not None:
        data["birth_date"] = cmd.birth_date.isoformat()
    return profile(parse_employee(data))
