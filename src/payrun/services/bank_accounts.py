"""An employee's direct-deposit account changes: by an operator after a return, or by a
notification of change (C01-C03) from the bank. Every change is audited (last 4 only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from payrun.adapters.db.models import AuditLog, Employee
from payrun.domain.ach.routing import validate_routing
from payrun.domain.errors import InvalidInput
from payrun.services.context import PayrollContext

ACCOUNT_TYPES = ("checking", "savings")


def change_bank_account(
    ctx: PayrollContext,
    session: Any,
    employee_id: int,
    *,
    routing: str | None,
    account: str | None,
    account_type: str | None = None,
    actor: str,
    now: datetime,
) -> Employee:
    """Validate, then write the new routing/account/type (None keeps the old one)."""
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise InvalidInput("--employee", f"no employee {employee_id}")
    if routing is not None:
        validate_routing(routing, "routing")
        employee.bank_routing = routing
    if account is not None:
        if not (4 <= len(account) <= 17 and account.isascii() and account.isalnum()):
            raise InvalidInput("account", "must be 4 to 17 letters or digits")
        employee.bank_account_enc = ctx.vault.encrypt(account)
        employee.bank_account_last4 = account[-4:]
    if account_type is not None:
        if account_type not in ACCOUNT_TYPES:
            raise InvalidInput("account_type", f"must be checking or savings, got {account_type!r}")
        employee.bank_account_type = account_type
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            action="employee.bank_account",
            subject=f"employee-{employee_id}",
            details={
                "routing": employee.bank_routing,
                "account_last4": employee.bank_account_last4,
                "account_type": employee.bank_account_type,
            },
        )
    )
    return employee  # type: ignore[no-any-return]
