"""Build a NACHA file from an AchFileSpec: records, entry hash, totals, trace numbers, blocking."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from payrun.domain.ach import codes
from payrun.domain.ach.layout import (
    BLOCKING_FACTOR,
    ENTRY_HASH_MODULUS,
    PADDING_RECORD,
    block_count,
)
from payrun.domain.ach.records import (
    BatchControl,
    BatchHeader,
    FileControl,
    FileHeader,
    PaymentAddenda,
)
from payrun.domain.ach.spec import AchFileSpec, BatchSpec, EntrySpec, validate_spec
from payrun.domain.errors import PayrollError

RECORD_SEPARATOR = "\n"  # one 94-character record per line, LF-terminated


class AchBuildError(PayrollError):
    """The builder produced a file its own checker rejects: a bug, never sent to a bank."""


@dataclass(frozen=True, slots=True)
class _BuiltBatch:
    lines: tuple[str, ...]
    control: BatchControl


def build_file(spec: AchFileSpec) -> bytes:
    """The NACHA file for spec, checked by check_file before it is returned."""
    from payrun.domain.ach.validation import check_file

    validate_spec(spec)
    data = (RECORD_SEPARATOR.join(file_records(spec)) + RECORD_SEPARATOR).encode("ascii")
    problems = check_file(data).problems
    if problems:
        raise AchBuildError(f"built file fails its own check: {problems[0]}")
    return data


def file_records(spec: AchFileSpec) -> list[str]:
    """All records of the file in order, padding included; spec must be valid."""
    traces = trace_numbers(spec)
    batches = [_batch(b, number, traces) for number, b in enumerate(spec.batches, start=1)]
    lines = [_file_header(spec).to_record()]
    for built in batches:
        lines.extend(built.lines)
    control = _file_control([b.control for b in batches], len(lines) + 1)
    lines.append(control.to_record())
    return lines + [PADDING_RECORD] * padding_needed(len(lines))


def trace_numbers(spec: AchFileSpec) -> Iterator[str]:
    """ODFI id (8 digits) + a 7-digit sequence that runs across the whole file.

    One sequence for every batch keeps traces unique even when two batches share an ODFI.
    """
    sequence = spec.first_trace_sequence
    for batch in spec.batches:
        for _ in batch.entries:
            yield f"{batch.odfi}{sequence:07d}"
            sequence += 1


def entry_hash(receiving_dfi_identifications: list[str]) -> int:
    """Sum of the 8-digit RDFI ids, 10 low-order digits kept (§6.4)."""
    return sum(int(rdfi) for rdfi in receiving_dfi_identifications) % ENTRY_HASH_MODULUS


def padding_needed(record_count: int) -> int:
    """All-9 records that bring the count to a multiple of the blocking factor (§6.1)."""
    return -record_count % BLOCKING_FACTOR


def _file_header(spec: AchFileSpec) -> FileHeader:
    return FileHeader(
        immediate_destination=spec.immediate_destination,
        immediate_origin=spec.immediate_origin,
        file_creation_date=spec.created.date(),
        file_creation_time=spec.created.strftime("%H%M"),
        file_id_modifier=spec.file_id_modifier,
        immediate_destination_name=spec.destination_name.upper(),
        immediate_origin_name=spec.origin_name.upper(),
        reference_code=spec.reference_code.upper(),
    )


def _batch(spec: BatchSpec, number: int, traces: Iterator[str]) -> _BuiltBatch:
    header = _batch_header(spec, number)
    lines = [header.to_record()]
    for entry in spec.entries:
        trace_number = next(traces)
        lines.append(entry_detail_record(entry, trace_number))
        if entry.payment_related_information is not None:
            lines.append(_payment_addenda(entry, trace_number).to_record())
    control = _batch_control(header, spec.entries, addenda_count=len(lines) - 1 - len(spec.entries))
    lines.append(control.to_record())
    return _BuiltBatch(tuple(lines), control)


def _batch_header(spec: BatchSpec, number: int) -> BatchHeader:
    return BatchHeader(
        service_class_code=spec.service_class,
        company_name=spec.company_name.upper(),
        company_discretionary_data=spec.discretionary_data.upper(),
        company_identification=spec.company_id,
        standard_entry_class_code=spec.sec_code,
        company_entry_description=spec.entry_description.upper(),
        company_descriptive_date=spec.descriptive_date.upper(),
        effective_entry_date=spec.effective_date,
        settlement_date="",  # inserted by the ACH operator
        originator_status_code="1",
        originating_dfi_identification=spec.odfi,
        batch_number=number,
    )


def entry_detail_record(entry: EntrySpec, trace_number: str) -> str:
    """The entry detail line of a validated entry: what EntryDetail(...).to_record() writes,
    in one format string, as a file has one per employee (layout: records.EntryDetail)."""
    addenda_indicator = 0 if entry.payment_related_information is None else 1
    return (
        f"6{entry.transaction_code:02d}{entry.routing}{entry.account:<17}"
        f"{entry.amount_cents:010d}{entry.individual_id.upper():<15}"
        f"{entry.individual_name.upper():<22}{entry.discretionary_data.upper():<2}"
        f"{addenda_indicator}{trace_number}"
    )


def _payment_addenda(entry: EntrySpec, trace_number: str) -> PaymentAddenda:
    return PaymentAddenda(
        payment_related_information=(entry.payment_related_information or "").upper(),
        addenda_sequence_number=1,
        entry_detail_sequence_number=trace_number[-7:],
    )


def _batch_control(
    header: BatchHeader, entries: tuple[EntrySpec, ...], addenda_count: int
) -> BatchControl:
    return BatchControl(
        service_class_code=header.service_class_code,
        entry_addenda_count=len(entries) + addenda_count,
        entry_hash=entry_hash([e.routing[:8] for e in entries]),
        total_debit_entry_dollar_amount=sum(
            e.amount_cents for e in entries if codes.is_debit(e.transaction_code)
        ),
        total_credit_entry_dollar_amount=sum(
            e.amount_cents for e in entries if codes.is_credit(e.transaction_code)
        ),
        company_identification=header.company_identification,
        message_authentication_code="",
        originating_dfi_identification=header.originating_dfi_identification,
        batch_number=header.batch_number,
    )


def _file_control(controls: list[BatchControl], record_count: int) -> FileControl:
    return FileControl(
        batch_count=len(controls),
        block_count=block_count(record_count),
        entry_addenda_count=sum(c.entry_addenda_count for c in controls),
        entry_hash=sum(c.entry_hash for c in controls) % ENTRY_HASH_MODULUS,
        total_debit_entry_dollar_amount_in_file=sum(
            c.total_debit_entry_dollar_amount for c in controls
        ),
        total_credit_entry_dollar_amount_in_file=sum(
            c.total_credit_entry_dollar_amount for c in controls
        ),
    )
