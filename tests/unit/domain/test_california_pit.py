"""EDD 2026 Method B (DE 44): the published Examples A-F and hand-worked cases.

Inputs and published results of Examples A-F as quoted in braedonsaunders/openbooks
engine/src/payroll/us/states/conformance.test.ts (reference [S13]); every expected value is
re-derived below from the 2026 tables in the reference (§4.2), with the arithmetic shown.
"""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.periods import PayFrequency
from payrun.domain.request import DE4
from payrun.domain.request import CaFilingStatus as Status
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.california import method_b, method_b_annualized
from payrun.tables import load_tables

from .paydata import stub

CA = load_tables(2026, "CA").state.california  # type: ignore[union-attr]
SILENT = Explainer(False)


def pit(wages: str, frequency: PayFrequency, de4: DE4 | None) -> Decimal:
    assert CA is not None
    return method_b(Decimal(wages), frequency, de4, CA, SILENT)


def annualized(wages: str, frequency: PayFrequency, de4: DE4) -> Decimal:
    assert CA is not None
    return method_b_annualized(Decimal(wages), frequency, de4, CA, SILENT)


def test_example_a_weekly_210_single_low_income_exemption() -> None:
    # $210 <= Table 1 weekly single $363 -> nothing withheld.
    assert pit("210", PayFrequency.WEEKLY, DE4(Status.SINGLE, 1)) == 0


def test_example_b_biweekly_1600_married_2_regular_1_estimated() -> None:
    # Table 1 biweekly married 2+: 1,454 < 1,600. Table 2 (1 allowance) 38 -> 1,562.
    # Table 3 married 2+ 439 -> 1,123. Table 27: 9.37 + 2.2% x (1,123 - 852) = 15.332.
    # Table 4 (2 regular allowances) 12.95 -> 2.382 -> $2.38.
    assert pit("1600", PayFrequency.BIWEEKLY, DE4(Status.MARRIED, 2, 1)) == Decimal("2.38")


def test_example_c_monthly_5100_married_5_allowances() -> None:
    # 5,100 > 3,149; - 951 = 4,149; Table 21: 20.33 + 2.2% x (4,149 - 1,848) = 70.952;
    # - Table 4 monthly 5 = 70.13 -> 0.822 -> $0.82
    assert pit("5100", PayFrequency.MONTHLY, DE4(Status.MARRIED, 5)) == Decimal("0.82")


def test_example_d_weekly_950_head_of_household_3_allowances() -> None:
    # 950 > 727; - 219 = 731; Table 25: 4.69 + 2.2% x (731 - 426) = 11.40; - 9.71 = $1.69
    assert pit("950", PayFrequency.WEEKLY, DE4(Status.HEAD_OF_HOUSEHOLD, 3)) == Decimal("1.69")


def test_example_e_annualized_semimonthly_2400_married_4() -> None:
    # 2,400 x 24 = 57,600 > 37,791; - 11,412 = 46,188; Table 6: 243.74 + 2.2% x
    # (46,188 - 22,158) = 772.40; - 673.20 = 99.20 a year; / 24 = 4.1333 -> $4.13
    de4 = DE4(Status.MARRIED, 4)
    assert annualized("2400", PayFrequency.SEMIMONTHLY, de4) == Decimal("4.13")


def test_example_f_annualized_monthly_4750_married_4() -> None:
    # 4,750 x 12 = 57,000; - 11,412 = 45,588; 243.74 + 2.2% x 23,430 = 759.20;
    # - 673.20 = 86.00; / 12 = 7.1667 -> $7.17
    assert annualized("4750", PayFrequency.MONTHLY, DE4(Status.MARRIED, 4)) == Decimal("7.17")


def test_annualized_method_is_an_employer_setting() -> None:
    paid = stub(
        pay_date="2026-03-15",
        frequency="semimonthly",
        earnings={"salary": "2400.00"},
        employee={"ca_de4": {"filing_status": "married", "regular_allowances": 4}},
        employer={"ca_pit_method": "annualized"},
    )
    assert str(paid.state_income_tax) == "4.13"  # Example E through the whole paycheck


def test_more_than_ten_allowances_multiply_the_one_allowance_credit() -> None:
    # Weekly married, 15 allowances: credit 15 x 3.24 = 48.60 (not 1.5 x 32.37).
    # 5,000 - 219 = 4,781; Table 24 row 2,798: 135.55 + 10.23% x 1,983 = 338.4109;
    # - 48.60 = 289.8109 -> $289.81
    assert pit("5000", PayFrequency.WEEKLY, DE4(Status.MARRIED, 15)) == Decimal("289.81")


def test_low_income_boundary_is_inclusive() -> None:
    assert pit("363", PayFrequency.WEEKLY, DE4(Status.SINGLE, 0)) == 0
    # 364 - 110 = 254; Table 23: 2.34 + 2.2% x 41 = 3.242 -> $3.24
    assert pit("364", PayFrequency.WEEKLY, DE4(Status.SINGLE, 0)) == Decimal("3.24")


def test_married_one_allowance_uses_the_0_or_1_columns() -> None:
    # Table 1/3 married 0-1: 727 / 219. 1,600 - 219 = 1,381; Table 27: 9.37 + 2.2% x 529
    # = 21.008; - 6.47 = 14.538 -> $14.54
    assert pit("1600", PayFrequency.BIWEEKLY, DE4(Status.MARRIED, 1)) == Decimal("14.54")


def test_no_de4_on_file_is_single_zero_allowances() -> None:
    # 2,500 - 219 = 2,281; Table 26: 84.16 + 8.8% x 67 = 90.056 -> $90.06
    assert pit("2500", PayFrequency.BIWEEKLY, None) == Decimal("90.06")


def test_exempt_de4_and_additional_withholding() -> None:
    assert pit("2500", PayFrequency.BIWEEKLY, DE4(exempt=True)) == 0
    extra = DE4(Status.SINGLE, 1, 0, Decimal(10))
    # 90.056 - 6.47 = 83.586 -> 83.59 + 10.00
    assert pit("2500", PayFrequency.BIWEEKLY, extra) == Decimal("93.59")


def test_daily_quarterly_semiannual_and_annual_tables() -> None:
    # daily 200 single 0: 200 - 22 = 178; Table 8: 4.30 + 6.6% x 19 = 5.554 -> 5.55
    assert pit("200", PayFrequency.DAILY, None) == Decimal("5.55")
    # quarterly 15,000 single 0: - 1,427 = 13,573; Table 11: 281.05 + 6.6% x 3,210 = 492.91
    assert pit("15000", PayFrequency.QUARTERLY, None) == Decimal("492.91")
    # semiannual 30,000 single 0: - 2,853 = 27,147; Table 14: 562.10 + 6.6% x 6,421 = 985.886
    assert pit("30000", PayFrequency.SEMIANNUAL, None) == Decimal("985.89")
    # annual 60,000 single 0: - 5,706 = 54,294; Table 5: 1,124.21 + 6.6% x 12,842 = 1,971.782
    assert pit("60000", PayFrequency.ANNUAL, None) == Decimal("1971.78")


def test_ca_pit_wages_are_after_401k_and_section_125() -> None:
    # 2,500 - 100 (§125) - 250 (10% 401(k)) = 2,150; - 219 = 1,931;
    # Table 26: 43.24 + 6.6% x 337 = 65.482; - 6.47 = 59.012 -> $59.01
    paid = stub(employee={"section125": "100", "retirement": {"pretax_percent": "10"}})
    assert str(paid.state_income_tax) == "59.01"


def test_bonus_paid_alone_uses_the_ca_supplemental_rate() -> None:
    paid = stub(earnings={"salary": "0", "bonus": "1000.00"})
    assert str(paid.state_income_tax) == "102.30"  # 10.23% x 1,000
    assert str(paid.federal_income_tax) == "220.00"  # 22% x 1,000
