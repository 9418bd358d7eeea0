"""The JSON request at the edge: exact amounts in, named limits and fields out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from payrun.domain.errors import InvalidInput
from payrun.domain.request import CaFilingStatus, FederalFilingStatus
from payrun.services.pay_request import parse_pay_request

from .paydata import data, request


def refused(**changes: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_pay_request(data(**changes))
    return caught.value


def test_amounts_are_read_exactly_from_strings_ints_and_decimals() -> None:
    for given in ("2500.10", Decimal("2500.10")):
        assert request(earnings={"salary": given}).earnings.salary == Decimal("2500.10")
    assert request(earnings={"salary": 2500}).earnings.salary == Decimal(2500)
    assert str(request(earnings={"salary": " 2500.10 "}).earnings.salary) == "2500.10"


@pytest.mark.parametrize(
    ("changes", "field", "kind"),
    [
        ({"earnings": {"salary": 2500.0}}, "earnings.salary", "float"),
        ({"ytd": {"gross": 1.5}}, "ytd.gross", "float"),
        ({"employee": {"hsa": True}}, "employee.hsa", "bool"),
        (
            {"employer": {"match": [{"up_to_percent": "3", "match_percent": 100.0}]}},
            "employer.match.0.match_percent",
            "float",
        ),
    ],
)
def test_floats_and_bools_are_refused_wherever_an_amount_goes(
    changes: dict[str, Any], field: str, kind: str
) -> None:
    error = refused(**changes)
    assert error.field == field
    assert error.problem == f"must be an exact decimal string, not {kind}"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"employee": {"section125": "45.555"}}, "employee.section125"),
        ({"employee": {"hsa": "10.001"}}, "employee.hsa"),
        (
            {"employee": {"retirement": {"pretax_amount": "100.005"}}},
            "employee.retirement.pretax_amount",
        ),
        ({"earnings": {"salary": "2000.125"}}, "earnings.salary"),
        ({"earnings": {"salary": "2000", "bonus": "0.001"}}, "earnings.bonus"),
    ],
)
def test_an_amount_taken_from_or_added_to_a_paycheck_must_be_whole_cents(
    changes: dict[str, Any], field: str
) -> None:
    """A per-period amount with a fraction of a cent would give a net pay with one: refused at
    the edge, naming the field, instead of failing later when the paycheck is stored in cents."""
    error = refused(**changes)
    assert error.field == field
    assert "whole cents" in error.problem


def test_a_blank_amount_reads_as_zero() -> None:
    for blank in (None, ""):
        assert request(employee={"hsa": blank}).employee.hsa == 0


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"earnings": {"salary": "-5"}}, "earnings.salary", "must not be negative, got -5"),
        ({"earnings": {"salary": "abc"}}, "earnings.salary", "is not a number: 'abc'"),
        ({"earnings": {"salary": "NaN"}}, "earnings.salary", "must be finite, got 'NaN'"),
        ({"ytd": {"gross": "12.345"}}, "ytd.gross", "must be whole cents, got 12.345"),
        (
            {"employee": {"retirement": {"pretax_percent": "150"}}},
            "employee.retirement.pretax_percent",
            "is a percent of pay and must be at most 100, got 150",
        ),
        (
            {"employer": {"ca_ui_rate": "3.4"}},
            "employer.ca_ui_rate",
            "is a rate (0.034 = 3.4%) and must be below 1, got 3.4",
        ),
        (
            {"earnings": {"salary": None, "hourly_rate": "20", "hours": {"2026-01-05": "25"}}},
            "earnings.hours.2026-01-05",
            "must be at most 24, got 25",
        ),
    ],
)
def test_a_limit_is_named_with_the_value_given(
    changes: dict[str, Any], field: str, problem: str
) -> None:
    error = refused(**changes)
    assert (error.field, error.problem) == (field, problem)


def test_whole_cents_may_carry_trailing_zeros() -> None:
    assert request(ytd={"gross": "12.300"}).ytd.amount("gross") == Decimal("12.30")


def test_a_field_of_the_other_w4_form_says_which_form_it_belongs_to() -> None:
    error = refused(employee={"w4": {"allowances": 2}})
    assert error.field == "employee.w4.allowances"
    assert "2019-or-earlier" in error.problem
    old = {"marital_status": "single", "step4b_deductions": "100"}
    error = refused(employee={"w4": None, "w4_pre2020": old})
    assert error.field == "employee.w4_pre2020.step4b_deductions"
    assert "Steps 2-4" in error.problem


def test_filing_statuses_take_their_other_names_in_any_case() -> None:
    parsed = request(
        employee={
            "w4": {"filing_status": " MFJ "},
            "ca_de4": {"filing_status": "married_one_income"},
        }
    )
    assert parsed.employee.w4 is not None and parsed.employee.ca_de4 is not None
    assert parsed.employee.w4.filing_status is FederalFilingStatus.MARRIED_FILING_JOINTLY
    assert parsed.employee.ca_de4.filing_status is CaFilingStatus.MARRIED


def test_match_tiers_must_rise() -> None:
    tiers = [
        {"up_to_percent": "5", "match_percent": "50"},
        {"up_to_percent": "5", "match_percent": "100"},
    ]
    assert refused(employer={"match": tiers}).field == "employer.match"
