"""Pay stubs and payroll receipts, read from the paychecks as they were written (no recompute).

The views and the handlers that scope them live here; the queries that fill them are an
adapter (payrun.adapters.db.documents) behind the DocumentReader port."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from payrun.domain.errors import InvalidInput

# Which agency each tax line is owed to; state lines name the work state's agency.
_FEDERAL_941 = frozenset({"FIT", "SS", "MED", "ADDL_MED", "ER_SS", "ER_MED"})
_STATE_AGENCY = {"CA": "California EDD (DE 9)"}
_AGENCY_ORDER = {"IRS (Form 941)": 0, "IRS (Form 940)": 1}


class NotFound(InvalidInput):
    """No such paycheck or run for this employer (or not one the caller may see)."""


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    street: str | None
    city: str | None
    state: str
    postal_code: str | None

    @property
    def address_lines(self) -> tuple[str, ...]:
        if not self.street:
            return ("address not on file",)
        return (self.street, f"{self.city or ''}, {self.state} {self.postal_code or ''}".strip())


@dataclass(frozen=True, slots=True)
class StubLine:
    kind: str  # earning | employee_tax | deduction | employer_tax | employer_contribution
    code: str
    description: str
    cents: int
    ytd_cents: int
    hours: Decimal | None = None
    rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class StubView:
    paycheck_id: int
    employer_id: int
    run_id: str
    status: str
    pay_date: date
    period_start: date
    period_end: date
    employer: Party
    employer_ein: str
    employee: Party
    employee_number: str  # the employer's id for the employee (Labor Code 226(a)(7))
    ssn_last4: str
    account_last4: str
    pay_type: str
    lines: tuple[StubLine, ...]
    gross_cents: int
    net_cents: int
    ytd_gross_cents: int
    ytd_net_cents: int

    def of_kind(self, *kinds: str) -> list[StubLine]:
        return [line for line in self.lines if line.kind in kinds]

    @property
    def total_hours(self) -> Decimal | None:
        hours = [line.hours for line in self.lines if line.hours is not None]
        return sum(hours, Decimal(0)) if hours else None


@dataclass(frozen=True, slots=True)
class ReceiptPayment:
    payment_id: int
    status: str
    debit_cents: int
    credit_cents: int
    entries: int
    reference: str | None


@dataclass(frozen=True, slots=True)
class ReceiptEmployee:
    paycheck_id: int
    name: str
    employee_number: str
    account_last4: str
    status: str
    gross_cents: int
    net_cents: int


@dataclass(frozen=True, slots=True)
class ReceiptView:
    run_id: str
    employer: Party
    employer_ein: str
    funding_last4: str
    pay_date: date | None
    payments: tuple[ReceiptPayment, ...]
    employees: tuple[ReceiptEmployee, ...]
    taxes: tuple[tuple[str, str, int], ...]  # (agency, line description, cents)

    @property
    def debited_cents(self) -> int:
        return sum(p.debit_cents for p in self.payments if p.status not in _NOT_MOVED)

    @property
    def net_cents(self) -> int:
        return sum(e.net_cents for e in self.employees)

    @property
    def gross_cents(self) -> int:
        return sum(e.gross_cents for e in self.employees)

    @property
    def tax_cents(self) -> int:
        return sum(cents for *_, cents in self.taxes)

    def agency_totals(self) -> list[tuple[str, int]]:
        totals: dict[str, int] = defaultdict(int)
        for agency, _, cents in self.taxes:
            totals[agency] += cents
        return list(totals.items())


_NOT_MOVED = frozenset({"REJECTED", "CANCELLED"})


class DocumentReader(Protocol):
    def stub(self, paycheck_id: int) -> StubView | None: ...

    def receipt(self, run_id: str, employer_id: int) -> ReceiptView | None:
        """None when the employer has neither paychecks nor payments in the run."""


def load_stub(
    reader: DocumentReader, paycheck_id: int, employers: Collection[int] | None = None
) -> StubView:
    """One paycheck's stub. `employers`: the ids the caller may see (None: all)."""
    view = reader.stub(paycheck_id)
    if view is None or (employers is not None and view.employer_id not in employers):
        raise NotFound("paycheck_id", f"no paycheck {paycheck_id}")
    return view


def load_receipt(
    reader: DocumentReader,
    run_id: str,
    employer_id: int,
    employers: Collection[int] | None = None,
) -> ReceiptView:
    """What one employer's run moved: its debits, each live paycheck's net, tax per agency."""
    view = None
    if employers is None or employer_id in employers:
        view = reader.receipt(run_id, employer_id)
    if view is None:
        raise NotFound("run_id", f"no paychecks of employer {employer_id} in run {run_id}")
    return view


def stub_line(line: dict[str, Any]) -> StubLine:
    hours, rate = line.get("hours"), line.get("rate")
    return StubLine(
        line["kind"],
        line["code"],
        line["description"],
        int(line["cents"]),
        int(line["ytd_cents"]),
        None if hours is None else Decimal(hours),
        None if rate is None else Decimal(rate),
    )


def taxes_by_agency(
    all_lines: Iterable[list[dict[str, Any]]], state: str
) -> tuple[tuple[str, str, int], ...]:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for lines in all_lines:
        for line in lines:
            if line["kind"] in ("employee_tax", "employer_tax") and line["cents"]:
                totals[(agency_of(line["code"], state), line["description"])] += int(line["cents"])
    ranked = sorted(totals.items(), key=lambda item: _AGENCY_ORDER.get(item[0][0], 2))
    return tuple((agency, text, cents) for (agency, text), cents in ranked)


def agency_of(code: str, state: str) -> str:
    """The agency a tax line is deposited with and the return it is reported on."""
    if code in _FEDERAL_941:
        return "IRS (Form 941)"
    if code == "FUTA":
        return "IRS (Form 940)"
    return _STATE_AGENCY.get(state, f"{state} state tax agencies")
