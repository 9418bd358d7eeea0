"""Connecting to a Temporal server that is still starting: retried until a deadline, then named."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from temporalio.client import Client

from payrun.config import Settings
from payrun.entrypoints.runner import TemporalUnavailable, connect_client, temporal_client

# The error the dev server gave right after its port opened (benchmark log).
NOT_HEALTHY = RuntimeError(
    "Failed client connect: `get_system_info` call error after connection: "
    'Status { code: Unavailable, message: "Frontend is not healthy yet", '
    "details: [], metadata: MetadataMap { headers: {} } }"
)
REFUSED = RuntimeError(
    "Failed client connect: Server connection error: tonic::transport::Error(Transport, "
    'ConnectError(ConnectError("tcp connect error", 127.0.0.1:7233, Os { code: 111, '
    'kind: ConnectionRefused, message: "Connection refused" })))'
)
UNAUTHENTICATED = RuntimeError(
    "Failed client connect: `get_system_info` call error after connection: "
    'Status { code: Unauthenticated, message: "Request unauthorized." }'
)
BAD_TLS = RuntimeError(
    "Failed client connect: Server connection error: tonic::transport::Error(Transport, "
    "ConnectError(Custom { kind: InvalidData, error: InvalidMessage(InvalidContentType) }))"
)


def connect_fast(target: str) -> Client:
    """connect_client with a 0.2 s deadline and pauses of 1 to 10 ms."""
    return asyncio.run(connect_client(target, deadline=0.2, backoff=(0.001, 0.01)))


class FakeConnect:
    """Stands in for Client.connect: raises the given errors in turn, then returns a client."""

    def __init__(self, *errors: Exception, forever: Exception | None = None) -> None:
        self.errors, self.forever = list(errors), forever
        self.calls: list[str] = []
        self.client = object()

    async def __call__(self, target: str, **_options: Any) -> object:
        self.calls.append(target)
        if self.errors:
            raise self.errors.pop(0)
        if self.forever is not None:
            raise self.forever
        return self.client


@pytest.fixture
def fake_connect(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeConnect]:
    def install(*errors: Exception, forever: Exception | None = None) -> FakeConnect:
        fake = FakeConnect(*errors, forever=forever)
        monkeypatch.setattr(Client, "connect", staticmethod(fake))
        return fake

    return install


def test_a_server_not_healthy_yet_is_retried_until_it_answers(
    fake_connect: Callable[..., FakeConnect],
) -> None:
    fake = fake_connect(NOT_HEALTHY, REFUSED)
    client = connect_fast("127.0.0.1:7233")
    assert client is fake.client
    assert fake.calls == ["127.0.0.1:7233"] * 3


def test_it_gives_up_at_the_deadline_naming_the_address(
    fake_connect: Callable[..., FakeConnect],
) -> None:
    fake = fake_connect(forever=NOT_HEALTHY)
    with pytest.raises(TemporalUnavailable, match=r"Temporal at 10\.0\.0\.5:7233 .* 0\.2s"):
        connect_fast("10.0.0.5:7233")
    # 0.2 s of pauses capped at 10 ms: well over a handful of attempts, and a finite number.
    assert 5 < len(fake.calls) < 200


@pytest.mark.parametrize(
    "error",
    [UNAUTHENTICATED, BAD_TLS, ValueError("invalid target URL")],
    ids=["auth", "tls", "address"],
)
def test_errors_that_cannot_heal_are_raised_at_once(
    fake_connect: Callable[..., FakeConnect], error: Exception
) -> None:
    fake = fake_connect(forever=error)
    with pytest.raises(type(error)) as raised:
        connect_fast("127.0.0.1:7233")
    assert raised.value is error
    assert len(fake.calls) == 1


def test_the_run_client_connects_through_the_retry(
    fake_connect: Callable[..., FakeConnect], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "temporal.internal:7233")
    for name in (
        "TEMPORAL_API_KEY",
        "TEMPORAL_TLS_CLIENT_CERT_PATH",
        "TEMPORAL_TLS_CLIENT_KEY_PATH",
    ):
        monkeypatch.delenv(name, raising=False)
    fake = fake_connect(NOT_HEALTHY)  # one failure: one real pause of the first backoff

    async def connect() -> object:
        async with temporal_client(Settings()) as client:
            return client

    assert asyncio.run(connect()) is fake.client
    assert fake.calls == ["temporal.internal:7233"] * 2
