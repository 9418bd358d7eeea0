"""Properties over a year of biweekly paychecks per state (hypothesis): caps never exceeded, no
negative withholding, every amount whole cents, net = gross - every employee deduction. The
year crosses Georgia's 11 May, Philadelphia's 1 July and Ohio's 1 August switches."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payrun.domain.paycheck import PayStub, calculate
from payrun.domain.request import YTD_KEYS
from payrun.services.pay_request import parse_pay_request
from payrun.tables import load_tables

FIRST_PAY_DATE = date(2026, 1, 9)
CENT = Decimal("0.01")
# Annual caps (reference §0.2, §1.6, §4.4, §9.3, §9.6, §11.1): YTD key -> most it may reach.
CAPS = {
    "ny_pfl_tax": Decimal("411.91"),
    "ny_dbl_tax": Decimal("31.20"),
    "nj_ui_wages": Decimal(44800),
    "nj_tdi_wages": Decimal(171100),
    "nj_tdi_tax": Decimal("325.09"),  # 171,100 x 0.19%
    "nj_fli_tax": Decimal("393.53"),  # 171,100 x 0.23%
    "ma_pfml_wages": Decimal(184500),
    "ma_pfml_tax": Decimal("848.70"),  # 184,500 x 0.46%
    "wa_pfml_wages": Decimal(184500),
    "wa_pfml_tax": Decimal("1489.21"),  # 184,500 x 0.807159%
    "ma_fica_subtracted": Decimal(2000),
    "pa_lst_tax": Decimal(52),
}
SUI_BASES = {
    "NY": 17600,
    "IL": 14250,
    "PA": 10000,
    "NJ": 44800,
    "GA": 9500,
    "NC": 34200,
    "MI": 9000,
    "OH": 9000,
    "MA": 15000,
    "VA": 8000,
}
FORMS: dict[str, Any] = {
    "NY": lambda d: {
        "ny_it2104": {
            "filing_status": d(st.sampled_from(["single", "married"])),
            "allowances": d(st.integers(0, 12)),
            "nyc_allowances": d(st.integers(0, 3)),
        },
        "residence": {"state": "NY", "city": d(st.sampled_from(["NYC", "YONKERS", "ALBANY"]))},
    },
    "IL": lambda d: {
        "il_w4": {
            "basic_allowances": d(st.integers(0, 5)),
            "additional_allowances": d(st.integers(0, 3)),
        }
    },
    "PA": lambda d: {
        "residence": {
            "state": "PA",
            "city": d(st.sampled_from(["PHILADELPHIA", "ERIE"])),
            "psd_code": "250101",
        },
        "pa_local": {
            "resident_eit_percent": "1.0",
            "work_nonresident_eit_percent": "1.28",
            "lst_annual": "52.00",
        },
    },
    "NJ": lambda d: {
        "nj_w4": {
            "filing_status": d(st.sampled_from(["single", "married_joint"])),
            "allowances": d(st.integers(0, 4)),
            "rate_table": d(st.sampled_from([None, "C", "E"])),
        }
    },
    "GA": lambda d: {
        "ga_g4": {
            "marital_status": d(st.sampled_from(["A", "B", "C", "D"])),
            "dependent_allowances": d(st.integers(0, 4)),
        }
    },
    "NC": lambda d: {
        "nc4": {
            "filing_status": d(st.sampled_from(["single", "head_of_household"])),
            "allowances": d(st.integers(0, 4)),
        }
    },
    "MI": lambda d: {
        "mi_w4": {"exemptions": d(st.integers(0, 5))},
        "residence": {"state": "MI", "city": d(st.sampled_from(["DETROIT", "FLINT"]))},
        "detroit_5527": {"exemptions": d(st.integers(0, 3))},
    },
    "OH": lambda d: {"oh_it4": {"exemptions": d(st.integers(0, 5))}},
    "MA": lambda d: {
        "ma_m4": {"exemptions": d(st.integers(0, 5)), "head_of_household": d(st.booleans())}
    },
    "VA": lambda d: {"va4": {"personal_exemptions": d(st.integers(0, 5))}},
    "WA": lambda d: {"wa_cares_exempt": d(st.booleans())},
}


@st.composite
def employees(draw: st.DrawFn, state: str) -> dict[str, Any]:
    employee: dict[str, Any] = {"w4": {"filing_status": "single"}, "birth_date": "1980-02-01"}
    if draw(st.booleans()):
        employee.update(FORMS[state](draw))
    if draw(st.booleans()):
        employee["section125"] = "50.00"
        employee["retirement"] = {"pretax_percent": str(draw(st.sampled_from([3, 10])))}
    salary = draw(st.decimals(min_value=0, max_value=Decimal("25000"), places=2))
    bonus = draw(st.sampled_from(["0", "0", "5000.00"]))
    return {"employee": employee, "salary": str(salary), "bonus": bonus}


def run_year(state: str, spec: dict[str, Any]) -> list[PayStub]:
    ytd: dict[str, str] = {}
    stubs = []
    for period in range(26):
        pay_date = FIRST_PAY_DATE + timedelta(days=14 * period)
        end = pay_date - timedelta(days=6)
        request = parse_pay_request(
            {
                "pay_date": pay_date.isoformat(),
                "period_start": (end - timedelta(days=13)).isoformat(),
                "period_end": end.isoformat(),
                "frequency": "biweekly",
                "work_state": state,
                "employee": spec["employee"],
                "earnings": {
                    "salary": spec["salary"],
                    "bonus": spec["bonus"] if period == 9 else "0",
                },
                "ytd": ytd,
            }
        )
        paid = calculate(request, load_tables(2026, state))
        stubs.append(paid)
        ytd = paid.ytd_after.to_dict()
    return stubs


@pytest.mark.parametrize("state", sorted(FORMS))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_year_in_each_state_keeps_every_cap_and_adds_up(state: str, data: st.DataObject) -> None:
    spec = data.draw(employees(state))
    for paid in run_year(state, spec):
        after = paid.ytd_after
        for key, cap in CAPS.items():
            assert after[key].amount <= cap, key
        nj_ui = after["nj_ui_tax"].amount + after["nj_wf_tax"].amount
        assert nj_ui <= Decimal("190.40")
        if state in SUI_BASES:
            assert after["state_ui_wages"].amount <= SUI_BASES[state]
        amounts = [paid.state_income_tax, paid.federal_income_tax, paid.net_pay]
        amounts += [*paid.local_income_tax.values(), *paid.state_employee_taxes.values()]
        for money in amounts:
            assert money.amount >= 0
            assert money.amount == money.amount.quantize(CENT)
        assert paid.net_pay.amount == paid.gross.amount - paid.employee_deductions
        for key in YTD_KEYS:
            assert after[key].amount >= 0, key
