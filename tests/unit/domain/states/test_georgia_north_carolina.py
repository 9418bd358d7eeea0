"""Georgia (two Table E editions by pay date) and North Carolina (whole-dollar rounding):
every published example in the reference and hand-computed cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payrun.domain.certificates import GaG4, GaStatus, Nc4, NcStatus
from payrun.domain.periods import PayFrequency as F
from payrun.domain.taxes.states import ga, nc

from .helpers import SILENT, edition, paycheck

JUNE_EDITION = edition("GA", date(2026, 6, 15))
DEC_EDITION = edition("GA", date(2026, 3, 13))


def ga_tax(wages: str, frequency: F, form: GaG4 | None, on: date) -> Decimal:
    check = paycheck(wages, frequency, ga_g4=form)
    return ga.withhold(check, edition("GA", on), SILENT).state_income_tax


def test_georgia_june_2026_example_1() -> None:
    # Semimonthly 2,000, letter C, 1 dependent: 2,000 - 1,250.00 - 208.33 = 541.67 x 4.99%
    # = 27.029333 -> $27.03
    form = GaG4(GaStatus.C_MARRIED_JOINT_ONE_WORKING, 1)
    assert ga_tax("2000", F.SEMIMONTHLY, form, date(2026, 6, 15)) == Decimal("27.03")


def test_georgia_june_2026_example_2() -> None:
    # Biweekly 935, head of household, 2 dependents: 935 - 576.92 - 384.62 < 0 -> $0.00
    form = GaG4(GaStatus.D_HEAD_OF_HOUSEHOLD, 2)
    assert ga_tax("935", F.BIWEEKLY, form, date(2026, 6, 15)) == 0


def test_georgia_december_2025_guide_example() -> None:
    # Semimonthly 1,470.83, MFJ column, 1 dependent: 1,470.83 - 1,000.00 - 166.67 = 304.16
    # x 5.19% = 15.785904 -> $15.79
    form = GaG4(GaStatus.C_MARRIED_JOINT_ONE_WORKING, 1)
    assert ga_tax("1470.83", F.SEMIMONTHLY, form, date(2026, 2, 13)) == Decimal("15.79")


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        # 10 May (Dec 2025 edition): 2,000 - 500 = 1,500 x 5.19% = 77.85
        (date(2026, 5, 10), "77.85"),
        # 11 May (June 2026 edition): 2,000 - 625 = 1,375 x 4.99% = 68.6125 -> 68.61
        (date(2026, 5, 11), "68.61"),
    ],
)
def test_georgia_switches_on_the_pay_date_11_may_2026(on: date, expected: str) -> None:
    assert ga_tax("2000", F.SEMIMONTHLY, None, on) == Decimal(expected)


def test_georgia_letter_b_uses_the_married_separate_column_and_line_6_extra() -> None:
    # Weekly 1,000, B, 1 + 1 allowances (June): 1,000 - 288.46 - 2 x 96.15 = 519.24 x 4.99%
    # = 25.910076 -> 25.91 + 5.00 = 30.91
    form = GaG4(GaStatus.B_MARRIED_SEPARATE_OR_BOTH_WORKING, 1, 1, Decimal(5))
    assert ga_tax("1000", F.WEEKLY, form, date(2026, 6, 15)) == Decimal("30.91")


NC = edition("NC")


def test_north_carolina_percentage_method_example() -> None:
    # NC-30: weekly 450, Single, 2: 450 - 245.19 - 96.16 = 108.65 x 4.09% = 4.4438 -> $4.00
    assert nc.percentage_method(Decimal(450), "weekly", Nc4(NcStatus.SINGLE, 2), NC, SILENT) == 4


def test_north_carolina_annualized_method_example() -> None:
    # 23,400 - 12,750 - 5,000 = 5,650 x 4.09% = 231.085 -> 231.09; / 52 = 4.44 -> $4.00
    form = Nc4(NcStatus.SINGLE, 2)
    assert nc.annualized_method(Decimal(450), 52, form, NC, SILENT) == 4


def test_north_carolina_head_of_household_and_half_dollar_rounds_up() -> None:
    # Weekly 1,000 HOH 0: 1,000 - 367.79 = 632.21 x 4.09% = 25.857 -> $26
    check = paycheck("1000", nc4=Nc4(NcStatus.HEAD_OF_HOUSEHOLD))
    assert nc.withhold(check, NC, SILENT).state_income_tax == 26
    # No NC-4: Single 0. 257.42 - 245.19 = 12.23 x 4.09% = 0.500207 -> $1 (half-up to dollar)
    assert nc.withhold(paycheck("257.42"), NC, SILENT).state_income_tax == 1


def test_north_carolina_daily_payroll_uses_the_annualized_method() -> None:
    # Daily 200 x 260 = 52,000 - 12,750 = 39,250 x 4.09% = 1,605.325 -> 1,605.33; / 260 =
    # 6.174 -> $6
    assert nc.withhold(paycheck("200", F.DAILY), NC, SILENT).state_income_tax == 6


def test_north_carolina_supplemental_flat_4_09_percent_to_the_dollar() -> None:
    # Regular 450 Single 2 -> 4; bonus 1,000 x 4.09% = 40.90 -> 41; total 45
    check = paycheck("1450", supplemental="1000", nc4=Nc4(NcStatus.SINGLE, 2))
    assert nc.withhold(check, NC, SILENT).state_income_tax == 45
