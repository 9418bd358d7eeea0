"""Form 941, DE 9 and Form 940 figures, checked against hand computations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payrun.filings.rules.returns import (
    TaxLine,
    de_9,
    dollars,
    federal_liability_by_pay_date,
    form_940,
    form_941,
    monthly_liabilities,
    schedule_b,
)
from payrun.services.filing_figures import additional_medicare_wages

PAY = date(2026, 5, 15)


def line(tax: str, taxable: int, withheld: int, employer: int = 0, day: date = PAY) -> TaxLine:
    return TaxLine(tax, day, taxable, taxable, withheld, employer, 3)


# Three employees paid $100.10 each. Per paycheck: SS 6.2% x 100.10 = 6.2062 -> 6.21, Medicare
# 1.45% x 100.10 = 1.45145 -> 1.45, withheld and matched by the employer.
QUARTER = [
    line("FIT", 300_30, 30_00),
    line("SOCIAL_SECURITY", 300_30, 3 * 6_21, 3 * 6_21),
    line("MEDICARE", 300_30, 3 * 1_45, 3 * 1_45),
]


def test_line_7_carries_the_fractions_of_cents_so_line_12_equals_the_deposits() -> None:
    # 5a = 300.30 x 12.4% = 37.2372 -> 37.24; 5c = 300.30 x 2.9% = 8.7087 -> 8.71; 5e = 45.95
    # owed per paycheck: 2 x 18.63 + 2 x 4.35 = 45.96 -> line 7 = +0.01; line 6 = 30 + 45.95
    lines = form_941(QUARTER, deposits_cents=75_96, semiweekly=False)
    assert (lines["5a"], lines["5c"], lines["5d"], lines["5e"]) == (37_24, 8_71, 0, 45_95)
    assert (lines["3"], lines["6"], lines["7"], lines["10"]) == (30_00, 75_95, 1, 75_96)
    assert (lines["12"], lines["13"], lines["14"], lines["15"]) == (75_96, 75_96, 0, 0)


def test_a_short_deposit_shows_as_balance_due() -> None:
    lines = form_941(QUARTER, deposits_cents=70_00, semiweekly=False)
    assert (lines["14"], lines["15"]) == (5_96, 0)


def test_monthly_and_schedule_b_liabilities_total_line_12() -> None:
    second = [line("FIT", 0, 10_00, day=date(2026, 6, 12))]
    by_day = federal_liability_by_pay_date(QUARTER + second)
    assert by_day == {PAY: 75_96, date(2026, 6, 12): 10_00}
    assert monthly_liabilities(by_day, 2026, 2) == {
        "month_1": 0,
        "month_2": 75_96,
        "month_3": 10_00,
        "total": 85_96,
    }
    assert schedule_b(by_day) == {"2026-05-15": 75_96, "2026-06-12": 10_00, "total": 85_96}


def test_de_9_adds_ui_ett_sdi_and_pit_and_subtracts_the_de_88_deposits() -> None:
    ca = [
        line("CA_UI", 7_000_00, 0, 238_00),  # 3.4% of $7,000
        line("CA_ETT", 7_000_00, 0, 7_00),  # 0.1%
        line("CA_SDI", 9_000_00, 117_00),  # 1.3% of $9,000
        line("CA_PIT", 9_000_00, 412_34),
    ]
    items = de_9(ca, deposits_cents=774_34)
    # H = 238 + 7 + 117 + 412.34 = 774.34
    assert (items["C"], items["H"], items["I"], items["J"]) == (9_000_00, 774_34, 774_34, 0)


def test_form_940_with_the_2025_california_credit_reduction() -> None:
    # $7,000 x 0.6% = $42; x 1.2% reduction = $84; total $126 (reference §2: CA max $126)
    futa = [TaxLine("FUTA", PAY, 10_000_00, 7_000_00, 0, 126_00, 1)]
    lines = form_940(futa, deposits_cents=126_00, credit_reduction=Decimal("0.012"))
    assert (lines["3"], lines["5"], lines["7"], lines["8"]) == (
        10_000_00,
        3_000_00,
        7_000_00,
        42_00,
    )
    assert (lines["11"], lines["12"], lines["14"]) == (84_00, 126_00, 0)


def test_dollars_have_two_decimals() -> None:
    assert [dollars(c) for c in (0, 5, 123_45, -2)] == ["0.00", "0.05", "123.45", "-0.02"]


def test_additional_medicare_wages_are_only_those_over_200000_in_the_year() -> None:
    # YTD Medicare wages go from $195,000 to $205,000: $5,000 is over the threshold
    assert additional_medicare_wages(205_000_00, 10_000_00) == 5_000_00
    assert additional_medicare_wages(150_000_00, 10_000_00) == 0
    # already over before this paycheck: all of it
    assert additional_medicare_wages(250_000_00, 10_000_00) == 10_000_00
