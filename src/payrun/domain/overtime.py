"""Overtime: FLSA weekly (29 U.S.C. §207) and California daily/weekly/7th day (Lab. Code §510)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from payrun.domain.errors import InvalidInput
from payrun.domain.money import not_below_zero

ZERO = Decimal(0)
EIGHT = Decimal(8)
TWELVE = Decimal(12)
FORTY = Decimal(40)
DAY_LIMIT = Decimal(24)
OVERTIME_FACTOR = Decimal("1.5")
DOUBLE_TIME_FACTOR = Decimal(2)
HALF = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class HoursSplit:
    regular: Decimal = ZERO
    overtime: Decimal = ZERO
    double_time: Decimal = ZERO

    def __add__(self, other: HoursSplit) -> HoursSplit:
        return HoursSplit(
            self.regular + other.regular,
            self.overtime + other.overtime,
            self.double_time + other.double_time,
        )

    @property
    def weighted(self) -> Decimal:
        """Straight-time-equivalent hours: what the split pays at the regular rate."""
        return (
            self.regular + OVERTIME_FACTOR * self.overtime + DOUBLE_TIME_FACTOR * self.double_time
        )


def workweek_of(day: date, workweek_start: int) -> date:
    """First day of the fixed, recurring 7-day workweek containing ``day``."""
    return day - timedelta(days=(day.weekday() - workweek_start) % 7)


def check_hours(days: Iterable[tuple[date, Decimal]], field: str) -> None:
    for day, hours in days:
        if hours < 0:
            raise InvalidInput(f"{field}.{day.isoformat()}", f"negative hours ({hours})")
        if hours > DAY_LIMIT:
            raise InvalidInput(
                f"{field}.{day.isoformat()}", f"{hours} hours is more than 24 in one day"
            )


def split_hours(
    hours: tuple[tuple[date, Decimal], ...],
    prior_hours: tuple[tuple[date, Decimal], ...] = (),
    workweek_start: int = 6,
    california: bool = False,
) -> HoursSplit:
    """Classify this period's hours; ``prior_hours`` (already paid) only count toward limits."""
    check_hours(hours, "earnings.hours")
    check_hours(prior_hours, "earnings.prior_hours")
    _check_prior(hours, prior_hours, workweek_start)
    # Group by workweek with day ordinals: week key = ordinal of the workweek's first day.
    weeks: dict[int, list[tuple[Decimal, bool]]] = {}
    for days, paid_now in ((prior_hours, False), (hours, True)):
        for day, worked in days:
            ordinal = day.toordinal()
            offset = (day.weekday() - workweek_start) % 7
            week = weeks.get(ordinal - offset)
            if week is None:
                week = weeks[ordinal - offset] = [_IDLE] * 7
            week[offset] = (worked, paid_now)
    regular = overtime = double = ZERO
    for week in weeks.values():
        chosen, federal_week = flsa_week(week)
        if california:
            # Pay whichever is greater over the whole workweek (prior days included);
            # on a tie keep California's daily split, the one used for the earlier days.
            state, state_week = california_week(week)
            if state_week >= federal_week:
                chosen = state
        regular += chosen.regular
        overtime += chosen.overtime
        double += chosen.double_time
    return HoursSplit(regular, overtime, double)


_IDLE = (ZERO, False)


def _check_prior(
    hours: tuple[tuple[date, Decimal], ...],
    prior_hours: tuple[tuple[date, Decimal], ...],
    workweek_start: int,
) -> None:
    if not prior_hours:
        return
    if not hours:
        raise InvalidInput("earnings.prior_hours", "given without any hours in this period")
    first = min(day for day, _ in hours)
    week = workweek_of(first, workweek_start)
    for day, _ in prior_hours:
        if not week <= day < first:
            raise InvalidInput(
                f"earnings.prior_hours.{day.isoformat()}",
                f"is not earlier in the workweek of {week.isoformat()} that straddles this period",
            )


def flsa_week(week: list[tuple[Decimal, bool]]) -> tuple[HoursSplit, Decimal]:
    """FLSA: hours over 40 in the workweek at 1.5x; days walked in order (reference §5.1).

    Returns this period's split and the whole week's straight-time-equivalent hours.
    The clamps are written as comparisons (the min/max builtins cost more on Decimals),
    each choosing the same operand the builtin would.
    """
    worked = ZERO
    regular = overtime = ZERO
    for day in week:
        if day is _IDLE:
            continue
        hours, paid_now = day
        room = FORTY - worked  # straight-time hours left in the week, not below 0
        if room < ZERO:
            room = ZERO
        straight = room if room < hours else hours  # min(hours, room)
        worked += hours
        if paid_now:
            regular += straight
            overtime += hours - straight
    whole_week = worked + not_below_zero(worked - FORTY) * HALF
    return HoursSplit(regular, overtime), whole_week


def california_week(week: list[tuple[Decimal, bool]]) -> tuple[HoursSplit, Decimal]:
    """Lab. Code §510 algorithm of reference §5.2: daily split, 7th day, then the weekly 40.

    Returns this period's split and the whole week's straight-time-equivalent hours.
    Clamps are comparisons, as in ``flsa_week``.
    """
    seventh_day = _IDLE not in week and all(hours > 0 for hours, _ in week)
    straight_so_far = ZERO
    regular = overtime = double = ZERO  # days paid this period
    prior_regular = prior_overtime = prior_double = ZERO  # days already paid
    for index, day in enumerate(week):
        if day is _IDLE:  # nothing worked: adds nothing to any total
            continue
        hours, paid_now = day
        if seventh_day and index == 6:
            # 7th consecutive day: the first 8 hours at 1.5x, the rest at 2x
            day_regular = ZERO
            day_overtime = EIGHT if hours > EIGHT else hours
            day_double = hours - EIGHT
        elif hours <= EIGHT:
            day_regular, day_overtime, day_double = hours, ZERO, ZERO
        else:
            # over 8 hours at 1.5x, over 12 hours at 2x
            day_regular = EIGHT
            day_overtime = (TWELVE if hours > TWELVE else hours) - EIGHT
            day_double = hours - TWELVE
        if day_double < ZERO:
            day_double = ZERO
        # No pyramiding: only straight-time hours count toward the weekly 40.
        beyond_forty = straight_so_far + day_regular - FORTY
        if beyond_forty < ZERO:
            beyond_forty = ZERO
        if day_regular < beyond_forty:
            beyond_forty = day_regular
        straight_so_far += day_regular
        if paid_now:
            regular += day_regular - beyond_forty
            overtime += day_overtime + beyond_forty
            double += day_double
        else:
            prior_regular += day_regular - beyond_forty
            prior_overtime += day_overtime + beyond_forty
            prior_double += day_double
    whole_week = (
        regular
        + prior_regular
        + (overtime + prior_overtime) * OVERTIME_FACTOR
        + (double + prior_double) * DOUBLE_TIME_FACTOR
    )
    return HoursSplit(regular, overtime, double), whole_week
