"""The paycheck row is built in integer cents; it must say what the domain's pay stub says."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payrun.domain.paycheck import calculate
from payrun.services.messages import ChunkTask
from payrun.services.pay_request import parse_pay_request
from payrun.services.paychecks import paycheck_row
from payrun.tables import load_tables

from .domain.test_properties import _request, employees

HEADER = {"kind": "regular", "pay_period_id": 7, "pay_date": "2026-03-06"}
TASK = ChunkTask("run-1", 3, 0, {})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    employees(),
    st.integers(0, 25),
    st.dictionaries(
        st.sampled_from(["gross", "social_security_wages", "medicare_wages", "deferral_401k"]),
        st.integers(0, 30_000_000),
    ),
)
def test_row_and_detail_match_the_stub(
    spec: dict[str, Any], period: int, ytd_cents: dict[str, int]
) -> None:
    ytd = {key: str(Decimal(cents) / 100) for key, cents in ytd_cents.items()}
    request = parse_pay_request(_request(spec, period, ytd))
    stub = calculate(request, load_tables(2026, request.work_state))

    row = paycheck_row(TASK, HEADER, 42, stub, ytd_cents, datetime(2026, 3, 1))

    detail = row.pop("detail")
    assert [tuple(line.values())[:5] for line in detail["lines"]] == [
        (line.kind, line.code, line.description, line.current.cents(), line.ytd.cents())
        for line in stub.lines
    ]
    after = {key: money.cents() for key, money in stub.ytd_after.values.items() if money}
    assert {key: cents for key, cents in detail["ytd_after"].items() if cents} == after
    for key, added in detail["ytd_delta"].items():
        assert detail["ytd_after"][key] - ytd_cents.get(key, 0) == added
    earnings = detail["lines"][: len(stub.earnings)]
    hours = [(line.get("hours"), line.get("rate")) for line in earnings]
    assert hours == [
        (None, None) if e.hours is None else (str(e.hours), str(e.rate)) for e in stub.earnings
    ]
    assert row["gross_cents"] == stub.gross.cents()
    assert row["net_cents"] == stub.net_pay.cents()
    assert row["federal_income_tax_cents"] == stub.federal_income_tax.cents()
    assert row["social_security_cents"] == stub.social_security.cents()
    assert row["medicare_cents"] == stub.medicare.cents() + stub.additional_medicare.cents()
    assert row["state_income_tax_cents"] == stub.state_income_tax.cents()
    assert (
        row["gross_cents"] - row["employee_taxes_cents"] - row["deductions_cents"]
        == row["net_cents"]
    )
    assert row["idempotency_key"] == "regular-7-42"
