"""Pub 15-T (2026) Worksheet 1A and Pub 15 §7 supplemental wages, checked by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from payrun.domain.request import W4, Pre2020Marital, SupplementalMethod, W4Pre2020
from payrun.domain.request import FederalFilingStatus as Status
from payrun.domain.taxes import Explainer, cents
from payrun.domain.taxes.federal import federal_income_tax, worksheet_1a
from payrun.tables import load_tables

from .paydata import stub

FEDERAL = load_tables(2026, None).federal
SILENT = Explainer(False)


def withhold(
    wages: str, periods: int, w4: W4 | None = None, old: W4Pre2020 | None = None
) -> Decimal:
    return cents(worksheet_1a(Decimal(wages), periods, w4, old, FEDERAL, SILENT))


def test_wage_bracket_cell_weekly_single_665_to_675_is_38() -> None:
    # Pub 15-T 2026 p.14 wage-bracket cell (reference §1.7): weekly, Single, standard,
    # $665-$675 -> $38. At the midpoint $670: 1c = 670 x 52 = 34,840; 1i = 34,840 - 8,600
    # = 26,240; row $19,900: 1,240 + 12% x 6,340 = 2,000.80; 2h = 2,000.80 / 52 = 38.4769
    # -> $38 to the whole dollar, as the bracket tables print it.
    exact = worksheet_1a(Decimal(670), 52, W4(), None, FEDERAL, SILENT)
    assert exact.quantize(Decimal(1), rounding=ROUND_HALF_UP) == 38
    assert cents(exact) == Decimal("38.48")


def test_single_biweekly_2500() -> None:
    # 2,500 x 26 = 65,000; - 8,600 = 56,400; 1,240 + 12% x (56,400 - 19,900) = 5,620;
    # / 26 = 216.1538 -> 216.15
    assert withhold("2500", 26, W4()) == Decimal("216.15")


def test_married_filing_jointly_monthly_8000() -> None:
    # 96,000 - 12,900 = 83,100; MFJ row 44,100: 2,480 + 12% x 39,000 = 7,160; / 12 = 596.67
    assert withhold("8000", 12, W4(Status.MARRIED_FILING_JOINTLY)) == Decimal("596.67")


def test_head_of_household_semimonthly_3000() -> None:
    # 72,000 - 8,600 = 63,400; HOH row 33,250: 1,770 + 12% x 30,150 = 5,388; / 24 = 224.50
    assert withhold("3000", 24, W4(Status.HEAD_OF_HOUSEHOLD)) == Decimal("224.50")


def test_married_filing_separately_uses_the_single_table() -> None:
    assert withhold("2500", 26, W4(Status.MARRIED_FILING_SEPARATELY)) == Decimal("216.15")


def test_step2_checkbox_schedule_and_no_line_1g() -> None:
    # 1g = 0: 1i = 65,000; checkbox single row 60,900: 8,983 + 24% x 4,100 = 9,967;
    # / 26 = 383.3462 -> 383.35
    assert withhold("2500", 26, W4(step2_checked=True)) == Decimal("383.35")


def test_checkbox_top_row_is_used_as_printed() -> None:
    # Annual 400,000, checkbox single: row $328,350: 96,489.63 + 37% x 71,650 (26,510.50)
    # = 123,000.13 (the printed column C, not a recomputed one).
    assert withhold("400000", 1, W4(step2_checked=True)) == Decimal("123000.13")


def test_steps_3_4a_4b_4c() -> None:
    # 1e = 65,000 + 5,200 = 70,200; 1h = 3,000 + 8,600 = 11,600; 1i = 58,600;
    # row 57,900: 5,800 + 22% x 700 = 5,954; 2h = 5,954 / 26 = 229.00;
    # 3b = 2,200 / 26 = 84.615385; 3c = 144.384615; 4b = 144.384615 + 20 = 164.38
    w4 = W4(
        step3_credits=Decimal(2200),
        step4a_other_income=Decimal(5200),
        step4b_deductions=Decimal(3000),
        step4c_extra=Decimal(20),
    )
    assert withhold("2500", 26, w4) == Decimal("164.38")


def test_zero_floor_and_step_4c_still_added() -> None:
    # 200 x 26 = 5,200 < 8,600 -> 1i = 0 -> nothing; Step 4(c) $15 is still withheld.
    assert withhold("200", 26, W4()) == 0
    assert withhold("200", 26, W4(step4c_extra=Decimal(15))) == Decimal("15.00")


def test_credits_larger_than_tax_floor_at_zero() -> None:
    # 26,000 - 8,600 = 17,400: 10% x 9,900 = 990 / 26 = 38.08; 3b = 5,000 / 26 = 192.31 -> 0
    assert withhold("1000", 26, W4(step3_credits=Decimal(5000))) == 0


def test_pre2020_married_three_allowances() -> None:
    # 52,000 - 3 x 4,300 = 39,100; MFJ row 19,300: 10% x 19,800 = 1,980; / 26 = 76.1538
    old = W4Pre2020(Pre2020Marital.MARRIED, 3)
    assert withhold("2000", 26, old=old) == Decimal("76.15")


def test_pre2020_line_6_additional_amount_is_added() -> None:
    old = W4Pre2020(Pre2020Marital.MARRIED, 3, Decimal(10))
    assert withhold("2000", 26, old=old) == Decimal("86.15")


def test_pre2020_single_rate_uses_the_single_standard_table() -> None:
    # 1,000 x 52 = 52,000 (no 1g on old forms); 1,240 + 12% x 32,100 = 5,092; / 52 = 97.92
    for status in (Pre2020Marital.SINGLE, Pre2020Marital.MARRIED_SINGLE_RATE):
        assert withhold("1000", 52, old=W4Pre2020(status, 0)) == Decimal("97.92")


@pytest.mark.parametrize(
    ("wages", "periods", "expected"),
    [
        # each: annual = wages x periods; - 8,600; single standard table; / periods
        ("300", 260, "32.04"),  # 78,000 -> 69,400: 5,800 + 22% x 11,500 = 8,330 / 260 = 32.038
        ("1250", 52, "108.08"),  # 65,000 -> 5,620 / 52 = 108.077
        ("2500", 26, "216.15"),  # 65,000 -> 5,620 / 26
        (
            "2708.33",
            24,
            "234.17",
        ),  # 64,999.92 -> 56,399.92: 1,240 + 12% x 36,499.92 = 5,619.99 / 24
        ("5000", 12, "418.33"),  # 60,000 -> 51,400: 1,240 + 12% x 31,500 = 5,020 / 12 = 418.33
        ("15000", 4, "1255.00"),  # 60,000 -> 5,020 / 4
        ("30000", 2, "2510.00"),  # 60,000 -> 5,020 / 2
        ("60000", 1, "5020.00"),  # 60,000 -> 5,020 / 1
    ],
)
def test_every_pay_frequency(wages: str, periods: int, expected: str) -> None:
    assert withhold(wages, periods, W4()) == Decimal(expected)


def test_bracket_floor_belongs_to_the_row_that_starts_there() -> None:
    # Pub 15-T rows read "at least A, but less than B": annual 28,500 -> 1i = 19,900 -> 1,240.00
    assert withhold("28500", 1, W4()) == Decimal("1240.00")


def _fit(wages: str, supplemental: str, ytd: str, method: SupplementalMethod) -> Decimal:
    return federal_income_tax(
        Decimal(wages), Decimal(supplemental), Decimal(ytd), method, 26, W4(), None, FEDERAL, SILENT
    )


def test_supplemental_flat_22_percent_on_top_of_regular() -> None:
    # 216.15 on the 2,500 salary + 22% x 1,000 bonus = 220.00 -> 436.15
    assert _fit("3500", "1000", "0", SupplementalMethod.FLAT) == Decimal("436.15")


def test_supplemental_aggregate_method() -> None:
    # 3,500 x 26 = 91,000 - 8,600 = 82,400: 5,800 + 22% x 24,500 = 11,190 / 26 = 430.38
    assert _fit("3500", "1000", "0", SupplementalMethod.AGGREGATE) == Decimal("430.38")


def test_mandatory_37_percent_over_one_million() -> None:
    # YTD supplemental 999,000 + 5,000 bonus: 1,000 at 22% = 220 + 4,000 at 37% = 1,480
    assert _fit("5000", "5000", "999000", SupplementalMethod.FLAT) == Decimal("1700.00")
    # already over $1M: all 37%
    assert _fit("5000", "5000", "1000000", SupplementalMethod.FLAT) == Decimal("1850.00")


def test_exempt_w4_withholds_no_income_tax_but_fica_applies() -> None:
    paid = stub(employee={"w4": {"exempt": True}})
    assert paid.federal_income_tax.amount == 0
    assert str(paid.social_security) == "155.00"  # 6.2% x 2,500
    assert str(paid.medicare) == "36.25"  # 1.45% x 2,500


def test_additional_withholding_is_cut_to_the_pay_left() -> None:
    # gross 5.00: SS 0.31, Medicare 0.0725 -> 0.07, SDI 0.065 -> 0.07; 4.55 left, so the
    # $10 Step 4(c) extra is cut to 4.55 and net pay is 0.00, never negative.
    paid = stub(earnings={"salary": "5.00"}, employee={"w4": {"step4c_extra": "10"}})
    assert str(paid.federal_income_tax) == "4.55"
    assert str(paid.net_pay) == "0.00"
