"""Massachusetts (Circular M section G example, percentage method) and Virginia (the guide's
"John" example carried to the cent)."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.certificates import MaM4, Va4
from payrun.domain.periods import PayFrequency as F
from payrun.domain.state_codes import MA_FICA_SUBTRACTED
from payrun.domain.taxes.states import ma, va

from .helpers import SILENT, edition, paycheck

MA = edition("MA")


def test_massachusetts_section_g_supplemental_example() -> None:
    # $350,000 bonus, salary $948,000: X = 350,000 + (948,000 - 2,000 - 4,400) = 1,291,600;
    # 1,291,600 - 1,107,750 = 183,850 at 9% + 166,150 at 5% = 16,546.50 + 8,307.50 = 24,854.00
    # (< 9% x 350,000 = 31,500)
    assert ma.supplemental(Decimal(350000), Decimal(941600), Decimal(0), MA) == Decimal("24854.00")


def test_massachusetts_percentage_method_weekly_1115_one_exemption() -> None:
    # Reference §9.3: $49.58 by the percentage method. FICA 7.65% x 1,115 = 85.30, limited to
    # 2,000 / 52 = 38.46; 1,115 - 38.46 - (19 + 66) = 991.54 x 52 = 51,560.08 x 5% / 52
    # = 49.577 -> 49.58
    check = paycheck("1115", ma_m4=MaM4(1))
    check = type(check)(**{**_fields(check), "fica": Decimal("85.30")})
    result = ma.withhold(check, MA, SILENT)
    assert result.state_income_tax == Decimal("49.58")
    assert result.accumulators == {MA_FICA_SUBTRACTED: Decimal("38.46")}


def test_massachusetts_fica_subtraction_stops_at_2000_a_year() -> None:
    # 1,990 already subtracted: only 10.00 more; 1,115 - 10 - 85 = 1,020 x 5% = 51.00
    check = paycheck("1115", ma_m4=MaM4(1), ytd={MA_FICA_SUBTRACTED: Decimal(1990)})
    check = type(check)(**{**_fields(check), "fica": Decimal("85.30")})
    assert ma.withhold(check, MA, SILENT).state_income_tax == Decimal("51.00")


def test_massachusetts_head_of_household_blind_low_wage_and_student() -> None:
    # $2,000 already subtracted; HOH and blind (weekly): 1,115 - 85 = 1,030 x 5% = 51.50
    # - 2.31 - 2.12 = 47.07
    form = MaM4(1, head_of_household=True, blind=True)
    check = paycheck("1115", ma_m4=form, ytd={MA_FICA_SUBTRACTED: Decimal(2000)})
    assert ma.withhold(check, MA, SILENT).state_income_tax == Decimal("47.07")
    # Under $154 a week with an exemption: nothing; with none: 150 x 5% = 7.50
    assert ma.withhold(paycheck("150", ma_m4=MaM4(1)), MA, SILENT).state_income_tax == 0
    assert ma.withhold(paycheck("150"), MA, SILENT).state_income_tax == Decimal("7.50")
    student = paycheck("1115", ma_m4=MaM4(1, full_time_student=True))
    assert ma.withhold(student, MA, SILENT).state_income_tax == 0


def test_massachusetts_surtax_above_the_threshold_in_the_annual_tax() -> None:
    # 1,207,750 a year: 5% x 1,107,750 + 9% x 100,000 = 55,387.50 + 9,000 = 64,387.50
    assert ma.annual_tax(Decimal(1207750), MA) == Decimal("64387.50")


VA = edition("VA")


def test_virginia_john_example_carried_to_the_cent() -> None:
    # Semimonthly 2,649, 5 exemptions: T = 63,576 - 13,400 = 50,176; W = 720 + 5.75% x 33,176
    # = 720 + 1,907.62 = 2,627.62; / 24 = 109.4842 -> $109.48. The guide prints $109.50: it
    # rounds the 5.75% product to the dollar (1,908).
    assert va.formula(Decimal(2649), 24, Va4(5), VA, SILENT) == Decimal("109.48")


def test_virginia_daily_is_300_periods_and_line_2_extra() -> None:
    # Daily 200: T = 60,000 - 8,750 = 51,250; W = 720 + 5.75% x 34,250 = 2,689.375; / 300
    # = 8.9646 -> 8.96; + 2.00 = 10.96
    check = paycheck("200", F.DAILY, va4=Va4(0, 0, Decimal(2)))
    assert va.withhold(check, VA, SILENT).state_income_tax == Decimal("10.96")


def test_virginia_age_blind_exemptions_and_no_va4() -> None:
    # Weekly 500, E1 1, E2 1: 26,000 - (8,750 + 930 + 800) = 15,520; 120 + 5% x 10,520 = 646
    # / 52 = 12.4231 -> 12.42; no VA-4: 26,000 - 8,750 = 17,250: 720 + 5.75% x 250 = 734.375
    # / 52 = 14.1226 -> 14.12
    assert va.withhold(paycheck("500", va4=Va4(1, 1)), VA, SILENT).state_income_tax == Decimal(
        "12.42"
    )
    assert va.withhold(paycheck("500"), VA, SILENT).state_income_tax == Decimal("14.12")


def _fields(check: object) -> dict[str, object]:
    return {name: getattr(check, name) for name in check.__slots__}  # type: ignore[attr-defined]
