"""A corpus of bad input: wrong types, huge numbers, unicode tricks, SQL and script injection,
negative amounts, impossible dates. Each is a 4xx problem naming the field; nothing is written
(and no problem echoes an SSN or account number)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import ApiRequest, Employee, Employer, PayRun, TimeEntry
from tests.integration.api.conftest import ROUTING, Api, assert_problem, employer_body

EMPLOYEE: dict[str, Any] = {
    "external_id": "E1",
    "first_name": "Ana",
    "last_name": "Lopez",
    "ssn": "123-45-6789",
    "work_state": "CA",
    "hire_date": "2024-03-01",
    "pay": {"salary": "65000.00"},
    "bank_account": {"routing": ROUTING, "account": "987654321", "type": "checking"},
    "employee": {
        "w4": {"filing_status": "single"},
        "ca_de4": {"filing_status": "single"},
        "retirement": {"pretax_percent": "5"},
    },
}


def _with(path: str, value: Any, base: dict[str, Any] = EMPLOYEE) -> dict[str, Any]:
    """The body with one value replaced (a.b.c), or removed when value is ...;"""
    body = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return body


EMPLOYEE_CASES = [
    # wrong types
    ("pay.salary", 65000.5),
    ("first_name", 123),
    ("hire_date", 20240301),
    ("bank_account", "021000021/987654321"),
    ("employee.w4", ["single"]),
    ("employee.ca_de4.regular_allowances", "two"),
    # huge numbers
    ("pay.salary", "99999999999999.99"),
    ("pay", {"hourly_rate": "1000000.00"}, "pay.hourly_rate"),
    ("employee.retirement.pretax_percent", "101"),
    ("employee.ca_de4.regular_allowances", 10**30),
    # unicode tricks
    ("first_name", "Ana\u202eevil"),
    ("last_name", "Zero\u200bWidth"),
    ("external_id", "\uff25\uff11"),
    ("ssn", "\uff11\uff12\uff13-45-6789"),
    ("work_state", "\u0421A"),  # Cyrillic Es
    # SQL and script injection
    ("first_name", "Robert'); DROP TABLE employees;--"),
    ("external_id", "1 OR 1=1"),
    ("last_name", "<script>alert(1)</script>"),
    ("bank_account.account", "1234' OR '1'='1"),
    # negative amounts
    ("pay.salary", "-65000.00"),
    ("employee.hsa", "-1.00"),
    ("employee.w4.step4c_extra", "-20"),
    # impossible dates
    ("hire_date", "2026-02-30"),
    ("employee.birth_date", "1990-13-01"),
    ("hire_date", "0001-01-01"),
    # and the rules of the fields themselves
    ("ssn", "000-12-3456"),
    ("bank_account.routing", "021000022"),
    ("ssn", ...),
    ("unexpected", "field"),
]


@pytest.mark.parametrize("case", EMPLOYEE_CASES, ids=lambda case: f"{case[0]}={case[1]!r}"[:60])
def test_a_bad_employee_is_refused_naming_the_field_and_nothing_is_written(
    api: Api, case: tuple[Any, ...]
) -> None:
    field, value, named = (*case, case[0])[:3]
    admin = api.as_key(api.key("admin"))
    employer = api.client.post("/v1/employers", json=employer_body(), headers=admin).json()
    before = _counts(api)
    body = _with(field, value) if field != "unexpected" else {**EMPLOYEE, field: value}
    response = api.client.post(
        f"/v1/employers/{employer['id']}/employees", json=body, headers=admin
    )
    problem = assert_problem(response, 422, "invalid_input", named)
    assert "123-45-6789" not in response.text and "987654321" not in response.text
    assert problem["detail"]
    assert _counts(api) == before


def test_salary_and_hourly_rate_together_name_pay(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer = api.client.post("/v1/employers", json=employer_body(), headers=admin).json()
    body = _with("pay", {"salary": "65000.00", "hourly_rate": "30.00"})
    response = api.client.post(
        f"/v1/employers/{employer['id']}/employees", json=body, headers=admin
    )
    assert_problem(response, 422, "invalid_input", "pay")


OTHER_CASES = [
    ("POST", "/v1/employers", employer_body(name="x'; DELETE FROM employers; --"), "name"),
    ("POST", "/v1/employers", employer_body(name="<img src=x onerror=alert(1)>"), "name"),
    ("POST", "/v1/employers", employer_body(webhook_url="javascript:alert(1)"), "webhook_url"),
    ("POST", "/v1/employers", employer_body(ein="12-345678\u0669"), "ein"),  # Arabic-Indic 9
    (
        "POST",
        "/v1/employers",
        employer_body(funding_account={"routing": ROUTING, "account": "1234", "type": "cd"}),
        "funding_account.type",
    ),
    *(
        ("POST", "/v1/employers", employer_body(address=address), field)
        for address, field in [
            (
                {"street": "1 Main St", "city": "Fresno", "postal_code": "9372"},
                "address.postal_code",
            ),
            (
                {"street": "1 Main St", "city": "Fresno", "postal_code": "\uff19" * 5},
                "address.postal_code",
            ),
            (
                {"street": "<script>x</script>", "city": "Fresno", "postal_code": "93721"},
                "address.street",
            ),
            ({"street": "1 Main St", "city": "F" * 61, "postal_code": "93721"}, "address.city"),
            ({"street": "1 Main St", "postal_code": "93721"}, "address.city"),
            (
                {"street": "1 Main St", "city": "Fresno", "postal_code": "93721", "state": "NV"},
                "address.state",
            ),
        ]
    ),
    *(
        ("POST", "/v1/employers", employer_body(funding_trust=trust), field)
        for trust, field in [
            ({"exposure_limit": "-1.00"}, "funding_trust.exposure_limit"),
            ({"exposure_limit": "100.001"}, "funding_trust.exposure_limit"),
            ({"exposure_limit": 100}, "funding_trust.exposure_limit"),
            ({"exposure_limit": "1e6"}, "funding_trust.exposure_limit"),
            ({"exposure_limit": "9999999999.00"}, "funding_trust.exposure_limit"),
            ({"prefunded": "yes"}, "funding_trust.prefunded"),
        ]
    ),
    *(
        ("POST", "/v1/employers", employer_body(state_registrations=registrations), field)
        for registrations, field in [
            (
                [{"state": "CA", "account_number": "1234567"}],
                "state_registrations.0.account_number",
            ),
            ([{"state": "CA", "account_number": 12345678}], "state_registrations.0.account_number"),
            (
                [{"state": "CA", "account_number": "１２３４５６７８"}],
                "state_registrations.0.account_number",
            ),
            (
                [{"state": "NV", "account_number": "1; DROP TABLE x"}],
                "state_registrations.0.account_number",
            ),
            ([{"state": "ca", "account_number": "12345678"}], "state_registrations.0.state"),
            ([{"state": "GU", "account_number": "12345678"}], "state_registrations.0.state"),
            ([{"state": "CA"}], "state_registrations.0.account_number"),
            (
                [{"state": "CA", "account_number": "12345678", "ui_rate": "0.034"}],
                "state_registrations.0.ui_rate",
            ),
            (
                [{"state": "NV", "account_number": "1"}, {"state": "NV", "account_number": "2"}],
                "state_registrations.1.state",
            ),
            ({"CA": "12345678"}, "state_registrations"),
        ]
    ),
    (
        "PATCH",
        "/v1/employers/{employer}",
        {"state_registrations": [{"state": "CA", "account_number": "123-4567-8-9"}]},
        "state_registrations.0.account_number",
    ),
    (
        "PATCH",
        "/v1/employers/{employer}",
        {"funding_account": {"type": "cash"}},
        "funding_account.type",
    ),
    (
        "PATCH",
        "/v1/employers/{employer}",
        {"funding_account": {"routing": ROUTING}},
        "funding_account",
    ),
    (
        "PATCH",
        "/v1/employers/{employer}",
        {"address": {"street": "9 Elm St", "city": "Reno", "postal_code": "ABCDE"}},
        "address.postal_code",
    ),
    (
        "PATCH",
        "/v1/employers/{employer}",
        {"funding_trust": {"prefunded": True, "exposure_limit": "-0.01"}},
        "funding_trust.exposure_limit",
    ),
    (
        "PATCH",
        "/v1/employers/{employer}",
        {"funding_trust": {"exposure_limit": "12.345"}},
        "funding_trust.exposure_limit",
    ),
    (
        "POST",
        "/v1/employers",
        employer_body(pay_settings={"ca_ui_rate": "1.5"}),
        "pay_settings.ca_ui_rate",
    ),
    (
        "POST",
        "/v1/employers",
        employer_body(pay_schedule={"frequency": "daily", "first_period_start": "2025-12-28"}),
        "pay_schedule.frequency",
    ),
    (
        "POST",
        "/v1/employers/{employer}/time-entries",
        [{"employee_id": "{employee}", "date": "2026-02-29", "hours": "8"}],
        "0.date",
    ),
    (
        "POST",
        "/v1/employers/{employer}/time-entries",
        [{"employee_id": "{employee}", "date": "2026-01-05", "hours": "-8"}],
        "0.hours",
    ),
    (
        "POST",
        "/v1/employers/{employer}/time-entries",
        [{"employee_id": "{employee}", "date": "2026-01-05", "hours": "25"}],
        "0.hours",
    ),
    (
        "POST",
        "/v1/employers/{employer}/time-entries",
        [{"employee_id": "{employee}", "date": "2026-01-05", "hours": 8.5}],
        "0.hours",
    ),
    (
        "POST",
        "/v1/payruns",
        {"employer_ids": ["{employer}"], "period_start": "2026-04-31"},
        "period_start",
    ),
    ("POST", "/v1/payruns", {"employer_ids": [2**40]}, "employer_ids.0"),
    ("POST", "/v1/payruns", {"employer_ids": "1; DROP TABLE pay_runs"}, "employer_ids"),
    ("GET", "/v1/paychecks?employee=-1", None, "employee"),
    ("GET", "/v1/employers?cursor=%27%20OR%201%3D1", None, "cursor"),
    ("GET", "/v1/employers?limit=100000000000000000000", None, "limit"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), OTHER_CASES)
def test_other_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    api: Api, method: str, path: str, body: Any, field: str
) -> None:
    admin = api.as_key(api.key("admin"))
    employer = api.client.post("/v1/employers", json=employer_body("98-7654321"), headers=admin)
    employer_id = employer.json()["id"]
    employee = api.client.post(
        f"/v1/employers/{employer_id}/employees", json=EMPLOYEE, headers=admin
    ).json()["id"]
    before = _counts(api)
    body = _fill(body, {"{employer}": employer_id, "{employee}": employee})
    headers = {**admin, "Idempotency-Key": "bad-input"}
    response = api.client.request(
        method, path.format(employer=employer_id), json=body, headers=headers
    )
    assert_problem(response, 422, response.json().get("code", ""), field)
    assert _counts(api) == before


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return ids.get(value, value) if isinstance(value, str) else value


def _counts(api: Api) -> tuple[int, ...]:
    with reading(api.settings.db_url) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Employer, Employee, TimeEntry, PayRun, ApiRequest)
        )


def test_a_body_that_is_not_json_names_the_body(api: Api) -> None:
    admin = {**api.as_key(api.key("admin")), "content-type": "application/json"}
    response = api.client.post("/v1/employers", content=b'{"name": "Acme",', headers=admin)
    assert_problem(response, 422, "invalid_input", "body")
    assert _counts(api) == (0, 0, 0, 0, 0)
