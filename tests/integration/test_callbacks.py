"""The callback receiver: signed callbacks complete, fail or heartbeat activities by task token."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():  # the workflow sandbox re-imports this module
    import httpx
    import pytest

    from payrun.adapters.callbacks import (
        SIGNATURE_HEADER,
        CallbackServer,
        sign_body,
        verify_signature,
    )

SECRET = "callback-test-secret"


def signed(body: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    return raw, {SIGNATURE_HEADER: sign_body(secret, raw), "Content-Type": "application/json"}


# --- signatures ---------------------------------------------------------------------------


def test_signature_verifies_only_the_same_body_with_the_same_secret():
    header = sign_body(SECRET, b'{"a":1}')

    assert verify_signature(SECRET, b'{"a":1}', header)
    assert not verify_signature(SECRET, b'{"a":2}', header)
    assert not verify_signature("other-secret", b'{"a":1}', header)
    assert not verify_signature(SECRET, b'{"a":1}', None)
    assert not verify_signature(SECRET, b'{"a":1}', "t=abc,v1=00")


def test_signature_older_than_five_minutes_is_refused():
    header = sign_body(SECRET, b"{}", timestamp=1_000_000)

    assert verify_signature(SECRET, b"{}", header, now=1_000_000 + 299)
    assert not verify_signature(SECRET, b"{}", header, now=1_000_000 + 301)


# --- the receiver refuses before it touches Temporal --------------------------------------


def no_temporal() -> Client:
    raise AssertionError("the receiver must not reach Temporal for a refused callback")


async def post_all(requests: list[tuple[str, bytes, dict[str, str]]]) -> list[httpx.Response]:
    server = CallbackServer(no_temporal, SECRET, max_body_bytes=4096)
    async with server, httpx.AsyncClient(timeout=5) as http:
        return [
            await http.post(server.url + path, content=raw, headers=headers)
            for path, raw, headers in requests
        ]


def test_bad_signature_oversize_and_malformed_callbacks_are_refused():
    good = {"token_b64": base64.b64encode(b"t").decode(), "outcome": "completed", "result": {}}
    raw, headers = signed(good)
    tampered = raw.replace(b"completed", b"failed\x20\x20\x20")
    big, big_headers = signed({**good, "result": {"pad": "x" * 5000}})
    not_b64, not_b64_headers = signed({**good, "token_b64": "***"})
    bad_shape, bad_shape_headers = signed({"outcome": "won"})

    responses = asyncio.run(
        post_all(
            [
                ("/callbacks/payment", raw, {}),
                ("/callbacks/payment", raw, {SIGNATURE_HEADER: sign_body("wrong", raw)}),
                ("/callbacks/payment", tampered, headers),
                ("/callbacks/payment", big, big_headers),
                ("/callbacks/payment", not_b64, not_b64_headers),
                ("/callbacks/payment", bad_shape, bad_shape_headers),
                ("/callbacks/NOT..A..KIND", raw, headers),
            ]
        )
    )

    assert [r.status_code for r in responses] == [401, 401, 401, 413, 400, 422, 404]


def test_router_needs_a_secret():
    with pytest.raises(ValueError, match="secret"):
        CallbackServer(no_temporal, "")


# --- through a real Temporal server --------------------------------------------------------


class HandOver:
    """An activity that hands its task token to 'the outside' (this test) and returns."""

    def __init__(self) -> None:
        self.tokens: asyncio.Queue[bytes] = asyncio.Queue()

    @activity.defn
    async def hand_over(self) -> dict[str, Any]:
        self.tokens.put_nowait(activity.info().task_token)
        activity.raise_complete_async()


@workflow.defn
class WaitForAnswer:
    @workflow.run
    async def run(self, attempts: int) -> dict[str, Any]:
        return await workflow.execute_activity(
            "hand_over",
            start_to_close_timeout=timedelta(seconds=20),
            heartbeat_timeout=timedelta(seconds=1),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=200), maximum_attempts=attempts
            ),
            result_type=dict,
        )


@dataclass
class Harness:
    """A worker, the callback server and a way to post signed callbacks to it."""

    client: Client
    queue: str
    server: CallbackServer
    http: httpx.AsyncClient
    tokens: asyncio.Queue[bytes]

    async def start(self, attempts: int = 1) -> WorkflowHandle[Any, Any]:
        return await self.client.start_workflow(
            WaitForAnswer.run, attempts, id=f"wf-{uuid.uuid4()}", task_queue=self.queue
        )

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        raw, headers = signed(body)
        url = self.server.callback_url("payment")
        return await self.http.post(url, content=raw, headers=headers)

    async def next_token(self) -> str:
        return base64.b64encode(await asyncio.wait_for(self.tokens.get(), 10)).decode()


async def with_receiver(cli_path: str, scenario: Callable[[Harness], Awaitable[Any]]) -> Any:
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=cli_path) as env:
        activities = HandOver()
        queue = f"callbacks-{uuid.uuid4()}"
        worker = Worker(
            env.client,
            task_queue=queue,
            workflows=[WaitForAnswer],
            activities=[activities.hand_over],
        )
        server = CallbackServer(lambda: env.client, SECRET)
        async with worker, server, httpx.AsyncClient(timeout=10) as http:
            return await scenario(Harness(env.client, queue, server, http, activities.tokens))


def test_completion_reaches_the_workflow_and_a_duplicate_is_harmless(temporal_cli_path):
    async def scenario(h: Harness) -> tuple[Any, ...]:
        handle = await h.start()
        token = await h.next_token()
        beat = await h.post({"token_b64": token, "outcome": "heartbeat", "details": {"n": 1}})
        done = await h.post({"token_b64": token, "outcome": "completed", "result": {"ok": 1}})
        result = await handle.result()
        again = await h.post({"token_b64": token, "outcome": "completed", "result": {"ok": 2}})
        late_beat = await h.post({"token_b64": token, "outcome": "heartbeat"})
        return beat.json(), done.json(), result, again, late_beat.json()

    beat, done, result, again, late_beat = asyncio.run(with_receiver(temporal_cli_path, scenario))

    assert beat == {"status": "heartbeat recorded"}
    assert done == {"status": "completed"}
    assert result == {"ok": 1}
    assert again.status_code == 200 and again.json() == {"status": "already completed"}
    assert late_beat == {"status": "activity not found"}


def test_rejection_fails_the_activity_once_without_retry(temporal_cli_path):
    async def scenario(h: Harness) -> tuple[Any, ...]:
        handle = await h.start(attempts=3)
        token = await h.next_token()
        answer = await h.post(
            {
                "token_b64": token,
                "outcome": "failed",
                "error_type": "downstream_rejection",
                "message": "account closed",
            }
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        return answer.json(), failure.value.cause, h.tokens.qsize()

    answer, cause, more_attempts = asyncio.run(with_receiver(temporal_cli_path, scenario))

    assert answer == {"status": "failed"}
    assert isinstance(cause, ActivityError)
    assert isinstance(cause.cause, ApplicationError)
    assert (cause.cause.type, cause.cause.non_retryable) == ("downstream_rejection", True)
    assert "account closed" in cause.cause.message
    assert more_attempts == 0


def test_transient_failure_is_retried_with_a_new_token(temporal_cli_path):
    async def scenario(h: Harness) -> tuple[Any, ...]:
        handle = await h.start(attempts=3)
        first = await h.next_token()
        await h.post({"token_b64": first, "outcome": "failed", "error_type": "bank_busy"})
        second = await h.next_token()
        await h.post({"token_b64": second, "outcome": "completed", "result": {"attempt": 2}})
        return first != second, await handle.result()

    new_token, result = asyncio.run(with_receiver(temporal_cli_path, scenario))

    assert new_token
    assert result == {"attempt": 2}


def test_temporal_down_answers_503_so_the_sender_retries():
    async def scenario() -> httpx.Response:
        client = await asyncio.wait_for(_unreachable_client(), 10)
        async with CallbackServer(lambda: client, SECRET) as server:
            raw, headers = signed({"token_b64": "dGVzdA==", "outcome": "completed"})
            async with httpx.AsyncClient(timeout=30) as http:
                return await http.post(server.callback_url("payment"), content=raw, headers=headers)

    started = time.monotonic()
    response = asyncio.run(scenario())
    assert response.status_code == 503, response.text
    assert time.monotonic() - started < 25


async def _unreachable_client() -> Client:
    return await Client.connect("127.0.0.1:9", lazy=True)
