"""Michigan (Form 446, Detroit Form 5469 example, MI-W4 8b reciprocity) and Ohio (the two
Optional Computer Formula editions by period END date; derived checks, IT 4 waivers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from payrun.domain.certificates import Detroit5527, MiW4, OhIt4, Place
from payrun.domain.errors import InvalidInput
from payrun.domain.periods import PayFrequency as F
from payrun.domain.taxes.states import mi, oh

from .helpers import SILENT, edition, paycheck

MI = edition("MI")


def test_michigan_derived_check_weekly_1000_two_exemptions() -> None:
    # 5,900 / 52 = 113.46 each; 1,000 - 226.92 = 773.08 x 4.25% = 32.8559 -> $32.86
    assert mi.state_tax(Decimal(1000), 52, 2, MI, SILENT) == Decimal("32.86")


def test_michigan_detroit_form_5469_example_resident_and_nonresident() -> None:
    # Weekly 200, 3 exemptions x 11.54 = 34.62; 165.38 x 2.4% = 3.969 -> $3.97; x 1.2% = 1.98
    resident = paycheck(
        "200", residence=Place("MI", "DETROIT"), detroit_5527=Detroit5527(3), mi_w4=MiW4(3)
    )
    assert mi.withhold(resident, MI, SILENT).local == {"DETROIT": Decimal("3.97")}
    nonresident = paycheck(
        "200",
        residence=Place("MI", "LANSING"),
        work=Place("MI", "DETROIT"),
        detroit_5527=Detroit5527(3),
    )
    assert mi.withhold(nonresident, MI, SILENT).local == {"DETROIT": Decimal("1.98")}


def test_michigan_no_mi_w4_no_exemptions_and_line_7_extra() -> None:
    # 1,000 x 4.25% = 42.50; with MI-W4 1 exemption and 10 extra: 1,000 - 113.46 = 886.54 x
    # 4.25% = 37.678 -> 37.68 + 10 = 47.68
    assert mi.withhold(paycheck("1000"), MI, SILENT).state_income_tax == Decimal("42.50")
    check = paycheck("1000", mi_w4=MiW4(1, Decimal(10)))
    assert mi.withhold(check, MI, SILENT).state_income_tax == Decimal("47.68")


def test_michigan_reciprocal_ohio_resident_with_8b_has_no_michigan_tax() -> None:
    check = paycheck("1000", residence=Place("OH"), mi_w4=MiW4(reciprocal_nonresident=True))
    assert mi.withhold(check, MI, SILENT).state_income_tax == 0
    wrong = paycheck("1000", residence=Place("NY"), mi_w4=MiW4(reciprocal_nonresident=True))
    with pytest.raises(InvalidInput, match="reciprocal_nonresident"):
        mi.withhold(wrong, MI, SILENT)


def test_michigan_detroit_bonus_takes_no_exemption() -> None:
    # Bonus alone 1,000 for a resident with 3 exemptions: 1,000 x 2.4% = 24.00
    check = paycheck(
        "1000", supplemental="1000", residence=Place("MI", "DETROIT"), detroit_5527=Detroit5527(3)
    )
    assert mi.withhold(check, MI, SILENT).local == {"DETROIT": Decimal("24.00")}


OH_OCT = edition("OH", date(2026, 7, 31))
OH_AUG = edition("OH", date(2026, 8, 1))


@pytest.mark.parametrize(
    ("wages", "periods", "exemptions", "expected"),
    [
        # 120,000 -> 2,627.91 + 3.4% x 20,000 = 3,307.91 / 24 = 137.8296 -> 137.83
        ("5000", 24, 0, "137.83"),
        # 52,000 - 650 = 51,350 -> 416.80 + 2.99% x 25,300 = 1,173.27 / 26 = 45.1258 -> 45.13
        ("2000", 26, 1, "45.13"),
        # 24,000 x 1.6% = 384 / 24 = 16.00
        ("1000", 24, 0, "16.00"),
    ],
)
def test_ohio_august_2026_formula_derived_checks(
    wages: str, periods: int, exemptions: int, expected: str
) -> None:
    assert oh.computer_formula(Decimal(wages), periods, exemptions, OH_AUG, SILENT) == Decimal(
        expected
    )


def test_ohio_period_ending_31_july_uses_the_october_2025_edition() -> None:
    # 120,000 -> 2,673.50 + 3.64% x 20,000 = 3,401.50 / 24 = 141.729 -> 141.73
    assert oh.computer_formula(Decimal(5000), 24, 0, OH_OCT, SILENT) == Decimal("141.73")


def test_ohio_band_boundary_is_over_not_over() -> None:
    # TW exactly 26,050 stays in band 1: 26,050 x 1.6% = 416.80 / 1 (annual)
    assert oh.computer_formula(Decimal(26050), 1, 0, OH_AUG, SILENT) == Decimal("416.80")


def test_ohio_supplemental_2_75_percent_and_it4_waiver() -> None:
    # Regular 1,000 semimonthly -> 16.00; bonus 2,000 x 2.75% = 55.00; total 71.00
    check = paycheck("3000", F.SEMIMONTHLY, supplemental="2000")
    assert oh.withhold(check, OH_AUG, SILENT).state_income_tax == Decimal("71.00")
    waived = paycheck("3000", residence=Place("PA"), oh_it4=OhIt4(reciprocal_nonresident=True))
    assert oh.withhold(waived, OH_AUG, SILENT).state_income_tax == 0


def test_ohio_unconfirmed_rounding_is_one_table_figure_truncation_gives_pj_values() -> None:
    # round_half_up = 0 in the table file: 3,307.91 / 24 = 137.8296 -> 137.82 and
    # 1,173.27 / 26 = 45.1258 -> 45.12, as [PJ] prints them (reference §8.7).
    truncating = replace(OH_AUG, figures={**OH_AUG.figures, "round_half_up": Decimal(0)})
    assert oh.computer_formula(Decimal(5000), 24, 0, truncating, SILENT) == Decimal("137.82")
    assert oh.computer_formula(Decimal(2000), 26, 1, truncating, SILENT) == Decimal("45.12")
