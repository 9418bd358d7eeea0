"""Banking days follow the Federal Reserve calendar: weekends and Fed holidays skipped."""

from __future__ import annotations

from datetime import date

import pytest

from payrun.domain.banking_days import (
    add_banking_days,
    banking_day_on_or_after,
    banking_days_between,
    is_banking_day,
    next_banking_day,
)
from payrun.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 15), True),  # Thursday
        (date(2026, 1, 17), False),  # Saturday
        (date(2026, 1, 18), False),  # Sunday
        (date(2026, 1, 1), False),  # New Year's Day
        (date(2026, 1, 19), False),  # Martin Luther King Jr. Day, third Monday of January
        (date(2026, 11, 26), False),  # Thanksgiving, fourth Thursday of November
        (date(2026, 12, 25), False),  # Christmas, a Friday
        # 4 July 2026 is a Saturday. Federal offices close Friday 3 July, but the Reserve
        # Banks do not move Saturday holidays, so ACH settles that Friday.
        (date(2026, 7, 3), True),
        (date(2027, 7, 5), False),  # 4 July 2027 is a Sunday: observed Monday 5 July
    ],
)
def test_is_banking_day(day: date, expected: bool) -> None:
    assert is_banking_day(day) is expected


def test_add_banking_days_skips_thanksgiving_and_the_weekend() -> None:
    # Wed 25 Nov 2026 + 1 -> Thu 26 is Thanksgiving -> Fri 27; + 2 -> Mon 30.
    assert add_banking_days(date(2026, 11, 25), 1) == date(2026, 11, 27)
    assert add_banking_days(date(2026, 11, 25), 2) == date(2026, 11, 30)


def test_zero_banking_days_is_the_same_day() -> None:
    assert add_banking_days(date(2026, 1, 17), 0) == date(2026, 1, 17)


def test_next_banking_day_after_a_friday_is_monday_unless_a_holiday() -> None:
    assert next_banking_day(date(2026, 1, 9)) == date(2026, 1, 12)
    assert next_banking_day(date(2026, 1, 16)) == date(2026, 1, 20)  # MLK day in between


def test_banking_day_on_or_after() -> None:
    assert banking_day_on_or_after(date(2026, 1, 15)) == date(2026, 1, 15)
    assert banking_day_on_or_after(date(2026, 1, 17)) == date(2026, 1, 20)


def test_banking_days_between_counts_the_end_not_the_start() -> None:
    # Thu 15 Jan -> Fri 23 Jan 2026: 16, 20, 21, 22, 23 = 5 (19 is MLK day).
    assert banking_days_between(date(2026, 1, 15), date(2026, 1, 23)) == 5
    assert banking_days_between(date(2026, 1, 15), date(2026, 1, 15)) == 0


def test_year_boundary() -> None:
    # Thu 31 Dec 2026 + 1 -> Fri 1 Jan 2027 is New Year's Day -> Mon 4 Jan 2027.
    assert add_banking_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InvalidInput):
        add_banking_days(date(2026, 1, 15), -1)
    with pytest.raises(InvalidInput):
        banking_days_between(date(2026, 1, 15), date(2026, 1, 14))
