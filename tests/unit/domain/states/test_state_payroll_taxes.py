"""Employee-paid state taxes with their caps crossed mid-year, each state's income-tax wage base
(which pre-tax deductions reduce it), SUI defaults and the edition date field, through the
whole paycheck from the `payrun calc` JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from payrun.domain.paycheck import PayStub, calculate
from payrun.services.pay_request import parse_pay_request
from payrun.tables import load_tables


def pay(state: str, salary: str, frequency: str = "weekly", **extra: Any) -> PayStub:
    data: dict[str, Any] = {
        "pay_date": "2026-03-13",
        "frequency": frequency,
        "work_state": state,
        "employee": {"w4": {"filing_status": "single"}},
        "earnings": {"salary": salary},
    }
    for key, value in extra.items():
        if key in data and isinstance(value, dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    request = parse_pay_request(data)
    return calculate(request, load_tables(2026, state))


def programs(stub: PayStub) -> dict[str, str]:
    return {code: str(money) for code, money in stub.state_employee_taxes.items()}


def test_new_york_pfl_stops_at_411_91_for_the_year() -> None:
    # 5,000 x 0.432% = 21.60, but 400.00 already paid: only 11.91 left; then nothing.
    stub = pay("NY", "5000.00", ytd={"ny_pfl_tax": "400.00", "ny_dbl_tax": "6.00"})
    assert programs(stub)["NY_PFL"] == "11.91"
    assert stub.ytd_after["ny_pfl_tax"].amount == Decimal("411.91")
    after = pay("NY", "5000.00", ytd={"ny_pfl_tax": "411.91"})
    assert programs(after)["NY_PFL"] == "0.00"


@pytest.mark.parametrize(
    ("frequency", "expected"),
    # 0.5% of 5,000 = 25.00, capped at $0.60 a week: weekly 0.60, biweekly 1.20,
    # semimonthly 0.60 x 52 / 24 = 1.30, monthly 0.60 x 52 / 12 = 2.60
    [("weekly", "0.60"), ("biweekly", "1.20"), ("semimonthly", "1.30"), ("monthly", "2.60")],
)
def test_new_york_dbl_is_half_a_percent_at_most_60_cents_a_week(
    frequency: str, expected: str
) -> None:
    assert programs(pay("NY", "5000.00", frequency))["NY_DBL"] == expected


def test_new_york_dbl_stops_at_31_20_a_year_and_small_pay_takes_half_a_percent() -> None:
    # 30.90 paid: 0.30 left of 52 x 0.60 = 31.20. 100 weekly: 0.5% = 0.50 < 0.60.
    assert programs(pay("NY", "5000.00", ytd={"ny_dbl_tax": "30.90"}))["NY_DBL"] == "0.30"
    assert programs(pay("NY", "100.00"))["NY_DBL"] == "0.50"


def test_new_jersey_ui_wf_cross_44800_and_tdi_fli_cross_171100() -> None:
    # UI/WF: 44,000 charged, 800 left: 800 x 0.3825% = 3.06; 800 x 0.0425% = 0.34.
    # TDI/FLI: 170,000 charged, 1,100 left: 1,100 x 0.19% = 2.09; x 0.23% = 2.53.
    ytd = {"nj_ui_wages": "44000.00", "nj_tdi_wages": "170000.00"}
    stub = pay("NJ", "2000.00", ytd=ytd)
    assert programs(stub) == {"NJ_UI": "3.06", "NJ_WF": "0.34", "NJ_TDI": "2.09", "NJ_FLI": "2.53"}
    assert stub.ytd_after["nj_ui_wages"].amount == Decimal(44800)
    assert stub.ytd_after["nj_tdi_wages"].amount == Decimal(171100)


def test_new_jersey_yearly_maximums_match_the_reference() -> None:
    # One annual payment of 200,000: UI 44,800 x 0.3825% = 171.36 + WF 19.04 = 190.40;
    # TDI 171,100 x 0.19% = 325.09; FLI x 0.23% = 393.53
    stub = pay("NJ", "200000.00", "annual")
    taxes = programs(stub)
    assert Decimal(taxes["NJ_UI"]) + Decimal(taxes["NJ_WF"]) == Decimal("190.40")
    assert (taxes["NJ_TDI"], taxes["NJ_FLI"]) == ("325.09", "393.53")


def test_pennsylvania_uc_is_0_07_percent_of_all_wages() -> None:
    # 1,000 x 0.07% = 0.70; 1,000,000 a year: 700.00 (no cap)
    assert programs(pay("PA", "1000.00")) == {"PA_UC": "0.70"}
    assert programs(pay("PA", "1000000.00", "annual")) == {"PA_UC": "700.00"}


def test_massachusetts_pfml_employee_share_stops_at_the_ss_wage_base() -> None:
    # 184,000 charged: 500 left x 0.46% = 2.30
    stub = pay("MA", "2000.00", ytd={"ma_pfml_wages": "184000.00"})
    assert programs(stub) == {"MA_PFML": "2.30"}


def test_washington_pfml_and_wa_cares_vendor_arithmetic() -> None:
    # 2,000 x 1.13% x 71.43% = 16.143 -> 16.14; WA Cares 2,000 x 0.58% = 11.60
    assert programs(pay("WA", "2000.00")) == {"WA_PFML": "16.14", "WA_CARES": "11.60"}
    # $75,000 a year: employee PFML 605.37 (mybenefitadvisor)
    assert programs(pay("WA", "75000.00", "annual"))["WA_PFML"] == "605.37"
    exempt = pay("WA", "2000.00", employee={"wa_cares_exempt": True})
    assert programs(exempt) == {"WA_PFML": "16.14"}


PRETAX = {"section125": "50.00", "hsa": "25.00", "retirement": {"pretax_amount": "100.00"}}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        # Weekly 1,000 with Section 125 50, HSA 25, 401(k) 100:
        # PA keeps 401(k) in PA compensation: 925 x 3.07% = 28.3975 -> 28.40
        ("PA", "28.40"),
        # NJ excludes only the 401(k): 900 -> Rate A over 769: 15.29 + 6.1% x 131 = 23.281
        ("NJ", "23.28"),
        # IL excludes all three: 825 x 4.95% = 40.8375 -> 40.84
        ("IL", "40.84"),
        # MI: 825 x 4.25% = 35.0625 -> 35.06
        ("MI", "35.06"),
        # NY: 825 - 142.30 = 682.70; 11.27 + 5.40% x 415.70 (22.4478 -> 22.45) = 33.72
        ("NY", "33.72"),
        # GA (pay date 13 March: 5.19%): 825 - 230.77 = 594.23 x 5.19% = 30.8405 -> 30.84
        ("GA", "30.84"),
        # NC: 825 - 245.19 = 579.81 x 4.09% = 23.714 -> $24
        ("NC", "24.00"),
        # OH (Oct 2025 edition): 42,900: 462.39 + 2.99% x 16,850 = 966.205 / 52 -> 18.58
        ("OH", "18.58"),
        # MA: FICA on 925 = 57.35 + 13.41 = 70.76, limited to 38.46: (825 - 38.46) x 5%
        # = 39.327 -> 39.33
        ("MA", "39.33"),
        # VA: 42,900 - 8,750 = 34,150: 720 + 5.75% x 17,150 = 1,706.125 / 52 -> 32.81
        ("VA", "32.81"),
    ],
)
def test_each_states_income_tax_wages_after_its_own_pretax_exclusions(
    state: str, expected: str
) -> None:
    stub = pay(state, "1000.00", employee=PRETAX)
    assert str(stub.state_income_tax) == expected


@pytest.mark.parametrize(
    ("period_end", "expected"),
    # Semimonthly 5,000, pay date 7 Aug: the period END picks the edition.
    # Ending 31 July: 2,673.50 + 3.64% x 20,000 = 3,401.50 / 24 = 141.73;
    # ending 1 Aug: 2,627.91 + 3.4% x 20,000 = 3,307.91 / 24 = 137.83
    [("2026-07-31", "141.73"), ("2026-08-01", "137.83")],
)
def test_ohio_edition_follows_the_period_end_not_the_pay_date(
    period_end: str, expected: str
) -> None:
    stub = pay(
        "OH",
        "5000.00",
        "semimonthly",
        pay_date="2026-08-07",
        period_start="2026-07-16",
        period_end=period_end,
    )
    assert str(stub.state_income_tax) == expected


def test_sui_defaults_to_the_new_employer_rate_and_the_employer_can_set_its_own() -> None:
    # IL: 14,250 base at 3.35%: 14,000 paid, 250 left x 3.35% = 8.375 -> 8.38
    stub = pay("IL", "1000.00", ytd={"state_ui_wages": "14000.00"})
    assert str(stub.employer.state_unemployment) == "8.38"
    own = pay("IL", "1000.00", employer={"sui_rate": "0.01", "sui_wage_base": "20000"})
    assert str(own.employer.state_unemployment) == "10.00"


def test_local_and_state_lines_are_in_the_stub_and_json_by_stable_code() -> None:
    stub = pay(
        "PA",
        "1000.00",
        employee={"residence": {"state": "PA", "city": "Philadelphia"}},
    )
    data = stub.to_dict()
    assert data["local_income_tax"] == {"PHL_WAGE": "37.40"}  # 1,000 x 3.74% (13 March)
    assert data["state_employee_taxes"] == {"PA_UC": "0.70"}
    codes = {line.code for line in stub.lines}
    assert {"ST_PIT", "PHL_WAGE", "PA_UC"} <= codes
    # net = 1,000 - every employee deduction
    assert stub.net_pay.amount == Decimal(1000) - stub.employee_deductions


def test_an_employer_that_pays_ny_pfl_and_dbl_deducts_neither() -> None:
    # 400 weekly: PFL 1.73 and DBL 0.60 are not taken from pay; net rises by 2.33.
    own = pay("NY", "400.00")
    paid_for = pay("NY", "400.00", employer={"pays_employee_programs": ["NY_PFL", "NY_DBL"]})
    assert programs(paid_for) == {}
    assert paid_for.net_pay.amount - own.net_pay.amount == Decimal("2.33")
