"""FileDropProvider on a real folder: one file per idempotency key, written atomically."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from payrun.adapters.payments.file_drop import (
    DeliveryInDoubt,
    FileDropProvider,
    IdempotencyConflict,
)
from payrun.domain.ach import (
    AccountType,
    BatchSpec,
    EmployeeCredit,
    EntrySpec,
    PayrollOriginator,
    payroll_files,
)
from payrun.domain.errors import InvalidInput
from payrun.services.ports import PaymentBatch

ACME = PayrollOriginator(
    "ACME PAYROLL INC", "1234567890", "121000358", "BANK OF AMERICA", "026009593", "7778889990"
)


def nacha(cents: int = 216155) -> bytes:
    credit = EmployeeCredit("EMP1", "DOE JANE", "021000021", "123", AccountType.CHECKING, cents)
    files = payroll_files(
        ACME,
        [credit],
        pay_date=date(2026, 1, 15),
        funding_date=date(2026, 1, 15),
        created=datetime(2026, 1, 14, 9, 0),
    )
    return files.credit_file


def batch(key: str = "run-7-employer-3", cents: int = 216155) -> PaymentBatch:
    return PaymentBatch(
        idempotency_key=key,
        employer_id=3,
        run_id="run-7",
        entry_count=1,
        credit_total_cents=cents,
        debit_total_cents=0,
        nacha=nacha(cents),
        effective_date=date(2026, 1, 15),
    )


def dropped(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def test_submit_writes_the_file_under_its_key(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    receipt = provider.submit(batch(), b"token-1")
    assert receipt.accepted and not receipt.duplicate
    assert dropped(tmp_path) == ["run-7-employer-3.ach"]
    assert (tmp_path / "run-7-employer-3.ach").read_bytes() == batch().nacha
    assert provider.callback_token("run-7-employer-3") == b"token-1"


def test_same_key_twice_writes_one_file(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    first = provider.submit(batch(), None)
    second = provider.submit(batch(), None)
    assert second.duplicate and second.accepted
    assert second.provider_reference == first.provider_reference
    assert dropped(tmp_path) == ["run-7-employer-3.ach"]


def test_same_key_after_the_bank_collected_the_file_is_not_sent_again(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    provider.submit(batch(), None)
    (tmp_path / "run-7-employer-3.ach").unlink()  # the SFTP job took it
    assert FileDropProvider(tmp_path).submit(batch(), None).duplicate
    assert dropped(tmp_path) == []


def test_concurrent_submits_of_one_key_drop_one_file(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    outcomes: list[object] = []

    def submit() -> None:
        try:
            outcomes.append(provider.submit(batch(), None).duplicate)
        except DeliveryInDoubt as error:
            outcomes.append(error)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert dropped(tmp_path) == ["run-7-employer-3.ach"]
    assert outcomes.count(False) == 1  # exactly one writer


def test_same_key_with_another_file_is_a_conflict(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    provider.submit(batch(cents=100), None)
    with pytest.raises(IdempotencyConflict):
        provider.submit(batch(cents=200), None)
    assert dropped(tmp_path) == ["run-7-employer-3.ach"]


def test_interrupted_after_the_drop_and_collected_is_never_dropped_again(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    provider.submit(batch(), None)
    (provider.state_folder / "run-7-employer-3.json").unlink()  # crash before the record
    (tmp_path / "run-7-employer-3.ach").unlink()  # and the bank collected the file
    again = provider.submit(batch(), None)
    assert again.accepted and again.duplicate
    assert dropped(tmp_path) == []  # the staged file was renamed away: it went out once


def test_interrupted_between_claim_and_drop_drops_exactly_once(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    provider.submit(batch(), None)
    # Rebuild the state a crash right after the claim leaves: the claimant's staged file is
    # still in the state folder, nothing in the drop folder, no record.
    drop = tmp_path / "run-7-employer-3.ach"
    writer = (provider.state_folder / "run-7-employer-3.claim").read_text().split(" ")[1]
    drop.rename(provider.state_folder / f"run-7-employer-3.{writer}.staged")
    (provider.state_folder / "run-7-employer-3.json").unlink()
    assert dropped(tmp_path) == []
    again = provider.submit(batch(), None)
    assert again.accepted and again.duplicate
    assert dropped(tmp_path) == ["run-7-employer-3.ach"]
    assert provider.submit(batch(), None).duplicate
    assert dropped(tmp_path) == ["run-7-employer-3.ach"]


def test_interrupted_attempt_with_the_file_in_place_is_completed(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    provider.submit(batch(), None)
    (provider.state_folder / "run-7-employer-3.json").unlink()
    assert provider.submit(batch(), None).duplicate
    assert dropped(tmp_path) == ["run-7-employer-3.ach"]


def test_cancel_pulls_back_an_uncollected_file(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    provider.submit(batch(), None)
    assert provider.cancel("run-7-employer-3")
    assert dropped(tmp_path) == []
    again = provider.submit(batch(), None)
    assert again.duplicate and not again.accepted
    assert not provider.cancel("run-7-employer-3")


def test_cancel_after_collection_fails(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    provider.submit(batch(), None)
    (tmp_path / "run-7-employer-3.ach").unlink()
    assert not provider.cancel("run-7-employer-3")
    assert not provider.cancel("never-submitted")


def test_invalid_file_or_mismatched_totals_write_nothing(tmp_path: Path) -> None:
    provider = FileDropProvider(tmp_path)
    broken = PaymentBatch("k1", 3, "run-7", 1, 216155, 0, b"not a nacha file", date(2026, 1, 15))
    with pytest.raises(InvalidInput, match="nacha"):
        provider.submit(broken, None)
    wrong_total = PaymentBatch("k2", 3, "run-7", 1, 999, 0, nacha(), date(2026, 1, 15))
    with pytest.raises(InvalidInput, match="batch says"):
        provider.submit(wrong_total, None)
    assert dropped(tmp_path) == []


@pytest.mark.parametrize("key", ["../escape", "a/b", ".hidden", "", "x" * 201])
def test_unsafe_keys_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidInput, match="idempotency_key"):
        FileDropProvider(tmp_path).submit(batch(key=key), None)


def _batch_of(service_class: int, sec: str, entries: tuple[EntrySpec, ...]) -> BatchSpec:
    return BatchSpec(
        service_class, "ACME", "1234567890", sec, "PAYROLL", date(2026, 1, 15), "12100035", entries
    )


def test_a_combined_credit_and_funding_file_is_accepted(tmp_path: Path) -> None:
    # One file, two batches (PPD credits + CCD funding debit), as the payment service
    # builds it: the batch counts paychecks; the totals must match the file's.
    from payrun.domain.ach import AchFileSpec, build_file

    credit = EntrySpec(22, "021000021", "1", 5000, "E1", "DOE JANE")
    debit = EntrySpec(27, "026009593", "9", 5000, "1234567890", "ACME")
    data = build_file(
        AchFileSpec(
            "121000358",
            "1234567890",
            "BANK",
            "ACME",
            datetime(2026, 1, 14, 9, 0),
            "A",
            (_batch_of(220, "PPD", (credit,)), _batch_of(225, "CCD", (debit,))),
        )
    )
    combined = PaymentBatch("run-8-employer-3", 3, "run-8", 1, 5000, 5000, data, date(2026, 1, 15))
    assert FileDropProvider(tmp_path).submit(combined, None).accepted


def test_a_funding_debit_split_over_several_entries_is_accepted(tmp_path: Path) -> None:
    # $180,000,000.00 of credits; no entry holds more than $99,999,999.99, so the employer's
    # debit is two entries (99,999,999.99 + 80,000,000.01) in the same CCD batch.
    from payrun.domain.ach import AchFileSpec, build_file, split_amount

    credits = tuple(
        EntrySpec(22, "021000021", str(n), 60_000_000_00, f"E{n}", "DOE JANE") for n in (1, 2, 3)
    )
    debits = tuple(
        EntrySpec(27, "026009593", "9", cents, "1234567890", "ACME")
        for cents in split_amount(180_000_000_00)
    )
    data = build_file(
        AchFileSpec(
            "121000358",
            "1234567890",
            "BANK",
            "ACME",
            datetime(2026, 1, 14, 9, 0),
            "A",
            (_batch_of(220, "PPD", credits), _batch_of(225, "CCD", debits)),
        )
    )
    total = 180_000_000_00
    combined = PaymentBatch(
        "run-9-employer-3", 3, "run-9", 3, total, total, data, date(2026, 1, 15)
    )
    assert len(debits) == 2
    assert FileDropProvider(tmp_path).submit(combined, None).accepted
