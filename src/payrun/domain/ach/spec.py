"""What to put in a NACHA file, before layout: the builder's input and its checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from payrun.domain.ach import codes
from payrun.domain.ach.layout import block_count, require_ach_text
from payrun.domain.ach.routing import validate_routing
from payrun.domain.errors import InvalidInput

MAX_ENTRY_AMOUNT_CENTS = 99_999_999_99  # Amount is 10 digits of cents (§6.2, pos 30-39)
# Batch control (pos 21-32, 33-44) and file control (pos 32-43, 44-55) totals: 12 digits.
MAX_TOTAL_AMOUNT_CENTS = 9_999_999_999_99
# Batch control entry/addenda count (pos 5-10) and file control block count (pos 8-13): 6 digits.
MAX_BATCH_RECORDS = 999_999
MAX_BLOCKS = 999_999


@dataclass(frozen=True, slots=True)
class EntrySpec:
    """One entry detail: who receives (or pays) how many cents."""

    transaction_code: int
    routing: str  # all 9 digits; the builder splits RDFI id and check digit
    account: str
    amount_cents: int
    individual_id: str
    individual_name: str
    discretionary_data: str = ""
    payment_related_information: str | None = None  # one addenda 05 when given


@dataclass(frozen=True, slots=True)
class BatchSpec:
    service_class: int
    company_name: str
    company_id: str
    sec_code: str
    entry_description: str
    effective_date: date
    odfi: str  # first 8 digits of the ODFI routing number
    entries: tuple[EntrySpec, ...]
    descriptive_date: str = ""
    discretionary_data: str = ""


@dataclass(frozen=True, slots=True)
class AchFileSpec:
    immediate_destination: str  # 9-digit routing number of the receiving point
    immediate_origin: str  # 10 characters assigned by the ODFI (9 digits are right-justified)
    destination_name: str
    origin_name: str
    created: datetime  # an input: the domain reads no clock
    file_id_modifier: str
    batches: tuple[BatchSpec, ...]
    reference_code: str = ""
    first_trace_sequence: int = 1  # 7-digit sequence of the first entry's trace number


def validate_spec(spec: AchFileSpec) -> None:
    """Raise InvalidInput naming the first field that cannot go into a correct file."""
    validate_routing(spec.immediate_destination, "immediate_destination")
    _origin(spec.immediate_origin)
    _text(spec.destination_name, 23, "destination_name")
    _text(spec.origin_name, 23, "origin_name")
    _text(spec.reference_code, 8, "reference_code", required=False)
    _file_id_modifier(spec.file_id_modifier)
    if not isinstance(spec.created, datetime):
        raise InvalidInput("created", "must be a date and time")
    if not spec.batches:
        raise InvalidInput("batches", "a file needs at least one batch")
    _trace_sequence(spec)
    _record_counts(spec)
    for index, batch in enumerate(spec.batches):
        validate_batch(batch, f"batches[{index}]")
    _control_totals(spec)


def split_amount(total_cents: int, field: str = "amount") -> tuple[int, ...]:
    """total_cents as entry amounts that each fit the 10-digit amount field: as many full
    MAX_ENTRY_AMOUNT_CENTS as it holds, then the remainder (if any). They sum to total_cents.

    An offset debit larger than one entry can carry goes out as several entries this way;
    a total no batch control can carry is refused, as its file could never be built."""
    if isinstance(total_cents, bool) or not isinstance(total_cents, int):
        raise InvalidInput(field, f"must be integer cents, not {type(total_cents).__name__}")
    if total_cents <= 0:
        raise InvalidInput(field, f"must be more than zero, got {total_cents} cents")
    if total_cents > MAX_TOTAL_AMOUNT_CENTS:
        raise InvalidInput(
            field,
            f"{total_cents} cents is more than one batch can carry "
            f"({MAX_TOTAL_AMOUNT_CENTS} cents, the batch control's 12-digit total field)",
        )
    full, remainder = divmod(total_cents, MAX_ENTRY_AMOUNT_CENTS)
    return (MAX_ENTRY_AMOUNT_CENTS,) * full + ((remainder,) if remainder else ())


def validate_batch(batch: BatchSpec, where: str) -> None:
    if batch.service_class not in codes.SERVICE_CLASSES:
        raise InvalidInput(f"{where}.service_class", "must be 200, 220 or 225")
    _text(batch.company_name, 16, f"{where}.company_name")
    _text(batch.company_id, 10, f"{where}.company_id")
    if batch.sec_code not in codes.SUPPORTED_SEC_CODES:
        raise InvalidInput(f"{where}.sec_code", f"must be PPD or CCD, got {batch.sec_code!r}")
    _text(batch.entry_description, 10, f"{where}.entry_description")
    _text(batch.descriptive_date, 6, f"{where}.descriptive_date", required=False)
    _text(batch.discretionary_data, 20, f"{where}.discretionary_data", required=False)
    if not isinstance(batch.effective_date, date) or isinstance(batch.effective_date, datetime):
        raise InvalidInput(f"{where}.effective_date", "must be a date")
    if not (isinstance(batch.odfi, str) and len(batch.odfi) == 8 and batch.odfi.isdigit()):
        raise InvalidInput(f"{where}.odfi", f"must be the 8-digit ODFI id, got {batch.odfi!r}")
    if not batch.entries:
        raise InvalidInput(f"{where}.entries", "a batch needs at least one entry")
    for index, entry in enumerate(batch.entries):
        validate_entry(entry, batch.service_class, f"{where}.entries[{index}]")


def validate_entry(entry: EntrySpec, service_class: int, where: str) -> None:
    code = entry.transaction_code
    if code not in codes.FORWARD_CODES:
        raise InvalidInput(f"{where}.transaction_code", f"{code!r} is not 22/23/27/28/32/33/37/38")
    if not codes.service_class_allows(service_class, code):
        kind = "debit" if codes.is_debit(code) else "credit"
        raise InvalidInput(
            f"{where}.transaction_code", f"a {kind} ({code}) cannot go in a {service_class} batch"
        )
    validate_routing(entry.routing, f"{where}.routing")
    _account(entry.account, f"{where}.account")
    _amount(entry.amount_cents, code in codes.PRENOTE_CODES, f"{where}.amount")
    _text(entry.individual_id, 15, f"{where}.id", required=False)
    _text(entry.individual_name, 22, f"{where}.name")
    _text(entry.discretionary_data, 2, f"{where}.discretionary_data", required=False)
    if entry.payment_related_information is not None:
        _text(entry.payment_related_information, 80, f"{where}.payment_related_information")


def _text(value: object, length: int, field: str, *, required: bool = True) -> None:
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be text, not {type(value).__name__}")
    require_ach_text(value, field)
    if required and not value.strip():
        raise InvalidInput(field, "must not be blank")
    if len(value) > length:
        raise InvalidInput(field, f"{value!r} is longer than {length} characters")


def _origin(value: object) -> None:
    if not (isinstance(value, str) and len(value) in (9, 10) and value.isdigit()):
        raise InvalidInput("immediate_origin", f"must be 9 or 10 digits, got {value!r}")


def _file_id_modifier(value: object) -> None:
    if not (isinstance(value, str) and len(value) == 1 and (value.isdigit() or value.isupper())):
        raise InvalidInput("file_id_modifier", f"must be one of A-Z or 0-9, got {value!r}")
    if not value.isascii():
        raise InvalidInput("file_id_modifier", f"must be one of A-Z or 0-9, got {value!r}")


def _account(value: object, field: str) -> None:
    _text(value, 17, field)
    assert isinstance(value, str)
    if value != value.strip():
        raise InvalidInput(field, "must not start or end with spaces")


def _amount(cents: object, prenote: bool, field: str) -> None:
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise InvalidInput(field, f"must be integer cents, not {type(cents).__name__}")
    if prenote and cents != 0:
        raise InvalidInput(field, "a prenote carries a zero amount")
    if not prenote and cents <= 0:
        raise InvalidInput(field, f"must be more than zero, got {cents} cents")
    if cents > MAX_ENTRY_AMOUNT_CENTS:
        raise InvalidInput(field, f"{cents} cents does not fit the 10-digit amount field")


def _control_totals(spec: AchFileSpec) -> None:
    """Each batch's debits and credits, and the file's, must fit the controls' 12 digits."""
    file_debits = file_credits = 0
    for index, batch in enumerate(spec.batches):
        debits = sum(e.amount_cents for e in batch.entries if codes.is_debit(e.transaction_code))
        credits = sum(e.amount_cents for e in batch.entries if codes.is_credit(e.transaction_code))
        _total(debits, "debits", f"batches[{index}].entries", "batch control")
        _total(credits, "credits", f"batches[{index}].entries", "batch control")
        file_debits, file_credits = file_debits + debits, file_credits + credits
    _total(file_debits, "debits", "batches", "file control")
    _total(file_credits, "credits", "batches", "file control")


def _total(cents: int, kind: str, field: str, record: str) -> None:
    if cents > MAX_TOTAL_AMOUNT_CENTS:
        raise InvalidInput(
            field,
            f"{kind} total {cents} cents, more than the {record}'s 12-digit total field "
            f"holds ({MAX_TOTAL_AMOUNT_CENTS} cents)",
        )


def entry_addenda_count(batch: BatchSpec) -> int:
    """The batch's entries and their addenda records (one per entry with payment information)."""
    addenda = sum(1 for e in batch.entries if e.payment_related_information is not None)
    return len(batch.entries) + addenda


def _record_counts(spec: AchFileSpec) -> None:
    """Counts the control records cannot hold, refused before any entry is checked: a batch's
    entries and addenda (6 digits) and the file's blocks of ten records (6 digits)."""
    records = 2  # file header and control
    for index, batch in enumerate(spec.batches):
        count = entry_addenda_count(batch)
        if count > MAX_BATCH_RECORDS:
            raise InvalidInput(
                f"batches[{index}].entries",
                f"{count} entries and addenda, more than the batch control's 6-digit count "
                f"holds ({MAX_BATCH_RECORDS}); send them in several batches",
            )
        records += count + 2  # with the batch header and control
    blocks = block_count(records)
    if blocks > MAX_BLOCKS:
        raise InvalidInput(
            "batches",
            f"{records} records make {blocks} blocks of ten, more than the file control's "
            f"6-digit block count holds ({MAX_BLOCKS}); send them in several files",
        )


def _trace_sequence(spec: AchFileSpec) -> None:
    first = spec.first_trace_sequence
    entries = sum(len(batch.entries) for batch in spec.batches)
    if isinstance(first, bool) or not isinstance(first, int) or first < 1:
        raise InvalidInput("first_trace_sequence", "must be a positive integer")
    if first + entries - 1 > 9_999_999:
        raise InvalidInput("first_trace_sequence", "trace sequence would pass 7 digits")
