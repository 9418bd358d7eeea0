"""Bad input never produces a paycheck: InvalidInput names the field."""

from __future__ import annotations

from typing import Any

import pytest

from payrun.domain.errors import InvalidInput, UnknownTable
from payrun.services.pay_request import parse_pay_request

from .paydata import data, stub


def refused(**changes: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        stub(**changes)
    return caught.value


def hourly(days: dict[str, str]) -> dict[str, Any]:
    return {"earnings": {"salary": None, "hourly_rate": "20", "hours": days}}


def test_negative_hours() -> None:
    error = refused(**hourly({"2026-01-05": "-1"}))
    assert error.field == "earnings.hours.2026-01-05"
    assert "negative" in error.problem


def test_twenty_five_hours_in_one_day() -> None:
    error = refused(**hourly({"2026-01-05": "25"}))
    assert error.field == "earnings.hours.2026-01-05"
    assert "24" in error.problem


def test_unknown_filing_status() -> None:
    error = refused(employee={"w4": {"filing_status": "foo"}})
    assert str(error).startswith("employee.w4.filing_status: unknown filing status 'foo'")
    assert (
        refused(employee={"ca_de4": {"filing_status": "foo"}}).field
        == "employee.ca_de4.filing_status"
    )


def test_w4_with_both_allowances_and_step_2() -> None:
    error = refused(employee={"w4": {"step2_checked": True, "allowances": 2}})
    assert error.field == "employee.w4.allowances"
    old = {"marital_status": "single", "allowances": 2, "step2_checked": True}
    assert (
        refused(employee={"w4": None, "w4_pre2020": old}).field
        == "employee.w4_pre2020.step2_checked"
    )


def test_both_w4_forms_on_file() -> None:
    old = {"marital_status": "married", "allowances": 3}
    assert refused(employee={"w4_pre2020": old}).field == "employee.w4_pre2020"


def test_missing_birth_date_where_the_catch_up_depends_on_age() -> None:
    error = refused(
        employee={"birth_date": None, "retirement": {"pretax_percent": "50"}},
        ytd={"deferral_401k": "24000.00"},
    )
    assert error.field == "employee.birth_date"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"frequency": "fortnightly"}, "frequency"),
        ({"earnings": {"salary": -5}}, "earnings.salary"),
        ({"ytd": {"gross": "12.345"}}, "ytd.gross"),
        ({"ytd": {"grosss": "1"}}, "ytd.grosss"),
        (
            {"employee": {"retirement": {"pretax_percent": "150"}}},
            "employee.retirement.pretax_percent",
        ),
        ({"employee": {"w4": {"step4c_extra": "abc"}}}, "employee.w4.step4c_extra"),
        ({"earnings": {"hours": {"2026-01-05": "8"}}}, "earnings.hourly_rate"),
        (
            {"employee": {"ca_de4": {"regular_allowances": -1}}},
            "employee.ca_de4.regular_allowances",
        ),
        ({"pay_date": "2026-02-30"}, "pay_date"),
        ({"employer": {"ca_ui_rate": "3.4"}}, "employer.ca_ui_rate"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_field_is_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_pay_request(data(**changes))
    assert caught.value.field == field


def test_float_amounts_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_pay_request(data(earnings={"salary": 2500.0}))
    assert caught.value.field == "earnings.salary"
    assert "float" in caught.value.problem


def test_hours_outside_the_pay_period() -> None:
    error = refused(
        period_start="2026-01-04", period_end="2026-01-17", **hourly({"2026-01-20": "8"})
    )
    assert error.field == "earnings.hours.2026-01-20"


def test_unknown_state_and_year_raise_unknown_table() -> None:
    with pytest.raises(UnknownTable, match="OR"):
        stub(work_state="OR")
    with pytest.raises(UnknownTable, match="2027"):
        stub(pay_date="2027-01-15")


def test_deferral_percents_leave_room_for_taxes() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_pay_request(
            data(employee={"retirement": {"pretax_percent": "60", "roth_percent": "20"}})
        )
    assert caught.value.field == "employee.retirement.pretax_percent"
