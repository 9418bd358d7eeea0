"""Reversals: opposite codes, REVERSAL description, and the 5-banking-day window."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from payrun.domain.ach import (
    AchFileSpec,
    BatchSpec,
    EntrySpec,
    ReversalWindowClosed,
    build_file,
    build_reversal,
    check_file,
    parse_file,
    reversal_deadline,
)
from payrun.domain.ach.parser import Batch
from payrun.domain.errors import InvalidInput

CREATED = datetime(2026, 1, 15, 9, 30)


def original_batch() -> Batch:
    batch = BatchSpec(
        service_class=220,
        company_name="ACME PAYROLL INC",
        company_id="1234567890",
        sec_code="PPD",
        entry_description="PAYROLL",
        effective_date=date(2026, 1, 15),
        odfi="12100035",
        entries=(
            EntrySpec(22, "021000021", "123456789", 216155, "EMP0001", "DOE JANE"),
            EntrySpec(32, "011000015", "555", 100000, "EMP0002", "ROE RICHARD"),
        ),
    )
    spec = AchFileSpec("121000358", "1234567890", "BANK", "ACME", CREATED, "A", (batch,))
    return parse_file(build_file(spec)).batches[0]


# Settled Thursday 15 Jan 2026. Banking days after it: Fri 16 (1), [Mon 19 is Martin
# Luther King Jr. Day, a Federal Reserve holiday], Tue 20 (2), Wed 21 (3), Thu 22 (4),
# Fri 23 (5). The window's last day is therefore Friday 23 January 2026.
SETTLED = date(2026, 1, 15)
LAST_DAY = date(2026, 1, 23)


def test_deadline_skips_weekends_and_federal_holidays() -> None:
    assert reversal_deadline(SETTLED) == LAST_DAY


def test_reversal_inside_the_window_debits_back_the_credit() -> None:
    reversal = build_reversal(
        original_batch(),
        ["121000350000001"],
        settlement_date=SETTLED,
        reversal_date=date(2026, 1, 20),
    )
    assert reversal.entry_description == "REVERSAL"
    assert reversal.service_class == 225
    assert (reversal.company_name, reversal.company_id, reversal.sec_code) == (
        "ACME PAYROLL INC",
        "1234567890",
        "PPD",
    )
    (entry,) = reversal.entries
    assert (entry.transaction_code, entry.routing, entry.account, entry.amount_cents) == (
        27,
        "021000021",
        "123456789",
        216155,
    )


def test_reversal_on_the_last_day_is_allowed_and_builds_a_clean_file() -> None:
    reversal = build_reversal(
        original_batch(),
        ["121000350000001", "121000350000002"],
        settlement_date=SETTLED,
        reversal_date=LAST_DAY,
    )
    assert [e.transaction_code for e in reversal.entries] == [27, 37]
    spec = AchFileSpec("121000358", "1234567890", "BANK", "ACME", CREATED, "B", (reversal,))
    assert check_file(build_file(spec)).ok


def test_reversal_after_the_window_is_refused() -> None:
    with pytest.raises(ReversalWindowClosed) as raised:
        build_reversal(
            original_batch(),
            ["121000350000001"],
            settlement_date=SETTLED,
            reversal_date=date(2026, 1, 26),
        )
    assert raised.value.deadline == LAST_DAY
    assert "window closed on 2026-01-23" in str(raised.value)


def test_a_weekend_reversal_date_counts_as_the_next_banking_day() -> None:
    with pytest.raises(ReversalWindowClosed):
        build_reversal(
            original_batch(),
            ["121000350000001"],
            settlement_date=SETTLED,
            reversal_date=date(2026, 1, 24),
        )


def test_a_weekend_reversal_of_a_payment_settling_on_monday_is_on_time() -> None:
    # Asked on Saturday 2026-12-05 for a payment settling Monday the 7th: it settles Monday
    # too, not before the original (this refused every weekend reversal of Friday's money).
    spec = build_reversal(
        original_batch(),
        ["121000350000001"],
        settlement_date=date(2026, 12, 7),
        reversal_date=date(2026, 12, 5),
    )
    assert spec.effective_date == date(2026, 12, 5)
    with pytest.raises(InvalidInput, match="before the settlement date"):
        build_reversal(
            original_batch(),
            ["121000350000001"],
            settlement_date=date(2026, 12, 8),
            reversal_date=date(2026, 12, 5),
        )


def test_reversal_before_settlement_is_invalid() -> None:
    with pytest.raises(InvalidInput, match="reversal_date"):
        build_reversal(
            original_batch(),
            ["121000350000001"],
            settlement_date=SETTLED,
            reversal_date=date(2026, 1, 14),
        )


def test_unknown_trace_is_invalid() -> None:
    with pytest.raises(InvalidInput, match="not in the original batch"):
        build_reversal(
            original_batch(), ["121000350000009"], settlement_date=SETTLED, reversal_date=SETTLED
        )


def test_prenotes_cannot_be_reversed() -> None:
    batch = original_batch()
    prenote = replace(
        batch.entries[0], detail=replace(batch.entries[0].detail, transaction_code=23)
    )
    with pytest.raises(InvalidInput, match="cannot be reversed"):
        build_reversal(
            replace(batch, entries=(prenote,)),
            ["121000350000001"],
            settlement_date=SETTLED,
            reversal_date=SETTLED,
        )
