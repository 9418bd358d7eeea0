"""Employee changes over the API: now (200, the changed employee) or from a later day (202,
checked now, kept until a pay run opens a period starting then); another employer's is 404."""

from __future__ import annotations

from sqlalchemy import select

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import EmployeeChange
from tests.integration.api.conftest import EMPLOYEE_BODY, Api, assert_problem, employer_body


def test_a_change_now_applies_and_a_later_one_is_kept_checked_and_encrypted(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    first = api.client.post("/v1/employers", json=employer_body("11-1111111"), headers=admin)
    other = api.client.post("/v1/employers", json=employer_body("22-2222222"), headers=admin)
    employer_id = first.json()["id"]
    path = f"/v1/employers/{employer_id}/employees"
    employee_id = api.client.post(path, json=EMPLOYEE_BODY, headers=admin).json()["id"]
    now = api.client.patch(f"{path}/{employee_id}", json={"last_name": "Lopez-Ruiz"}, headers=admin)
    assert now.status_code == 200 and now.json()["last_name"] == "Lopez-Ruiz"
    later = {
        "effective_from": "2099-01-01",
        "bank_account": {"routing": "021000021", "account": "55554444"},
    }
    scheduled = api.client.patch(f"{path}/{employee_id}", json=later, headers=admin)
    assert scheduled.status_code == 202
    assert scheduled.json() == {
        "employee_id": employee_id,
        "effective_from": "2099-01-01",
        "status": "scheduled",
    }
    shown = api.client.get(f"/v1/employees/{employee_id}", headers=admin).json()
    assert shown["bank_account"]["account_last4"] == "4321"  # not yet
    bad_later = {"effective_from": "2099-01-01", "pay": {"salary": "-1"}}
    assert_problem(
        api.client.patch(f"{path}/{employee_id}", json=bad_later, headers=admin),
        422,
        "invalid_input",
        "pay.salary",
    )
    with reading(api.settings.db_url) as session:
        [kept] = session.scalars(select(EmployeeChange)).all()
    assert b"55554444" not in kept.changes_enc and kept.applied_at is None
    elsewhere = f"/v1/employers/{other.json()['id']}/employees/{employee_id}"
    assert_problem(
        api.client.patch(elsewhere, json={"last_name": "X"}, headers=admin), 404, "not_found"
    )
