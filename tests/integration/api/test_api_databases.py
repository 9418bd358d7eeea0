"""The API's writes on SQLite and PostgreSQL alike: employer, employee, hours, a pay run under
an Idempotency-Key, a preview, an audit record per change."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from payrun.adapters.db.engine import migrate, reading
from payrun.adapters.db.models import AuditLog, PayRun
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.config import Settings
from payrun.entrypoints.api.app import create_app
from payrun.entrypoints.api.settings import ApiSettings
from payrun.services.api_keys import CreateKey, create_key
from payrun.services.context import utc_now
from tests.integration.api.conftest import EMPLOYEE_BODY, RecordingTemporal, employer_body


def test_the_api_writes_the_same_on_each_database(payrun_home: Path, database_url: str) -> None:
    settings = Settings(home=payrun_home, database_url=database_url)
    migrate(settings.db_url)
    temporal = RecordingTemporal()
    key = create_key(SqlUnitOfWork(settings.db_url), CreateKey("admin"), utc_now()).key
    admin = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(settings, ApiSettings(), temporal)) as client:
        employer = client.post("/v1/employers", json=employer_body(), headers=admin).json()
        path = f"/v1/employers/{employer['id']}"
        employee = client.post(f"{path}/employees", json=EMPLOYEE_BODY, headers=admin).json()
        hours = [{"employee_id": employee["id"], "date": "2025-12-29", "hours": "8"}]
        assert client.post(f"{path}/time-entries", json=hours, headers=admin).status_code == 200
        body = {"employer_ids": [employer["id"]], "period_start": "2025-12-28"}
        preview = client.post("/v1/payruns", json={**body, "preview": True}, headers=admin)
        assert preview.json()["totals"]["gross"] == "2500.00"  # $65,000 / 26
        keyed = {**admin, "Idempotency-Key": "one"}
        first = client.post("/v1/payruns", json=body, headers=keyed)
        again = client.post("/v1/payruns", json=body, headers=keyed)
        assert first.status_code == again.status_code == 202
        assert client.get(f"/v1/payruns/{first.json()['id']}", headers=admin).json()["status"] == (
            "PENDING"
        )
    with reading(settings.db_url) as session:
        assert session.scalar(select(func.count()).select_from(PayRun)) == 1
        requests = select(AuditLog.action).where(AuditLog.actor.like("api-key:%"))
        actions = list(session.scalars(requests.order_by(AuditLog.id)))  # not the key's making
    assert actions == [
        "POST /v1/employers",
        "POST /v1/employers/{employer_id}/employees",
        "POST /v1/employers/{employer_id}/time-entries",
        "POST /v1/payruns",
        "POST /v1/payruns",
        "POST /v1/payruns",
    ]
