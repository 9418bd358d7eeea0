"""Re-pay a returned employee, against a run the real pipeline paid: the operator fixes the
account, the same net goes out once in an off-cycle file; a notice of change (C01-C03)
corrects the account by itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import DeadLetter, Employee, Paycheck, Payment, YtdAccumulator
from payrun.domain.ach.parser import parse_file
from payrun.domain.errors import InvalidInput
from payrun.services.repay import repay
from payrun.services.returns import process_returns
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

NEW_ACCOUNT = "99887766"


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def paycheck_of(paid: PaidRun, employee_id: int) -> Paycheck:
    with transaction(paid.settings.db_url) as session:
        found = session.scalar(
            select(Paycheck).where(
                Paycheck.run_id == paid.run_id, Paycheck.employee_id == employee_id
            )
        )
        assert found is not None
        return found


def account_of(paid: PaidRun, employee_id: int) -> tuple[str, str]:
    ctx = context(paid, Recorder())
    with transaction(paid.settings.db_url) as session:
        employee = session.get(Employee, employee_id)
        assert employee is not None
        return employee.bank_routing, ctx.vault.decrypt(employee.bank_account_enc)


def books(paid: PaidRun) -> tuple[int, dict[int, dict[str, int]]]:
    with transaction(paid.settings.db_url) as session:
        payments = session.scalar(select(func.count()).select_from(Payment)) or 0
        ytd = {y.employee_id: dict(y.amounts) for y in session.scalars(select(YtdAccumulator))}
    return payments, ytd


def test_a_returned_paycheck_is_repaid_once_to_the_fixed_account(paid: PaidRun) -> None:
    returned = paid.credits[0]
    employee = employee_of(paid, returned)
    process_returns(context(paid, Recorder()), return_file(paid, [Returned("R03", returned)]))
    check = paycheck_of(paid, employee)
    payments_before, ytd_before = books(paid)

    fixed = payrun(paid.settings.home, "repay", "account", "--employee", str(employee),
                   "--account", NEW_ACCOUNT)  # fmt: skip
    first = payrun(paid.settings.home, "repay", "send", "--paycheck", str(check.id))
    again = repay(context(paid, Recorder()), check.id)

    assert fixed.returncode == 0 and "...7766" in fixed.stdout, fixed.stderr
    assert first.returncode == 0, first.stderr
    assert f"re-pay 1 of ${check.net_cents / 100:,.2f} to account ...7766: PAID" in first.stdout
    assert (again.attempt, again.status) == (1, "PAID")
    payments_after, ytd_after = books(paid)
    assert payments_after == payments_before + 1  # one re-pay payment, whatever was retried
    assert ytd_after == ytd_before  # the same net: nothing recalculated, YTD untouched
    after = paycheck_of(paid, employee)
    assert (after.status, after.net_cents, after.employee_taxes_cents) == (
        "REPAID", check.net_cents, check.employee_taxes_cents,
    )  # fmt: skip
    drop = paid.settings.output_dir / "bank-drop" / f"repay-{check.id}-1.ach"
    (batch,) = parse_file(drop.read_bytes()).batches
    (entry,) = batch.entries
    assert (entry.detail.dfi_account_number.strip(), entry.detail.amount) == (
        NEW_ACCOUNT, check.net_cents,
    )  # fmt: skip
    with transaction(paid.settings.db_url) as session:
        letter = session.scalar(select(DeadLetter).where(DeadLetter.employee_id == employee))
        assert letter is not None and (letter.status, letter.resolution) == ("RESOLVED", "repaid")


def test_a_repay_that_comes_back_too_is_repaid_as_a_second_attempt(paid: PaidRun) -> None:
    ctx = context(paid, Recorder())
    process_returns(ctx, return_file(paid, [Returned("R03", paid.credits[0])]))
    check = paycheck_of(paid, employee_of(paid, paid.credits[0]))
    repay(ctx, check.id)
    drop = paid.settings.output_dir / "bank-drop" / f"repay-{check.id}-1.ach"
    (repaid_entry,) = parse_file(drop.read_bytes()).batches[0].entries

    report = process_returns(ctx, return_file(paid, [Returned("R02", repaid_entry)]))
    second = repay(ctx, check.id)

    assert [(r.outcome, r.paycheck_id) for r in report.returns] == [("routed", check.id)]
    assert (second.attempt, second.status) == (2, "PAID")
    assert paycheck_of(paid, check.employee_id).status == "REPAID"


def test_only_a_returned_paycheck_can_be_repaid(paid: PaidRun) -> None:
    check = paycheck_of(paid, employee_of(paid, paid.credits[1]))
    with pytest.raises(InvalidInput, match=f"paycheck {check.id} is PAID, not RETURNED"):
        repay(context(paid, Recorder()), check.id)


def test_a_notice_of_change_corrects_the_account_once(paid: PaidRun) -> None:
    entry = paid.credits[1]
    employee = employee_of(paid, entry)
    routing_before, _ = account_of(paid, employee)
    # C03: routing 1-9, three blanks, account 13-29 (Nacha corrected-data layout)
    corrected = "091000019" + "   " + "55443322"
    data = return_file(paid, [Returned("C03", entry, corrected=corrected)])

    first = process_returns(context(paid, Recorder()), data)
    second = process_returns(context(paid, Recorder()), data)

    assert [(n.outcome, n.employee_id, n.account_last4) for n in first.notices] == [
        ("changed", employee, "3322")
    ]
    assert [n.outcome for n in second.notices] == ["duplicate"]
    assert first.returns == ()
    assert account_of(paid, employee) == ("091000019", "55443322") != (routing_before, "")
