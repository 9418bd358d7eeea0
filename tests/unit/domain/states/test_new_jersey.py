"""New Jersey: NJ-WT p. 25 worked examples, the ones printed with superseded brackets, the
Rate A weekly $15.29 decision, an "over / not over" boundary, NJ-165 and the no-NJ-W4 default."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payrun.domain.certificates import NjStatus, NjW4, Place
from payrun.domain.errors import InvalidInput
from payrun.domain.periods import PayFrequency as F
from payrun.domain.taxes.states import nj

from .helpers import SILENT, edition, paycheck

NJ = edition("NJ")


def withheld(wages: str, form: NjW4 | None, **kwargs: object) -> Decimal:
    check = paycheck(wages, nj_w4=form, **kwargs)  # type: ignore[arg-type]
    return nj.withhold(check, NJ, SILENT).state_income_tax


def test_new_jersey_rate_a_example_1() -> None:
    # 300 - 19.20 = 280.80 x 1.5% = 4.212 -> $4.21
    assert withheld("300", NjW4(NjStatus.SINGLE, 1)) == Decimal("4.21")


def test_new_jersey_rate_a_example_2() -> None:
    # 700 - 19.20 = 680.80: over 673 -> 11.54 + 3.9% x 7.80 = 11.8442 -> $11.84
    assert withheld("700", NjW4(NjStatus.SINGLE, 1)) == Decimal("11.84")


def test_new_jersey_rate_b_example_1() -> None:
    # Married joint -> Rate B; 375 - 3 x 19.20 = 317.40 x 1.5% = 4.761 -> $4.76
    assert withheld("375", NjW4(NjStatus.MARRIED_JOINT, 3)) == Decimal("4.76")


def test_new_jersey_rate_a_example_3_keeps_the_printed_15_29_base() -> None:
    # Published $40.40 uses 15.28. The printed weekly table says 15.29 (= 795 / 52 = 15.2885,
    # as every other weekly base is the annual base / 52); we keep the table: 1,200 - 19.20 =
    # 1,180.80, over 769 -> 15.29 + 6.1% x 411.80 = 40.4098 -> $40.41.
    assert withheld("1200", NjW4(NjStatus.SINGLE, 1)) == Decimal("40.41")


def test_new_jersey_rate_b_examples_2_and_3_printed_superseded_brackets() -> None:
    # Ex 2 (published 15.93 with $384/$5.76): 950 - 57.60 = 892.40, over 385 -> 5.77 + 2% x
    # 507.40 = 15.918 -> $15.92. Ex 3 (published 27.60 with $961/$17.30): 1,400 - 57.60 =
    # 1,342.40, over 962 -> 17.31 + 2.7% x 380.40 = 27.5808 -> $27.58.
    assert withheld("950", NjW4(NjStatus.MARRIED_JOINT, 3)) == Decimal("15.92")
    assert withheld("1400", NjW4(NjStatus.MARRIED_JOINT, 3)) == Decimal("27.58")


def test_new_jersey_not_over_boundary_stays_in_the_lower_row() -> None:
    # "Over 0 but not over 385": 385.00 x 1.5% = 5.775 -> 5.78 (row 2 would give 5.77 + 0).
    assert withheld("385", NjW4(NjStatus.SINGLE, 0)) == Decimal("5.78")
    # One cent over: 5.77 + 2% x 0.01 = 5.7702 -> 5.77
    assert withheld("385.01", NjW4(NjStatus.SINGLE, 0)) == Decimal("5.77")


def test_new_jersey_line_3_table_and_line_5_extra() -> None:
    # Rate C named on line 3, weekly 1,000, 0 allowances: over 962 -> 20.00 + 3.5% x 38 = 21.33
    # + 5.00 extra = 26.33
    form = NjW4(NjStatus.SINGLE, 0, "C", Decimal(5))
    assert withheld("1000", form) == Decimal("26.33")
    with pytest.raises(InvalidInput, match="rate_table"):
        withheld("1000", NjW4(rate_table="F"))


def test_new_jersey_no_nj_w4_uses_rate_a_zero_allowances() -> None:
    # 300 x 1.5% = 4.50 (the UNCONFIRMED default both engines use)
    assert withheld("300", None) == Decimal("4.50")


def test_new_jersey_pa_resident_with_nj165_has_no_nj_withholding() -> None:
    form = NjW4(NjStatus.SINGLE, 1, nj165_pa_resident=True)
    assert withheld("1000", form, residence=Place("PA")) == 0
    with pytest.raises(InvalidInput, match="nj165"):
        withheld("1000", form, residence=Place("NY"))


def test_new_jersey_supplemental_paid_separately_takes_no_allowances() -> None:
    # Bonus alone, weekly, 3 allowances ignored: 500 -> over 385: 5.77 + 2% x 115 = 8.07
    check = paycheck("500", F.WEEKLY, supplemental="500", nj_w4=NjW4(NjStatus.SINGLE, 3))
    assert nj.withhold(check, NJ, SILENT).state_income_tax == Decimal("8.07")


def test_new_jersey_rate_e_monthly_printed_gap_falls_in_line_2() -> None:
    # Printed: line 2 "not over 2,916", line 3 "over 2,917". Taxable 2,916.50 (monthly, 0
    # allowances, Rate E) is read as line 2 (over 1,667 to 2,917, the floors as printed):
    # 25.00 + 2.0% x 1,249.50 = 49.99
    check = paycheck("2916.50", F.MONTHLY, nj_w4=NjW4(NjStatus.SINGLE, 0, "E"))
    assert nj.withhold(check, NJ, SILENT).state_income_tax == Decimal("49.99")


def test_new_jersey_rate_d_quarterly_fifth_floor_is_15000() -> None:
    # "$ 15.000" read as 15,000: taxable 20,000 -> 402.50 + 5.6% x 5,000 = 682.50
    check = paycheck("20000", F.QUARTERLY, nj_w4=NjW4(NjStatus.SINGLE, 0, "D"))
    assert nj.withhold(check, NJ, SILENT).state_income_tax == Decimal("682.50")
