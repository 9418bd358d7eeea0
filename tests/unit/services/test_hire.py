"""Hiring through the unit of work, on fakes: every check before any write, nothing half-done."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from payrun.domain.errors import InvalidInput
from payrun.services.hire import HireEmployee, hire
from tests.unit.services.fakes import FakeUnitOfWork, PlainVault

TODAY = date(2026, 3, 2)
ANA = HireEmployee(
    employer_id=1,
    external_id="E9",
    first_name="Ana",
    last_name="Diaz",
    ssn="123-45-6789",
    pay_type="salary",
    rate="65000.00",
    routing="021000021",
    account="12345678",
    state="CA",
    birth_date=date(1980, 5, 6),
    filing_status="married_filing_jointly",
)


def test_a_hire_stores_the_employee_object_and_only_ciphertext_of_the_secrets() -> None:
    uow = FakeUnitOfWork()
    new_id = hire(uow, ANA, PlainVault(), TODAY)
    stored = uow.committed[new_id]
    assert uow.commits == 1
    assert stored.rate_cents == 6_500_000
    assert stored.hire_date == TODAY
    assert stored.profile == {
        "birth_date": "1980-05-06",
        "w4": {"filing_status": "married_filing_jointly"},
    }
    assert (stored.ssn_last4, stored.bank_account_last4) == ("6789", "5678")
    assert b"123456789" not in stored.ssn_enc and b"12345678" not in stored.bank_account_enc


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"employer_id": 7}, "--employer"),
        ({"rate": "-1"}, "--rate"),
        ({"rate": "65000.001"}, "--rate"),
        ({"rate": "NaN"}, "--rate"),
        ({"routing": "021000022"}, "bank_routing"),
        ({"ssn": "666-12-3456"}, "ssn"),
        ({"state": "ZZ"}, "home_state"),
        ({"filing_status": "bogus"}, "employee.w4.filing_status"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(
    change: dict[str, object], field: str
) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(InvalidInput) as raised:
        hire(uow, dataclasses.replace(ANA, **change), PlainVault(), TODAY)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert uow.committed == {} and uow.commits == 0


def test_the_same_external_id_twice_is_refused_and_the_first_stays() -> None:
    uow = FakeUnitOfWork()
    first = hire(uow, ANA, PlainVault(), TODAY)
    with pytest.raises(InvalidInput) as raised:
        hire(uow, dataclasses.replace(ANA, first_name="Other"), PlainVault(), TODAY)
    assert raised.value.field == "--external-id"
    assert list(uow.committed) == [first] and uow.committed[first].first_name == "Ana"
