"""payroll_files: the PPD credit file and the CCD funding debit for one pay run."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from payrun.domain.ach import (
    AccountType,
    EmployeeCredit,
    PayrollOriginator,
    check_file,
    parse_file,
    payroll_files,
)
from payrun.domain.errors import InvalidInput
from payrun.domain.money import Money

ACME = PayrollOriginator(
    company_name="Acme Payroll Inc",
    company_id="1234567890",
    odfi_routing="121000358",
    odfi_name="BANK OF AMERICA",
    funding_routing="026009593",
    funding_account="7778889990",
)
JANE = EmployeeCredit(
    "EMP0001", "Doe Jane", "021000021", "123456789", AccountType.CHECKING, Money.of("2161.55")
)
RICHARD = EmployeeCredit("EMP0002", "Roe Richard", "011000015", "555", AccountType.SAVINGS, 100000)
MAX = 99_999_999_99  # NACHA §6.2: an entry amount is 10 digits of cents


def build(*credits: EmployeeCredit, originator: PayrollOriginator = ACME) -> tuple[bytes, bytes]:
    files = payroll_files(
        originator,
        credits,
        pay_date=date(2026, 1, 15),
        funding_date=date(2026, 1, 13),
        created=datetime(2026, 1, 12, 17, 0),
    )
    return files.credit_file, files.funding_debit_file


def test_credit_file_is_a_ppd_credits_only_batch() -> None:
    credit_file, _ = build(JANE, RICHARD)
    assert check_file(credit_file).ok
    (batch,) = parse_file(credit_file).batches
    assert (batch.header.service_class_code, batch.header.standard_entry_class_code) == (220, "PPD")
    assert batch.header.effective_entry_date == date(2026, 1, 15)
    assert batch.header.company_descriptive_date == "JAN 15"
    assert [e.detail.transaction_code for e in batch.entries] == [22, 32]
    assert [e.detail.amount for e in batch.entries] == [216155, 100000]
    assert batch.entries[0].detail.individual_name == "DOE JANE"


def test_funding_debit_takes_the_credit_total_from_the_employer() -> None:
    _, debit_file = build(JANE, RICHARD)
    assert check_file(debit_file).ok
    ach = parse_file(debit_file)
    (batch,) = ach.batches
    assert (batch.header.service_class_code, batch.header.standard_entry_class_code) == (225, "CCD")
    assert batch.header.effective_entry_date == date(2026, 1, 13)
    (entry,) = batch.entries
    # 2161.55 + 1000.00 = 3161.55
    assert (entry.detail.transaction_code, entry.detail.amount) == (27, 316155)
    assert entry.detail.routing_number == "026009593"
    assert ach.header.file_id_modifier == "B"


def test_the_two_files_never_share_a_trace_number() -> None:
    credit_file, debit_file = build(JANE, RICHARD)
    traces = [
        e.detail.trace_number for f in (credit_file, debit_file) for e in parse_file(f).entries()
    ]
    assert traces == ["121000350000001", "121000350000002", "121000350000003"]


def test_long_names_are_cut_to_the_field() -> None:
    long_name = EmployeeCredit(
        "EMP3", "Wolfeschlegelsteinhausen Hubert", "021000021", "1", AccountType.CHECKING, 100
    )
    credit_file, _ = build(long_name)
    assert parse_file(credit_file).entries()[0].detail.individual_name == "WOLFESCHLEGELSTEINHAUS"


@pytest.mark.parametrize(
    ("credit", "field"),
    [
        (
            EmployeeCredit("E", "A", "021000022", "1", AccountType.CHECKING, 100),
            "credits[0].routing",
        ),
        (
            EmployeeCredit("E", "A", "021000021", "1" * 18, AccountType.CHECKING, 100),
            "credits[0].account",
        ),
        (EmployeeCredit("E", "A", "021000021", "1", AccountType.CHECKING, 0), "credits[0].amount"),
        (EmployeeCredit("E", "A", "021000021", "1", AccountType.CHECKING, -5), "credits[0].amount"),
        (
            EmployeeCredit(
                "E", "A", "021000021", "1", AccountType.CHECKING, Money(Decimal("1.005"))
            ),
            "credits[0].amount",
        ),
        (
            EmployeeCredit("E", "Zoë", "021000021", "1", AccountType.CHECKING, 100),
            "credits[0].name",
        ),
    ],
)
def test_bad_credits_are_refused_in_the_callers_terms(credit: EmployeeCredit, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        build(credit)
    assert raised.value.field == field


def test_funding_after_the_pay_date_is_refused() -> None:
    with pytest.raises(InvalidInput, match="funding_date"):
        payroll_files(
            ACME,
            [JANE],
            pay_date=date(2026, 1, 15),
            funding_date=date(2026, 1, 16),
            created=datetime(2026, 1, 12, 17, 0),
        )


def _big(number: int, cents: int) -> EmployeeCredit:
    checking = AccountType.CHECKING
    return EmployeeCredit(f"EMP{number}", "Big Earner", "021000021", str(number), checking, cents)


def test_a_funding_debit_over_one_entry_is_split_and_still_equals_the_credits() -> None:
    # 3 x $60,000,000.00 = $180,000,000.00 = 99,999,999.99 + 80,000,000.01
    credit_file, debit_file = build(*(_big(n, 60_000_000_00) for n in (1, 2, 3)))
    credits, debits = check_file(credit_file), check_file(debit_file)
    assert credits.ok and debits.ok, (credits.problems, debits.problems)
    assert debits.debit_total_cents == credits.credit_total_cents == 180_000_000_00
    ach = parse_file(debit_file)
    (batch,) = ach.batches
    assert [(e.detail.transaction_code, e.detail.amount) for e in batch.entries] == [
        (27, MAX),
        (27, 80_000_000_01),
    ]
    assert {e.detail.dfi_account_number for e in batch.entries} == {"7778889990"}
    # Batch and file controls: 2 entries, hash 2 x 02600959, debits 180,000,000.00
    assert batch.control.entry_addenda_count == ach.control.entry_addenda_count == 2
    assert batch.control.entry_hash == ach.control.entry_hash == 2 * 2600959
    assert batch.control.total_debit_entry_dollar_amount == 180_000_000_00
    assert ach.control.total_debit_entry_dollar_amount_in_file == 180_000_000_00


def test_split_debits_continue_the_credits_trace_sequence_without_repeating() -> None:
    credit_file, debit_file = build(*(_big(n, 60_000_000_00) for n in (1, 2, 3)))
    traces = [
        e.detail.trace_number for f in (credit_file, debit_file) for e in parse_file(f).entries()
    ]
    assert traces == [f"12100035{n:07d}" for n in range(1, 6)]


@pytest.mark.parametrize(
    ("credits", "debits"),
    [
        ((MAX - 1, 1), [MAX]),  # exactly one full entry: not split
        ((MAX, 1), [MAX, 1]),
        ((MAX, MAX, 1), [MAX, MAX, 1]),
    ],
)
def test_the_debit_splits_only_past_one_full_entry(
    credits: tuple[int, ...], debits: list[int]
) -> None:
    _, debit_file = build(*(_big(n, cents) for n, cents in enumerate(credits, start=1)))
    assert [e.detail.amount for e in parse_file(debit_file).entries()] == debits


def test_a_bad_funding_account_is_named_as_the_funding_debit_not_a_credit() -> None:
    bad = replace(ACME, funding_account="1" * 18)  # the account field is 17 characters
    with pytest.raises(InvalidInput) as raised:
        build(JANE, originator=bad)
    assert raised.value.field == "funding_debit[0].account"
