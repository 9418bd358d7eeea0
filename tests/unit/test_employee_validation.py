"""Employee input checks: each refusal names its field; a good row passes."""

from __future__ import annotations

from typing import Any

import pytest

from payrun.domain.errors import InvalidInput
from payrun.services.employees import valid_routing, validate_employee_row


def good_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "external_id": "E000001",
        "ssn": "123456789",
        "pay_type": "hourly",
        "rate_cents": 2_550,
        "home_state": "CA",
        "work_state": "CA",
        "bank_routing": "021000021",
        "bank_account": "000123456789",
        "bank_account_type": "checking",
        "profile": {
            "w4": {"filing_status": "married_filing_jointly"},
            "ca_de4": {"filing_status": "married", "regular_allowances": 2},
            "retirement": {"pretax_percent": "6"},
            "hsa": "50.00",
        },
    }
    row.update(changes)
    return row


def refusal(**changes: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        validate_employee_row(good_row(**changes))
    return raised.value


def test_a_complete_row_passes() -> None:
    validate_employee_row(good_row())
    validate_employee_row(good_row(rate_cents=0, pay_type="salary", ssn="123-45-6789"))


def test_a_negative_rate_is_refused() -> None:
    error = refusal(rate_cents=-1)
    assert error.field == "rate_cents"
    assert "negative" in error.problem


def test_a_rate_must_be_whole_cents() -> None:
    assert refusal(rate_cents="25.50").field == "rate_cents"
    assert refusal(rate_cents=True).field == "rate_cents"


def test_a_routing_number_with_a_wrong_check_digit_is_refused() -> None:
    # 02100002x: 0*3 + 2*7 + 1*1 + 0 + 0 + 0 + 0 + 2*7 = 29 -> check digit 1, so 2 is wrong.
    error = refusal(bank_routing="021000022")
    assert error.field == "bank_routing"
    assert "check digit" in str(error)


@pytest.mark.parametrize("routing", ["12345678", "0210000210", "02100002A", 21000021])
def test_a_routing_number_that_is_not_nine_digits_is_refused(routing: object) -> None:
    assert refusal(bank_routing=routing).field == "bank_routing"


@pytest.mark.parametrize(
    "account", ["123", "123456789012345678", "1234-5678", "１２３４５", 12345678]
)
def test_an_account_number_must_be_4_to_17_ascii_letters_or_digits(account: object) -> None:
    assert refusal(bank_account=account).field == "bank_account"


def test_account_numbers_of_4_and_17_characters_pass() -> None:
    validate_employee_row(good_row(bank_account="1234"))
    validate_employee_row(good_row(bank_account="ABC45678901234567"))


def test_an_unknown_pay_type_is_refused() -> None:
    assert refusal(pay_type="commission").field == "pay_type"


@pytest.mark.parametrize("field", ["home_state", "work_state"])
def test_an_unknown_state_code_is_refused(field: str) -> None:
    error = refusal(**{field: "XX"})
    assert error.field == field
    assert refusal(**{field: "ca"}).field == field


@pytest.mark.parametrize("field", ["pay_type", "rate_cents", "bank_routing", "bank_account"])
def test_a_missing_required_field_is_named(field: str) -> None:
    assert refusal(**{field: None}).field == field


@pytest.mark.parametrize("ssn", ["000123456", "666123456", "900123456", "123006789", "123450000"])
def test_ssns_the_ssa_never_issues_are_refused(ssn: str) -> None:
    assert refusal(ssn=ssn).field == "ssn"


def test_an_unknown_account_type_is_refused() -> None:
    assert refusal(bank_account_type="brokerage").field == "bank_account_type"


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"w4": {"filing_status": "bogus"}}, "employee.w4.filing_status"),
        ({"w4_pre2020": {"marital_status": "divorced"}}, "employee.w4_pre2020.marital_status"),
        ({"w4": {"form": 2018}}, "employee.w4.form"),
        ({"ca_de4": {"filing_status": "married_filing_jointly"}}, "employee.ca_de4.filing_status"),
        ({"retirement": {"pretax_percent": "101"}}, "employee.retirement.pretax_percent"),
        ({"retirement": {"roth_percent": "six"}}, "employee.retirement.roth_percent"),
        ({"retirement": {"pretax_percent": 6.0}}, "employee.retirement.pretax_percent"),
        ({"hsa": "-1.00"}, "employee.hsa"),
        (
            {"w4_pre2020": {"marital_status": "single", "allowances": -1}},
            "employee.w4_pre2020.allowances",
        ),
        (
            {"ca_de4": {"additional_withholding": "10.001"}},
            "employee.ca_de4.additional_withholding",
        ),
        ({"w4": {"step5": "1"}}, "employee.w4.step5"),
    ],
)
def test_the_employee_object_is_checked_by_the_one_schema(
    profile: dict[str, Any], field: str
) -> None:
    assert refusal(profile=profile).field == field


def test_valid_routing_uses_the_3_7_1_check_digit() -> None:
    # Reference §6.5 worked checks.
    for number in ["011000015", "021000021", "026009593", "121000358"]:
        assert valid_routing(number)
    assert not valid_routing("123456789")
    assert not valid_routing("02100002")
