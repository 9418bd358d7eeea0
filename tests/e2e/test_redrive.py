"""Validation policies and the dead-letter queue: what a bad employee does to the employer, and
what a redrive (retry, fix_and_retry, skip, or a repeat) does afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employee, Employer, Paycheck, Payment
from payrun.domain.ach.parser import parse_file
from payrun.services import payments
from payrun.services.redrive import reopen
from tests.e2e.test_saga import (
    EMPLOYEES,
    STEPS,
    Payroll,
    assert_paid_once,
    assert_rolled_back,
    employer_of_payment,
    injected,
    open_payroll,
)


@pytest.fixture
async def payroll(
    payrun_home: Path, database_url: str, temporal_test_server_path: str
) -> AsyncIterator[Payroll]:
    async with open_payroll(payrun_home, database_url, temporal_test_server_path) as payroll:
        yield payroll


def set_policy(payroll: Payroll, employer_id: int, policy: str) -> None:
    with transaction(payroll.settings.db_url) as session:
        session.execute(
            update(Employer).where(Employer.id == employer_id).values(validation_policy=policy)
        )


def set_filing_status(payroll: Payroll, employee_id: int, status: str) -> None:
    """'bogus' is no W-4 filing status: the gross-pay step refuses the employee."""
    with transaction(payroll.settings.db_url) as session:
        employee = session.get(Employee, employee_id)
        assert employee is not None
        employee.profile = {**employee.profile, "w4": {"filing_status": status}}


def totals(payroll: Payroll) -> tuple[int, int, int]:
    """Paychecks (any status), payments (any status), credit files at the bank."""
    with transaction(payroll.settings.db_url) as session:
        paychecks = session.scalar(select(func.count()).select_from(Paycheck))
        payments = session.scalar(select(func.count()).select_from(Payment))
    dropped = {p.stem for p in (payroll.settings.output_dir / "bank-drop").glob("*.ach")}
    credits = {name for name in dropped if not name.endswith("-funding")}
    # Funding before credits: every credits file at the bank has its funding debit there too.
    assert dropped == credits | {f"{name}-funding" for name in credits}, sorted(dropped)
    return int(paychecks or 0), int(payments or 0), len(credits)


async def test_partial_policy_pays_the_rest_and_the_fixed_employee_in_a_second_payment(
    payroll: Payroll,
) -> None:
    victim = payroll.victim
    employees = payroll.employees(victim)
    bad, good = employees[2], [e for e in employees if e != employees[2]]
    set_policy(payroll, victim, "partial")
    set_filing_status(payroll, bad, "bogus")

    summary = await payroll.run()

    assert (summary.status, summary.employers_failed, summary.failed_employees) == (
        "WITH_FAILURES",
        0,
        1,
    )
    state = payroll.state(victim)
    assert state.status == "PARTIAL"
    assert state.employees == {**dict.fromkeys(good, "PAID"), bad: "DEAD_LETTERED"}
    assert [(d.employee_id, d.step, d.error_type, d.status) for d in state.dead_letters] == [
        (bad, "employee", "calculation_error", "OPEN")
    ]
    assert_paid_once(state, good)
    assert [(p.sequence, p.status, p.entry_count) for p in state.payments] == [
        (1, "PAID", EMPLOYEES - 1)
    ]
    assert state.events == ["employer.partial"]
    first_checks = {p.employee_id: (p.id, p.payment_id) for p in state.live()}

    set_filing_status(payroll, bad, "single")
    letter = state.dead_letters[0].id
    result = await payroll.redrive(dead_letter_ids=[letter], resolution="fix_and_retry")

    assert (result.redriven, result.resolved) == (1, 1)
    assert [(r.status, r.paychecks_created, r.already_paid) for r in result.employers] == [
        ("PAID", 1, EMPLOYEES - 1)
    ]
    state = payroll.state(victim)
    assert state.status == "PAID"
    assert_paid_once(state, employees)
    assert [(p.sequence, p.status, p.entry_count) for p in state.payments] == [
        (1, "PAID", EMPLOYEES - 1),
        (2, "PAID", 1),
    ]
    second = state.payments[1]
    (bad_check,) = [p for p in state.live() if p.employee_id == bad]
    assert bad_check.payment_id == second.id
    # the good employees keep their first paycheck and payment: nobody is paid twice
    assert {e: first_checks[e] for e in good} == {
        p.employee_id: (p.id, p.payment_id) for p in state.live() if p.employee_id != bad
    }
    ach = parse_file((payroll.settings.output_dir / "bank-drop" / f"{second.key}.ach").read_bytes())
    credits = ach.batches[0]
    assert len(credits.entries) == 1
    assert credits.control.total_credit_entry_dollar_amount == bad_check.net_cents
    assert [d.status for d in state.dead_letters] == ["RESOLVED"]


async def test_hold_policy_holds_the_employer_until_the_fixed_employee_is_redriven(
    payroll: Payroll,
) -> None:
    victim = payroll.victim
    employees = payroll.employees(victim)
    bad = employees[0]
    set_filing_status(payroll, bad, "bogus")  # the seed's policy is 'hold'

    await payroll.run()

    state = payroll.state(victim)
    assert state.status == "DEAD_LETTERED"
    assert [(d.employee_id, d.step, d.error_type) for d in state.dead_letters] == [
        (bad, "employee", "calculation_error"),
        (0, "validation", "validation"),
    ]
    assert state.employees == {**dict.fromkeys(employees, "COMPENSATED"), bad: "DEAD_LETTERED"}
    assert_rolled_back(state, employees)
    assert state.payments == []  # validation failed: no payment was ever opened
    assert state.events == ["employer.failed"]
    for employer_id in payroll.bystanders:
        assert_paid_once(payroll.state(employer_id), payroll.employees(employer_id))

    set_filing_status(payroll, bad, "single")
    result = await payroll.redrive(resolution="fix_and_retry")

    assert (result.redriven, result.resolved) == (1, 2)
    assert [(r.status, r.paychecks_created) for r in result.employers] == [("PAID", EMPLOYEES)]
    state = payroll.state(victim)
    assert_paid_once(state, employees)
    assert [(p.sequence, p.status, p.entry_count) for p in state.payments] == [
        (1, "PAID", EMPLOYEES)
    ]
    assert [d.status for d in state.dead_letters] == ["RESOLVED", "RESOLVED"]


async def test_redriving_a_resolved_item_or_rerunning_a_paid_period_changes_nothing(
    payroll: Payroll, monkeypatch: pytest.MonkeyPatch
) -> None:
    STEPS["validate_employer"].install(monkeypatch, payroll.victim, injected)
    await payroll.run()
    monkeypatch.undo()
    await payroll.redrive()
    (letter,) = payroll.state(payroll.victim).dead_letters
    assert letter.status == "RESOLVED"
    paid = totals(payroll)
    # every employee's paycheck plus the victim's voided first ones; one payment and file each
    assert paid == (3 * EMPLOYEES + EMPLOYEES, 3, 3)

    again = await payroll.redrive(dead_letter_ids=[letter.id])
    assert (again.redriven, again.skipped, again.resolved, again.employers) == (0, 0, 0, [])
    assert totals(payroll) == paid

    reopen(payroll.settings.db_url, [letter.id])  # an operator re-queues a paid item
    forced = await payroll.redrive(dead_letter_ids=[letter.id])
    assert [(r.status, r.paychecks_created, r.already_paid) for r in forced.employers] == [
        ("PAID", 0, EMPLOYEES)
    ]
    assert forced.resolved == 1
    assert totals(payroll) == paid

    rerun = await payroll.run()
    assert (rerun.status, rerun.paychecks_created, rerun.already_paid) == (
        "COMPLETED",
        0,
        3 * EMPLOYEES,
    )
    assert totals(payroll) == paid
    assert_paid_once(payroll.state(payroll.victim), payroll.employees(payroll.victim))


async def test_skip_closes_the_items_without_paying_anyone(payroll: Payroll) -> None:
    victim = payroll.victim
    employees = payroll.employees(victim)
    bad = employees[-1]
    set_policy(payroll, victim, "partial")
    set_filing_status(payroll, bad, "bogus")
    await payroll.run()
    before = totals(payroll)

    skipped = await payroll.redrive(resolution="skip")

    assert (skipped.redriven, skipped.skipped, skipped.resolved, skipped.employers) == (0, 1, 0, [])
    state = payroll.state(victim)
    assert [(d.employee_id, d.status) for d in state.dead_letters] == [(bad, "SKIPPED")]
    assert state.employees[bad] == "DEAD_LETTERED"
    assert bad not in {p.employee_id for p in state.live()}
    assert totals(payroll) == before
    nothing_open = await payroll.redrive()
    assert (nothing_open.redriven, nothing_open.skipped, nothing_open.employers) == (0, 0, [])
    assert totals(payroll) == before


async def test_a_redrive_that_fails_again_compensates_again_and_the_next_one_pays_once(
    payroll: Payroll, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = payroll.victim
    employees = payroll.employees(victim)
    fault = STEPS["net_pay"].install(monkeypatch, victim, injected)
    await payroll.run()

    failed_again = await payroll.redrive()

    assert fault.raised == 2
    assert [(r.status, r.paychecks_created) for r in failed_again.employers] == [
        ("DEAD_LETTERED", 0)
    ]
    assert failed_again.resolved == 0
    state = payroll.state(victim)
    assert [(d.step, d.status, d.attempts) for d in state.dead_letters] == [("net_pay", "OPEN", 2)]
    assert_rolled_back(state, employees)  # YTD back to the prior values after two voids
    assert [p.status for p in state.paychecks] == ["VOIDED"] * (2 * EMPLOYEES)
    assert state.events == ["employer.failed", "employer.failed"]  # the operator hears twice

    monkeypatch.undo()
    paid = await payroll.redrive()

    assert [(r.status, r.paychecks_created) for r in paid.employers] == [("PAID", EMPLOYEES)]
    state = payroll.state(victim)
    assert_paid_once(state, employees)
    assert [(d.status, d.attempts) for d in state.dead_letters] == [("RESOLVED", 3)]


async def test_a_payment_the_bank_already_collected_stays_open_for_reconciliation(
    payroll: Payroll, monkeypatch: pytest.MonkeyPatch
) -> None:
    """record_payment fails after the bank took the file: nothing can be cancelled, so nothing
    is voided, and a redrive must not call the item resolved while the payment is unsettled."""
    victim = payroll.victim
    employees = payroll.employees(victim)
    drop = payroll.settings.output_dir / "bank-drop"
    real_record = payments.record_payment

    def collected_then_fails(ctx: Any, outcome: Any) -> Any:
        if employer_of_payment((ctx, outcome.payment_id)) == victim:
            for path in drop.glob(f"{payroll.run_id}-{victim}-payment-*.ach"):
                path.unlink()  # the bank collected the file
            raise injected()
        return real_record(ctx, outcome)

    monkeypatch.setattr(payments, "record_payment", collected_then_fails)
    await payroll.run()

    state = payroll.state(victim)
    assert state.status == "DEAD_LETTERED"
    assert [(p.sequence, p.status) for p in state.payments] == [(1, "SENT")]
    assert sorted(p.employee_id for p in state.live()) == employees  # not voided
    assert {p.payment_id for p in state.live()} == {state.payments[0].id}
    assert set(state.employees.values()) == {"PAYMENT_SENT"}
    before = totals(payroll)

    result = await payroll.redrive()

    assert result.resolved == 0
    assert [(p.sequence, p.status) for p in payroll.state(victim).payments] == [(1, "SENT")]
    assert [d.status for d in payroll.state(victim).dead_letters] == ["OPEN"]
    assert totals(payroll) == before
