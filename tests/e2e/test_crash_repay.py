"""kill -9 during a re-pay: the `payrun repay send` process is killed the moment its payment row
appears, then the moment its file reaches the bank's drop folder; run again, the paycheck is
re-paid exactly once (one payment, one file, one settlement) and the books balance."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Paycheck, Payment, Repayment
from payrun.domain.ach.parser import parse_file
from payrun.services.returns import process_returns
from tests.integration.test_repay import paycheck_of
from tests.integration.test_returns import (
    PaidRun,
    Recorder,
    Returned,
    context,
    copy_paid_run,
    employee_of,
    payrun,
    return_file,
)


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def killed_when(paid: PaidRun, paycheck_id: int, seen: Callable[[], bool]) -> bool:
    """Start `payrun repay send`, SIGKILL it as soon as seen() is true; True if it was killed
    (False: it finished first)."""
    env = {**os.environ, "PAYRUN_HOME": str(paid.settings.home)}
    env.pop("PAYRUN_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "payrun.entrypoints.cli", "repay", "send",
         "--paycheck", str(paycheck_id)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if seen():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.005)
    process.wait(timeout=60)
    return False


def test_a_repay_killed_twice_pays_once(paid: PaidRun) -> None:
    entry = paid.credits[0]
    ctx = context(paid, Recorder())
    process_returns(ctx, return_file(paid, [Returned("R03", entry)]))
    employee = employee_of(paid, entry)
    check = paycheck_of(paid, employee)
    fixed = payrun(paid.settings.home, "repay", "account", "--employee", str(employee),
                   "--account", "99887766")  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr
    key = f"repay-{check.id}-1"
    drop = paid.settings.output_dir / "bank-drop" / f"{key}.ach"

    def payment_row() -> bool:
        with transaction(paid.settings.db_url) as session:
            return (
                session.scalar(select(Payment.id).where(Payment.idempotency_key == key)) is not None
            )

    kills = [
        killed_when(paid, check.id, payment_row),  # between opening the re-pay and sending it
        killed_when(paid, check.id, drop.exists),  # between the bank's drop and the record
    ]
    finished = payrun(paid.settings.home, "repay", "send", "--paycheck", str(check.id))
    again = payrun(paid.settings.home, "repay", "send", "--paycheck", str(check.id))

    assert kills[0], "the first process finished before it could be killed"
    assert finished.returncode == 0 and again.returncode == 0, finished.stderr + again.stderr
    assert "re-pay 1 of" in again.stdout and ": PAID" in again.stdout
    with transaction(paid.settings.db_url) as session:
        repayments = session.scalar(select(func.count()).select_from(Repayment))
        payments = session.scalars(
            select(Payment).where(Payment.idempotency_key.like("repay-%"))
        ).all()
        status = session.scalar(select(Paycheck.status).where(Paycheck.id == check.id))
    assert repayments == 1
    assert [(p.idempotency_key, p.status, p.credit_total_cents) for p in payments] == [
        (key, "PAID", check.net_cents)
    ]
    assert status == "REPAID"
    dropped = sorted(p.name for p in drop.parent.glob("repay-*.ach"))
    assert dropped == [f"{key}.ach"]  # one file to the bank, whatever was killed
    (batch,) = parse_file(drop.read_bytes()).batches
    assert batch.control.total_credit_entry_dollar_amount == check.net_cents
    assert [e.detail.amount for e in batch.entries] == [check.net_cents]
