"""FLSA weekly overtime and California daily overtime, double time and the 7th day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .paydata import stub, texas


def hours(start: str, *daily: str) -> dict[str, str]:
    first = date.fromisoformat(start)
    return {(first + timedelta(days=i)).isoformat(): h for i, h in enumerate(daily) if h != "0"}


def hourly(rate: str, days: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"salary": None, "hourly_rate": rate, "hours": days, **extra}


def pay(state: str, rate: str, days: dict[str, str], **extra: Any) -> dict[str, str]:
    changes: dict[str, Any] = {"earnings": hourly(rate, days, **extra)}
    paid = stub(**(texas(**changes) if state == "TX" else changes))
    return {line.code: str(line.amount) for line in paid.earnings} | {"gross": str(paid.gross)}


# 2026-01-04 is a Sunday; the default workweek starts on Sunday.


def test_dol_example_6_dollars_46_hours_is_294() -> None:
    # 40 x 6 = 240 + 6 x 9 = 54 -> 294 (DOL text, reference [S37])
    result = pay("TX", "6", hours("2026-01-05", "9.2", "9.2", "9.2", "9.2", "9.2"))
    assert result == {"REG": "240.00", "OT": "54.00", "gross": "294.00"}


def test_flsa_no_averaging_across_a_biweekly_period() -> None:
    # week 1: 30 h, week 2: 50 h -> 70 regular x 20 = 1,400 + 10 x 30 = 300
    days = hours("2026-01-05", "6", "6", "6", "6", "6", "0", "0", "10", "10", "10", "10", "10")
    assert pay("TX", "20", days) == {"REG": "1400.00", "OT": "300.00", "gross": "1700.00"}


def test_california_daily_overtime_and_double_time() -> None:
    # one 14-hour day: 8 x 20 + 4 x 30 + 2 x 40 = 160 + 120 + 80
    result = pay("CA", "20", hours("2026-01-05", "14"))
    assert result == {"REG": "160.00", "OT": "120.00", "DT": "80.00", "gross": "360.00"}
    assert pay("TX", "20", hours("2026-01-05", "14")) == {"REG": "280.00", "gross": "280.00"}


def test_california_no_pyramiding_daily_overtime_not_counted_toward_40() -> None:
    # Mon-Fri 10 h: daily 8 regular + 2 OT; 40 straight-time hours is not over 40,
    # so 10 OT hours in all, not 20: 40 x 20 + 10 x 30
    result = pay("CA", "20", hours("2026-01-05", "10", "10", "10", "10", "10"))
    assert result == {"REG": "800.00", "OT": "300.00", "gross": "1100.00"}


def test_california_seventh_consecutive_day() -> None:
    # Sun-Sat worked: Sun-Fri 8 h (48 straight, 8 over 40 -> OT), Saturday 10 h is the 7th
    # day: first 8 at 1.5x, 2 at 2x. Regular 40 x 20 = 800; OT 16 x 30 = 480; DT 2 x 40 = 80.
    # FLSA alone: 58 h -> 800 + 18 x 30 = 1,340 < 1,360, so California's split is paid.
    days = hours("2026-01-04", "8", "8", "8", "8", "8", "8", "10")
    assert pay("CA", "20", days) == {
        "REG": "800.00",
        "OT": "480.00",
        "DT": "80.00",
        "gross": "1360.00",
    }


def test_six_eight_hour_days_pay_the_same_under_both_rules() -> None:
    # 6 days x 8 h in CA and the week not worked in full: CA daily gives 48 straight -> 8 OT;
    # FLSA gives the same 40 + 8. Equal pay: 800 + 240.
    days = hours("2026-01-05", "8", "8", "8", "8", "8", "8")
    assert pay("CA", "20", days) == {"REG": "800.00", "OT": "240.00", "gross": "1040.00"}


def test_workweek_straddling_the_pay_period_counts_prior_hours() -> None:
    # Workweek Sun 1/4 - Sat 1/10. Mon and Tue (10 h each) were paid last period.
    # Texas: 20 prior hours count toward 40, so of Wed-Fri's 30 h, 20 are regular and 10 OT:
    # 20 x 20 + 10 x 30 = 700.
    days = hours("2026-01-07", "10", "10", "10")
    prior = hours("2026-01-05", "10", "10")
    assert pay("TX", "20", days, prior_hours=prior) == {
        "REG": "400.00",
        "OT": "300.00",
        "gross": "700.00",
    }
    # Without the prior days the week looks like 30 h: all regular.
    assert pay("TX", "20", days) == {"REG": "600.00", "gross": "600.00"}


def test_california_straddling_week_keeps_the_daily_split() -> None:
    # Same hours in CA: each 10 h day is 8 + 2 OT (already so for Mon-Tue); straight time
    # 16 + 24 = 40, not over. This period: 24 x 20 + 6 x 30 = 660. The whole week
    # (440 paid before + 660) equals the FLSA week 40 x 20 + 10 x 30 = 1,100.
    days = hours("2026-01-07", "10", "10", "10")
    prior = hours("2026-01-05", "10", "10")
    assert pay("CA", "20", days, prior_hours=prior) == {
        "REG": "480.00",
        "OT": "180.00",
        "gross": "660.00",
    }


def test_workweek_start_is_configurable() -> None:
    # Mon-Sun 10 h x 7 = 70 h in TX. Workweek from Monday: one week -> 40 + 30 OT.
    days = hours("2026-01-05", "10", "10", "10", "10", "10", "10", "10")
    monday = pay("TX", "10", days, workweek_start="monday")
    assert monday == {"REG": "400.00", "OT": "450.00", "gross": "850.00"}
    # From Sunday (default): Mon-Sat 60 h (20 OT) and Sun 10 h -> 50 regular, 20 OT.
    assert pay("TX", "10", days) == {"REG": "500.00", "OT": "300.00", "gross": "800.00"}
