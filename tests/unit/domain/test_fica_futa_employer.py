"""FICA, FUTA and California SDI/UI/ETT on whole paychecks; expected values by hand."""

from __future__ import annotations

from .paydata import stub, texas


def test_social_security_and_medicare_on_a_normal_check() -> None:
    paid = stub()
    assert str(paid.social_security) == "155.00"  # 6.2% x 2,500
    assert str(paid.medicare) == "36.25"  # 1.45% x 2,500
    assert str(paid.employer.social_security) == "155.00"
    assert str(paid.employer.medicare) == "36.25"


def test_social_security_stops_at_wage_base() -> None:
    paid = stub(ytd={"social_security_wages": "184000.00"})
    assert str(paid.social_security) == "31.00"  # 6.2% x (184,500 - 184,000)
    assert str(paid.employer.social_security) == "31.00"
    assert str(paid.ytd_after["social_security_wages"]) == "184500.00"
    done = stub(ytd={"social_security_wages": "184500.00"})
    assert done.social_security.amount == 0


def test_additional_medicare_starts_above_200000_employee_only() -> None:
    paid = stub(ytd={"medicare_wages": "199000.00"})
    assert str(paid.additional_medicare) == "13.50"  # 0.9% x (201,500 - 200,000)
    assert str(paid.medicare) == "36.25"
    assert str(paid.employer.medicare) == "36.25"  # no employer match of the 0.9%
    over = stub(ytd={"medicare_wages": "250000.00"})
    assert str(over.additional_medicare) == "22.50"  # 0.9% x 2,500


def test_futa_net_rate_and_wage_base() -> None:
    assert str(stub().employer.futa) == "15.00"  # 0.6% x 2,500
    assert str(stub(ytd={"futa_wages": "6000.00"}).employer.futa) == "6.00"  # 0.6% x 1,000
    assert stub(ytd={"futa_wages": "7000.00"}).employer.futa.amount == 0


def test_futa_credit_reduction_is_configurable() -> None:
    paid = stub(ytd={"futa_wages": "6000.00"}, employer={"futa_credit_reduction": "0.012"})
    assert str(paid.employer.futa) == "18.00"  # (0.6% + 1.2%) x 1,000


def test_california_ui_default_rate_and_ett() -> None:
    paid = stub()
    assert str(paid.employer.state_unemployment) == "85.00"  # 3.4% x 2,500
    assert str(paid.employer.ett) == "2.50"  # 0.1% x 2,500


def test_california_ui_configured_rate_and_7000_base() -> None:
    paid = stub(ytd={"ca_ui_wages": "6500.00"}, employer={"ca_ui_rate": "0.015"})
    assert str(paid.employer.state_unemployment) == "7.50"  # 1.5% x 500
    assert str(paid.employer.ett) == "0.50"  # 0.1% x 500
    assert str(paid.ytd_after["ca_ui_wages"]) == "7000.00"


def test_sdi_has_no_wage_ceiling() -> None:
    assert str(stub().state_disability) == "32.50"  # 1.3% x 2,500
    rich = stub(ytd={"sdi_wages": "500000.00"})
    assert str(rich.state_disability) == "32.50"


def test_no_income_tax_state_has_no_state_withholding() -> None:
    paid = stub(**texas())
    assert paid.state_income_tax.amount == 0
    assert paid.state_disability.amount == 0
    assert paid.employer.state_unemployment.amount == 0
    assert paid.employer.ett.amount == 0
    assert str(paid.federal_income_tax) == "216.15"


def test_other_state_unemployment_when_the_employer_configures_it() -> None:
    paid = stub(**texas(employer={"sui_rate": "0.027", "sui_wage_base": "9000"}))
    assert str(paid.employer.state_unemployment) == "67.50"  # 2.7% x 2,500
    assert str(paid.ytd_after["state_ui_wages"]) == "2500.00"
