"""split_amount: an offset debit larger than one entry's 10-digit amount field becomes several
entries; and totals the 12-digit batch and file controls cannot hold, and counts their 6-digit
fields cannot hold, are refused up front."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.domain.ach.test_ach_builder import two_batch_spec

from payrun.domain.ach import MAX_ENTRY_AMOUNT_CENTS, build_file, check_file, split_amount
from payrun.domain.ach.spec import (
    MAX_BATCH_RECORDS,
    MAX_BLOCKS,
    MAX_TOTAL_AMOUNT_CENTS,
    AchFileSpec,
    BatchSpec,
    entry_addenda_count,
    validate_spec,
)
from payrun.domain.errors import InvalidInput

MAX = 99_999_999_99  # NACHA §6.2: the entry amount is positions 30-39, 10 digits of cents
MAX_TOTAL = 9_999_999_999_99  # batch control positions 21-32 / 33-44: 12 digits of cents


def test_the_limits_are_the_nacha_field_widths() -> None:
    assert (MAX_ENTRY_AMOUNT_CENTS, MAX_TOTAL_AMOUNT_CENTS) == (MAX, MAX_TOTAL)


@pytest.mark.parametrize(
    ("total", "amounts"),
    [
        (1, (1,)),
        (316155, (316155,)),
        (MAX - 1, (MAX - 1,)),
        (MAX, (MAX,)),
        (MAX + 1, (MAX, 1)),
        (2 * MAX, (MAX, MAX)),
        (2 * MAX + 1, (MAX, MAX, 1)),
        # The 50,000-employee repro: 150,868,619.59 - 99,999,999.99 = 50,868,619.60
        (150_868_619_59, (MAX, 50_868_619_60)),
        # 9,999,999,999.99 = 100 x 99,999,999.99 + 0.99
        (MAX_TOTAL, (MAX,) * 100 + (99,)),
    ],
)
def test_full_entries_first_then_the_remainder(total: int, amounts: tuple[int, ...]) -> None:
    assert split_amount(total) == amounts


@given(st.integers(1, MAX_TOTAL))
@settings(max_examples=200, deadline=None)
def test_the_shares_sum_to_the_total_and_each_fits_an_entry(total: int) -> None:
    shares = split_amount(total)
    assert sum(shares) == total
    assert all(0 < share <= MAX for share in shares)
    assert all(share == MAX for share in shares[:-1])
    assert len(shares) == -(-total // MAX)  # as few entries as can carry it


@pytest.mark.parametrize("total", [0, -1, -MAX, MAX_TOTAL + 1, True, 1.5, Decimal("100"), "100"])
def test_a_total_no_batch_can_debit_is_refused_naming_the_field(total: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        split_amount(total, "funding_debit")  # type: ignore[arg-type]
    assert raised.value.field == "funding_debit"


def test_a_split_debit_builds_a_file_whose_debits_match_its_credits() -> None:
    spec = two_batch_spec()
    credits_batch, debit_batch = spec.batches
    credit = replace(credits_batch.entries[0], amount_cents=60_000_000_00)  # $60M each
    debit = debit_batch.entries[0]
    total = 3 * 60_000_000_00  # $180,000,000.00 = 99,999,999.99 + 80,000,000.01
    debits = tuple(replace(debit, amount_cents=a) for a in split_amount(total))
    data = build_file(
        replace(
            spec,
            batches=(
                replace(credits_batch, entries=(credit,) * 3),
                replace(debit_batch, entries=debits),
            ),
        )
    )
    report = check_file(data)
    assert report.ok, report.problems
    assert report.debit_total_cents == report.credit_total_cents == total
    lines = data.decode().splitlines()
    entries = [line for line in lines if line.startswith("6")]
    assert [line[29:39] for line in entries[3:]] == ["9999999999", "8000000001"]
    batch_controls = [line for line in lines if line.startswith("8")]
    assert batch_controls[1][20:32] == "018000000000"  # debit batch total, 12 digits
    file_control = next(line for line in lines if line.startswith("9"))
    assert file_control[31:43] == file_control[43:55] == "018000000000"


def test_a_batch_total_over_the_12_digit_control_is_refused_naming_the_batch() -> None:
    spec = two_batch_spec()
    batch = spec.batches[0]
    full = replace(batch.entries[0], amount_cents=MAX)
    over = replace(batch, entries=(full,) * 101)  # 101 x 99,999,999.99 > 9,999,999,999.99
    with pytest.raises(InvalidInput, match="12-digit") as raised:
        validate_spec(replace(spec, batches=(over,)))
    assert raised.value.field == "batches[0].entries"


def test_a_file_total_over_the_12_digit_control_is_refused() -> None:
    spec = two_batch_spec()
    batch = spec.batches[0]
    full = replace(batch.entries[0], amount_cents=MAX)
    half = replace(batch, entries=(full,) * 60)  # each batch fits; 120 entries do not
    with pytest.raises(InvalidInput, match="file control's 12-digit") as raised:
        validate_spec(replace(spec, batches=(half, half)))
    assert raised.value.field == "batches"


def _batch_of(spec: AchFileSpec, entries: int, addenda: bool = False) -> BatchSpec:
    entry = spec.batches[0].entries[0]
    if addenda:
        entry = replace(entry, payment_related_information="PAY")
    return replace(spec.batches[0], entries=(entry,) * entries)


def test_a_batch_its_control_cannot_count_is_refused_before_any_entry_is_checked() -> None:
    spec = two_batch_spec()
    too_many = replace(spec, batches=(spec.batches[0], _batch_of(spec, MAX_BATCH_RECORDS + 1)))
    with pytest.raises(InvalidInput) as raised:
        validate_spec(too_many)
    assert raised.value.field == "batches[1].entries"
    assert "1000000 entries and addenda" in str(raised.value)

    # Addenda count too: 500,000 entries with one each are 1,000,000 records.
    with_addenda = replace(spec, batches=(_batch_of(spec, 500_000, addenda=True),))
    with pytest.raises(InvalidInput, match="batch control's 6-digit count") as raised:
        validate_spec(with_addenda)
    assert raised.value.field == "batches[0].entries"


def test_a_file_its_control_cannot_count_the_blocks_of_is_refused() -> None:
    spec = two_batch_spec()
    full = _batch_of(spec, 499_999, addenda=True)  # 999,998 records: a batch can hold them
    assert entry_addenda_count(full) == 999_998 <= MAX_BATCH_RECORDS
    eleven = replace(spec, batches=(full,) * 11)  # 11,000,002 records: 1,100,001 blocks
    with pytest.raises(InvalidInput, match="6-digit block count") as raised:
        validate_spec(eleven)
    assert raised.value.field == "batches"
    assert "11000002 records make 1100001 blocks" in str(raised.value)
    assert MAX_BLOCKS == 999_999
