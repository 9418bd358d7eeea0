"""New York: every NYS-50-T-NYS/-NYC/-Y (1/26) worked example in the reference (§1.7, §12),
the publications' known faults, and hand-computed cases (at-least boundary, Method III)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payrun.domain.certificates import NyIt2104, NyStatus, Place
from payrun.domain.errors import UnknownTable
from payrun.domain.periods import PayFrequency as F
from payrun.domain.taxes.states import ny

from .helpers import SILENT, edition, paycheck

NY = edition("NY")
SINGLE, MARRIED = NyStatus.SINGLE, NyStatus.MARRIED


def nys(wages: str, period: str, periods: int, status: NyStatus, allowances: int) -> Decimal:
    form = NyIt2104(status, allowances)
    return ny.nys_method_ii(Decimal(wages), period, periods, form, NY, SILENT)


def nyc(wages: str, period: str, status: NyStatus, allowances: int) -> Decimal:
    form = NyIt2104(status, nyc_allowances=allowances)
    return ny.nyc_method_ii(Decimal(wages), period, form, NY, SILENT)


@pytest.mark.parametrize(
    ("wages", "period", "periods", "status", "allowances", "published"),
    [
        # Single Ex 1: 400 - (142.30 + 3 x 19.25 = 200.05) = 199.95; 36.95 x 4.40% = 1.63 + 6.38
        ("400", "weekly", 52, SINGLE, 3, "8.01"),
        # Single Ex 3: 50,000 - (616.70 + 3 x 83.30) = 49,133.40; 1,985.71 + 1,590.92
        ("50000", "monthly", 12, SINGLE, 3, "3576.63"),
        # Single Ex 4: 750 - (28.45 + 2 x 3.85) = 713.85; 107.85 x 6.40% = 6.90 + 37.20
        ("750", "daily", 260, SINGLE, 2, "44.10"),
        # Married Ex 1: 400 - (152.90 + 4 x 19.25 = 229.90) = 170.10; 7.10 x 4.40% = 0.31 + 6.38
        ("400", "weekly", 52, MARRIED, 4, "6.69"),
        # Married Ex 3: 50,000 - (662.50 + 249.90) = 49,087.60; 1,322.09 + 2,300.00
        ("50000", "monthly", 12, MARRIED, 3, "3622.09"),
        # Married Ex 4: 750 - 38.30 = 711.70; 105.70 x 8.01% = 8.47 + 36.11
        ("750", "daily", 260, MARRIED, 2, "44.58"),
    ],
)
def test_new_york_state_published_examples(
    wages: str, period: str, periods: int, status: NyStatus, allowances: int, published: str
) -> None:
    assert nys(wages, period, periods, status, allowances) == Decimal(published)


def test_new_york_single_example_2_publication_rounds_up_a_half_cent_we_round_half_up() -> None:
    # Published $258.51. 5,000 - (308.35 + 41.65) = 4,650; row 4,485: (4,650 - 4,485) = 165 x
    # 7.53% = 12.4245 -> half-up 12.42 (the publication rounds it up to 12.43); + 246.08 = 258.50
    assert nys("5000", "semimonthly", 24, SINGLE, 1) == Decimal("258.50")


def test_new_york_married_example_4_uses_the_tables_rate_not_the_misprinted_0_0811() -> None:
    # The publication's step 4 prints 0.0811; the table (and its result $44.58) use 0.0801:
    # 105.70 x 0.0811 = 8.57 + 36.11 = 44.68 would be wrong.
    assert nys("750", "daily", 260, MARRIED, 2) == Decimal("44.58")


@pytest.mark.parametrize(
    ("wages", "period", "status", "allowances", "published"),
    [
        ("400", "weekly", SINGLE, 3, "6.11"),
        ("5000", "semimonthly", SINGLE, 1, "188.80"),
        ("50000", "monthly", SINGLE, 3, "2070.50"),
        ("750", "daily", SINGLE, 2, "29.51"),
        ("400", "weekly", MARRIED, 4, "5.17"),
        ("5000", "semimonthly", MARRIED, 3, "184.37"),
        ("50000", "monthly", MARRIED, 3, "2068.73"),
        ("750", "daily", MARRIED, 2, "29.43"),
    ],
)
def test_new_york_city_published_examples(
    wages: str, period: str, status: NyStatus, allowances: int, published: str
) -> None:
    # e.g. Single Ex 1: 400 - (96.15 + 3 x 19.25) = 246.10; row 167: 79.10 x 3.25% = 2.57 + 3.54
    assert nyc(wages, period, status, allowances) == Decimal(published)


@pytest.mark.parametrize(
    ("nys_example", "published"),
    [
        ("8.01", "1.34"),
        ("44.10", "7.39"),
        ("6.69", "1.12"),
        ("3622.09", "606.70"),
        ("44.58", "7.47"),
    ],
)
def test_new_york_yonkers_resident_is_16_75_percent_of_nys(
    nys_example: str, published: str
) -> None:
    # 8.01 x 0.1675 = 1.341675 -> 1.34; 3,622.09 x 0.1675 = 606.700075 -> 606.70
    rate = NY.figure("yonkers_resident_percent") / 100
    assert (Decimal(nys_example) * rate).quantize(Decimal("0.01")) == Decimal(published)


def test_new_york_yonkers_resident_single_example_3_we_round_half_up_not_truncate() -> None:
    # 16.75% x 3,576.63 = 599.085525: the publication truncates to 599.08; half-up is 599.09.
    check = paycheck(
        "50000", F.MONTHLY, residence=Place("NY", "YONKERS"), ny_it2104=NyIt2104(SINGLE, 3)
    )
    result = ny.withhold(check, NY, SILENT)
    assert result.state_income_tax == Decimal("3576.63")
    assert result.local == {"YONKERS": Decimal("599.09")}


@pytest.mark.parametrize(
    ("wages", "frequency", "published"),
    [("75", F.WEEKLY, "0.00"), ("200", F.WEEKLY, "0.81"), ("400", F.SEMIMONTHLY, "1.38")],
)
def test_new_york_yonkers_nonresident_published_examples(
    wages: str, frequency: F, published: str
) -> None:
    # $75 is under the first weekly band (77); (200 - 38) x 0.5% = 0.81; (400 - 125) x 0.5%
    # = 1.375 -> 1.38
    check = paycheck(wages, frequency, residence=Place("NY"), work=Place("NY", "YONKERS"))
    assert ny.withhold(check, NY, SILENT).local == {"YONKERS": Decimal(published)}


def test_new_york_at_least_boundary_takes_the_upper_row() -> None:
    # "At least 163" starts row 2: wages 305.30 - 142.30 (single, 0) = 163.00 -> 0 x 4.40% +
    # 6.38 = 6.38 (row 1 would give 163 x 3.90% = 6.36).
    assert nys("305.30", "weekly", 52, SINGLE, 0) == Decimal("6.38")
    # One cent less, 162.99 x 3.90% = 6.35661 -> 6.36 in row 1.
    assert nys("305.29", "weekly", 52, SINGLE, 0) == Decimal("6.36")


def test_new_york_method_iii_flat_rate_on_all_annualized_net_wages() -> None:
    # Weekly single, 0 allowances, wages 21,000: net 20,857.70; x 52 = 1,084,600.40 >=
    # 1,077,550 -> 10.45% x 1,084,600.40 = 113,340.74 / 52 = 2,179.6296 -> 2,179.63
    assert nys("21000", "weekly", 52, SINGLE, 0) == Decimal("2179.63")


def test_new_york_no_it2104_is_single_zero_and_nyc_only_for_residents() -> None:
    # 400 weekly, Single 0: 400 - 142.30 = 257.70; row 225: 32.70 x 5.15% = 1.68 + 9.08 = 10.76
    assert ny.withhold(paycheck("400"), NY, SILENT).state_income_tax == Decimal("10.76")
    worker = paycheck("400", work=Place("NY", "NYC"))  # lives outside the city: no NYC tax
    assert ny.withhold(worker, NY, SILENT).local == {}


def test_new_york_supplemental_flat_11_70_percent_beside_regular_wages() -> None:
    # Regular 400 weekly Single 3 -> 8.01; bonus 1,000 x 11.70% = 117.00; total 125.01
    check = paycheck("1400", supplemental="1000", ny_it2104=NyIt2104(SINGLE, 3))
    assert ny.withhold(check, NY, SILENT).state_income_tax == Decimal("125.01")


def test_new_york_quarterly_payroll_is_refused_not_guessed() -> None:
    with pytest.raises(UnknownTable, match="quarterly"):
        ny.withhold(paycheck("5000", F.QUARTERLY), NY, SILENT)


def test_new_york_city_is_for_new_york_residents_only() -> None:
    # A "NYC" city with a New Jersey home is not a city resident: no NYC tax.
    check = paycheck("400", residence=Place("NJ", "NYC"), ny_it2104=NyIt2104(SINGLE, 3))
    assert ny.withhold(check, NY, SILENT).local == {}
