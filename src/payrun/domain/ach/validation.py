"""check_file: everything a bank's ACH team checks before it accepts a file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from payrun.domain.ach import codes
from payrun.domain.ach.builder import block_count, entry_hash
from payrun.domain.ach.layout import BLOCKING_FACTOR
from payrun.domain.ach.parser import AchFile, Batch, Entry, parse_file
from payrun.domain.ach.records import PaymentAddenda, ReturnAddenda
from payrun.domain.ach.routing import is_valid_routing
from payrun.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class BatchSummary:
    batch_number: int
    service_class: int
    sec_code: str
    company_name: str
    company_id: str
    entry_description: str
    effective_date: date
    entry_count: int
    debit_total_cents: int
    credit_total_cents: int


@dataclass(frozen=True, slots=True)
class FileCheck:
    """What check_file found: problems (empty when the file is good) and the totals."""

    problems: tuple[str, ...]
    file: AchFile | None
    batches: tuple[BatchSummary, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def debit_total_cents(self) -> int:
        return sum(b.debit_total_cents for b in self.batches)

    @property
    def credit_total_cents(self) -> int:
        return sum(b.credit_total_cents for b in self.batches)

    @property
    def entry_count(self) -> int:
        return sum(b.entry_count for b in self.batches)


def check_file(data: bytes) -> FileCheck:
    """Parse data and list every rule it breaks (layout, hashes, totals, routing, traces)."""
    try:
        ach = parse_file(data)
    except InvalidInput as error:
        return FileCheck((str(error),), None, ())
    problems = _file_problems(ach)
    for batch in ach.batches:
        problems.extend(_batch_problems(batch))
    problems.extend(_trace_problems(ach))
    return FileCheck(tuple(problems), ach, tuple(_summary(b) for b in ach.batches))


def _file_problems(ach: AchFile) -> list[str]:
    header, control = ach.header, ach.control
    problems = []
    if not is_valid_routing(header.immediate_destination):
        problems.append(f"file header immediate_destination: {header.immediate_destination!r}")
    modifier = header.file_id_modifier
    if len(modifier) != 1 or not (modifier.isdigit() or modifier.isupper()):
        problems.append(f"file header file_id_modifier: {modifier!r} is not A-Z or 0-9")
    if ach.record_count % BLOCKING_FACTOR:
        problems.append(f"file: {ach.record_count} records is not a multiple of 10")
    controls = [b.control for b in ach.batches]
    expected = {
        "batch_count": len(ach.batches),
        "block_count": block_count(ach.record_count),
        "entry_addenda_count": sum(c.entry_addenda_count for c in controls),
        "entry_hash": sum(c.entry_hash for c in controls) % 10**10,
        "total_debit_entry_dollar_amount_in_file": sum(
            c.total_debit_entry_dollar_amount for c in controls
        ),
        "total_credit_entry_dollar_amount_in_file": sum(
            c.total_credit_entry_dollar_amount for c in controls
        ),
    }
    problems.extend(_mismatches("file control", control, expected))
    numbers = [b.header.batch_number for b in ach.batches]
    if numbers != sorted(set(numbers)):
        problems.append(f"file: batch numbers {numbers} are not unique and ascending")
    return problems


def _batch_problems(batch: Batch) -> list[str]:
    header, control = batch.header, batch.control
    label = f"batch {header.batch_number}"
    details = [e.detail for e in batch.entries]
    expected = {
        "service_class_code": header.service_class_code,
        "entry_addenda_count": len(details) + sum(len(e.addenda) for e in batch.entries),
        "entry_hash": entry_hash([d.receiving_dfi_identification for d in details]),
        "total_debit_entry_dollar_amount": sum(
            d.amount for d in details if codes.is_debit(d.transaction_code)
        ),
        "total_credit_entry_dollar_amount": sum(
            d.amount for d in details if codes.is_credit(d.transaction_code)
        ),
        "company_identification": header.company_identification,
        "originating_dfi_identification": header.originating_dfi_identification,
        "batch_number": header.batch_number,
    }
    problems = _mismatches(f"{label} control", control, expected)
    if header.service_class_code not in codes.SERVICE_CLASSES:
        problems.append(f"{label} header service_class_code: {header.service_class_code}")
    if not batch.entries:
        problems.append(f"{label}: has no entries")
    for entry in batch.entries:
        problems.extend(_entry_problems(entry, header.service_class_code, label))
    return problems


def _entry_problems(entry: Entry, service_class: int, label: str) -> list[str]:
    detail = entry.detail
    where = f"{label} entry {detail.trace_number}"
    problems = []
    if not is_valid_routing(detail.routing_number):
        problems.append(f"{where} routing: {detail.routing_number} fails the ABA check digit")
    if not codes.service_class_allows(service_class, detail.transaction_code):
        problems.append(
            f"{where} transaction_code: {detail.transaction_code} not allowed in {service_class}"
        )
    if detail.addenda_record_indicator != (1 if entry.addenda else 0):
        problems.append(f"{where} addenda_record_indicator: does not match the addenda present")
    for addenda in entry.addenda:
        problems.extend(_addenda_problems(addenda, detail.trace_number, where))
    return problems


def _addenda_problems(addenda: PaymentAddenda | ReturnAddenda, trace: str, where: str) -> list[str]:
    if isinstance(addenda, PaymentAddenda) and addenda.entry_detail_sequence_number != trace[-7:]:
        return [f"{where} addenda entry_detail_sequence_number: does not end its trace"]
    if isinstance(addenda, ReturnAddenda) and addenda.trace_number != trace:
        return [f"{where} addenda 99 trace_number: {addenda.trace_number} is not the entry's"]
    return []


def _trace_problems(ach: AchFile) -> list[str]:
    problems = []
    seen: set[str] = set()
    for batch in ach.batches:
        traces = [e.detail.trace_number for e in batch.entries]
        if traces != sorted(traces):
            problems.append(f"batch {batch.header.batch_number}: trace numbers not ascending")
        odfi = batch.header.originating_dfi_identification
        for trace in traces:
            if not trace.startswith(odfi):
                problems.append(f"entry {trace} trace_number: does not start with ODFI {odfi}")
            if trace in seen:
                problems.append(f"entry {trace} trace_number: used twice in the file")
            seen.add(trace)
    return problems


def _mismatches(label: str, record: object, expected: Mapping[str, object]) -> list[str]:
    return [
        f"{label} {name}: is {getattr(record, name)!r}, should be {value!r}"
        for name, value in expected.items()
        if getattr(record, name) != value
    ]


def _summary(batch: Batch) -> BatchSummary:
    header, control = batch.header, batch.control
    return BatchSummary(
        batch_number=header.batch_number,
        service_class=header.service_class_code,
        sec_code=header.standard_entry_class_code,
        company_name=header.company_name,
        company_id=header.company_identification,
        entry_description=header.company_entry_description,
        effective_date=header.effective_entry_date,
        entry_count=len(batch.entries),
        debit_total_cents=control.total_debit_entry_dollar_amount,
        credit_total_cents=control.total_credit_entry_dollar_amount,
    )
