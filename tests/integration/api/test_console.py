"""The web console over the API app: session cookie, roles, employer scope, pages and stubs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    DeadLetter,
    EmployeeStatus,
    Employer,
    EmployerStatus,
    FilingStatus,
    PayRun,
)
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.config import Settings
from payrun.entrypoints.api.app import create_app
from payrun.entrypoints.api.settings import ApiSettings
from payrun.services.api_keys import CreateKey, create_key
from payrun.services.context import utc_now

from ..documents_data import RUN, write_payroll
from .conftest import RecordingTemporal

NOW = datetime(2026, 1, 16, 12, tzinfo=UTC)


@pytest.fixture
def console(payrun_home: Path) -> Iterator[tuple[TestClient, Settings, dict[str, int]]]:
    settings = Settings(home=payrun_home)
    ids = write_payroll(settings.db_url)
    with transaction(settings.db_url) as s:
        s.add(PayRun(id=RUN, pay_period_id=1, status="COMPLETED", employer_ids=[ids["employer"]],
                     started_at=NOW, finished_at=NOW))  # fmt: skip
        s.flush()
        other = Employer(ein="98-7654321", name="Other Co", state="CA", schedule_id=1,
                         funding_routing="121000358", funding_account_enc=b"-",
                         funding_account_last4="1111", ach_company_id="1987654321",
                         odfi_routing="121000358")  # fmt: skip
        s.add(other)
        s.flush()
        ids["other"] = other.id
        s.add(
            EmployerStatus(run_id=RUN, employer_id=ids["employer"], status="PAID", updated_at=NOW)
        )
        for employee in (1, 2):
            s.add(EmployeeStatus(run_id=RUN, employer_id=ids["employer"], employee_id=employee,
                                 status="PAID", begin_at=NOW, paid_at=NOW))  # fmt: skip
        s.add(DeadLetter(run_id=RUN, employer_id=ids["employer"], employee_id=2, step="taxes",
                         error_type="validation", error="w4: bad", first_failed_at=NOW,
                         last_failed_at=NOW))  # fmt: skip
    app = create_app(settings, ApiSettings(), RecordingTemporal())
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client, settings, ids


def _login(
    client: TestClient, settings: Settings, role: str, employers: tuple[int, ...] = ()
) -> None:
    key = create_key(SqlUnitOfWork(settings.db_url), CreateKey(role, employers), utc_now()).key
    response = client.post("/console/login", data={"api_key": key, "next": "/console/runs"})
    assert response.status_code == 303 and response.headers["location"] == "/console/runs"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    assert key not in cookie  # sealed, never the key itself


def test_pages_need_a_session_and_a_bad_key_is_refused(console) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = console
    assert client.get("/console/runs").headers["location"].startswith("/console/login")
    refused = client.post("/console/login", data={"api_key": "prk_nope"})
    assert refused.status_code == 401 and "unknown, revoked or expired" in refused.text


def test_an_operator_sees_runs_employers_history_stubs_and_resolves_a_dead_letter(console) -> None:  # type: ignore[no-untyped-def]
    client, settings, ids = console
    _login(client, settings, "operator")
    runs = client.get("/console/runs")
    assert RUN in runs.text and "100%" not in runs.text  # the list shows a bar, not the percent
    run = client.get(f"/console/runs/{RUN}")
    assert "Golden Gate Bakery LLC" in run.text and "100%" in run.text
    assert f"/namespaces/default/workflows/{RUN}" in run.text
    assert "default-src 'self'" in run.headers["content-security-policy"]
    employee = client.get("/console/employees/1")
    assert "Ana Lopez" in employee.text and "paid" in employee.text and "1,617.52" in employee.text
    pdf = client.get(f"/console/paychecks/{ids['hourly']}/stub.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    letters = client.get("/console/dead-letters")
    assert "w4: bad" in letters.text and "resolve-skip" in letters.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', letters.text)
    assert csrf is not None
    forged = client.post(
        "/console/dead-letters/1/resolve", data={"resolution": "skip", "reason": "x"}
    )
    assert forged.status_code == 403
    done = client.post(
        "/console/dead-letters/1/resolve",
        data={"resolution": "skip", "reason": "duplicate", "csrf": csrf.group(1)},
    )
    assert done.status_code == 303
    assert "The queue is empty" in client.get("/console/dead-letters").text


def test_a_viewer_has_no_resolve_button_and_cannot_post_one(console) -> None:  # type: ignore[no-untyped-def]
    client, settings, _ = console
    _login(client, settings, "viewer")
    letters = client.get("/console/dead-letters")
    assert "w4: bad" in letters.text and "resolve-skip" not in letters.text
    assert "Start pay run" not in client.get("/console/runs").text
    refused = client.post("/console/dead-letters/1/resolve", data={"resolution": "skip"})
    assert refused.status_code == 403


def test_a_key_scoped_to_another_employer_sees_nothing_of_this_one(console) -> None:  # type: ignore[no-untyped-def]
    client, settings, ids = console
    _login(client, settings, "viewer", (ids["other"],))
    assert RUN not in client.get("/console/runs").text
    assert client.get(f"/console/runs/{RUN}").status_code == 404
    assert client.get("/console/employees/1").status_code == 404
    assert client.get(f"/console/paychecks/{ids['hourly']}/stub.pdf").status_code == 404
    assert "w4: bad" not in client.get("/console/dead-letters").text


def test_the_api_serves_the_stub_as_pdf_or_html_by_accept(console) -> None:  # type: ignore[no-untyped-def]
    client, settings, ids = console
    key = create_key(SqlUnitOfWork(settings.db_url), CreateKey("viewer"), utc_now()).key
    url, auth = f"/v1/paychecks/{ids['hourly']}/stub", {"Authorization": f"Bearer {key}"}
    pdf = client.get(url, headers={**auth, "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    html = client.get(url, headers={**auth, "Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "1,617.52" in html.text
    refused = client.get(url, headers={**auth, "Accept": "image/png"})
    assert refused.status_code == 406
    scoped = create_key(
        SqlUnitOfWork(settings.db_url), CreateKey("viewer", (ids["other"],)), utc_now()
    ).key
    hidden = client.get(url, headers={"Authorization": f"Bearer {scoped}"})
    assert hidden.status_code == 404


def test_the_api_serves_metrics_to_a_key_holder(console) -> None:  # type: ignore[no-untyped-def]
    client, settings, _ = console
    assert client.get("/metrics").status_code == 401
    key = create_key(SqlUnitOfWork(settings.db_url), CreateKey("viewer"), utc_now()).key
    scraped = client.get("/metrics", headers={"Authorization": f"Bearer {key}"})
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    # the fixture's one open dead letter, read from the database at scrape time
    assert 'payrun_dead_letters{error_type="validation",status="OPEN"} 1.0' in scraped.text
    assert "payrun_step_seconds_bucket" in scraped.text or "payrun_step_seconds" in scraped.text


def test_a_revoked_key_ends_its_console_session_at_once(console) -> None:  # type: ignore[no-untyped-def]
    from payrun.services.api_keys import revoke_key

    client, settings, _ = console
    new = create_key(SqlUnitOfWork(settings.db_url), CreateKey("viewer"), utc_now())
    assert client.post("/console/login", data={"api_key": new.key}).status_code == 303
    assert client.get("/console/runs").status_code == 200
    revoke_key(SqlUnitOfWork(settings.db_url), new.id, utc_now())
    assert client.get("/console/runs").headers["location"].startswith("/console/login")


def test_a_tampered_or_foreign_cookie_is_no_session() -> None:
    from payrun.entrypoints.console.session import Sessions

    ours, theirs = Sessions("secret-a"), Sessions("secret-b")
    sealed = ours.seal("prk_0123456789ab_" + "x" * 43)
    assert ours.open(sealed) == "prk_0123456789ab_" + "x" * 43
    assert Sessions("secret-a").open(sealed) is not None  # shared secret: another process
    assert theirs.open(sealed) is None
    assert ours.open(sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]) is None
    assert ours.csrf_ok(sealed, ours.csrf(sealed)) and not ours.csrf_ok(sealed, theirs.csrf(sealed))


def test_log_lines_of_a_request_carry_its_id_and_never_the_key(console, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from payrun.logs import configure

    client, _, _ = console
    configure("INFO", fmt="json")
    try:
        refused = client.post("/console/login", data={"api_key": "prk_guessing"})
        lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    finally:
        configure("WARNING")
    [line] = [x for x in lines if x["event"] == "console.login_refused"]
    assert line["request_id"] == refused.headers["x-request-id"]
    assert "prk_guessing" not in json.dumps(lines)


def _filing(employer_id: int, filing_id: str, due: str, status: str) -> FilingStatus:
    return FilingStatus(
        filing_id=filing_id, employer_id=employer_id, filing_type="federal_deposit",
        period="2026-01", due=date.fromisoformat(due), status=status, amount_cents=123_456,
        ack_id="IRS-1" if status == "filed" else None, as_of=NOW, history=[],
    )  # fmt: skip


def test_filings_show_by_due_date_filtered_by_status_and_scope(console) -> None:  # type: ignore[no-untyped-def]
    client, settings, ids = console
    with transaction(settings.db_url) as s:
        s.add_all([
            _filing(ids["employer"], "dep-late", "2026-02-18", "filed"),
            _filing(ids["employer"], "dep-early", "2026-01-21", "blocked"),
            _filing(ids["other"], "dep-other", "2026-01-14", "pending"),
        ])  # fmt: skip
    _login(client, settings, "viewer", (ids["employer"],))
    page = client.get("/console/filings").text
    assert page.index("dep-early") < page.index("dep-late")  # by due date
    assert "dep-other" not in page  # another employer's filing is not there at all
    assert "1,234.56" in page and "IRS-1" in page
    blocked = client.get("/console/filings?status=blocked").text
    assert "dep-early" in blocked and "dep-late" not in blocked
    assert client.get("/console/filings?status=bogus").status_code == 422
