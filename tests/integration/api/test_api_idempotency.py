"""Idempotency-Key over HTTP: a retried POST gets the first answer and does nothing again; the
same key with another body is refused; a failed request lets its key go; money-moving POSTs
refuse to run without one; two requests racing with one key do the work once."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import Employee, Employer
from payrun.adapters.db.models_more import ApiRequest
from tests.integration.api.conftest import EMPLOYEE_BODY, Api, assert_problem, employer_body


def _count(api: Api, model: Any) -> int:
    with reading(api.settings.db_url) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_retried_employer_create_gets_the_first_answer_and_adds_nothing(api: Api) -> None:
    admin = {**api.as_key(api.key("admin")), "Idempotency-Key": "create-acme"}
    first = api.client.post("/v1/employers", json=employer_body(), headers=admin)
    retried = api.client.post("/v1/employers", json=employer_body(), headers=admin)
    assert (first.status_code, retried.status_code) == (201, 201)
    assert retried.json() == first.json()
    assert retried.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _count(api, Employer) == 1

    changed = api.client.post("/v1/employers", json=employer_body(name="Other"), headers=admin)
    assert_problem(changed, 409, "idempotency_key_reused", "Idempotency-Key")
    # without a key nothing replays: the EIN, not the key, stops a second employer
    bare = {k: v for k, v in admin.items() if k != "Idempotency-Key"}
    twice = api.client.post("/v1/employers", json=employer_body(), headers=bare)
    assert_problem(twice, 409, "conflict", "ein")
    assert _count(api, Employer) == 1


def test_keys_are_per_api_key_so_two_callers_cannot_read_each_others_answers(api: Api) -> None:
    one = {**api.as_key(api.key("admin")), "Idempotency-Key": "same"}
    two = {**api.as_key(api.key("admin")), "Idempotency-Key": "same"}
    assert api.client.post("/v1/employers", json=employer_body(), headers=one).status_code == 201
    other = api.client.post("/v1/employers", json=employer_body(), headers=two)
    assert_problem(other, 409, "conflict", "ein")  # done again for this caller, and refused


def test_a_request_that_failed_lets_its_key_go_for_the_corrected_body(api: Api) -> None:
    admin = {**api.as_key(api.key("admin")), "Idempotency-Key": "fix-me"}
    employer_id = api.client.post("/v1/employers", json=employer_body(), headers=admin).json()["id"]
    path = f"/v1/employers/{employer_id}/employees"
    bad = {**EMPLOYEE_BODY, "ssn": "000-00-0000"}
    assert api.client.post(path, json=bad, headers=admin).status_code == 422
    hired = api.client.post(path, json=EMPLOYEE_BODY, headers=admin)
    assert hired.status_code == 201, hired.text
    again = api.client.post(path, json=EMPLOYEE_BODY, headers=admin)
    assert again.json() == hired.json() and again.headers["idempotent-replayed"] == "true"
    assert _count(api, Employee) == 1
    with reading(api.settings.db_url) as session:
        kept = session.scalars(select(ApiRequest).where(ApiRequest.idempotency_key == "fix-me"))
        assert sorted((r.action, r.response_status) for r in kept) == [
            ("employee.create:1", 201),
            ("employer.create", 201),
        ]


def test_money_moving_posts_refuse_to_run_without_a_key(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    # (void and reverse: test_api_payruns_and_paychecks, on a paycheck that exists)
    for path, body in (
        ("/v1/dead-letters/resolve", {"resolution": "retry", "error_type": "validation"}),
        ("/v1/payruns", {"employer_ids": [1]}),
    ):
        missing = api.client.post(path, json=body, headers=admin)
        assert_problem(missing, 422, "idempotency_key_required", "Idempotency-Key")
    assert api.temporal.redrives == [] and api.temporal.runs == []


def test_two_requests_racing_with_one_key_create_one_employer(api: Api) -> None:
    admin = {**api.as_key(api.key("admin")), "Idempotency-Key": "race"}
    start = threading.Barrier(4)
    answers: list[Any] = []

    def post() -> None:
        start.wait()
        answers.append(api.client.post("/v1/employers", json=employer_body(), headers=admin))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    created = [a for a in answers if a.status_code == 201]
    assert created and all(a.json() == created[0].json() for a in created)
    for refused in (a for a in answers if a.status_code != 201):
        assert_problem(refused, 409, "request_in_progress", "Idempotency-Key")
        assert refused.json()["retryable"] is True
    assert _count(api, Employer) == 1
