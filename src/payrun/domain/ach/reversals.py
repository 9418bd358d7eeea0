"""Reversing entries for an erroneous payment, inside the 5-banking-day window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from payrun.domain.ach import codes
from payrun.domain.ach.parser import Batch, Entry
from payrun.domain.ach.spec import BatchSpec, EntrySpec
from payrun.domain.banking_days import add_banking_days, banking_day_on_or_after
from payrun.domain.errors import InvalidInput, PayrollError

# Nacha Rules, Subsection 2.9.1: a Reversing Entry must be made available to the RDFI
# within five Banking Days following the Settlement Date of the Erroneous Entry, and its
# Company Entry Description must read "REVERSAL". Company name, company id, SEC code and
# amount stay those of the erroneous entry.
REVERSAL_WINDOW_BANKING_DAYS = 5
REVERSAL_DESCRIPTION = "REVERSAL"


class ReversalWindowClosed(PayrollError):
    """The erroneous payment settled more than 5 banking days before the reversal would."""

    def __init__(self, settlement_date: date, deadline: date, reversal_date: date) -> None:
        super().__init__(
            f"reversal_date: {reversal_date} is too late to reverse a payment settled on "
            f"{settlement_date}; the {REVERSAL_WINDOW_BANKING_DAYS}-banking-day window closed "
            f"on {deadline}. Recover the money from the receiver outside ACH."
        )
        self.settlement_date = settlement_date
        self.deadline = deadline
        self.reversal_date = reversal_date


def reversal_deadline(settlement_date: date) -> date:
    """Last day a reversing entry may settle: 5 banking days after the original settled."""
    return add_banking_days(settlement_date, REVERSAL_WINDOW_BANKING_DAYS)


def build_reversal(
    original: Batch,
    trace_numbers: Sequence[str],
    *,
    settlement_date: date,
    reversal_date: date,
) -> BatchSpec:
    """A batch reversing the named entries of original, effective on reversal_date.

    Raises ReversalWindowClosed when reversal_date (moved to a banking day) is past
    reversal_deadline(settlement_date), and InvalidInput for entries that cannot be reversed.
    """
    check_reversal_window(settlement_date, reversal_date)
    entries = [_reversing_entry(e) for e in _entries_to_reverse(original, trace_numbers)]
    header = original.header
    return BatchSpec(
        service_class=_service_class(entries),
        company_name=header.company_name,
        company_id=header.company_identification,
        sec_code=header.standard_entry_class_code,
        entry_description=REVERSAL_DESCRIPTION,
        descriptive_date=header.company_descriptive_date,
        discretionary_data=header.company_discretionary_data,
        effective_date=reversal_date,  # a weekend's settles on the next banking day
        odfi=header.originating_dfi_identification,
        entries=tuple(entries),
    )


def check_reversal_window(settlement_date: date, reversal_date: date) -> None:
    """A reversal settles on the banking day on or after its date (a Saturday's on Monday):
    not before the original settles, nor after the deadline."""
    effective = banking_day_on_or_after(reversal_date)
    if effective < settlement_date:
        raise InvalidInput(
            "reversal_date", f"{reversal_date} is before the settlement date {settlement_date}"
        )
    deadline = reversal_deadline(settlement_date)
    if effective > deadline:
        raise ReversalWindowClosed(settlement_date, deadline, reversal_date)


def _entries_to_reverse(original: Batch, trace_numbers: Sequence[str]) -> list[Entry]:
    if not trace_numbers:
        raise InvalidInput("trace_numbers", "name at least one entry to reverse")
    by_trace = {entry.detail.trace_number: entry for entry in original.entries}
    if len(set(trace_numbers)) != len(trace_numbers):
        raise InvalidInput("trace_numbers", "an entry is named twice")
    missing = [t for t in trace_numbers if t not in by_trace]
    if missing:
        raise InvalidInput("trace_numbers", f"{missing[0]} is not in the original batch")
    return [by_trace[t] for t in trace_numbers]


def _reversing_entry(entry: Entry) -> EntrySpec:
    detail = entry.detail
    code = codes.REVERSING_CODE.get(detail.transaction_code)
    if code is None:
        raise InvalidInput(
            f"entry {detail.trace_number}",
            f"transaction code {detail.transaction_code} cannot be reversed (only 22/27/32/37)",
        )
    return EntrySpec(
        transaction_code=code,
        routing=detail.routing_number,
        account=detail.dfi_account_number,
        amount_cents=detail.amount,
        individual_id=detail.individual_identification_number,
        individual_name=detail.individual_name,
        discretionary_data=detail.discretionary_data,
    )


def _service_class(entries: list[EntrySpec]) -> int:
    kinds = {codes.is_debit(e.transaction_code) for e in entries}
    if kinds == {True}:
        return codes.DEBITS_ONLY
    if kinds == {False}:
        return codes.CREDITS_ONLY
    return codes.MIXED
