"""Schemathesis against the live /openapi.json of a real uvicorn server: generated requests for
every operation (bounded in examples and time); no 5xx, and every response matches its
documented schema (errors included, as application/problem+json)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.config import Settings
from payrun.entrypoints.api.app import create_app
from payrun.entrypoints.api.settings import ApiSettings
from payrun.services.api_keys import CreateKey, create_key
from payrun.services.context import utc_now
from tests.e2e.api_server import free_port
from tests.integration.api.conftest import EMPLOYEE_BODY, RecordingTemporal, employer_body

EXAMPLES_PER_OPERATION = 12  # the bound in examples, hence in time (about 25 s here)


@pytest.fixture
def live(payrun_home: Path, migrated_template: Path) -> Iterator[tuple[str, str]]:
    import shutil

    import httpx

    shutil.copyfile(migrated_template, payrun_home / "payrun.db")
    config = Settings(home=payrun_home)
    api = ApiSettings(rate_per_key="100000/minute", rate_per_address="100000/minute")
    app = create_app(config, api, RecordingTemporal())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    key = create_key(SqlUnitOfWork(config.db_url), CreateKey("admin"), utc_now()).key
    auth = {"Authorization": f"Bearer {key}"}
    for ein in ("11-1111111", "22-2222222"):  # something for the generated ids to find
        employer = httpx.post(f"{url}/v1/employers", json=employer_body(ein), headers=auth)
        httpx.post(
            f"{url}/v1/employers/{employer.json()['id']}/employees",
            json=EMPLOYEE_BODY,
            headers=auth,
        )
    try:
        yield url, key
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _exercise(operation: Any, url: str, key: str) -> None:
    strategy = operation.as_strategy()

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def exercise(data: st.DataObject) -> None:
        case = data.draw(strategy)
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "fuzz"}
        response = case.call(base_url=url, headers=headers)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    exercise()


def test_generated_requests_never_get_a_5xx_and_every_response_matches_the_schema(
    live: tuple[str, str],
) -> None:
    url, key = live
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for operation in operations:
        try:
            _exercise(operation, url, key)
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(error)[:600]}")
    assert failures == [], "\n\n".join(failures)
