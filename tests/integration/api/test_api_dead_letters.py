"""Dead letters over the API: list by error type, skip with a reason (audited), retry by id or
by error type through the same Redrive workflow the CLI starts, within the key's scope."""

from __future__ import annotations

from sqlalchemy import select

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import AuditLog, DeadLetter
from payrun.services.context import utc_now
from tests.integration.api.conftest import EMPLOYEE_BODY, Api, assert_problem, employer_body, once


def _letters(api: Api) -> tuple[int, int]:
    admin = api.as_key(api.key("admin"))
    first = api.client.post("/v1/employers", json=employer_body("11-1111111"), headers=admin)
    second = api.client.post("/v1/employers", json=employer_body("22-2222222"), headers=admin)
    a, b = first.json()["id"], second.json()["id"]
    with transaction(api.settings.db_url) as session:
        for employer_id, employee_id, error_type in (
            (a, 1, "validation"),
            (a, 2, "validation"),
            (a, 3, "bank_return"),
            (b, 4, "validation"),
        ):
            session.add(
                DeadLetter(
                    run_id="payrun-x",
                    employer_id=employer_id,
                    employee_id=employee_id,
                    step="net_pay",
                    error_type=error_type,
                    error="negative net pay",
                    first_failed_at=utc_now(),
                    last_failed_at=utc_now(),
                )
            )
    return a, b


def test_skip_needs_a_reason_and_the_reason_is_audited(api: Api) -> None:
    _letters(api)
    operator = api.as_key(api.key("operator"))
    no_reason = api.client.post(
        "/v1/dead-letters/1/resolve", json={"resolution": "skip"}, headers=once(operator)
    )
    assert_problem(no_reason, 422, "invalid_input", "reason")
    skipped = api.client.post(
        "/v1/dead-letters/1/resolve",
        json={"resolution": "skip", "reason": "employee left before the period"},
        headers=once(operator),
    )
    assert skipped.status_code == 202 and skipped.json()["skipped"] == 1
    shown = api.client.get("/v1/dead-letters/1", headers=operator).json()
    assert shown["status"] == "SKIPPED"
    # times in UTC with their offset on SQLite too (it gives them back without a zone)
    assert all(shown[k].endswith("+00:00") for k in ("first_failed_at", "resolved_at"))
    again = api.client.post(
        "/v1/dead-letters/1/resolve", json={"resolution": "retry"}, headers=once(operator)
    )
    assert_problem(again, 409, "conflict", "status")
    with reading(api.settings.db_url) as session:
        audit = session.scalars(
            select(AuditLog).where(AuditLog.action == "dead_letter.skipped")
        ).one()
    assert audit.details["reason"] == "employee left before the period"
    assert api.temporal.redrives == []


def test_retry_by_error_type_redrives_the_open_items_the_key_may_see(api: Api) -> None:
    a, _ = _letters(api)
    scoped = api.as_key(api.key("operator", (a,)))
    listed = api.client.get("/v1/dead-letters?error_type=validation", headers=scoped).json()
    assert [d["id"] for d in listed["items"]] == [1, 2]
    retried = api.client.post(
        "/v1/dead-letters/resolve",
        json={"resolution": "retry", "error_type": "validation"},
        headers=once(scoped),
    )
    assert retried.status_code == 202
    assert retried.json()["dead_letter_ids"] == [1, 2]
    [redrive] = api.temporal.redrives
    assert (redrive.dead_letter_ids, redrive.resolution) == ([1, 2], "retry")
    assert_problem(api.client.get("/v1/dead-letters/4", headers=scoped), 404, "not_found")


def test_fix_and_retry_stores_the_corrected_employee_before_the_redrive(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer = api.client.post("/v1/employers", json=employer_body("33-3333333"), headers=admin)
    employer_id = employer.json()["id"]
    employee = api.client.post(
        f"/v1/employers/{employer_id}/employees", json=EMPLOYEE_BODY, headers=admin
    ).json()
    with transaction(api.settings.db_url) as session:
        letter = DeadLetter(
            run_id="payrun-x",
            employer_id=employer_id,
            employee_id=employee["id"],
            step="taxes",
            error_type="calculation_error",
            error="the W-4 on file cannot be used",
            first_failed_at=utc_now(),
            last_failed_at=utc_now(),
        )
        session.add(letter)
        session.flush()
        letter_id = letter.id
    corrected = {"w4": {"filing_status": "head_of_household"}, "ca_de4": {"regular_allowances": 1}}
    path = f"/v1/dead-letters/{letter_id}/resolve"
    wrong = api.client.post(
        path, json={"resolution": "retry", "employee": corrected}, headers=once(admin)
    )
    assert_problem(wrong, 422, "invalid_input", "employee")
    bad = {"resolution": "fix_and_retry", "employee": {"w4": {"filing_status": "bogus"}}}
    assert_problem(api.client.post(path, json=bad, headers=once(admin)), 422, "invalid_input")
    assert api.temporal.redrives == []
    fixed = api.client.post(
        path, json={"resolution": "fix_and_retry", "employee": corrected}, headers=once(admin)
    )
    assert fixed.status_code == 202
    stored = api.client.get(f"/v1/employees/{employee['id']}", headers=admin).json()
    assert stored["employee"] == corrected
    [redrive] = api.temporal.redrives
    assert (redrive.dead_letter_ids, redrive.resolution) == ([letter_id], "fix_and_retry")
