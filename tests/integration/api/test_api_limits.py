"""Rate limits (per key, per address) with 429 + Retry-After, and the body size limit (413)."""

from __future__ import annotations

import time

import pytest

from payrun.entrypoints.api.settings import ApiSettings
from tests.integration.api.conftest import Api, assert_problem, employer_body


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings(rate_per_key="3/second", rate_per_address="5/second", max_body_bytes=2048)


def test_rate_limit_per_key_holds_then_resets(api: Api) -> None:
    headers = api.as_key(api.key("viewer"))
    _next_second()
    codes = [api.client.get("/v1/employers", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = api.client.get("/v1/employers", headers=headers)
    body = assert_problem(limited, 429, "rate_limited")
    assert body["retryable"] is True
    assert 1 <= int(limited.headers["retry-after"]) <= 1
    time.sleep(int(limited.headers["retry-after"]) + 0.05)
    assert api.client.get("/v1/employers", headers=headers).status_code == 200


def test_rate_limit_per_address_applies_before_any_key_is_checked(api: Api) -> None:
    _next_second()
    codes = [api.client.get("/v1/employers").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    assert api.client.get("/healthz").status_code == 200  # probes are not /v1


def test_a_body_over_the_limit_is_413_and_writes_nothing(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    big = employer_body(name="x" * 3000)
    assert_problem(api.client.post("/v1/employers", json=big, headers=admin), 413, "body_too_large")

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"name": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'"}'

    chunked = api.client.post(
        "/v1/employers", content=chunks(), headers={**admin, "content-type": "application/json"}
    )
    assert_problem(chunked, 413, "body_too_large")
    _next_second()
    assert api.client.get("/v1/employers", headers=admin).json()["items"] == []


def _next_second() -> None:
    """Start at the beginning of a fixed one-second window, so a test's burst fits in one."""
    time.sleep(1 - time.time() % 1 + 0.01)
