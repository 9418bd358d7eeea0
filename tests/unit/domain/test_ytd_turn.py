"""Of two runs paying one employee at once, exactly one waits for the other: the one that began
the employee later (then the larger run id), and only while the other has not written the
employee's paycheck."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from payrun.domain.statuses import EmployeeRunStatus
from payrun.domain.ytd_turn import UNWRITTEN, Hold, Turn, blocked, waits_for

NINE = datetime(2026, 1, 5, 9, tzinfo=UTC)
TEN = datetime(2026, 1, 5, 10, tzinfo=UTC)
TURNS = [
    Turn("payrun-biweekly-2026-01-04-regular", NINE),
    Turn("payrun-biweekly-2026-01-04-offcycle-bonus", NINE),  # same moment: the id decides
    Turn("payrun-biweekly-2026-01-04-offcycle-a", TEN),
    Turn("payrun-biweekly-2026-01-04-offcycle-b", None),  # no begin time kept: first in line
]


@pytest.mark.parametrize(("one", "other"), list(itertools.permutations(TURNS, 2)))
def test_of_two_runs_holding_an_employee_exactly_one_waits(one: Turn, other: Turn) -> None:
    status = EmployeeRunStatus.TAXED
    one_waits = waits_for(Hold(7, mine=one, theirs=other, status=status))
    other_waits = waits_for(Hold(7, mine=other, theirs=one, status=status))
    assert one_waits != other_waits


def test_the_run_that_began_the_employee_later_waits() -> None:
    regular, later = Turn("payrun-x-regular", NINE), Turn("payrun-x-offcycle-bonus", TEN)
    assert waits_for(Hold(7, mine=later, theirs=regular, status=EmployeeRunStatus.BEGIN))
    assert not waits_for(Hold(7, mine=regular, theirs=later, status=EmployeeRunStatus.BEGIN))


def test_a_run_waits_only_until_the_paycheck_is_written() -> None:
    assert {
        EmployeeRunStatus.BEGIN,
        EmployeeRunStatus.TIME_ENTERED,
        EmployeeRunStatus.GROSS_CALCULATED,
        EmployeeRunStatus.TAXED,
        EmployeeRunStatus.RETIREMENT_DONE,
    } == UNWRITTEN
    earlier, mine = Turn("payrun-x-regular", NINE), Turn("payrun-x-offcycle-bonus", TEN)
    for status in set(EmployeeRunStatus) - UNWRITTEN:  # written, paid, failed, set aside
        assert not waits_for(Hold(7, mine=mine, theirs=earlier, status=status)), status


def test_a_run_never_waits_for_itself() -> None:
    turn = Turn("payrun-x-regular", NINE)
    assert not waits_for(Hold(7, mine=turn, theirs=turn, status=EmployeeRunStatus.TAXED))


def test_each_held_employee_names_the_earliest_run_it_waits_for() -> None:
    mine = Turn("payrun-x-offcycle-c", datetime(2026, 1, 5, 11, tzinfo=UTC))
    first, second = Turn("payrun-x-regular", NINE), Turn("payrun-x-offcycle-a", TEN)
    holds = [
        Hold(7, mine, second, EmployeeRunStatus.TAXED),
        Hold(7, mine, first, EmployeeRunStatus.BEGIN),
        Hold(8, mine, second, EmployeeRunStatus.NET_CALCULATED),  # written: not held
        Hold(9, mine, second, EmployeeRunStatus.GROSS_CALCULATED),
    ]
    assert blocked(holds) == {7: "payrun-x-regular", 9: "payrun-x-offcycle-a"}
