"""parse_pay_request's shortcuts (quick paths for plain amounts, one config per employer part)
give what the full checks give."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from payrun.domain import request as dom
from payrun.domain.errors import InvalidInput
from payrun.domain.money import Money
from payrun.domain.periods import PayFrequency
from payrun.services.pay_request import parse_pay_request

from .domain.paydata import data

EMPLOYER = {
    "ca_ui_rate": "0.034",
    "futa_credit_reduction": "0",
    "match": [
        {"up_to_percent": "3", "match_percent": "100"},
        {"up_to_percent": "5", "match_percent": "50"},
    ],
}


def refused(request: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_pay_request(request)
    return caught.value


def test_every_request_field_lands_in_its_domain_field() -> None:
    parsed = parse_pay_request(
        data(
            pay_date="2026-01-16",
            period_start="2026-01-01",
            period_end="2026-01-14",
            frequency="semimonthly",
            work_state="ca",
            employee_id=417,
            employee={
                "section125": "11.00",
                "hsa": "22.00",
                "prior_year_fica_wages": "33000",
                "retirement": {"pretax_percent": "4", "roth_amount": "55.00"},
            },
            earnings={"salary": "2500.00", "bonus": "300.00", "commission": "400.00"},
            ytd={"gross": "5000.00", "medicare_wages": "4900.00"},
            employer=EMPLOYER,
        )
    )

    assert (parsed.pay_date, parsed.period_start, parsed.period_end) == (
        date(2026, 1, 16),
        date(2026, 1, 1),
        date(2026, 1, 14),
    )
    assert (parsed.frequency, parsed.work_state, parsed.employee_id) == (
        PayFrequency.SEMIMONTHLY,
        "CA",
        "417",
    )
    employee = parsed.employee
    assert (employee.birth_date, employee.section125, employee.hsa) == (
        date(1990, 5, 1),
        Decimal("11.00"),
        Decimal("22.00"),
    )
    assert employee.prior_year_fica_wages == Decimal(33000)
    assert employee.retirement == dom.RetirementElection(
        pretax_percent=Decimal(4), roth_amount=Decimal("55.00")
    )
    assert employee.ca_de4 == dom.DE4(regular_allowances=1)
    assert parsed.earnings == dom.Earnings(
        salary=Decimal("2500.00"), bonus=Decimal("300.00"), commission=Decimal("400.00")
    )
    assert parsed.ytd["gross"] == Money(Decimal("5000.00"))
    assert parsed.ytd["medicare_wages"] == Money(Decimal("4900.00"))
    assert parsed.employer.match == (
        dom.MatchTier(Decimal(3), Decimal(100)),
        dom.MatchTier(Decimal(5), Decimal(50)),
    )


@pytest.mark.parametrize(
    ("changes", "read", "written"),
    [
        # Not plain digit strings, or beyond a quick path's bound: the checks take them.
        ({"earnings": {"salary": "2500.000"}}, lambda r: r.earnings.salary, "2500.000"),
        ({"earnings": {"salary": " 7.5 "}}, lambda r: r.earnings.salary, "7.5"),
        ({"earnings": {"salary": 2500}}, lambda r: r.earnings.salary, "2500"),
        ({"earnings": {"salary": Decimal("1E+3")}}, lambda r: r.earnings.salary, "1E+3"),
        ({"earnings": {"salary": None}}, lambda r: r.earnings.salary, "0"),
        (
            {"employer": {"match": [{"up_to_percent": "100.0", "match_percent": "50"}]}},
            lambda r: r.employer.match[0].up_to_percent,
            "100.0",
        ),
        ({"employer": {"ca_ui_rate": ".05"}}, lambda r: r.employer.ca_ui_rate, "0.05"),
        (
            {"earnings": {"salary": None, "hourly_rate": "20", "hours": {"2026-01-05": "24.00"}}},
            lambda r: r.earnings.hourly.hours[0][1],
            "24.00",
        ),
    ],
)
def test_an_amount_off_its_quick_path_is_read_exactly_by_the_checks(
    changes: dict[str, Any], read: Any, written: str
) -> None:
    assert str(read(parse_pay_request(data(**changes)))) == written


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"ytd": {"gross": "12.345"}}, "ytd.gross", "must be whole cents, got 12.345"),
        ({"ytd": {"gross": "\ud800"}}, "ytd.gross", "must be an exact decimal string, not str"),
        ({"ytd": {"quick path": "-1"}}, "ytd.quick path", "must not be negative, got -1"),
        (
            {"earnings": {"salary": None, "hourly_rate": "20", "hours": {"2026-01-05": "24.5"}}},
            "earnings.hours.2026-01-05",
            "must be at most 24, got 24.5",
        ),
        ({"quick path": "1"}, "quick path", "Extra inputs are not permitted"),
        (
            {"employer": {"quick path": "1"}},
            "employer.quick path",
            "Extra inputs are not permitted",
        ),
    ],
)
def test_a_refused_amount_is_named_as_the_checks_name_it(
    changes: dict[str, Any], field: str, problem: str
) -> None:
    error = refused(data(**changes))
    assert (error.field, error.problem) == (field, problem)


def test_employees_of_one_employer_share_its_config() -> None:
    first = parse_pay_request(data(employer=EMPLOYER))
    second = parse_pay_request(data(employer=EMPLOYER))  # data() copies: an equal, new part

    assert second.employer is first.employer
    assert first.employer == dom.EmployerConfig(
        ca_ui_rate=Decimal("0.034"),
        match=(dom.MatchTier(Decimal(3), Decimal(100)), dom.MatchTier(Decimal(5), Decimal(50))),
    )


def test_an_employer_part_equal_only_across_types_is_validated_again() -> None:
    assert parse_pay_request(data(employer={"futa_credit_reduction": 0})).employer == (
        dom.EmployerConfig()
    )
    # False == 0, but a bool is not an amount.
    error = refused(data(employer={"futa_credit_reduction": False}))
    assert (error.field, error.problem) == (
        "employer.futa_credit_reduction",
        "must be an exact decimal string, not bool",
    )
    # Decimal("0.0340") == Decimal("0.034"): not cached, read as given.
    for rate in ("0.034", "0.0340"):
        parsed = parse_pay_request(data(employer={"ca_ui_rate": Decimal(rate)}))
        assert str(parsed.employer.ca_ui_rate) == rate


def test_a_changed_employer_part_gets_its_own_config() -> None:
    part: dict[str, Any] = {"match": [{"up_to_percent": "4", "match_percent": "100"}]}
    assert parse_pay_request(data(employer=part)).employer.match[0].up_to_percent == 4

    part["match"][0]["up_to_percent"] = "6"

    assert parse_pay_request(data(employer=part)).employer.match[0].up_to_percent == 6


def test_a_refused_employer_part_is_refused_every_time() -> None:
    for _ in range(2):
        error = refused(data(employer={"ca_ui_rate": "3.4"}))
        assert error.field == "employer.ca_ui_rate"
