"""Recovery cases over the API: a funding debit the real pipeline sent comes back R02 and opens
a case, which is listed within the key's scope and resolved once per Idempotency-Key
(write-off, or a re-debit that goes to the bank again), audited under the API key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import AuditLog, Employer, RecoveryCase
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.domain.ach.parser import Entry, parse_file
from payrun.entrypoints.api.app import create_app
from payrun.entrypoints.api.settings import ApiSettings
from payrun.services.api_keys import CreateKey, create_key
from payrun.services.context import utc_now
from payrun.services.returns import process_returns
from tests.integration.api.conftest import (
    Api,
    RecordingTemporal,
    assert_problem,
    employer_body,
)
from tests.integration.test_recovery import funding_debit, on_wednesday
from tests.integration.test_returns import PaidRun, Returned, copy_paid_run, return_file


@dataclass
class OpenCase:
    api: Api
    paid: PaidRun
    case_id: int
    debit: Entry  # the returned CCD debit, as the funding file holds it
    other_employer: int  # the seeded employer whose funding did not come back

    def key(self, role: str, employers: tuple[int, ...] = ()) -> tuple[int, dict[str, str]]:
        made = create_key(
            SqlUnitOfWork(self.paid.settings.db_url), CreateKey(role, employers), utc_now()
        )
        return made.id, {"Authorization": f"Bearer {made.key}"}


@pytest.fixture
def open_case(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[OpenCase]:
    paid = copy_paid_run(tmp_path_factory, tmp_path / "home")
    debit = funding_debit(paid)
    process_returns(on_wednesday(paid), return_file(paid, [Returned("R02", debit)]))
    with reading(paid.settings.db_url) as session:
        (case_id,) = session.scalars(select(RecoveryCase.id)).all()
        other = session.scalars(select(Employer.id).where(Employer.id != paid.employer_id))
        other_employer = other.first()
    assert other_employer is not None
    temporal = RecordingTemporal()
    app = create_app(paid.settings, ApiSettings(), temporal)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(client, paid.settings, temporal)
        yield OpenCase(api, paid, case_id, debit, other_employer)


def _resolve(
    case: OpenCase, headers: dict[str, str], body: object, key: str | None = "k-1"
) -> httpx.Response:
    idempotency = {"Idempotency-Key": key} if key else {}
    return case.api.client.post(
        f"/v1/recovery-cases/{case.case_id}/resolve",
        json=body,
        headers={**headers, **idempotency},
    )


def test_an_open_case_is_listed_read_and_written_off_once_per_key(open_case: OpenCase) -> None:
    client, case_id = open_case.api.client, open_case.case_id
    _, viewer = open_case.key("viewer")
    operator_id, operator = open_case.key("operator")
    # the amount the bank returned, from the funding file's own entry (cents -> dollars)
    amount = f"{open_case.debit.detail.amount // 100}.{open_case.debit.detail.amount % 100:02d}"

    listed = client.get("/v1/recovery-cases", headers=viewer)
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()["items"]
    assert listed.json()["next_cursor"] is None
    assert item["id"] == case_id and item["employer_id"] == open_case.paid.employer_id
    assert (item["return_code"], item["status"], item["amount"]) == ("R02", "OPEN", amount)
    assert (item["payrun_id"], item["resolution"]) == (open_case.paid.run_id, None)
    assert client.get(f"/v1/recovery-cases/{case_id}", headers=viewer).json() == item
    for query, ids in (
        ("status=OPEN", [case_id]),
        ("status=RESOLVED", []),
        (f"employer_id={open_case.paid.employer_id}", [case_id]),
        (f"employer_id={open_case.other_employer}", []),
    ):
        found = client.get(f"/v1/recovery-cases?{query}", headers=viewer).json()["items"]
        assert [c["id"] for c in found] == ids, query
    bad_status = client.get("/v1/recovery-cases?status=open-ish", headers=viewer)
    assert_problem(bad_status, 422, "invalid_input", "status")

    assert_problem(_resolve(open_case, viewer, {"action": "write_off"}), 403, "forbidden")
    assert_problem(
        _resolve(open_case, operator, {"action": "write_off"}, key=None),
        422,
        "idempotency_key_required",
        "Idempotency-Key",
    )
    assert_problem(
        _resolve(open_case, operator, {"action": "write-off"}), 422, "invalid_input", "action"
    )

    body = {"action": "write_off", "note": "employer closed; booked as loss"}
    first = _resolve(open_case, operator, body)
    again = _resolve(open_case, operator, body)
    other_body = _resolve(open_case, operator, {"action": "wire"})
    new_key = _resolve(open_case, operator, body, key="k-2")

    assert first.status_code == 202, first.text
    assert (first.json()["status"], first.json()["resolution"]) == ("RESOLVED", "write_off")
    assert first.json()["resolved_at"] is not None
    assert (again.status_code, again.json()) == (202, first.json())
    assert_problem(other_body, 409, "idempotency_key_reused", "Idempotency-Key")
    assert_problem(new_key, 409, "case_not_open", "status")
    with reading(open_case.paid.settings.db_url) as session:
        (audit,) = session.scalars(
            select(AuditLog).where(AuditLog.action == "recovery.write-off")
        ).all()
    assert (audit.actor, audit.subject) == (f"api-key:{operator_id}", f"recovery-case-{case_id}")
    assert audit.details["note"] == "employer closed; booked as loss"


def test_a_key_scoped_to_another_employer_neither_sees_nor_resolves_the_case(
    open_case: OpenCase,
) -> None:
    client, case_id = open_case.api.client, open_case.case_id
    _, scoped = open_case.key("admin", (open_case.other_employer,))

    listed = client.get("/v1/recovery-cases", headers=scoped)
    asked = client.get(
        f"/v1/recovery-cases?employer_id={open_case.paid.employer_id}", headers=scoped
    )
    read = client.get(f"/v1/recovery-cases/{case_id}", headers=scoped)
    unknown = client.get(f"/v1/recovery-cases/{case_id + 1}", headers=scoped)
    resolved = _resolve(open_case, scoped, {"action": "wire"})

    assert listed.json()["items"] == [] and asked.json()["items"] == []
    assert assert_problem(read, 404, "not_found")["detail"] == f"no recovery case {case_id}"
    assert assert_problem(unknown, 404, "not_found")["detail"] == f"no recovery case {case_id + 1}"
    assert_problem(resolved, 404, "not_found")
    with reading(open_case.paid.settings.db_url) as session:
        case = session.get(RecoveryCase, case_id)
        assert case is not None and case.status == "OPEN"


def test_a_redebit_through_the_api_presents_the_debit_to_the_bank_again(
    open_case: OpenCase,
) -> None:
    _, operator = open_case.key("operator")

    sent = _resolve(open_case, operator, {"action": "redebit", "note": "employer says funded"})

    assert sent.status_code == 202, sent.text
    assert (sent.json()["status"], sent.json()["redebits"]) == ("REDEBIT_SENT", 1)
    assert sent.json()["resolution"] is None  # decided when the re-debit settles or returns
    drop = open_case.paid.settings.output_dir / "bank-drop"
    (batch,) = parse_file(
        (drop / f"recovery-{open_case.case_id}-redebit-1.ach").read_bytes()
    ).batches
    (entry,) = batch.entries
    assert batch.header.company_entry_description == "RETRY PYMT"
    assert (entry.detail.transaction_code, entry.detail.amount) == (
        open_case.debit.detail.transaction_code,
        open_case.debit.detail.amount,
    )
    replayed = _resolve(open_case, operator, {"action": "redebit", "note": "employer says funded"})
    assert (replayed.status_code, replayed.json()) == (202, sent.json())
    assert len(list(drop.glob(f"recovery-{open_case.case_id}-redebit-*.ach"))) == 1


def test_cases_page_by_cursor(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer = api.client.post("/v1/employers", json=employer_body(), headers=admin).json()
    with transaction(api.settings.db_url) as session:
        for number in range(3):
            session.add(
                RecoveryCase(
                    idempotency_key=f"return-{number}",
                    employer_id=employer["id"],
                    run_id="payrun-x",
                    payment_id=number + 1,
                    return_code="R02",
                    original_trace=f"{number:015d}",
                    amount_cents=123456,
                    status="OPEN",
                    redebits=0,
                    created_at=utc_now(),
                )
            )
    first = api.client.get("/v1/recovery-cases?limit=2", headers=admin).json()
    cursor = first["next_cursor"]
    rest = api.client.get(f"/v1/recovery-cases?limit=2&cursor={cursor}", headers=admin).json()

    assert [c["id"] for c in first["items"]] == [1, 2] and cursor is not None
    assert [c["id"] for c in rest["items"]] == [3] and rest["next_cursor"] is None
    assert first["items"][0]["amount"] == "1234.56"
