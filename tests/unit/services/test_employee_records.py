"""Adding employees from the API's body through the unit of work, on fakes: a batch is checked
whole and written whole, or not at all."""

from __future__ import annotations

import pytest

from payrun.domain.errors import InvalidInput
from payrun.services.employee_records import add_employees, parse_record
from payrun.services.errors import Conflict, NotFound
from tests.unit.services.fakes import FakeUnitOfWork, PlainVault

BODY = {
    "external_id": "E1",
    "first_name": "Ana",
    "last_name": "Lopez",
    "ssn": "123-45-6789",
    "work_state": "CA",
    "hire_date": "2024-03-01",
    "terminated_on": "2026-06-30",
    "pay": {"hourly_rate": "32.50"},
    "bank_account": {"routing": "021000021", "account": "987654321", "type": "savings"},
    "employee": {"ca_de4": {"additional_withholding": "15.00"}},
}


def test_a_record_is_stored_with_its_employee_object_and_only_ciphertext_of_secrets() -> None:
    uow = FakeUnitOfWork()
    [new_id] = add_employees(uow, 1, [parse_record(BODY)], PlainVault())
    stored = uow.committed[new_id]
    assert uow.commits == 1
    assert (stored.pay_type, stored.rate_cents) == ("hourly", 3250)
    assert stored.profile == {"ca_de4": {"additional_withholding": "15.00"}}
    assert (stored.ssn_last4, stored.bank_account_last4) == ("6789", "4321")
    assert stored.ssn_enc == b"enc:" + b"123456789"[::-1]  # its nine digits, encrypted
    assert stored.terminated_on is not None and stored.terminated_on.isoformat() == "2026-06-30"


def test_one_bad_record_in_a_batch_writes_none_and_names_its_index() -> None:
    uow = FakeUnitOfWork()
    good = parse_record(BODY)
    bad = parse_record({**BODY, "external_id": "E2", "pay": {"salary": "1", "hourly_rate": "2"}})
    with pytest.raises(InvalidInput) as refused:
        add_employees(uow, 1, [good, bad], PlainVault())
    assert refused.value.field == "1.pay"
    assert uow.committed == {} and uow.commits == 0


def test_an_unknown_employer_or_a_taken_external_id_writes_nothing() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(NotFound):
        add_employees(uow, 2, [parse_record(BODY)], PlainVault())
    add_employees(uow, 1, [parse_record(BODY)], PlainVault())
    with pytest.raises(Conflict):
        add_employees(uow, 1, [parse_record(BODY)], PlainVault())
    assert len(uow.committed) == 1
