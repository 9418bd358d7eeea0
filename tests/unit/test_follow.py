"""follow() rides out a lost Temporal connection and gives up in one error after its limit."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from payrun.entrypoints import runner
from payrun.entrypoints.runner import TemporalUnavailable, follow
from payrun.services.messages import RunSummary

SUMMARY = RunSummary("payrun-x", "COMPLETED", 1, 0, 3, 0, 0)


class _Handle:
    """result() fails with `outages` connection errors, then returns the summary."""

    id = "payrun-x"

    def __init__(self, outages: int, error: RPCError | None = None) -> None:
        self.outages, self.calls = outages, 0
        self.error = error or RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b"")

    async def result(self) -> RunSummary:
        self.calls += 1
        if self.calls <= self.outages:
            raise self.error
        return SUMMARY

    async def query(self, *_: Any) -> dict[str, int]:
        return {"employers_total": 1}


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "FOLLOW_RETRY_SECONDS", 0.01)


async def test_a_lost_connection_is_asked_again_until_the_run_answers() -> None:
    seen: list[bool] = []
    handle = _Handle(outages=3)
    summary = await follow(handle, lambda _: None, 10.0, seen.append)  # type: ignore[arg-type]
    assert summary == SUMMARY and handle.calls == 4
    assert seen[0] is False  # told once that the connection is lost


async def test_it_gives_up_with_one_error_naming_the_run() -> None:
    handle = _Handle(outages=10**6)
    with pytest.raises(TemporalUnavailable, match=r"lost Temporal for 0\.05s.*run payrun-x"):
        await follow(handle, None, 0.05)  # type: ignore[arg-type]


async def test_an_error_that_is_not_a_lost_connection_is_raised_at_once() -> None:
    denied = RPCError("namespace not found", RPCStatusCode.NOT_FOUND, b"")
    handle = _Handle(outages=1, error=denied)
    with pytest.raises(RPCError, match="namespace not found"):
        await follow(handle, None, 10.0)  # type: ignore[arg-type]
    assert handle.calls == 1
