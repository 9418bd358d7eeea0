"""The API's own WAF: keys, roles, scope, rate limits, body size, timeouts, headers, problems,
audit records."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from payrun.adapters.db.engine import make_engine, reading
from payrun.adapters.db.models import ApiKey
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.services.api_keys import revoke_key
from payrun.services.context import utc_now
from tests.integration.api.conftest import Api, assert_problem, employer_body


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "missing_key"),
        ("Basic dXNlcjpwYXNz", "malformed_key"),
        ("Bearer", "malformed_key"),
        ("Bearer prk_000000000000_" + "A" * 43, "invalid_key"),
        ("Bearer not-a-key", "invalid_key"),
    ],
)
def test_a_request_without_a_good_key_is_401(api: Api, header: str | None, code: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = api.client.get("/v1/employers", headers=headers)
    assert_problem(response, 401, code)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_key_stops_working_at_once_even_after_it_was_accepted(api: Api) -> None:
    key = api.key("viewer")
    assert api.client.get("/v1/employers", headers=api.as_key(key)).status_code == 200
    with reading(api.settings.db_url) as session:
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.prefix == key[4:16]))
    assert key_id is not None
    revoke_key(SqlUnitOfWork(api.settings.db_url), key_id, utc_now())
    assert_problem(api.client.get("/v1/employers", headers=api.as_key(key)), 401, "invalid_key")


def test_an_expired_key_is_401(api: Api) -> None:
    key = api.key("admin", expires="1h")
    assert api.client.get("/v1/employers", headers=api.as_key(key)).status_code == 200
    with make_engine(api.settings.db_url).begin() as conn:
        conn.execute(text("UPDATE api_keys SET expires_at = '2020-01-01 00:00:00'"))
    assert_problem(api.client.get("/v1/employers", headers=api.as_key(key)), 401, "invalid_key")


def test_a_key_with_a_wrong_secret_but_a_real_prefix_is_401(api: Api) -> None:
    key = api.key("admin")
    forged = key[: len("prk_") + 12] + "_" + "B" * 43
    assert_problem(api.client.get("/v1/employers", headers=api.as_key(forged)), 401, "invalid_key")


def test_only_a_slow_hash_of_the_key_is_stored(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYRUN_API_KEY_HASH")
    key = api.key("admin")
    secret = key.rsplit("_", 1)[1]
    with reading(api.settings.db_url) as session:
        row = session.scalars(select(ApiKey)).one()
    assert row.secret_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106
    assert secret not in row.secret_hash and key not in row.secret_hash


def test_a_viewer_may_read_but_not_create_an_employer(api: Api) -> None:
    viewer = api.as_key(api.key("viewer"))
    assert api.client.get("/v1/employers", headers=viewer).status_code == 200
    assert_problem(
        api.client.post("/v1/employers", json=employer_body(), headers=viewer), 403, "forbidden"
    )


def test_a_key_limited_to_one_employer_sees_nothing_of_another(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    first = api.client.post("/v1/employers", json=employer_body("11-1111111"), headers=admin)
    second = api.client.post("/v1/employers", json=employer_body("22-2222222"), headers=admin)
    mine, other = first.json()["id"], second.json()["id"]
    scoped = api.as_key(api.key("admin", (mine,)))
    assert api.client.get(f"/v1/employers/{mine}", headers=scoped).status_code == 200
    absent = api.client.get("/v1/employers/999", headers=scoped)
    hidden = api.client.get(f"/v1/employers/{other}", headers=scoped)
    assert_problem(hidden, 404, "not_found")
    assert hidden.json()["detail"] == absent.json()["detail"].replace("999", str(other))
    listed = api.client.get("/v1/employers", headers=scoped).json()
    assert [e["id"] for e in listed["items"]] == [mine]
