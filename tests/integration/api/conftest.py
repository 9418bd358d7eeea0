"""An API app over a fresh database, a recording Temporal fake, and keys of every role."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from payrun.adapters.db.engine import make_engine, migrate
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.config import Settings
from payrun.entrypoints.api.app import create_app
from payrun.entrypoints.api.settings import ApiSettings
from payrun.services.api_keys import CreateKey, create_key
from payrun.services.context import utc_now
from payrun.services.messages import PayRunInput, RedriveInput

ROUTING = "021000021"  # JPMorgan Chase NY: a real ABA number (check digit 1)


@dataclass
class RecordingTemporal:
    """Stands in for Temporal at the HTTP edge: records what the API asked to start."""

    runs: list[PayRunInput] = field(default_factory=list)
    redrives: list[RedriveInput] = field(default_factory=list)
    paused: dict[str, bool] = field(default_factory=dict)
    up: bool = True

    async def start_run(self, inp: PayRunInput) -> None:
        self.runs.append(inp)

    async def start_redrive(self, inp: RedriveInput) -> str:
        self.redrives.append(inp)
        return f"redrive-{len(self.redrives)}"

    async def pause(self, name: str, note: str | None) -> None:
        self.paused[name] = True

    async def resume(self, name: str) -> None:
        self.paused[name] = False

    async def reachable(self) -> bool:
        return self.up


@dataclass
class Api:
    client: TestClient
    settings: Settings
    temporal: RecordingTemporal

    def key(self, role: str, employers: tuple[int, ...] = (), expires: str | None = None) -> str:
        return create_key(
            SqlUnitOfWork(self.settings.db_url), CreateKey(role, employers, expires), utc_now()
        ).key

    def as_key(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


def once(headers: dict[str, str]) -> dict[str, str]:
    """The headers with a fresh Idempotency-Key: one request, never a retry."""
    return {**headers, "Idempotency-Key": uuid.uuid4().hex}


EMPLOYEE_BODY: dict[str, Any] = {
    "external_id": "E1",
    "first_name": "Ana",
    "last_name": "Lopez",
    "ssn": "123-45-6789",
    "work_state": "CA",
    "hire_date": "2024-03-01",
    "pay": {"salary": "65000.00"},
    "bank_account": {"routing": ROUTING, "account": "987654321", "type": "checking"},
    "employee": {"w4": {"filing_status": "single"}, "ca_de4": {"filing_status": "single"}},
}


def employer_body(ein: str = "12-3456789", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Acme Widgets",
        "ein": ein,
        "work_state": "CA",
        "pay_schedule": {"frequency": "biweekly", "first_period_start": "2025-12-28"},
        "funding_account": {"routing": ROUTING, "account": "000123456789", "type": "checking"},
    }
    body.update(changes)
    return body


def assert_problem(response: Any, status: int, code: str, field: str | None = None) -> Any:
    """An RFC 9457 problem with this status and code (and field), carrying the request id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["request_id"] == response.headers["x-request-id"]
    if field is not None:
        assert body.get("field") == field, body
    return body


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings()


@pytest.fixture(autouse=True)
def cheap_key_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2's test profile: these tests make many keys (one test checks the real cost)."""
    monkeypatch.setenv("PAYRUN_API_KEY_HASH", "cheapest")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite database, copied for each test (migrating takes a second)."""
    path = tmp_path_factory.mktemp("api-template") / "payrun.db"
    migrate(f"sqlite:///{path}")
    make_engine(f"sqlite:///{path}").dispose()  # the last connection closing checkpoints the WAL
    assert not path.with_name("payrun.db-wal").exists()
    return path


@pytest.fixture
def api(payrun_home: Path, api_settings: ApiSettings, migrated_template: Path) -> Iterator[Api]:
    shutil.copyfile(migrated_template, payrun_home / "payrun.db")
    settings = Settings(home=payrun_home)
    temporal = RecordingTemporal()
    app = create_app(settings, api_settings, temporal)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, settings, temporal)
