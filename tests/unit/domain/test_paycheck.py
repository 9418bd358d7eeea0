"""The five stages, the pay stub and its JSON form."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain import paycheck as pc
from payrun.domain.request import YTD_KEYS
from payrun.tables import load_tables

from .paydata import request, stub

TABLES = load_tables(2026, "CA")


def test_salaried_california_paycheck_by_hand() -> None:
    paid = stub()
    # FIT 216.15 (see the federal tests); SS 155.00; Medicare 36.25;
    # CA: 2,500 - 219 = 2,281; Table 26: 84.16 + 8.8% x 67 = 90.056 - 6.47 = 83.586 -> 83.59;
    # SDI 1.3% = 32.50. Net = 2,500 - 216.15 - 155 - 36.25 - 83.59 - 32.50 = 1,976.51
    assert str(paid.gross) == "2500.00"
    assert str(paid.federal_income_tax) == "216.15"
    assert str(paid.state_income_tax) == "83.59"
    assert str(paid.net_pay) == "1976.51"


def test_annual_salary_is_divided_by_periods_and_rounded() -> None:
    paid = stub(earnings={"salary": None, "annual_salary": "65000.01"})
    assert str(paid.gross) == "2500.00"  # 65,000.01 / 26 = 2,500.0004 -> 2,500.00


def test_net_is_gross_minus_every_employee_deduction() -> None:
    paid = stub(
        employee={
            "section125": "80",
            "hsa": "40",
            "retirement": {"pretax_percent": "6", "roth_percent": "2"},
        },
        earnings={"bonus": "500"},
    )
    assert paid.net_pay.amount == paid.gross.amount - paid.employee_deductions


def test_calculate_is_the_five_stages_in_order() -> None:
    req = request(employee={"retirement": {"pretax_percent": "5", "roth_percent": "1"}})
    gross = pc.gross_pay(req, TABLES)
    pretax = pc.pretax_deductions(req, gross, TABLES)
    taxes = pc.taxes(req, gross, pretax, TABLES)
    plan = pc.retirement(req, gross, pretax, TABLES)
    assert pc.net_pay(req, gross, pretax, taxes, plan) == pc.calculate(req, TABLES)


def test_stub_dict_has_the_documented_keys_as_two_decimal_strings() -> None:
    data = stub().to_dict()
    for key in (
        "gross",
        "federal_income_tax",
        "social_security",
        "medicare",
        "additional_medicare",
        "state_income_tax",
        "state_disability",
        "deferral_401k",
        "net_pay",
    ):
        assert isinstance(data[key], str) and Decimal(data[key]).as_tuple().exponent == -2, key
    assert set(data["employer"]) >= {
        "social_security",
        "medicare",
        "futa",
        "state_unemployment",
        "ett",
        "match_401k",
    }
    assert set(data["ytd_after"]) == set(YTD_KEYS)
    kinds = {line["kind"] for line in data["lines"]}
    assert {"earning", "employee_tax", "employer_tax"} <= kinds


def test_lines_show_current_and_year_to_date() -> None:
    paid = stub(
        ytd={"gross": "5000.00", "federal_income_tax": "432.30", "salary_earnings": "5000.00"}
    )
    lines = {line.code: line for line in paid.lines}
    assert str(lines["FIT"].current) == "216.15"
    assert str(lines["FIT"].ytd) == "648.45"  # 432.30 + 216.15
    assert str(lines["SALARY"].ytd) == "7500.00"
    assert str(paid.ytd_after["gross"]) == "7500.00"
    assert str(paid.ytd_after["net_pay"]) == "1976.51"


def test_hourly_paycheck_end_to_end() -> None:
    # 2 days in CA at $20: 9 h (8 + 1 OT) and 13 h (8 + 4 OT + 1 DT):
    # 16 x 20 = 320; 5 x 30 = 150; 1 x 40 = 40 -> gross 510
    paid = stub(
        earnings={
            "salary": None,
            "hourly_rate": "20",
            "hours": {"2026-01-05": "9", "2026-01-06": "13"},
        }
    )
    assert {line.code: str(line.amount) for line in paid.earnings} == {
        "REG": "320.00",
        "OT": "150.00",
        "DT": "40.00",
    }
    assert str(paid.gross) == "510.00"
    # 510 x 26 = 13,260 - 8,600 = 4,660 < 7,500 -> no FIT; CA 510 <= 727 -> none
    assert paid.federal_income_tax.amount == 0
    assert paid.state_income_tax.amount == 0
    assert str(paid.social_security) == "31.62"  # 6.2% x 510
    assert str(paid.medicare) == "7.40"  # 1.45% x 510 = 7.395 -> half-up 7.40
