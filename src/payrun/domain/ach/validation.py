"""check_file: everything a bank's ACH team checks before it accepts a file, in one pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from payrun.domain.ach import codes
from payrun.domain.ach.layout import BLOCKING_FACTOR, ENTRY_HASH_MODULUS, block_count
from payrun.domain.ach.parser import AchFile, parse_file
from payrun.domain.ach.routing import is_valid_routing
from payrun.domain.ach.scan import ScannedBatch, ScannedFile, scan_file
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
    batches: tuple[BatchSummary, ...]
    readable: bytes | None = None  # the file, when its structure could be read

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def file(self) -> AchFile | None:
        """The file as records, parsed on demand; None when its structure is broken."""
        return None if self.readable is None else parse_file(self.readable)

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
    """Read data once and list every rule it breaks (layout, hashes, totals, routing, traces)."""
    try:
        scanned = scan_file(data)
    except InvalidInput as error:
        return FileCheck((str(error),), ())
    problems = _file_problems(scanned)
    for batch in scanned.batches:
        problems.extend(_batch_problems(batch))
    problems.extend(_trace_problems(scanned))
    return FileCheck(tuple(problems), tuple(_summary(b) for b in scanned.batches), data)


def _file_problems(scanned: ScannedFile) -> list[str]:
    header, control = scanned.header, scanned.control
    problems = []
    if not is_valid_routing(header.immediate_destination):
        problems.append(f"file header immediate_destination: {header.immediate_destination!r}")
    modifier = header.file_id_modifier
    if len(modifier) != 1 or not (modifier.isdigit() or modifier.isupper()):
        problems.append(f"file header file_id_modifier: {modifier!r} is not A-Z or 0-9")
    if scanned.record_count % BLOCKING_FACTOR:
        problems.append(f"file: {scanned.record_count} records is not a multiple of 10")
    controls = [b.control for b in scanned.batches]
    expected = {
        "batch_count": len(scanned.batches),
        "block_count": block_count(scanned.record_count),
        "entry_addenda_count": sum(c.entry_addenda_count for c in controls),
        "entry_hash": sum(c.entry_hash for c in controls) % ENTRY_HASH_MODULUS,
        "total_debit_entry_dollar_amount_in_file": sum(
            c.total_debit_entry_dollar_amount for c in controls
        ),
        "total_credit_entry_dollar_amount_in_file": sum(
            c.total_credit_entry_dollar_amount for c in controls
        ),
    }
    problems.extend(_mismatches("file control", control, expected))
    numbers = [b.header.batch_number for b in scanned.batches]
    if numbers != sorted(set(numbers)):
        problems.append(f"file: batch numbers {numbers} are not unique and ascending")
    return problems


def _batch_problems(batch: ScannedBatch) -> list[str]:
    header, control = batch.header, batch.control
    label = f"batch {header.batch_number}"
    expected = {
        "service_class_code": header.service_class_code,
        "entry_addenda_count": batch.entry_count + batch.addenda_count,
        "entry_hash": batch.receiving_dfi_sum % ENTRY_HASH_MODULUS,
        "total_debit_entry_dollar_amount": batch.debit_total_cents,
        "total_credit_entry_dollar_amount": batch.credit_total_cents,
        "company_identification": header.company_identification,
        "originating_dfi_identification": header.originating_dfi_identification,
        "batch_number": header.batch_number,
    }
    problems = _mismatches(f"{label} control", control, expected)
    if header.service_class_code not in codes.SERVICE_CLASSES:
        problems.append(f"{label} header service_class_code: {header.service_class_code}")
    if not batch.entry_count:
        problems.append(f"{label}: has no entries")
    problems.extend(batch.entry_problems)
    return problems


def _trace_problems(scanned: ScannedFile) -> list[str]:
    problems = []
    seen: set[str] = set()
    for batch in scanned.batches:
        traces = batch.trace_numbers
        if list(traces) != sorted(traces):
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


def _summary(batch: ScannedBatch) -> BatchSummary:
    header, control = batch.header, batch.control
    return BatchSummary(
        batch_number=header.batch_number,
        service_class=header.service_class_code,
        sec_code=header.standard_entry_class_code,
        company_name=header.company_name,
        company_id=header.company_identification,
        entry_description=header.company_entry_description,
        effective_date=header.effective_entry_date,
        entry_count=batch.entry_count,
        debit_total_cents=control.total_debit_entry_dollar_amount,
        credit_total_cents=control.total_credit_entry_dollar_amount,
    )
