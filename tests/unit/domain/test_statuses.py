"""Every lifecycle's moves in one table: complete, closed, and read the way the code moves."""

from __future__ import annotations

import pytest

from payrun.domain.errors import InvalidInput
from payrun.domain.statuses import (
    TRANSITIONS,
    EmployeeRunStatus,
    EmployerRunStatus,
    PaycheckStatus,
    PaymentStatus,
    allowed,
    check,
    sources,
)


@pytest.mark.parametrize("lifecycle", list(TRANSITIONS))
def test_every_status_of_a_lifecycle_has_its_moves_listed_and_stays_in_it(lifecycle: type) -> None:
    moves = TRANSITIONS[lifecycle]
    assert set(moves) == set(lifecycle)
    for targets in moves.values():
        assert all(type(target) is lifecycle for target in targets)


def test_the_employee_steps_go_in_order_and_each_can_fail() -> None:
    assert allowed(EmployeeRunStatus.TAXED, EmployeeRunStatus.RETIREMENT_DONE)
    assert allowed(EmployeeRunStatus.TAXED, EmployeeRunStatus.FAILED)
    assert not allowed(EmployeeRunStatus.TAXED, EmployeeRunStatus.NET_CALCULATED)  # skips one
    assert sources(EmployeeRunStatus.NET_CALCULATED) == (EmployeeRunStatus.RETIREMENT_DONE,)


def test_money_that_moved_does_not_move_back() -> None:
    assert not allowed(PaymentStatus.PAID, PaymentStatus.SENT)
    assert not allowed(PaymentStatus.CANCELLED, PaymentStatus.PAID)
    assert not allowed(PaycheckStatus.VOIDED, PaycheckStatus.PAID)
    assert not allowed(PaycheckStatus.CALCULATED, PaycheckStatus.REVERSED)  # never paid
    assert allowed(PaycheckStatus.PAID, PaycheckStatus.REVERSED)


def test_a_refused_move_names_what_would_have_moved() -> None:
    with pytest.raises(InvalidInput) as raised:
        check(EmployerRunStatus.NOTHING_TO_PAY, EmployerRunStatus.PAID, "employer 3 of run r")
    assert raised.value.field == "employer 3 of run r"
    assert "NOTHING_TO_PAY to PAID" in raised.value.problem


def test_a_status_is_its_stored_string() -> None:
    assert PaymentStatus.SENT == "SENT" and f"{EmployeeRunStatus.PAID}" == "PAID"
