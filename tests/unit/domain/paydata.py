"""Builders for pay requests in the issue-3 JSON shape, for the calculation tests."""

from __future__ import annotations

import copy
from typing import Any

from payrun.domain.paycheck import PayStub, calculate
from payrun.domain.request import PayRequest
from payrun.services.pay_request import parse_pay_request
from payrun.tables import load_tables

BASE: dict[str, Any] = {
    "pay_date": "2026-01-15",
    "frequency": "biweekly",
    "work_state": "CA",
    "employee": {
        "birth_date": "1990-05-01",
        "w4": {
            "form": 2020,
            "filing_status": "single",
            "step2_checked": False,
            "step3_credits": "0",
            "step4a_other_income": "0",
            "step4b_deductions": "0",
            "step4c_extra": "0",
        },
        "w4_pre2020": None,
        "ca_de4": {
            "filing_status": "single",
            "regular_allowances": 1,
            "estimated_deduction_allowances": 0,
        },
        "retirement": {"pretax_percent": "0", "roth_percent": "0"},
    },
    "earnings": {"salary": "2500.00"},
    "ytd": {
        "gross": "0",
        "social_security_wages": "0",
        "medicare_wages": "0",
        "futa_wages": "0",
        "ca_ui_wages": "0",
        "deferral_401k": "0",
    },
}


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``changes`` into a copy of ``base``; a None value replaces, not merges."""
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def data(**changes: Any) -> dict[str, Any]:
    return merge(BASE, changes)


def request(**changes: Any) -> PayRequest:
    return parse_pay_request(data(**changes))


def stub(**changes: Any) -> PayStub:
    parsed = request(**changes)
    return calculate(parsed, load_tables(parsed.pay_date.year, parsed.work_state), explain=True)


def texas(**changes: Any) -> dict[str, Any]:
    """The same employee working in Texas (no state income tax)."""
    return merge({"work_state": "TX", "employee": {"ca_de4": None}}, changes)
