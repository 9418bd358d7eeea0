"""One pass over a NACHA file for check_file: the structure as parse_file reads it, and per
batch the tallies its control must match, with no object per entry."""

from __future__ import annotations

from dataclasses import dataclass

from payrun.domain.ach import codes
from payrun.domain.ach.parser import Addenda, RecordReader, split_records
from payrun.domain.ach.records import (
    BatchControl,
    BatchHeader,
    FileControl,
    FileHeader,
    PaymentAddenda,
    ReturnAddenda,
)
from payrun.domain.ach.routing import is_valid_routing


@dataclass(frozen=True, slots=True)
class ScannedBatch:
    header: BatchHeader
    control: BatchControl
    entry_count: int
    addenda_count: int
    receiving_dfi_sum: int  # the entry hash before its modulus
    debit_total_cents: int
    credit_total_cents: int
    trace_numbers: tuple[str, ...]
    entry_problems: tuple[str, ...]  # what entry_problems found, in file order


@dataclass(frozen=True, slots=True)
class ScannedFile:
    header: FileHeader
    batches: tuple[ScannedBatch, ...]
    control: FileControl
    record_count: int  # every 94-character record, padding included


def scan_file(data: bytes) -> ScannedFile:
    """Walk data as parse_file does: the same InvalidInput for the same broken structure."""
    lines = split_records(data)
    reader = RecordReader(lines)
    header = reader.take(FileHeader, "1")
    batches = []
    while reader.peek() == "5":
        batches.append(_scan_batch(reader))
    control = reader.file_control()
    reader.padding()
    return ScannedFile(header, tuple(batches), control, len(lines))


def _scan_batch(reader: RecordReader) -> ScannedBatch:
    header = reader.take(BatchHeader, "5")
    label, service_class = f"batch {header.batch_number}", header.service_class_code
    traces: list[str] = []
    problems: list[str] = []
    addenda_count = receiving_dfi_sum = debits = credits = 0
    while reader.peek() == "6":
        fields = reader.entry_fields()
        addenda = reader.addenda_run()
        code, amount = int(fields[0]), int(fields[4])
        if code in codes.DEBIT_CODES:
            debits += amount
        elif code in codes.CREDIT_CODES:
            credits += amount
        receiving_dfi_sum += int(fields[1])
        addenda_count += len(addenda)
        traces.append(fields[9])
        problems.extend(entry_problems(fields, addenda, service_class, label))
    return ScannedBatch(
        header=header,
        control=reader.take(BatchControl, "8"),
        entry_count=len(traces),
        addenda_count=addenda_count,
        receiving_dfi_sum=receiving_dfi_sum,
        debit_total_cents=debits,
        credit_total_cents=credits,
        trace_numbers=tuple(traces),
        entry_problems=tuple(problems),
    )


def entry_problems(
    fields: tuple[str, ...], addenda: tuple[Addenda, ...], service_class: int, label: str
) -> list[str]:
    """What is wrong with one entry (fields as RecordReader.entry_fields reads them)."""
    code, rdfi, check, *_, indicator, trace = fields
    found = []
    if not is_valid_routing(rdfi + check):
        found.append(f"routing: {rdfi + check} fails the ABA check digit")
    if not codes.service_class_allows(service_class, int(code)):
        found.append(f"transaction_code: {int(code)} not allowed in {service_class}")
    if int(indicator) != (1 if addenda else 0):
        found.append("addenda_record_indicator: does not match the addenda present")
    for one in addenda:
        found.extend(_addenda_problems(one, trace))
    return [f"{label} entry {trace} {problem}" for problem in found]


def _addenda_problems(addenda: Addenda, trace: str) -> list[str]:
    if isinstance(addenda, PaymentAddenda) and addenda.entry_detail_sequence_number != trace[-7:]:
        return ["addenda entry_detail_sequence_number: does not end its trace"]
    if isinstance(addenda, ReturnAddenda) and addenda.trace_number != trace:
        return [f"addenda 99 trace_number: {addenda.trace_number} is not the entry's"]
    return []
