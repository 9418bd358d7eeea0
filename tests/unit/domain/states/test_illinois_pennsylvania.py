"""Illinois (IL-700-T Example B) and Pennsylvania (flat 3.07%, REV-419, Philadelphia by pay
date, Act 32 higher-of, LST truncation): published and hand-computed cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payrun.domain.certificates import IlW4, PaLocal, PaRev419, Place
from payrun.domain.errors import InvalidInput
from payrun.domain.periods import PayFrequency as F
from payrun.domain.taxes.states import il, pa
from payrun.domain.taxes.states.programs import program_tax

from .helpers import SILENT, edition, paycheck, rules

IL = edition("IL")


def test_illinois_example_b_weekly_800_two_basic_two_additional() -> None:
    # IL-700-T Example B: 2 x 2,925 + 2 x 1,000 = 7,850; / 52 = 150.96 (to the cent first);
    # 800 - 150.96 = 649.04; x 4.95% = 32.12748 -> $32.13
    form = IlW4(2, 2)
    assert il.automated_payroll(Decimal(800), 52, form, IL, SILENT) == Decimal("32.13")


def test_illinois_no_il_w4_withholds_on_all_wages_and_adds_line_3() -> None:
    # No IL-W-4: 500 x 4.95% = 24.75
    assert il.withhold(paycheck("500"), IL, SILENT).state_income_tax == Decimal("24.75")
    # Line 3 extra after the rate: 500 - 2,925/52 (56.25) = 443.75 x 4.95% = 21.97 + 10 = 31.97
    check = paycheck("500", il_w4=IlW4(1, 0, Decimal(10)))
    assert il.withhold(check, IL, SILENT).state_income_tax == Decimal("31.97")


def test_illinois_exemption_larger_than_wages_withholds_nothing() -> None:
    assert il.automated_payroll(Decimal(100), 52, IlW4(5, 0), IL, SILENT) == 0


PA_JUNE, PA_JULY = edition("PA", date(2026, 6, 30)), edition("PA", date(2026, 7, 1))


def test_pennsylvania_flat_rate_arithmetic_checks() -> None:
    # Reference §3.5: biweekly 2,000 x 3.07% = 61.40; 2,000 + 5,000 supplemental = 214.90
    assert pa.state_tax(Decimal(2000), PA_JUNE) == Decimal("61.40")
    check = paycheck("7000", F.BIWEEKLY, supplemental="5000")
    assert pa.withhold(check, PA_JUNE, SILENT).state_income_tax == Decimal("214.90")


def test_pennsylvania_rev419_reciprocal_resident_has_no_pa_tax_but_keeps_local_tax() -> None:
    # NJ resident, REV-419 on file, working in Philadelphia: no PA PIT; Philadelphia
    # nonresident 3.43% (June pay date) x 1,000 = 34.30 still applies.
    check = paycheck(
        "1000", residence=Place("NJ"), work=Place("PA", "PHILADELPHIA"), pa_rev419=PaRev419()
    )
    result = pa.withhold(check, PA_JUNE, SILENT)
    assert result.state_income_tax == 0
    assert result.local == {"PHL_WAGE": Decimal("34.30")}


def test_pennsylvania_rev419_from_a_non_reciprocal_state_is_refused() -> None:
    check = paycheck("1000", residence=Place("NY"), pa_rev419=PaRev419())
    with pytest.raises(InvalidInput, match="pa_rev419"):
        pa.withhold(check, PA_JUNE, SILENT)


@pytest.mark.parametrize(
    ("on", "expected"),
    # Resident, 1,000: 30 June 3.74% = 37.40; 1 July 3.735% = 37.35
    [(date(2026, 6, 30), "37.40"), (date(2026, 7, 1), "37.35")],
)
def test_pennsylvania_philadelphia_resident_rate_switches_on_the_pay_date(
    on: date, expected: str
) -> None:
    check = paycheck("1000", residence=Place("PA", "PHILADELPHIA"), work=Place("PA", "PITTSBURGH"))
    result = pa.withhold(check, edition("PA", on), SILENT)
    assert result.local == {"PHL_WAGE": Decimal(expected)}
    assert result.state_income_tax == Decimal("30.70")  # 1,000 x 3.07%


def test_pennsylvania_philadelphia_nonresident_after_july() -> None:
    # 1,000 x 3.425% = 34.25
    check = paycheck("1000", residence=Place("PA"), work=Place("PA", "PHILADELPHIA"))
    assert pa.withhold(check, PA_JULY, SILENT).local == {"PHL_WAGE": Decimal("34.25")}


def test_pennsylvania_act32_bethlehem_resident_working_in_allentown_pays_the_higher_rate() -> None:
    # DCED example: resident 1.000%, work nonresident 1.280% -> 1.28% x 2,000 = 25.60;
    # LST $52 weekly: 52 / 52 = 1.00
    local = PaLocal(Decimal("1.000"), Decimal("1.280"), Decimal(52))
    check = paycheck("2000", residence=Place("PA"), pa_local=local)
    assert pa.withhold(check, PA_JUNE, SILENT).local == {
        "PA_EIT": Decimal("25.60"),
        "PA_LST": Decimal("1.00"),
    }
    # DCED Example 2: resident 1.6% beats work 1.3%: 2,000 x 1.6% = 32.00
    local2 = PaLocal(Decimal("1.6"), Decimal("1.3"))
    check2 = paycheck("2000", residence=Place("PA"), pa_local=local2)
    assert pa.withhold(check2, PA_JUNE, SILENT).local == {"PA_EIT": Decimal("32.00")}


def test_pennsylvania_lst_is_truncated_and_stops_at_the_annual_amount() -> None:
    # Monthly $52: 52 / 12 = 4.333... -> truncated 4.33 (half-up would also be 4.33; Scranton
    # $156 / 52 = 3.00); after 12 months 51.96 is taken; with 50.00 YTD only 2.00 is left.
    assert pa.lst_per_period(Decimal(52), 12, Decimal(0)) == Decimal("4.33")
    assert pa.lst_per_period(Decimal(156), 52, Decimal(0)) == Decimal("3.00")
    assert pa.lst_per_period(Decimal(52), 12, Decimal(50)) == Decimal("2.00")
    # $10 biweekly: 10 / 26 = 0.3846 -> truncated 0.38 (half-up 0.38); $20 / 24 = 0.8333 -> 0.83
    # and 47 / 24 = 1.958 -> truncated 1.95 where half-up would give 1.96.
    assert pa.lst_per_period(Decimal(47), 24, Decimal(0)) == Decimal("1.95")


def test_pennsylvania_lst_exemption_certificate_stops_it() -> None:
    local = PaLocal(ZERO := Decimal(0), ZERO, Decimal(52), lst_exempt=True)
    check = paycheck("2000", residence=Place("PA"), pa_local=local)
    assert pa.withhold(check, PA_JUNE, SILENT).local == {}


def test_illinois_example_a_is_the_formula_not_the_wage_bracket_table() -> None:
    # Weekly 300, line 1 = 2, line 2 = 1: (5,850 + 1,000) / 52 = 131.73; 168.27 x 4.95%
    # = 8.329 -> $8.33 (the booklet's wage-bracket table prints $8.38)
    assert il.automated_payroll(Decimal(300), 52, IlW4(2, 1), IL, SILENT) == Decimal("8.33")


def test_pennsylvania_uc_employee_on_1000_is_70_cents() -> None:
    # 1,000 x 0.07% = 0.70
    program = next(p for p in rules("PA").programs if p.code == "PA_UC")
    assert program_tax(program, Decimal(1000), F.WEEKLY, {}) == (Decimal(1000), Decimal("0.70"))
