"""Pay calendars: expected dates are worked out by hand from a 2025-2026 wall calendar.

2026 federal holidays (observed): Thu Jan 1, Mon Jan 19, Mon Feb 16, Mon May 25, Fri Jun 19,
Fri Jul 3 (Jul 4 is a Saturday), Mon Sep 7, Mon Oct 12, Wed Nov 11, Thu Nov 26, Fri Dec 25.
Fri Jan 1 2027 is New Year's Day.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from payrun.domain.calendar import (
    PeriodDates,
    is_business_day,
    pay_date_for,
    periods_for_year,
    previous_business_day,
)
from payrun.domain.errors import InvalidInput

SUNDAY_2025_12_28 = date(2025, 12, 28)


def test_biweekly_first_2026_period_is_paid_the_friday_after_it_ends() -> None:
    periods = periods_for_year("biweekly", SUNDAY_2025_12_28, 2026, 6)
    # Sun Dec 28 + 13 days = Sat Jan 10; + 6 days = Fri Jan 16, a business day.
    assert periods[0] == PeriodDates(date(2025, 12, 28), date(2026, 1, 10), date(2026, 1, 16))
    assert periods[1] == PeriodDates(date(2026, 1, 11), date(2026, 1, 24), date(2026, 1, 30))


def test_biweekly_anchored_2025_12_28_has_26_pay_dates_in_2026() -> None:
    periods = periods_for_year("biweekly", SUNDAY_2025_12_28, 2026, 6)
    # Fridays Jan 16 + 14k: k = 24 is Fri Dec 18. k = 25 would be Fri Jan 1 2027, New Year's
    # Day, so it moves back to Thu Dec 31 2026 and counts in 2026: 25 + 1 = 26.
    assert len(periods) == 26
    assert periods[-1] == PeriodDates(date(2026, 12, 13), date(2026, 12, 26), date(2026, 12, 31))


def test_biweekly_anchored_two_weeks_earlier_has_27_pay_dates_in_2026() -> None:
    periods = periods_for_year("biweekly", date(2025, 12, 14), 2026, 6)
    # The extra period Dec 14-27 2025 is paid Dec 27 + 6 = Fri Jan 2 2026.
    # Pay dates Jan 2, Jan 16, ..., Dec 18, Dec 31 (moved back from Jan 1 2027): 27.
    assert len(periods) == 27
    assert periods[0] == PeriodDates(date(2025, 12, 14), date(2025, 12, 27), date(2026, 1, 2))
    assert periods[-1].pay_date == date(2026, 12, 31)


def test_the_period_paid_on_new_years_eve_belongs_to_the_year_it_is_paid() -> None:
    periods_2027 = periods_for_year("biweekly", SUNDAY_2025_12_28, 2027, 6)
    # Dec 13-26 2026 was paid Dec 31 2026, so 2027 starts with Dec 27 2026 - Jan 9 2027.
    assert periods_2027[0] == PeriodDates(date(2026, 12, 27), date(2027, 1, 9), date(2027, 1, 15))


def test_weekly_2026_has_52_pay_dates_with_bank_holidays_moved_back() -> None:
    periods = periods_for_year("weekly", SUNDAY_2025_12_28, 2026, 6)
    assert len(periods) == 52
    assert periods[0] == PeriodDates(date(2025, 12, 28), date(2026, 1, 3), date(2026, 1, 9))
    moved = {p.end: p.pay_date for p in periods if p.pay_date != p.end + timedelta(days=6)}
    assert moved == {
        date(2026, 6, 13): date(2026, 6, 18),  # Fri Jun 19, Juneteenth -> Thu
        date(2026, 12, 19): date(2026, 12, 24),  # Fri Dec 25, Christmas -> Thu
        date(2026, 12, 26): date(2026, 12, 31),  # Fri Jan 1 2027 -> Thu Dec 31 2026
    }


def test_a_saturday_holiday_leaves_the_friday_pay_date_where_it_is() -> None:
    # Independence Day 2026 is a Saturday: federal offices close Friday July 3, the Federal
    # Reserve does not (it observes no Saturday holiday), so money moves on Friday July 3.
    periods = periods_for_year("weekly", SUNDAY_2025_12_28, 2026, 6)
    (july,) = [p for p in periods if p.end == date(2026, 6, 27)]
    assert july.pay_date == date(2026, 7, 3)


def test_periods_tile_the_calendar_without_gaps_or_overlaps() -> None:
    for frequency, anchor in [
        ("weekly", SUNDAY_2025_12_28),
        ("biweekly", SUNDAY_2025_12_28),
        ("semimonthly", date(2025, 12, 1)),
        ("monthly", date(2025, 12, 1)),
    ]:
        periods = periods_for_year(frequency, anchor, 2026, 5)
        for before, after in pairwise(periods):
            assert after.start == before.end + timedelta(days=1), frequency
            assert after.pay_date > before.pay_date, frequency


def test_semimonthly_2026_has_24_periods_starting_with_december_16_to_31() -> None:
    periods = periods_for_year("semimonthly", date(2025, 12, 1), 2026, 5)
    assert len(periods) == 24
    # Dec 31 + 5 = Mon Jan 5 2026.
    assert periods[0] == PeriodDates(date(2025, 12, 16), date(2025, 12, 31), date(2026, 1, 5))
    # Feb 16-28 (2026 is not a leap year); Feb 28 + 5 = Thu Mar 5.
    assert periods[4] == PeriodDates(date(2026, 2, 16), date(2026, 2, 28), date(2026, 3, 5))
    # Dec 15 + 5 = Sun Dec 20 -> Fri Dec 18. Dec 16-31 is paid Tue Jan 5 2027, in 2027.
    assert periods[-1] == PeriodDates(date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 18))


def test_monthly_2026_runs_december_2025_to_november_2026() -> None:
    periods = periods_for_year("monthly", date(2025, 12, 1), 2026, 5)
    assert [p.start.month for p in periods] == [12, *range(1, 12)]
    # Mar 31 + 5 = Sun Apr 5 -> Fri Apr 3; Nov 30 + 5 = Sat Dec 5 -> Fri Dec 4.
    assert periods[3] == PeriodDates(date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 3))
    assert periods[-1] == PeriodDates(date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 4))


def test_no_period_starts_before_the_anchor() -> None:
    periods = periods_for_year("monthly", date(2026, 1, 1), 2026, 5)
    # Without December 2025, 2026 has only 11 monthly pay dates: Feb 5 .. Dec 4.
    assert len(periods) == 11
    assert periods[0].pay_date == date(2026, 2, 5)
    assert periods_for_year("weekly", date(2027, 1, 3), 2026, 6) == []


def test_zero_delay_pays_on_the_last_day_or_the_business_day_before() -> None:
    periods = periods_for_year("semimonthly", date(2026, 1, 1), 2026, 0)
    # Jan 15 is a Thursday; Jan 31 is a Saturday -> Fri Jan 30.
    assert [p.pay_date for p in periods[:2]] == [date(2026, 1, 15), date(2026, 1, 30)]


def test_business_days_skip_weekends_and_federal_holidays() -> None:
    assert is_business_day(date(2026, 1, 2))  # Friday
    assert not is_business_day(date(2026, 1, 1))  # New Year's Day
    assert not is_business_day(date(2026, 1, 3))  # Saturday
    assert not is_business_day(date(2026, 11, 26))  # Thanksgiving
    # Mon Jan 19 (MLK Day) -> Sun, Sat -> Fri Jan 16.
    assert previous_business_day(date(2026, 1, 19)) == date(2026, 1, 16)
    # Memorial Day Mon May 25: a period ending Tue May 19 with delay 6 is paid Fri May 22.
    assert pay_date_for(date(2026, 5, 19), 6) == date(2026, 5, 22)


@pytest.mark.parametrize(
    ("frequency", "anchor", "delay", "field"),
    [
        ("fortnightly", SUNDAY_2025_12_28, 6, "frequency"),
        ("daily", SUNDAY_2025_12_28, 6, "frequency"),
        ("weekly", SUNDAY_2025_12_28, -1, "pay_delay_days"),
        ("weekly", SUNDAY_2025_12_28, 61, "pay_delay_days"),
        ("monthly", date(2025, 12, 15), 5, "anchor_date"),
        ("semimonthly", date(2025, 12, 2), 5, "anchor_date"),
    ],
)
def test_bad_schedules_are_refused_naming_the_field(
    frequency: str, anchor: date, delay: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        periods_for_year(frequency, anchor, 2026, delay)
    assert raised.value.field == field


def test_the_calendar_does_no_io() -> None:
    import payrun.domain.calendar as module

    source = Path(module.__file__).read_text()
    for forbidden in ("sqlalchemy", "open(", "datetime.now", "date.today", "os."):
        assert forbidden not in source
