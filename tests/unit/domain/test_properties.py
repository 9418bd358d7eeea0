"""Properties over a whole year of paychecks for random employees (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payrun.domain import paycheck as pc
from payrun.domain.paycheck import PayStub, calculate
from payrun.domain.request import YTD_KEYS
from payrun.services.pay_request import parse_pay_request
from payrun.tables import load_tables

from .paydata import data

FIRST_PAY_DATE = date(2026, 1, 9)
STATES = ("CA", "TX", "WA")

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("40000"), places=2)


@st.composite
def employees(draw: st.DrawFn) -> dict[str, Any]:
    state = draw(st.sampled_from(STATES))
    hourly = draw(st.booleans())
    earnings: dict[str, Any]
    if hourly:
        rate = draw(st.decimals(min_value=Decimal("7.25"), max_value=Decimal("400"), places=2))
        daily = draw(
            st.lists(st.decimals(min_value=0, max_value=16, places=1), min_size=14, max_size=14)
        )
        earnings = {"salary": None, "hourly_rate": str(rate), "daily": [str(h) for h in daily]}
    else:
        earnings = {"salary": str(draw(amounts))}
    if draw(st.integers(0, 9)) == 0:
        earnings["bonus"] = str(
            draw(st.decimals(min_value=0, max_value=Decimal("2000000"), places=2))
        )
    old_form = draw(st.integers(0, 4)) == 0
    employee: dict[str, Any] = {
        "birth_date": f"{draw(st.integers(1955, 2006))}-06-15",
        "section125": str(draw(st.sampled_from(["0", "0", "45.50", "200"]))),
        "hsa": str(draw(st.sampled_from(["0", "0", "75"]))),
        "prior_year_fica_wages": str(draw(st.sampled_from(["0", "120000", "400000"]))),
        "retirement": {
            "pretax_percent": str(draw(st.sampled_from([0, 3, 6, 15, 25]))),
            "roth_percent": str(draw(st.sampled_from([0, 0, 2, 10]))),
        },
        "ca_de4": {
            "filing_status": draw(st.sampled_from(["single", "married", "head_of_household"])),
            "regular_allowances": draw(st.integers(0, 12)),
            "estimated_deduction_allowances": draw(st.integers(0, 3)),
        },
    }
    if old_form:
        employee["w4"] = None
        employee["w4_pre2020"] = {
            "marital_status": draw(st.sampled_from(["single", "married"])),
            "allowances": draw(st.integers(0, 6)),
        }
    else:
        employee["w4"] = {
            "filing_status": draw(
                st.sampled_from(["single", "married_filing_jointly", "head_of_household"])
            ),
            "step2_checked": draw(st.booleans()),
            "step3_credits": str(draw(st.sampled_from([0, 2200, 6600]))),
            "step4c_extra": str(draw(st.sampled_from([0, 0, 10]))),
        }
    tiers = [
        {"up_to_percent": "3", "match_percent": "100"},
        {"up_to_percent": "5", "match_percent": "50"},
    ]
    return {"state": state, "employee": employee, "earnings": earnings, "match": tiers}


def _request(spec: dict[str, Any], period: int, ytd: dict[str, str]) -> dict[str, Any]:
    pay_date = FIRST_PAY_DATE + timedelta(days=14 * period)
    earnings = dict(spec["earnings"])
    daily = earnings.pop("daily", None)
    if daily is not None:
        start = pay_date - timedelta(days=19)  # the two weeks ending 6 days before pay day
        earnings["hours"] = {
            (start + timedelta(days=i)).isoformat(): h for i, h in enumerate(daily)
        }
    if period != 0:
        earnings.pop("bonus", None)
    changes: dict[str, Any] = {
        "pay_date": pay_date.isoformat(),
        "work_state": spec["state"],
        "employee": spec["employee"],
        "earnings": earnings,
        "employer": {"match": spec["match"]},
    }
    result = data(**changes)
    result["ytd"] = ytd
    if spec["state"] != "CA":
        result["employee"]["ca_de4"] = None
    return result


def run_year(spec: dict[str, Any]) -> list[PayStub]:
    ytd: dict[str, str] = {}
    stubs = []
    for period in range(26):
        request = parse_pay_request(_request(spec, period, ytd))
        paid = calculate(request, load_tables(2026, request.work_state))
        stubs.append(paid)
        ytd = paid.ytd_after.to_dict()
    return stubs


def _limit(spec: dict[str, Any]) -> Decimal:
    age = 2026 - int(spec["employee"]["birth_date"][:4])
    if 60 <= age <= 63:
        return Decimal(24500 + 11250)
    return Decimal(24500 + 8000) if age >= 50 else Decimal(24500)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(employees())
def test_a_year_of_paychecks_respects_every_limit(spec: dict[str, Any]) -> None:
    stubs = run_year(spec)
    for paid in stubs:
        after = paid.ytd_after
        assert after["social_security_wages"].amount <= Decimal(184500)
        assert after["deferral_401k"].amount <= _limit(spec)
        assert after["futa_wages"].amount <= Decimal(7000)
        assert after["ca_ui_wages"].amount <= Decimal(7000)
        assert paid.net_pay.amount == paid.gross.amount - paid.employee_deductions
        assert paid.net_pay.amount >= 0
        for key in YTD_KEYS:
            assert after[key].amount >= 0, key
        for amount in (
            paid.federal_income_tax,
            paid.social_security,
            paid.medicare,
            paid.additional_medicare,
            paid.state_income_tax,
            paid.state_disability,
            paid.employer.futa,
            paid.employer.state_unemployment,
            paid.employer.match_401k,
        ):
            assert amount.amount >= 0
            assert amount.amount == amount.amount.quantize(Decimal("0.01"))
    social_security = sum((p.social_security.amount for p in stubs), Decimal(0))
    assert social_security <= Decimal("11439.00") + Decimal("0.01") * len(stubs)


@settings(max_examples=15, deadline=None)
@given(st.lists(employees(), min_size=2, max_size=6), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_batch_order_or_size(
    specs: list[dict[str, Any]], rng: random.Random
) -> None:
    requests = [parse_pay_request(_request(spec, 3, {})) for spec in specs]
    alone = [calculate(r, load_tables(2026, r.work_state)).to_dict() for r in requests]
    order = list(range(len(requests)))
    rng.shuffle(order)
    shuffled = {i: calculate(requests[i], load_tables(2026, requests[i].work_state)) for i in order}
    assert [shuffled[i].to_dict() for i in range(len(requests))] == alone
    batch = [calculate(r, load_tables(2026, r.work_state)).to_dict() for r in requests + requests]
    assert batch[: len(requests)] == alone == batch[len(requests) :]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(employees(), st.integers(0, 25))
def test_retirement_given_stage_3_taxes_matches_retirement_computing_them(
    spec: dict[str, Any], period: int
) -> None:
    request = parse_pay_request(_request(spec, period, {}))
    tables = load_tables(2026, request.work_state)
    gross = pc.gross_pay(request, tables)
    pretax = pc.pretax_deductions(request, gross, tables)
    taxes = pc.taxes(request, gross, pretax, tables)

    assert pc.retirement(request, gross, pretax, tables, taxes) == pc.retirement(
        request, gross, pretax, tables
    )
