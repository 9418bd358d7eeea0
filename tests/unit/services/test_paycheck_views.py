"""Paychecks as the API shows them, through the unit of work, on fakes: calc's keys as
two-decimal strings from what the paycheck added to year-to-date, pages scoped by employer."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from payrun.services.errors import NotFound
from payrun.services.paycheck_views import (
    PaycheckQuery,
    get_paycheck,
    list_paychecks,
    paycheck_employer,
)
from payrun.services.records import PaycheckView
from tests.unit.services.fakes import FakeUnitOfWork

CHECK = PaycheckView(
    id=1,
    run_id="payrun-1-2026-01",
    employer_id=7,
    employee_id=40,
    pay_period_id=3,
    period_start=date(2026, 1, 1),
    period_end=date(2026, 1, 14),
    pay_date=date(2026, 1, 20),
    kind="regular",
    status="PAID",
    lines=[
        {
            "kind": "earning",
            "code": "SAL",
            "description": "Salary",
            "cents": 250000,
            "ytd_cents": 500000,
        },
    ],
    ytd_after={"net_pay": 380000, "gross": 500000},
    ytd_delta={
        "gross": 250000,
        "federal_income_tax": 21234,
        "social_security_tax": 15500,
        "employer_social_security_tax": 15500,
        "fit_wages": 250000,
        "ca_ui_wages": 7000,
        "state_ui_wages": 1,  # ignored: California's UI wages are kept as ca_ui_wages
        "net_pay": 190000,
    },
)


def _uow(*checks: PaycheckView) -> FakeUnitOfWork:
    uow = FakeUnitOfWork(read_only=True)  # showing paychecks commits nothing
    uow.paychecks.rows = {check.id: check for check in checks}
    return uow


def test_a_paycheck_shows_what_it_added_to_year_to_date_as_dollars_and_cents() -> None:
    shown = get_paycheck(_uow(CHECK), 1)
    # 250000 cents = $2,500.00; 21234 cents = $212.34; a key it did not add shows as 0.00
    assert (shown["gross"], shown["federal_income_tax"], shown["social_security"]) == (
        "2500.00",
        "212.34",
        "155.00",
    )
    assert (shown["medicare"], shown["net_pay"], shown["payrun_id"]) == (
        "0.00",
        "1900.00",
        "payrun-1-2026-01",
    )
    assert shown["employer"]["social_security"] == "155.00"
    assert (shown["wages"]["federal_income_tax"], shown["wages"]["state_unemployment"]) == (
        "2500.00",
        "70.00",
    )
    assert shown["lines"] == [
        {"kind": "earning", "code": "SAL", "description": "Salary", "current": "2500.00",
         "ytd": "5000.00"},
    ]  # fmt: skip
    assert list(shown["ytd_after"].items()) == [("gross", "5000.00"), ("net_pay", "3800.00")]
    assert (shown["period_start"], shown["pay_date"]) == ("2026-01-01", "2026-01-20")


def test_a_paycheck_without_details_or_period_shows_zeros_and_no_period() -> None:
    bare = dataclasses.replace(
        CHECK, period_start=None, period_end=None, lines=[], ytd_after={}, ytd_delta={}
    )
    shown = get_paycheck(_uow(bare), 1)
    assert (shown["period_start"], shown["gross"], shown["lines"], shown["ytd_after"]) == (
        None,
        "0.00",
        [],
        {},
    )
    assert shown["wages"]["state_unemployment"] == "0.00"


def test_an_unknown_paycheck_is_not_found_to_read_or_to_scope() -> None:
    uow = _uow(CHECK)
    assert paycheck_employer(uow, 1) == 7
    with pytest.raises(NotFound):
        get_paycheck(uow, 2)
    with pytest.raises(NotFound):
        paycheck_employer(uow, 2)


def test_a_page_keeps_to_the_run_employee_employer_and_the_employers_a_key_sees() -> None:
    checks = [
        dataclasses.replace(CHECK, id=i, employer_id=e, employee_id=40 + i, run_id=r)
        for i, e, r in [(1, 7, "a"), (2, 8, "a"), (3, 7, "b"), (4, 7, "a"), (5, 7, "a")]
    ]
    uow = _uow(*checks)

    def ids(**query: object) -> list[int]:
        return [row["id"] for row in list_paychecks(uow, PaycheckQuery(**query))]  # type: ignore[arg-type]

    assert ids(run_id="a", only_employers=frozenset({7}), after_id=1, limit=2) == [4, 5]
    assert ids(employer_id=8) == [2]
    assert ids(employee_id=43) == [3]
    assert ids(only_employers=frozenset()) == []
