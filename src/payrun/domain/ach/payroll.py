"""A pay run's two NACHA files: PPD credits to employees, CCD debit of the employer's funds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum

from payrun.domain.ach import codes
from payrun.domain.ach.builder import build_file
from payrun.domain.ach.routing import validate_routing
from payrun.domain.ach.spec import AchFileSpec, BatchSpec, EntrySpec, split_amount
from payrun.domain.errors import InvalidInput
from payrun.domain.money import Money

INDIVIDUAL_NAME_LENGTH = 22
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


class AccountType(Enum):
    CHECKING = "checking"
    SAVINGS = "savings"


CREDIT_CODE = {
    AccountType.CHECKING: codes.CHECKING_CREDIT,
    AccountType.SAVINGS: codes.SAVINGS_CREDIT,
}
DEBIT_CODE = {AccountType.CHECKING: codes.CHECKING_DEBIT, AccountType.SAVINGS: codes.SAVINGS_DEBIT}


@dataclass(frozen=True, slots=True)
class PayrollOriginator:
    """The employer as its bank (the ODFI) knows it, and the account that funds payroll."""

    company_name: str  # 16 characters in the batch header
    company_id: str  # 10 characters assigned by the ODFI, commonly "1" + EIN
    odfi_routing: str  # 9 digits: immediate destination of the file and ODFI of its batches
    odfi_name: str
    funding_routing: str
    funding_account: str
    funding_account_type: AccountType = AccountType.CHECKING
    immediate_origin: str = ""  # defaults to company_id


@dataclass(frozen=True, slots=True)
class EmployeeCredit:
    employee_id: str
    name: str
    routing: str
    account: str
    account_type: AccountType
    amount: Money | int  # Money in whole cents, or int cents


@dataclass(frozen=True, slots=True)
class PayrollFiles:
    """Two files: the funding debit goes first; the credits are released once it is good."""

    credit_file: bytes  # PPD, service class 220, effective on the pay date
    funding_debit_file: bytes  # CCD, service class 225, effective on the funding date
    credit_total_cents: int
    credit_count: int


def payroll_files(
    originator: PayrollOriginator,
    credits: Sequence[EmployeeCredit],
    *,
    pay_date: date,
    funding_date: date,
    created: datetime,
    entry_description: str = "PAYROLL",
) -> PayrollFiles:
    """Build the PPD credit file and the matching CCD debit for one employer's pay run."""
    if funding_date > pay_date:
        raise InvalidInput("funding_date", f"{funding_date} is after the pay date {pay_date}")
    if not credits:
        raise InvalidInput("credits", "a pay run file needs at least one employee credit")
    _validate_originator(originator)
    entries = tuple(_credit_entry(c, f"credits[{i}]") for i, c in enumerate(credits))
    total = sum(e.amount_cents for e in entries)
    credit_batch = _batch(originator, codes.CREDITS_ONLY, "PPD", entry_description, pay_date)
    debit_batch = _batch(originator, codes.DEBITS_ONLY, "CCD", entry_description, funding_date)
    credit_file = _file(originator, created, "A", 1, _with(credit_batch, entries))
    credit_bytes = _build(credit_file, "credits")  # refuses a bad credit before the total is used
    debits = _funding_entries(originator, total)
    # The debits' trace sequence follows the credits', so the pair never repeats a trace.
    debit_file = _file(originator, created, "B", len(entries) + 1, _with(debit_batch, debits))
    return PayrollFiles(credit_bytes, _build(debit_file, "funding_debit"), total, len(entries))


def _build(spec: AchFileSpec, entries: str) -> bytes:
    """build_file, with its field paths put back in the caller's terms (credits[3].account,
    funding_debit[0].account): entries names the batch's entries."""
    try:
        return build_file(spec)
    except InvalidInput as error:
        field = error.field.replace("batches[0].entries", entries).replace("batches[0].", "")
        raise InvalidInput(field, error.problem) from None


def _validate_originator(originator: PayrollOriginator) -> None:
    validate_routing(originator.odfi_routing, "originator.odfi_routing")
    validate_routing(originator.funding_routing, "originator.funding_routing")
    if not isinstance(originator.funding_account_type, AccountType):
        raise InvalidInput("originator.funding_account_type", "must be checking or savings")


def amount_in_cents(amount: object, field: str) -> int:
    if isinstance(amount, Money):
        try:
            return amount.cents()
        except ValueError:
            raise InvalidInput(field, f"{amount.amount} is not a whole number of cents") from None
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(field, f"must be Money or int cents, not {type(amount).__name__}")
    return amount


def _credit_entry(credit: EmployeeCredit, where: str) -> EntrySpec:
    if not isinstance(credit.account_type, AccountType):
        raise InvalidInput(f"{where}.account_type", "must be checking or savings")
    return EntrySpec(
        transaction_code=CREDIT_CODE[credit.account_type],
        routing=credit.routing,
        account=credit.account,
        amount_cents=amount_in_cents(credit.amount, f"{where}.amount"),
        individual_id=credit.employee_id,
        individual_name=_fit_name(credit.name),
    )


def _funding_entries(originator: PayrollOriginator, total_cents: int) -> tuple[EntrySpec, ...]:
    """The debit of total_cents from the funding account: one entry, or several when the
    total is more than one entry's 10-digit amount field holds (split_amount)."""
    return tuple(
        EntrySpec(
            transaction_code=DEBIT_CODE[originator.funding_account_type],
            routing=originator.funding_routing,
            account=originator.funding_account,
            amount_cents=amount,
            individual_id=originator.company_id,
            individual_name=_fit_name(originator.company_name),
        )
        for amount in split_amount(total_cents, "funding_debit")
    )


def _fit_name(name: str) -> str:
    """Names are informational to the RDFI, which posts by account number, so a long name
    is cut to the 22-character field instead of refusing the paycheck."""
    return name.upper()[:INDIVIDUAL_NAME_LENGTH] if isinstance(name, str) else name


def _batch(
    originator: PayrollOriginator, service_class: int, sec: str, description: str, day: date
) -> BatchSpec:
    return BatchSpec(
        service_class=service_class,
        company_name=originator.company_name,
        company_id=originator.company_id,
        sec_code=sec,
        entry_description=description,
        descriptive_date=f"{MONTHS[day.month - 1]} {day.day:02d}",  # e.g. "JAN 15"
        effective_date=day,
        odfi=originator.odfi_routing[:8],
        entries=(),
    )


def _with(batch: BatchSpec, entries: tuple[EntrySpec, ...]) -> BatchSpec:
    return replace(batch, entries=entries)


def _file(
    originator: PayrollOriginator,
    created: datetime,
    file_id_modifier: str,
    first_trace: int,
    batch: BatchSpec,
) -> AchFileSpec:
    return AchFileSpec(
        immediate_destination=originator.odfi_routing,
        immediate_origin=originator.immediate_origin or originator.company_id,
        destination_name=originator.odfi_name,
        origin_name=originator.company_name,
        created=created,
        file_id_modifier=file_id_modifier,
        batches=(batch,),
        first_trace_sequence=first_trace,
    )
