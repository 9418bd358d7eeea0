"""Payroll files travel through the object store: a worker with another PAYRUN_HOME, sharing only
the database and the store, sends the file and matches its returns; a file that is gone is an
error naming the payment, never a silent "no match"."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Payment
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.services.messages import PreparedPayment
from payrun.services.nacha_files import MissingNachaFile
from payrun.services.payments import payment_batch
from payrun.services.returns import process_returns
from tests.integration.test_returns import (
    PaidRun,
    Recorder,
    Returned,
    copy_paid_run,
    employee_of,
    nacha_of,
    payrun,
    return_file,
    statuses,
)


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def other_worker(paid: PaidRun, home: Path) -> Settings:
    """A second machine: its own home folder, the first one's database and object store."""
    return Settings(
        home=home,
        database_url=paid.settings.db_url,
        object_store=paid.settings.snapshot_url,
    )


def test_a_worker_on_another_home_sends_and_matches_the_first_ones_file(
    paid: PaidRun, tmp_path: Path
) -> None:
    other = build_context(other_worker(paid, tmp_path / "other"))
    other.notifier = Recorder()
    with transaction(paid.settings.db_url) as session:
        payment = session.get(Payment, paid.payment_id)
        assert payment is not None and payment.nacha_path is not None
        prepared = PreparedPayment(payment.id, payment.idempotency_key, payment.entry_count,
                                   payment.credit_total_cents, payment.nacha_path,
                                   "2026-01-09")  # fmt: skip
    assert not Path(prepared.nacha_path).is_absolute()  # a key, not one machine's path

    batch = payment_batch(other, prepared, paid.run_id, paid.employer_id)
    report = process_returns(other, return_file(paid, [Returned("R03", paid.credits[0])]))

    assert batch.nacha == nacha_of(paid.settings, prepared.nacha_path)
    assert [r.outcome for r in report.returns] == ["routed"]
    assert statuses(paid)[employee_of(paid, paid.credits[0])] == "RETURNED"
    assert not (tmp_path / "other" / "snapshots").exists()


def test_a_missing_file_is_an_error_naming_the_payment(paid: PaidRun, tmp_path: Path) -> None:
    ctx = build_context(paid.settings)
    with transaction(paid.settings.db_url) as session:
        keys = list(session.scalars(select(Payment.nacha_path)))
    ctx.store.delete([k for k in keys if k])
    data = return_file(paid, [Returned("R03", paid.credits[0])])
    (tmp_path / "returns.ach").write_bytes(data)

    with pytest.raises(MissingNachaFile, match=f"payment {paid.payment_id}"):
        process_returns(ctx, data)
    result = payrun(paid.settings.home, "ach", "returns", str(tmp_path / "returns.ach"))

    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "cannot be read" in result.stderr
    assert set(statuses(paid).values()) == {"PAID"}
