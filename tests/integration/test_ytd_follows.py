"""YTD follows the money, against a run the real pipeline paid: a reversal or a returned
paycheck written off takes its YTD contribution back out exactly once, and the next
paycheck's calculation starts from the corrected YTD."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    Paycheck,
    PaycheckDetail,
    YtdAccumulator,
    YtdAdjustment,
)
from payrun.bootstrap import build_context
from payrun.domain.errors import InvalidInput
from payrun.services.repay import write_off
from payrun.services.returns import process_returns
from payrun.services.reversals import reverse_payment
from payrun.services.ytd_adjustments import undo_ytd
from tests.integration.test_recovery import run_next_period
from tests.integration.test_returns import (
    PaidRun,
    Recorder,
    Returned,
    context,
    copy_paid_run,
    employee_of,
    return_file,
)
from tests.integration.test_reversals import SETTLED, settle


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def ytd(paid: PaidRun, employee_id: int) -> dict[str, int]:
    with transaction(paid.settings.db_url) as session:
        acc = session.scalar(
            select(YtdAccumulator).where(YtdAccumulator.employee_id == employee_id)
        )
        assert acc is not None
        return {k: int(v) for k, v in acc.amounts.items()}


def paycheck_and_delta(
    paid: PaidRun, employee_id: int, run_id: str
) -> tuple[Paycheck, dict[str, int]]:
    with transaction(paid.settings.db_url) as session:
        check = session.scalar(
            select(Paycheck).where(Paycheck.employee_id == employee_id, Paycheck.run_id == run_id)
        )
        assert check is not None
        detail = session.get(PaycheckDetail, check.id)
        assert detail is not None
        return check, {k: int(v) for k, v in detail.ytd_delta.items()}


def minus(amounts: dict[str, int], delta: dict[str, int]) -> dict[str, int]:
    return {k: amounts.get(k, 0) - delta.get(k, 0) for k in amounts.keys() | delta.keys()}


def adjustments(paid: PaidRun) -> int:
    with transaction(paid.settings.db_url) as session:
        return session.scalar(select(func.count()).select_from(YtdAdjustment)) or 0


def test_a_reversal_takes_the_paychecks_ytd_out_once(paid: PaidRun) -> None:
    settle(paid, SETTLED)
    employee = employee_of(paid, paid.credits[0])
    before = ytd(paid, employee)
    check, delta = paycheck_and_delta(paid, employee, paid.run_id)
    ctx = build_context(paid.settings)

    reverse_payment(ctx, paid.payment_id, [employee], date(2026, 3, 4))
    reverse_payment(ctx, paid.payment_id, [employee], date(2026, 3, 4))  # asked twice
    with transaction(paid.settings.db_url) as session:  # and a void racing it
        again = undo_ytd(session, [session.get(Paycheck, check.id)], "void", SETTLED)

    assert again == 0
    assert ytd(paid, employee) == minus(before, delta)
    assert delta["gross"] == check.gross_cents > 0
    assert adjustments(paid) == 1


def test_a_written_off_return_takes_the_ytd_out_and_the_next_paycheck_starts_there(
    paid: PaidRun,
) -> None:
    entry = paid.credits[0]
    employee = employee_of(paid, entry)
    ctx = context(paid, Recorder())
    process_returns(ctx, return_file(paid, [Returned("R02", entry)]))
    check, delta = paycheck_and_delta(paid, employee, paid.run_id)
    before = ytd(paid, employee)

    write_off(ctx, check.id, "employee left; no account")
    with pytest.raises(InvalidInput, match="is VOIDED, not RETURNED"):
        write_off(ctx, check.id)
    corrected = ytd(paid, employee)
    next_run = asyncio.run(run_next_period(paid))
    _, next_delta = paycheck_and_delta(paid, employee, next_run.run_id)

    assert corrected == minus(before, delta)
    assert adjustments(paid) == 1
    with transaction(paid.settings.db_url) as session:
        detail = session.scalar(
            select(PaycheckDetail.ytd_after)
            .join(Paycheck, Paycheck.id == PaycheckDetail.paycheck_id)
            .where(Paycheck.employee_id == employee, Paycheck.run_id == next_run.run_id)
        )
    # The next paycheck's YTD is the corrected YTD plus what it adds, not the old one.
    after = {k: int(v) for k, v in detail.items() if int(v)}
    expected = {
        k: v for k, v in minus(corrected, {k: -v for k, v in next_delta.items()}).items() if v
    }
    assert after == expected
