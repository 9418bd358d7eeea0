"""The employer resource over HTTP: the funding account's type (and the debit code it gives),
the address, and the funding trust, each stored as sent, shown back, and audited when changed.
(Bad values of each are in test_api_bad_input's corpus.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import AuditLog, Employer
from payrun.bootstrap import build_context
from payrun.services.funding import funding_debits
from tests.integration.api.conftest import ROUTING, Api, assert_problem, employer_body

SAVINGS = {"routing": ROUTING, "account": "000123456789", "type": "savings"}
ADDRESS = {"street": "1200 Van Ness Ave #5", "city": "Fresno", "postal_code": "93721-1234"}


def _create(api: Api, admin: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = api.client.post("/v1/employers", json=employer_body(**changes), headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _stored(api: Api, employer_id: int) -> Employer:
    with reading(api.settings.db_url) as session:
        row = session.get_one(Employer, employer_id)
        session.expunge(row)
    return row


def test_an_employer_is_checking_unprefunded_and_without_address_unless_told(api: Api) -> None:
    employer = _create(api, api.as_key(api.key("admin")))
    assert employer["funding_account"]["type"] == "checking"
    assert employer["address"] is None
    assert employer["funding_trust"] == {"prefunded": False, "exposure_limit": "0.00"}


def test_a_savings_funding_account_is_stored_returned_and_debited_with_code_37(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer = _create(api, admin, funding_account=SAVINGS)
    assert employer["funding_account"] == {
        "routing": ROUTING,
        "account_last4": "6789",
        "type": "savings",
    }
    read = api.client.get(f"/v1/employers/{employer['id']}", headers=admin).json()
    assert read["funding_account"]["type"] == "savings"
    # Nacha transaction codes (§6.3): 27 debits a checking account, 37 a savings account.
    # $1,234.56 is one entry (one entry holds up to $99,999,999.99).
    row = _stored(api, employer["id"])
    debits = funding_debits(build_context(api.settings), row, 123_456)
    assert [(d.transaction_code, d.amount_cents) for d in debits] == [(37, 123_456)]


def test_the_account_type_alone_may_change_and_a_new_account_states_its_own(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    path = f"/v1/employers/{_create(api, admin)['id']}"
    changed = api.client.patch(path, json={"funding_account": {"type": "savings"}}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["funding_account"] == {
        "routing": ROUTING,
        "account_last4": "6789",
        "type": "savings",
    }
    new_account = {"routing": "011000015", "account": "55554444"}
    changed = api.client.patch(path, json={"funding_account": new_account}, headers=admin)
    assert changed.json()["funding_account"] == {
        "routing": "011000015",
        "account_last4": "4444",
        "type": "savings",  # a type not sent is unchanged
    }
    assert _stored(api, int(path.rsplit("/", 1)[1])).funding_account_type == "savings"


def test_an_address_round_trips_on_create_and_change(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer = _create(api, admin, address=ADDRESS)
    assert employer["address"] == ADDRESS
    path = f"/v1/employers/{employer['id']}"
    assert api.client.get(path, headers=admin).json()["address"] == ADDRESS
    moved = {"street": "9 Elm St", "city": "San José", "postal_code": "95113"}
    assert api.client.patch(path, json={"address": moved}, headers=admin).json()["address"] == moved
    row = _stored(api, employer["id"])  # the columns the pay stub and receipt print
    assert (row.address_street, row.address_city, row.address_postal_code, row.state) == (
        "9 Elm St",
        "San José",
        "95113",
        "CA",
    )


def test_funding_trust_round_trips_in_dollars_and_is_kept_in_cents(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    trust = {"prefunded": True, "exposure_limit": "12345.6"}
    employer = _create(api, admin, funding_trust=trust)
    assert employer["funding_trust"] == {"prefunded": True, "exposure_limit": "12345.60"}
    assert (_stored(api, employer["id"]).exposure_limit_cents) == 1_234_560
    path = f"/v1/employers/{employer['id']}"
    lowered = api.client.patch(
        path, json={"funding_trust": {"exposure_limit": "500"}}, headers=admin
    )
    assert lowered.json()["funding_trust"] == {"prefunded": True, "exposure_limit": "500.00"}
    revoked = api.client.patch(path, json={"funding_trust": {"prefunded": False}}, headers=admin)
    assert revoked.json()["funding_trust"] == {"prefunded": False, "exposure_limit": "500.00"}
    row = _stored(api, employer["id"])
    assert (row.prefunded, row.exposure_limit_cents) == (False, 50_000)


def test_only_an_admin_changes_funding_trust_and_each_attempt_is_audited(api: Api) -> None:
    admin_key = api.key("admin")
    employer = _create(api, api.as_key(admin_key))
    path = f"/v1/employers/{employer['id']}"
    raise_limit = {"funding_trust": {"prefunded": True, "exposure_limit": "90000.00"}}
    operator = {**api.as_key(api.key("operator")), "X-Request-ID": "req-op"}
    assert_problem(api.client.patch(path, json=raise_limit, headers=operator), 403, "forbidden")
    admin = {**api.as_key(admin_key), "X-Request-ID": "req-trust"}
    assert api.client.patch(path, json=raise_limit, headers=admin).status_code == 200
    with reading(api.settings.db_url) as session:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.action == "PATCH /v1/employers/{employer_id}")
        ).all()
    assert [(r.request_id, r.outcome, r.subject) for r in rows] == [
        ("req-op", "rejected", path),
        ("req-trust", "ok", path),
    ]
    assert rows[1].details == {
        "status": 200,
        "changed": ["funding_trust"],
        "funding_trust": {"prefunded": True, "exposure_limit": "90000.00"},
    }
    assert _stored(api, employer["id"]).exposure_limit_cents == 9_000_000


def test_a_change_with_one_bad_field_changes_nothing_of_the_good_ones(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer = _create(api, admin)
    path = f"/v1/employers/{employer['id']}"
    change = {
        "name": "Acme West",
        "funding_account": {"type": "savings"},
        "address": ADDRESS,
        "funding_trust": {"prefunded": True, "exposure_limit": "-5.00"},
    }
    response = api.client.patch(path, json=change, headers=admin)
    assert_problem(response, 422, "invalid_input", "funding_trust.exposure_limit")
    assert api.client.get(path, headers=admin).json() == employer


CA_EDD = {"state": "CA", "account_number": "123 4567 8"}


def test_state_registrations_are_stored_as_digits_and_shown_as_the_edd_writes_them(
    api: Api,
) -> None:
    admin = api.as_key(api.key("admin"))
    nevada = {"state": "NV", "account_number": "NV-0042"}
    employer = _create(api, admin, state_registrations=[nevada, CA_EDD])
    # by state; California's number NNN-NNNN-N, however it was sent
    shown = [{"state": "CA", "account_number": "123-4567-8"}, nevada]
    assert employer["state_registrations"] == shown
    path = f"/v1/employers/{employer['id']}"
    assert api.client.get(path, headers=admin).json()["state_registrations"] == shown
    assert _stored(api, employer["id"]).state_registrations == {"CA": "12345678", "NV": "NV-0042"}
    assert _create(api, admin, ein="98-7654321")["state_registrations"] == []


def test_a_change_replaces_the_registrations_whole_and_is_audited(api: Api) -> None:
    admin = {**api.as_key(api.key("admin")), "X-Request-ID": "req-edd"}
    employer = _create(api, admin, state_registrations=[CA_EDD])
    path = f"/v1/employers/{employer['id']}"
    untouched = api.client.patch(path, json={"name": "Acme West"}, headers=admin).json()
    assert untouched["state_registrations"] == [{"state": "CA", "account_number": "123-4567-8"}]
    change = {"state_registrations": [{"state": "OR", "account_number": "0123456-7"}]}
    changed = api.client.patch(path, json=change, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["state_registrations"] == change["state_registrations"]
    assert _stored(api, employer["id"]).state_registrations == {"OR": "0123456-7"}
    cleared = api.client.patch(path, json={"state_registrations": []}, headers=admin).json()
    assert cleared["state_registrations"] == []
    with reading(api.settings.db_url) as session:
        details = session.scalars(
            select(AuditLog.details).where(
                AuditLog.action == "PATCH /v1/employers/{employer_id}",
                AuditLog.request_id == "req-edd",
            )
        ).all()
    assert [d.get("state_registrations") for d in details] == [None, [["OR", "0123456-7"]], []]
    assert details[1]["changed"] == ["state_registrations"]


def test_a_bad_registration_is_refused_naming_its_place_and_changes_nothing(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer = _create(api, admin, state_registrations=[CA_EDD])
    path = f"/v1/employers/{employer['id']}"
    twice = [CA_EDD, {"state": "CA", "account_number": "87654321"}]
    for registrations, field in [
        (
            [{"state": "CA", "account_number": "1234-5678-9"}],
            "state_registrations.0.account_number",
        ),
        (twice, "state_registrations.1.state"),
        ([{"state": "XX", "account_number": "1"}], "state_registrations.0.state"),
    ]:
        change = {"name": "Acme West", "state_registrations": registrations}
        response = api.client.patch(path, json=change, headers=admin)
        assert_problem(response, 422, "invalid_input", field)
    assert api.client.get(path, headers=admin).json() == employer
