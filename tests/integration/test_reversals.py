"""Reversing a settled payroll payment inside, on the last day of, and after the 5-day window."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import AuditLog, Payment
from payrun.bootstrap import build_context
from payrun.domain.ach import ReversalWindowClosed, check_file, parse_file
from payrun.domain.ach.parser import Entry
from payrun.domain.errors import InvalidInput
from payrun.services.reversals import reverse_payment
from tests.integration.test_returns import (
    PaidRun,
    copy_paid_run,
    employee_of,
    payrun,
    statuses,
)

# Settlement on Monday 2 March 2026. Five banking days later (no Federal Reserve holiday in
# between): Tue 3, Wed 4, Thu 5, Fri 6, Mon 9 March -> the window closes on 2026-03-09.
SETTLED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LAST_DAY = date(2026, 3, 9)


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    paid = copy_paid_run(tmp_path_factory, tmp_path / "home")
    settle(paid, SETTLED)
    return paid


def settle(paid: PaidRun, when: datetime) -> None:
    """The bank reported settlement at `when` (after the run's pay date in January)."""
    assert all(e.detail.trace_number for e in paid.credits)
    with transaction(paid.settings.db_url) as session:
        session.execute(
            update(Payment).where(Payment.id == paid.payment_id).values(settled_at=when)
        )


def reversal_files(paid: PaidRun) -> list[Path]:
    return sorted((paid.settings.output_dir / "nacha").rglob("*-reversal.ach"))


def reversals(paid: PaidRun) -> list[AuditLog]:
    with transaction(paid.settings.db_url) as session:
        query = select(AuditLog).where(AuditLog.action == "payment.reversed")
        return list(session.scalars(query))


def test_reversal_inside_the_window_debits_the_named_credits(paid: PaidRun) -> None:
    first, second = paid.credits[0], paid.credits[1]
    employees = [employee_of(paid, first), employee_of(paid, second)]
    before = statuses(paid)

    path = reverse_payment(
        build_context(paid.settings), paid.payment_id, employees, date(2026, 3, 4)
    )

    assert path.parent == paid.settings.output_dir / "nacha" / paid.run_id
    assert path.name.endswith("-reversal.ach")
    data = path.read_bytes()
    assert check_file(data).problems == ()
    (batch,) = parse_file(data).batches
    assert batch.header.service_class_code == 225  # debits only
    assert batch.header.company_entry_description == "REVERSAL"
    assert batch.header.effective_entry_date == date(2026, 3, 4)
    assert batch.header.company_identification == paid.company_id

    # A credit 22 (checking) is reversed by a debit 27, 32 (savings) by 37, same amount (§6.3).
    def shape(entry: Entry, code: int) -> tuple[int, int, str]:
        return (code, entry.detail.amount, entry.detail.individual_identification_number)

    assert [shape(e, e.detail.transaction_code) for e in batch.entries] == [
        shape(first, first.detail.transaction_code + 5),
        shape(second, second.detail.transaction_code + 5),
    ]
    after = statuses(paid)
    assert [after[e] for e in employees] == ["REVERSED", "REVERSED"]
    assert {e: s for e, s in after.items() if e not in employees} == {
        e: s for e, s in before.items() if e not in employees
    }
    (audit,) = reversals(paid)
    assert audit.details["employee_ids"] == sorted(employees)
    assert audit.details["settlement_date"] == "2026-03-02"
    assert audit.details["path"] == str(path)


def test_reversing_the_same_employees_again_returns_the_same_file(paid: PaidRun) -> None:
    employees = [employee_of(paid, paid.credits[0]), employee_of(paid, paid.credits[1])]
    ctx = build_context(paid.settings)
    path = reverse_payment(ctx, paid.payment_id, employees, date(2026, 3, 4))
    data = path.read_bytes()

    again = reverse_payment(ctx, paid.payment_id, list(reversed(employees)), date(2026, 3, 5))

    assert again == path
    assert path.read_bytes() == data
    assert len(reversals(paid)) == 1
    assert reversal_files(paid) == [path]


def test_an_employee_already_reversed_cannot_be_reversed_in_another_set(paid: PaidRun) -> None:
    first, second = employee_of(paid, paid.credits[0]), employee_of(paid, paid.credits[1])
    ctx = build_context(paid.settings)
    reverse_payment(ctx, paid.payment_id, [first], date(2026, 3, 4))

    with pytest.raises(InvalidInput, match=f"employee {first}'s paycheck .* REVERSED"):
        reverse_payment(ctx, paid.payment_id, [first, second], date(2026, 3, 4))
    assert statuses(paid)[second] == "PAID"


@pytest.mark.parametrize("on", [LAST_DAY, date(2026, 3, 7)], ids=["last-day", "saturday-before"])
def test_reversal_on_the_last_day_of_the_window_is_accepted(paid: PaidRun, on: date) -> None:
    # Saturday 7 March is not a banking day: the reversal settles on Monday 9, still in time.
    employee = employee_of(paid, paid.credits[0])

    path = reverse_payment(build_context(paid.settings), paid.payment_id, [employee], on)

    assert parse_file(path.read_bytes()).batches[0].header.effective_entry_date == on
    assert statuses(paid)[employee] == "REVERSED"


def test_reversal_after_the_window_is_refused_and_writes_nothing(paid: PaidRun) -> None:
    before = statuses(paid)

    with pytest.raises(ReversalWindowClosed, match="closed on 2026-03-09") as refused:
        reverse_payment(build_context(paid.settings), paid.payment_id, None, date(2026, 3, 10))

    assert refused.value.deadline == LAST_DAY
    assert reversal_files(paid) == []
    assert reversals(paid) == []
    assert statuses(paid) == before


def test_a_holiday_inside_the_window_moves_the_deadline(paid: PaidRun) -> None:
    # Settled Friday 22 May 2026; Monday 25 May is Memorial Day (Federal Reserve closed):
    # Tue 26, Wed 27, Thu 28, Fri 29, Mon 1 June -> the window closes on 2026-06-01.
    settle(paid, datetime(2026, 5, 22, 15, 0, tzinfo=UTC))
    ctx = build_context(paid.settings)
    employees = [employee_of(paid, paid.credits[0])]

    with pytest.raises(ReversalWindowClosed, match="closed on 2026-06-01"):
        reverse_payment(ctx, paid.payment_id, employees, date(2026, 6, 2))
    path = reverse_payment(ctx, paid.payment_id, employees, date(2026, 6, 1))

    assert path.exists()


def test_an_employee_outside_the_payment_is_named_in_the_error(paid: PaidRun) -> None:
    with pytest.raises(InvalidInput, match="employee_ids: employee 999999 has no credit"):
        reverse_payment(build_context(paid.settings), paid.payment_id, [999999], LAST_DAY)
    assert reversal_files(paid) == []


def test_cli_reverse_writes_the_file_and_refuses_after_the_window(paid: PaidRun) -> None:
    employee = str(employee_of(paid, paid.credits[0]))
    payment = str(paid.payment_id)

    late = payrun(
        paid.settings.home, "ach", "reverse", "--payment", payment, "--date", "2026-03-10"
    )
    ok = payrun(
        paid.settings.home, "ach", "reverse", "--payment", payment, "--employee", employee,
        "--date", "2026-03-04",
    )  # fmt: skip

    assert late.returncode == 2
    assert late.stderr.startswith("error: reversal_date:") and "2026-03-09" in late.stderr
    assert late.stderr.strip().count("\n") == 0
    assert ok.returncode == 0, ok.stderr
    (written,) = reversal_files(paid)
    assert f"wrote {written}" in ok.stdout.replace("\n", "")
