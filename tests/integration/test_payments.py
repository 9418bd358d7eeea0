"""The payment handlers on a real database: one employer's validated run becomes one payment,
one NACHA file, and PAID statuses, each exactly once, whatever is retried."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, update

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    Employee,
    EmployeeStatus,
    Employer,
    Paycheck,
    Payment,
)
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain.ach import check_file, parse_file
from payrun.services import employee_steps, employer_steps, payments, runs
from payrun.services.context import PayrollContext
from payrun.services.messages import (
    STEPS,
    ChunkTask,
    EmployerInput,
    PaymentOutcome,
    PayRunInput,
    PreparedPayment,
)
from payrun.services.seed import one_schedule, seed_demo

EMPLOYEES = 6


@dataclass(frozen=True)
class ValidatedRun:
    ctx: PayrollContext
    vault: Vault
    inp: EmployerInput

    def paychecks(self) -> dict[int, tuple[int, str, int | None]]:
        """employee id -> (net cents, status, payment id)."""
        with transaction(self.ctx.db_url) as session:
            rows = session.execute(
                select(
                    Paycheck.employee_id, Paycheck.net_cents, Paycheck.status, Paycheck.payment_id
                ).where(Paycheck.run_id == self.inp.run_id)
            ).all()
        return {employee: (net, status, payment) for employee, net, status, payment in rows}

    def employee_statuses(self) -> dict[int, str]:
        with transaction(self.ctx.db_url) as session:
            rows = session.execute(
                select(EmployeeStatus.employee_id, EmployeeStatus.status).where(
                    EmployeeStatus.run_id == self.inp.run_id
                )
            ).all()
        return dict(rows)


@pytest.fixture
def run(database_url: str, payrun_home: Path) -> ValidatedRun:
    """One employer of EMPLOYEES on the biweekly schedule, calculated and validated through
    the step handlers (as benchmarks.pipeline drives them)."""
    settings = Settings(home=payrun_home, database_url=database_url)
    migrate(settings.db_url)
    vault = Vault.for_settings(settings)
    seed_demo(settings.db_url, employers=1, employees=EMPLOYEES, seed=11, vault=vault)
    period_id = one_schedule(settings.db_url)
    ctx = build_context(settings)
    plan = runs.open_run(ctx, PayRunInput("pay-test", period_id, chunk_size=EMPLOYEES))
    inp = EmployerInput("pay-test", plan.employer_ids[0], chunk_size=EMPLOYEES)
    for chunk in range(employer_steps.begin_employer(ctx, inp).chunk_count):
        versions: dict[str, str] = {}
        for step in STEPS:
            task = ChunkTask(inp.run_id, inp.employer_id, chunk, dict(versions))
            versions[step] = getattr(employee_steps, step)(ctx, task).version
    employer_steps.validate_employer(ctx, inp)
    return ValidatedRun(ctx, vault, inp)


def _prepare(run: ValidatedRun) -> tuple[PreparedPayment, bytes]:
    prepared = payments.prepare_payment(run.ctx, run.inp)
    return prepared, run.ctx.store.get_bytes(prepared.nacha_path)


def test_the_file_credits_each_net_pay_to_its_account_and_debits_the_employer_the_total(
    run: ValidatedRun,
) -> None:
    prepared, data = _prepare(run)

    net = {e: n for e, (n, _, _) in run.paychecks().items()}
    with transaction(run.ctx.db_url) as session:
        employees = session.scalars(select(Employee).order_by(Employee.id)).all()
        payment = session.get(Payment, prepared.payment_id)
        assert payment is not None
    expected = [
        (run.vault.decrypt(e.bank_account_enc), net[e.id]) for e in employees if net[e.id] > 0
    ]
    assert check_file(data).ok
    (credit,) = parse_file(data).batches  # the credits; the debit goes first, in its own file
    funding = run.ctx.store.get_bytes(prepared.funding_path)
    assert check_file(funding).ok
    (debit,) = parse_file(funding).batches
    assert (credit.header.service_class_code, debit.header.service_class_code) == (220, 225)
    assert [(c.detail.dfi_account_number, c.detail.amount) for c in credit.entries] == expected
    assert [d.detail.amount for d in debit.entries] == [sum(net.values())]
    assert (prepared.paychecks, prepared.credit_total_cents) == (EMPLOYEES, sum(net.values()))
    assert {p for _, _, p in run.paychecks().values()} == {prepared.payment_id}
    assert payment.nacha_path == prepared.nacha_path


def test_an_employer_paying_over_one_entry_is_debited_in_several_entries(
    run: ValidatedRun,
) -> None:
    with transaction(run.ctx.db_url) as session:
        session.execute(
            update(Paycheck)
            .where(Paycheck.run_id == run.inp.run_id)
            .values(net_cents=40_000_000_00)  # $40,000,000.00 each
        )

    prepared, data = _prepare(run)

    # 6 x $40,000,000.00 = $240,000,000.00 = 2 x 99,999,999.99 + 40,000,000.02
    total = EMPLOYEES * 40_000_000_00
    report, funding = check_file(data), check_file(run.ctx.store.get_bytes(prepared.funding_path))
    assert report.ok and funding.ok, report.problems + funding.problems
    assert funding.debit_total_cents == report.credit_total_cents == total
    (credit,) = parse_file(data).batches
    (debit,) = parse_file(run.ctx.store.get_bytes(prepared.funding_path)).batches
    assert [c.detail.amount for c in credit.entries] == [40_000_000_00] * EMPLOYEES
    assert [(d.detail.transaction_code, d.detail.amount) for d in debit.entries] == [
        (27, 99_999_999_99),
        (27, 99_999_999_99),
        (27, 40_000_000_02),
    ]
    assert len({d.detail.trace_number for d in debit.entries}) == 3
    assert debit.control.total_debit_entry_dollar_amount == total
    assert prepared.credit_total_cents == total
    batch = payments.payment_batch(run.ctx, prepared, run.inp.run_id, run.inp.employer_id)
    assert (batch.credit_total_cents, batch.debit_total_cents) == (total, 0)


def test_a_retried_prepare_reuses_the_open_payment_and_writes_the_same_bytes(
    run: ValidatedRun,
) -> None:
    first, data = _prepare(run)
    run.ctx.store.delete([first.nacha_path])  # as if the first attempt died before it landed

    again, data_again = _prepare(run)

    assert again == first
    assert data_again == data
    with transaction(run.ctx.db_url) as session:
        assert len(session.scalars(select(Payment)).all()) == 1
    assert run.ctx.store.keys(f"nacha/{run.inp.run_id}/") == sorted(
        [first.nacha_path, first.funding_path]
    )


def test_sent_then_settled_moves_only_the_payments_paychecks_and_employees(
    run: ValidatedRun,
) -> None:
    voided = min(run.paychecks())
    with transaction(run.ctx.db_url) as session:
        session.execute(
            update(Paycheck).where(Paycheck.employee_id == voided).values(status="VOIDED")
        )
    left_alone = run.employee_statuses()[voided]
    prepared, _ = _prepare(run)

    payments.mark_sent(run.ctx, prepared.payment_id, "bank-ref-1")
    sent = run.employee_statuses()
    outcome = PaymentOutcome(
        prepared.payment_id, prepared.paychecks, prepared.credit_total_cents, "settled", ""
    )
    payments.record_payment(run.ctx, outcome)
    payments.record_payment(run.ctx, outcome)  # a repeated callback changes nothing

    others = [e for e in run.paychecks() if e != voided]
    assert prepared.paychecks == EMPLOYEES - 1
    assert sent == {**dict.fromkeys(others, "PAYMENT_SENT"), voided: left_alone}
    assert run.employee_statuses() == {**dict.fromkeys(others, "PAID"), voided: left_alone}
    assert {e: s for e, (_, s, _) in run.paychecks().items()} == {
        **dict.fromkeys(others, "PAID"),
        voided: "VOIDED",
    }
    with transaction(run.ctx.db_url) as session:
        payment = session.get(Payment, prepared.payment_id)
        assert payment is not None
        assert (payment.status, payment.provider_reference) == ("PAID", "bank-ref-1")


def test_accented_names_are_written_without_their_accents(run: ValidatedRun) -> None:
    with transaction(run.ctx.db_url) as session:
        employee = session.scalars(select(Employee).order_by(Employee.id)).first()
        assert employee is not None
        employee.last_name, employee.first_name = "Muñoz", "José"
        external_id = employee.external_id

    _, data = _prepare(run)

    names = {
        e.detail.individual_identification_number: e.detail.individual_name
        for e in parse_file(data).entries()
    }
    assert names[external_id] == "MUNOZ JOSE"  # NFKD drops the combining accents


def test_a_savings_funding_account_is_debited_with_code_37(run: ValidatedRun) -> None:
    # Nacha transaction codes (§6.3): 27 debits a checking account, 37 a savings account.
    with transaction(run.ctx.db_url) as session:
        session.execute(
            update(Employer)
            .where(Employer.id == run.inp.employer_id)
            .values(funding_account_type="savings")
        )

    prepared, _ = _prepare(run)

    (debit,) = parse_file(run.ctx.store.get_bytes(prepared.funding_path)).batches
    assert {d.detail.transaction_code for d in debit.entries} == {37}
