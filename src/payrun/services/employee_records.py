"""Employees as the API and the CLI's import take them: the calc `employee` object (the one
schema, stored whole as `employees.profile`) and, beside it, who the person is, how they are
paid and where the money goes. Every check runs before anything is written; a batch (an import
file) is written whole or not at all."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
)
from sqlalchemy import select

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import Employee, Employer
from payrun.adapters.db.models import EmployeeChange as ChangeRow
from payrun.domain.errors import InvalidInput
from payrun.services.employees import validate_employee_row
from payrun.services.errors import Conflict, NotFound
from payrun.services.records import NewEmployee
from payrun.services.schema import EmployeeModel, profile
from payrun.services.schema.amounts import Cents, invalid_input
from payrun.services.schema.employee import check_employee
from payrun.services.unit_of_work import UnitOfWork

MAX_SALARY = Decimal("100000000.00")  # a year; anything above is a typing error
MAX_HOURLY_RATE = Decimal("100000.00")
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)

PersonName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=60,
        pattern=r"^[\p{L}\p{M}]+(?:[ '.\-][\p{L}\p{M}]+)*\.?$",
    ),
]
ExternalId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,15}$")]
StateCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


def _iso_day(value: Any) -> Any:
    """A day is an ISO date string (a number would be read as a Unix timestamp)."""
    if isinstance(value, date) or (isinstance(value, str) and len(value) == 10):
        return value
    raise ValueError("must be a date YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_day), Field(ge=EARLIEST, le=LATEST)]


class _Edge(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PayModel(_Edge):
    """Exactly one: an annual salary or an hourly rate, in dollars."""

    salary: Cents | None = None
    hourly_rate: Cents | None = None


class BankAccountModel(_Edge):
    routing: Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
    account: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{4,17}$")]
    type: Literal["checking", "savings"] = "checking"


class EmployeeRecord(_Edge):
    external_id: ExternalId
    first_name: PersonName
    last_name: PersonName
    ssn: Annotated[str, StringConstraints(max_length=11)]
    work_state: StateCode
    home_state: StateCode | None = None
    hire_date: Day
    pay: PayModel
    bank_account: BankAccountModel
    employee: EmployeeModel = EmployeeModel()
    terminated_on: Day | None = None


class EmployeeChange(_Edge):
    """Only the fields given change; `employee` replaces the whole calc object."""

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    work_state: StateCode | None = None
    home_state: StateCode | None = None
    pay: PayModel | None = None
    bank_account: BankAccountModel | None = None
    employee: EmployeeModel | None = None
    terminated_on: Day | None = None
    active: StrictBool | None = None
    effective_from: Day | None = None


def parse_record(data: Any, prefix: str = "") -> EmployeeRecord:
    """Validate one record from a file or a CLI (the API's body is the same model)."""
    try:
        return EmployeeRecord.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error, prefix) from None


def _pay(pay: PayModel, field: str = "pay") -> tuple[str, int]:
    if (pay.salary is None) == (pay.hourly_rate is None):
        raise InvalidInput(field, "send exactly one of salary (annual) or hourly_rate")
    if pay.salary is not None:
        if pay.salary > MAX_SALARY:
            raise InvalidInput(f"{field}.salary", f"must be at most {MAX_SALARY}")
        return "salary", int(pay.salary * 100)
    assert pay.hourly_rate is not None
    if pay.hourly_rate > MAX_HOURLY_RATE:
        raise InvalidInput(f"{field}.hourly_rate", f"must be at most {MAX_HOURLY_RATE}")
    return "hourly", int(pay.hourly_rate * 100)


def _row(record: EmployeeRecord, vault: Any, prefix: str = "") -> dict[str, Any]:
    """The checked `employees` row of a record (secrets encrypted)."""
    pay_type, rate = _pay(record.pay, f"{prefix}pay")
    check_employee(record.employee, f"{prefix}employee")
    if record.terminated_on is not None and record.terminated_on < record.hire_date:
        raise InvalidInput(f"{prefix}terminated_on", "is before hire_date")
    values = {
        "pay_type": pay_type,
        "rate_cents": rate,
        "home_state": record.home_state or record.work_state,
        "work_state": record.work_state,
        "bank_routing": record.bank_account.routing,
        "bank_account": record.bank_account.account,
        "bank_account_type": record.bank_account.type,
        "ssn": record.ssn,
        "profile": profile(record.employee),
    }
    try:
        validate_employee_row(values)
    except InvalidInput as error:
        raise InvalidInput(
            prefix + _API_FIELD.get(error.field, error.field), error.problem
        ) from None
    ssn = record.ssn.replace("-", "")  # stored as its nine digits, as hire() stores it
    return {
        "external_id": record.external_id,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "ssn_enc": vault.encrypt(ssn),
        "ssn_last4": ssn[-4:],
        "hire_date": record.hire_date,
        "terminated_on": record.terminated_on,
        "home_state": values["home_state"],
        "work_state": record.work_state,
        "pay_type": pay_type,
        "rate_cents": rate,
        "profile": values["profile"],
        "bank_routing": record.bank_account.routing,
        "bank_account_enc": vault.encrypt(record.bank_account.account),
        "bank_account_last4": record.bank_account.account[-4:],
        "bank_account_type": record.bank_account.type,
    }


_API_FIELD = {
    "bank_routing": "bank_account.routing",
    "bank_account": "bank_account.account",
    "bank_account_type": "bank_account.type",
    "rate_cents": "pay",
}


class _NoVault:
    """Checking a record needs no encryption."""

    def encrypt(self, text: str) -> bytes:
        return b""


def check_records(records: Sequence[Any]) -> list[tuple[int, InvalidInput]]:
    """Every bad row of a batch (index, the first problem of that row), nothing written."""
    bad = []
    seen: set[str] = set()
    for index, data in enumerate(records):
        try:
            record = parse_record(data)
            _row(record, _NoVault())
            if record.external_id in seen:
                raise InvalidInput("external_id", f"{record.external_id!r} appears twice")
            seen.add(record.external_id)
        except InvalidInput as error:
            bad.append((index, error))
    return bad


def add_employees(
    uow: UnitOfWork, employer_id: int, records: Sequence[EmployeeRecord], vault: Any
) -> list[int]:
    """Check every record (naming `<index>.field` when there are several), then insert all
    through the unit of work: all of them or none."""
    where = (lambda index: f"{index}.") if len(records) > 1 else (lambda index: "")
    rows = [_row(record, vault, where(i)) for i, record in enumerate(records)]
    externals = [r["external_id"] for r in rows]
    if len(set(externals)) != len(externals):
        raise InvalidInput("external_id", "appears twice in the batch")
    with uow:
        if not uow.employers.exists(employer_id):
            raise NotFound("employer", employer_id)
        for external_id in externals:
            if uow.employees.external_id_taken(employer_id, external_id):
                raise Conflict(
                    "external_id", f"{external_id!r} is already an employee of this employer"
                )
        ids = [uow.employees.add(NewEmployee(employer_id=employer_id, **row)) for row in rows]
        uow.commit()
    return ids


def change_employee(
    db_url: str, employee_id: int, change: EmployeeChange, vault: Any, now: datetime
) -> date | None:
    """The stored record with the given fields replaced, checked whole. Written back now, or,
    with `effective_from` after today, kept until a pay run opens a period starting on or after
    that day (returned then; checked now as well)."""
    given = change.model_dump(mode="json", exclude_unset=True)
    effective = change.effective_from
    given.pop("effective_from", None)
    with transaction(db_url) as session:
        employee = session.get(Employee, employee_id)
        if employee is None:
            raise NotFound("employee", employee_id)
        if effective is not None and effective > now.date():
            _checked_row(employee, given, vault)
            text = json.dumps(given, sort_keys=True)
            session.add(
                ChangeRow(
                    employee_id=employee_id,
                    effective_from=effective,
                    changes_enc=vault.encrypt(text),
                    created_at=now,
                )
            )
            return effective
        _apply(employee, given, vault)
    return None


def apply_due_changes(session: Any, vault: Any, employer_id: int, day: date, now: datetime) -> int:
    """Apply, oldest first, the changes of this employer's employees effective by `day` (a pay
    run's period start), inside the caller's transaction. One that no longer makes a valid
    employee is closed with its error instead of holding the pay run up."""
    due = session.scalars(
        select(ChangeRow)
        .join(Employee, Employee.id == ChangeRow.employee_id)
        .where(
            Employee.employer_id == employer_id,
            ChangeRow.applied_at.is_(None),
            ChangeRow.effective_from <= day,
        )
        .order_by(ChangeRow.effective_from, ChangeRow.id)
    ).all()
    for change in due:
        employee = session.get(Employee, change.employee_id)
        try:
            _apply(employee, json.loads(vault.decrypt(change.changes_enc)), vault)
        except InvalidInput as error:
            change.error = str(error)[:2000]
        change.applied_at = now
    return len(due)


def _checked_row(employee: Employee, given: dict[str, Any], vault: Any) -> dict[str, Any]:
    fields = {k: v for k, v in given.items() if k != "active"}
    return _row(parse_record({**_current(employee, vault), **fields}), vault)


def _apply(employee: Employee, given: dict[str, Any], vault: Any) -> None:
    for name, value in _checked_row(employee, given, vault).items():
        setattr(employee, name, value)
    if given.get("active") is not None:
        employee.active = given["active"]


def _current(employee: Employee, vault: Any) -> dict[str, Any]:
    rate = str(Decimal(employee.rate_cents) / 100)
    return {
        "external_id": employee.external_id,
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "ssn": vault.decrypt(employee.ssn_enc),
        "work_state": employee.work_state,
        "home_state": employee.home_state,
        "hire_date": employee.hire_date.isoformat(),
        "pay": {"salary" if employee.pay_type == "salary" else "hourly_rate": rate},
        "bank_account": {
            "routing": employee.bank_routing,
            "account": vault.decrypt(employee.bank_account_enc),
            "type": employee.bank_account_type,
        },
        "employee": employee.profile or {},
        "terminated_on": employee.terminated_on.isoformat() if employee.terminated_on else None,
    }


@dataclass(frozen=True)
class EmployeeView:
    """What may be shown: secrets as their last 4 only."""

    id: int
    employer_id: int
    external_id: str
    first_name: str
    last_name: str
    ssn_last4: str
    work_state: str
    home_state: str
    hire_date: date
    terminated_on: date | None
    pay: dict[str, str]
    bank_account: dict[str, str]
    employee: dict[str, Any]
    active: bool


def _view(employee: Employee) -> EmployeeView:
    rate = f"{Decimal(employee.rate_cents) / 100:.2f}"
    return EmployeeView(
        id=employee.id,
        employer_id=employee.employer_id,
        external_id=employee.external_id,
        first_name=employee.first_name,
        last_name=employee.last_name,
        ssn_last4=employee.ssn_last4,
        work_state=employee.work_state,
        home_state=employee.home_state,
        hire_date=employee.hire_date,
        terminated_on=employee.terminated_on,
        pay={"salary" if employee.pay_type == "salary" else "hourly_rate": rate},
        bank_account={
            "routing": employee.bank_routing,
            "account_last4": employee.bank_account_last4,
            "type": employee.bank_account_type,
        },
        employee=dict(employee.profile or {}),
        active=employee.active,
    )


def get_employee(db_url: str, employee_id: int) -> EmployeeView:
    with reading(db_url) as session:
        employee = session.get(Employee, employee_id)
        if employee is None:
            raise NotFound("employee", employee_id)
        return _view(employee)


def list_employees(db_url: str, employer_id: int, after_id: int, limit: int) -> list[EmployeeView]:
    with reading(db_url) as session:
        if session.get(Employer, employer_id) is None:
            raise NotFound("employer", employer_id)
        rows = session.scalars(
            select(Employee)
            .where(Employee.employer_id == employer_id, Employee.id > after_id)
            .order_by(Employee.id)
            .limit(limit)
        )
        return [_view(e) for e in rows]


def employer_of(db_url: str, employee_id: int) -> int:
    with reading(db_url) as session:
        employer_id = session.scalar(select(Employee.employer_id).where(Employee.id == employee_id))
    if employer_id is None:
        raise NotFound("employee", employee_id)
    return int(employer_id)
