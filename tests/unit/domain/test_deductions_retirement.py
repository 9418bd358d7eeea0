"""Pre-tax deductions (order, wage bases) and 401(k) limits, catch-ups, Roth rule, match."""

from __future__ import annotations

from typing import Any

import pytest

from payrun.domain.errors import InvalidInput

from .paydata import stub


def wages(**changes: Any) -> dict[str, str]:
    paid = stub(**changes)
    w = paid.wages
    return {
        "fit": str(w.federal_income_tax),
        "ss": str(w.social_security),
        "medicare": str(w.medicare),
        "futa": str(w.futa),
        "ca_pit": str(w.state_income_tax),
        "sdi": str(w.state_disability),
        "ui": str(w.state_unemployment),
    }


def test_each_pretax_deduction_reduces_its_own_wage_bases() -> None:
    # salary 2,500; §125 100 (all bases), HSA 50 (all but CA PIT), 401(k) 10% = 250 (FIT, CA PIT)
    result = wages(
        employee={"section125": "100", "hsa": "50", "retirement": {"pretax_percent": "10"}}
    )
    assert result == {
        "fit": "2100.00",  # 2,500 - 100 - 50 - 250
        "ss": "2350.00",  # 2,500 - 100 - 50
        "medicare": "2350.00",
        "futa": "2350.00",
        "ca_pit": "2150.00",  # 2,500 - 100 - 250 (California taxes HSA money)
        "sdi": "2350.00",
        "ui": "2350.00",
    }


def test_traditional_401k_reduces_income_tax_wages_not_fica() -> None:
    paid = stub(employee={"retirement": {"pretax_percent": "10"}})
    assert str(paid.deferral_401k_pretax) == "250.00"
    assert str(paid.social_security) == "155.00"  # 6.2% of the full 2,500
    # FIT on 2,250: 58,500 - 8,600 = 49,900: 1,240 + 12% x 30,000 = 4,840 / 26 = 186.15
    assert str(paid.federal_income_tax) == "186.15"


def test_section_125_reduces_fica() -> None:
    paid = stub(employee={"section125": "100"})
    assert str(paid.social_security) == "148.80"  # 6.2% x 2,400
    assert str(paid.medicare) == "34.80"  # 1.45% x 2,400


def test_deductions_are_capped_at_the_pay_left_in_order() -> None:
    paid = stub(earnings={"salary": "120.00"}, employee={"section125": "100", "hsa": "50"})
    assert str(paid.section125) == "100.00"
    assert str(paid.hsa) == "20.00"  # only 20 left after the §125 premium
    assert paid.wages.social_security.amount == 0


def test_roth_is_post_tax() -> None:
    paid = stub(employee={"retirement": {"roth_percent": "5"}})
    assert str(paid.roth_401k) == "125.00"  # 5% x 2,500
    assert str(paid.wages.federal_income_tax) == "2500.00"
    assert str(paid.federal_income_tax) == "216.15"
    # 2,500 - 216.15 - 155 - 36.25 - 83.59 - 32.50 - 125 = 1,851.51
    assert str(paid.net_pay) == "1851.51"


def test_fixed_amount_deferral() -> None:
    assert str(stub(employee={"retirement": {"pretax_amount": "300"}}).deferral_401k) == "300.00"


def test_deferral_stops_at_the_annual_limit() -> None:
    paid = stub(
        ytd={"deferral_401k": "24400.00"}, employee={"retirement": {"pretax_percent": "10"}}
    )
    assert str(paid.deferral_401k) == "100.00"  # 24,500 - 24,400
    assert str(paid.ytd_after["deferral_401k"]) == "24500.00"
    full = stub(
        ytd={"deferral_401k": "24500.00"}, employee={"retirement": {"pretax_percent": "10"}}
    )
    assert full.deferral_401k.amount == 0


def test_age_50_catch_up() -> None:
    # born 1975: 51 at the end of 2026 -> limit 24,500 + 8,000 = 32,500
    employee = {"birth_date": "1975-12-31", "retirement": {"pretax_percent": "10"}}
    paid = stub(ytd={"deferral_401k": "24400.00"}, employee=employee)
    assert str(paid.deferral_401k) == "250.00"
    assert str(paid.catch_up_401k) == "150.00"  # the part above 24,500
    last = stub(ytd={"deferral_401k": "32400.00"}, employee=employee)
    assert str(last.deferral_401k) == "100.00"


def test_turning_50_on_31_december_counts_for_the_whole_year() -> None:
    employee = {"birth_date": "1976-12-31", "retirement": {"pretax_percent": "10"}}
    assert str(stub(ytd={"deferral_401k": "24500.00"}, employee=employee).deferral_401k) == "250.00"
    younger = {"birth_date": "1977-01-01", "retirement": {"pretax_percent": "10"}}
    assert stub(ytd={"deferral_401k": "24500.00"}, employee=younger).deferral_401k.amount == 0


def test_ages_60_to_63_super_catch_up() -> None:
    # born 1964: 62 in 2026 -> 24,500 + 11,250 = 35,750
    employee = {"birth_date": "1964-06-01", "retirement": {"pretax_percent": "10"}}
    assert str(stub(ytd={"deferral_401k": "35700.00"}, employee=employee).deferral_401k) == "50.00"
    # a plan without it: 32,500
    plain = stub(
        ytd={"deferral_401k": "32400.00"}, employee=employee, employer={"super_catch_up": False}
    )
    assert str(plain.deferral_401k) == "100.00"
    # born 1962: 64 -> back to the age-50 catch-up (32,500)
    older = {"birth_date": "1962-06-01", "retirement": {"pretax_percent": "10"}}
    assert str(stub(ytd={"deferral_401k": "32400.00"}, employee=older).deferral_401k) == "100.00"


def test_roth_catch_up_rule_for_prior_year_fica_wages_over_150000() -> None:
    employee = {
        "birth_date": "1970-01-01",
        "prior_year_fica_wages": "160000",
        "retirement": {"pretax_percent": "10"},
    }
    paid = stub(ytd={"deferral_401k": "24400.00"}, employee=employee)
    assert str(paid.deferral_401k_pretax) == "100.00"  # base limit part stays pre-tax
    assert str(paid.roth_401k) == "150.00"  # the catch-up is made as Roth
    assert str(paid.wages.federal_income_tax) == "2400.00"
    at_threshold = dict(employee, prior_year_fica_wages="150000")
    plain = stub(ytd={"deferral_401k": "24400.00"}, employee=at_threshold)
    assert str(plain.deferral_401k_pretax) == "250.00"  # not over the threshold


def test_missing_birth_date_is_refused_when_the_catch_up_depends_on_age() -> None:
    employee = {"birth_date": None, "retirement": {"pretax_percent": "10"}}
    with pytest.raises(InvalidInput) as caught:
        stub(ytd={"deferral_401k": "24400.00"}, employee=employee)
    assert caught.value.field == "employee.birth_date"
    assert str(stub(employee=employee).deferral_401k) == "250.00"  # far from the limit


@pytest.mark.parametrize(
    ("percent", "match"),
    [
        ("2", "50.00"),  # 100% x 50
        ("4", "87.50"),  # 100% x 75 + 50% x 25
        ("6", "100.00"),  # 100% x 75 (3%) + 50% x 50 (next 2%)
        ("0", "0.00"),
    ],
)
def test_employer_match_100_of_3_plus_50_of_next_2(percent: str, match: str) -> None:
    tiers = [
        {"up_to_percent": "3", "match_percent": "100"},
        {"up_to_percent": "5", "match_percent": "50"},
    ]
    paid = stub(employee={"retirement": {"pretax_percent": percent}}, employer={"match": tiers})
    assert str(paid.employer.match_401k) == match


def test_match_counts_pay_only_up_to_the_compensation_limit() -> None:
    tiers = [{"up_to_percent": "4", "match_percent": "100"}]
    paid = stub(
        ytd={"gross": "359000.00"},
        employee={"retirement": {"pretax_percent": "10"}},
        employer={"match": tiers},
    )
    assert str(paid.employer.match_401k) == "40.00"  # 4% of the 1,000 under 360,000
