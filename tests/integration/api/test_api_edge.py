"""Every response carries the request id and security headers; errors are problems without
stack traces or SQL; every change is audited; CORS is off; slow requests time out."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from payrun.adapters.db.engine import make_engine, reading
from payrun.adapters.db.models import AuditLog
from payrun.entrypoints.api.app import create_app
from payrun.entrypoints.api.settings import ApiSettings
from tests.integration.api.conftest import Api, RecordingTemporal, assert_problem, employer_body


def test_every_response_has_security_headers_and_echoes_a_sane_request_id(api: Api) -> None:
    response = api.client.get("/healthz", headers={"X-Request-ID": "trace-42.a_b"})
    assert response.headers["x-request-id"] == "trace-42.a_b"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "server" not in response.headers
    forged = api.client.get("/healthz", headers={"X-Request-ID": "bad id\r\nx: y"})
    assert forged.headers["x-request-id"] != "bad id" and len(forged.headers["x-request-id"]) == 32


def test_cors_is_off_by_default(api: Api) -> None:
    origin = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    preflight = api.client.options("/v1/employers", headers=origin)
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code == 405


def test_an_unknown_path_is_a_problem(api: Api) -> None:
    assert_problem(api.client.get("/v1/nothing-here"), 404, "not_found")


def test_every_change_is_audited_with_key_request_id_and_outcome(api: Api) -> None:
    key = api.key("admin")
    headers = {**api.as_key(key), "X-Request-ID": "req-create-1"}
    created = api.client.post("/v1/employers", json=employer_body(), headers=headers)
    refused = api.client.post(
        "/v1/employers", json=employer_body(), headers={**api.as_key(key), "X-Request-ID": "req-2"}
    )
    assert created.status_code == 201 and refused.status_code == 409
    with reading(api.settings.db_url) as session:
        made = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(r.actor, r.action) for r in made[:1]] == [("cli", "api_key.created")]
    rows = made[1:]
    assert [(r.action, r.outcome, r.request_id) for r in rows] == [
        ("POST /v1/employers", "ok", "req-create-1"),
        ("POST /v1/employers", "rejected", "req-2"),
    ]
    assert rows[0].actor.startswith("api-key:") and rows[0].details["employer_id"] == 1
    assert api.client.get("/v1/employers", headers=api.as_key(key)).status_code == 200
    with reading(api.settings.db_url) as session:
        assert len(session.scalars(select(AuditLog)).all()) == 3  # reads are not audited


def test_an_unexpected_error_is_a_bare_500_with_no_sql_or_trace_in_body_or_log(
    api: Api, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = api.as_key(api.key("viewer"))
    assert api.client.get("/v1/employers", headers=headers).status_code == 200
    with make_engine(api.settings.db_url).begin() as conn:
        conn.execute(text("DROP TABLE audit_log"))
        conn.execute(text("ALTER TABLE employers RENAME TO employers_gone"))
    with caplog.at_level(logging.DEBUG):
        response = api.client.get("/v1/employers", headers=headers)
    body = assert_problem(response, 500, "internal")
    assert body["retryable"] is True
    logged = caplog.text + "".join(capsys.readouterr())
    for leak in ("SELECT", "no such table", "Traceback", "sqlite3", "employers.id"):
        assert leak not in response.text
        assert leak not in logged
    assert body["request_id"] in logged  # the log line names the request, nothing more


@pytest.fixture
def slow_api(api: Api) -> Iterator[TestClient]:
    """A budget shorter than checking a key's slow hash: every authenticated call times out."""
    app = create_app(api.settings, ApiSettings(request_timeout_seconds=0.005), RecordingTemporal())
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_request_over_its_time_budget_is_a_retryable_504(api: Api, slow_api: TestClient) -> None:
    key = api.key("viewer")
    response = slow_api.get("/v1/employers", headers=api.as_key(key))
    assert assert_problem(response, 504, "timeout")["retryable"] is True


def test_readiness_says_which_dependency_is_down(api: Api) -> None:
    assert api.client.get("/readyz").json() == {"status": "ready"}
    api.temporal.up = False
    assert_problem(api.client.get("/readyz"), 503, "temporal_unreachable")


def test_lists_page_with_an_opaque_cursor(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    for n in range(5):
        api.client.post("/v1/employers", json=employer_body(f"33-000000{n}"), headers=admin)
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/v1/employers", params=query, headers=admin).json()
        seen.append([e["id"] for e in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [[1, 2], [3, 4], [5]]
