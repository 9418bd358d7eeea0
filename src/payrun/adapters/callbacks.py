"""Callback receiver: downstream systems answer async activities by task token, signed."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import inspect
import re
import socket
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Literal

import structlog
import uvicorn
from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel, ValidationError
from temporalio.client import AsyncActivityCancelledError, Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-Payrun-Signature"
SECRET_ENV = "PAYRUN_CALLBACK_SECRET"
MAX_BODY_BYTES = 1_048_576
SIGNATURE_TOLERANCE_SECONDS = 300
NON_RETRYABLE_ERROR_TYPES = frozenset(
    {"downstream_rejection", "batch_cancelled", "invalid_request"}
)
RPC_TIMEOUT = timedelta(seconds=10)
_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")

ClientProvider = Callable[[], "Client | Awaitable[Client]"]


# --- signing (shared with the simulators) ------------------------------------------------


def sign_body(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for body: `t=<unix seconds>,v1=<hex HMAC-SHA256>`."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={_mac(secret, ts, body)}"


def verify_signature(
    secret: str,
    body: bytes,
    header: str | None,
    now: float | None = None,  # float ok: time
) -> bool:
    """True if header signs body with secret and its timestamp is recent (replay guard)."""
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    try:
        ts = int(parts.get("t", ""))
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(parts.get("v1", ""), _mac(secret, ts, body))


def _mac(secret: str, ts: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()


# --- the callback body -------------------------------------------------------------------


class CallbackBody(BaseModel):
    """What a downstream system POSTs: the token it was given and its answer."""

    token_b64: str
    outcome: Literal["completed", "failed", "heartbeat"]
    result: dict[str, Any] | None = None
    error_type: str = "downstream_error"
    message: str = ""
    non_retryable: bool | None = None
    details: dict[str, Any] | None = None

    def task_token(self) -> bytes:
        try:
            return base64.b64decode(self.token_b64, validate=True)
        except (binascii.Error, ValueError):
            raise HTTPException(400, "token_b64: not valid base64") from None

    def application_error(self) -> ApplicationError:
        non_retryable = self.non_retryable
        if non_retryable is None:
            non_retryable = self.error_type in NON_RETRYABLE_ERROR_TYPES
        return ApplicationError(
            self.message or self.error_type, type=self.error_type, non_retryable=non_retryable
        )


# --- the router --------------------------------------------------------------------------


def callback_router(
    client_provider: ClientProvider, secret: str, max_body_bytes: int = MAX_BODY_BYTES
) -> APIRouter:
    """`POST /callbacks/{kind}`: verify the signature, then complete/fail/heartbeat by token."""
    if not secret:
        raise ValueError("secret: a callback secret is required")
    router = APIRouter(prefix="/callbacks", tags=["callbacks"])

    @router.post("/{kind}")
    async def receive_callback(kind: str, request: Request) -> dict[str, str]:
        if not _KIND.match(kind):
            raise HTTPException(404, "unknown callback kind")
        raw = await _read_limited(request, max_body_bytes)
        if not verify_signature(secret, raw, request.headers.get(SIGNATURE_HEADER)):
            log.warning("callback rejected: bad signature", kind=kind)
            raise HTTPException(401, "bad or missing signature")
        body = _parse(raw)
        token = body.task_token()
        client = await _resolve(client_provider)
        status = await _apply(client, body, token)
        log.info("callback applied", kind=kind, outcome=body.outcome, status=status)
        return {"status": status}

    return router


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> CallbackBody:
    try:
        return CallbackBody.model_validate_json(raw)
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) or "body" for e in exc.errors())
        raise HTTPException(422, f"invalid callback body: {fields}") from None


async def _resolve(client_provider: ClientProvider) -> Client:
    client = client_provider()
    if inspect.isawaitable(client):
        client = await client
    return client


async def _apply(client: Client, body: CallbackBody, token: bytes) -> str:
    handle = client.get_async_activity_handle(task_token=token)
    try:
        if body.outcome == "completed":
            await handle.complete(body.result, rpc_timeout=RPC_TIMEOUT)
            return "completed"
        if body.outcome == "failed":
            await handle.fail(body.application_error(), rpc_timeout=RPC_TIMEOUT)
            return "failed"
        await handle.heartbeat(body.details or {}, rpc_timeout=RPC_TIMEOUT)
        return "heartbeat recorded"
    except AsyncActivityCancelledError:
        return "cancel requested"
    except RPCError as err:
        return _translate_rpc_error(err, body)
    except RuntimeError as err:  # a lazy client that cannot connect raises this, not RPCError
        log.warning("callback: temporal unreachable", outcome=body.outcome, error=str(err)[:200])
        raise HTTPException(503, "temporal unreachable, retry later") from None


def _translate_rpc_error(err: RPCError, body: CallbackBody) -> str:
    if err.status == RPCStatusCode.NOT_FOUND:
        # The activity already closed (duplicate callback, timed-out attempt, finished run).
        return "already completed" if body.outcome != "heartbeat" else "activity not found"
    if err.status in (RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.FAILED_PRECONDITION):
        raise HTTPException(400, "task token rejected by Temporal") from None
    log.warning("callback: temporal unavailable", outcome=body.outcome, code=err.status.name)
    raise HTTPException(503, "temporal unavailable, retry later") from None


# --- hosting the router in the worker process --------------------------------------------


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves the host process's signal handlers alone."""

    @contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]
        yield


class CallbackServer:
    """Serves callback_router on 127.0.0.1 (ephemeral port) inside the running event loop."""

    def __init__(
        self,
        client_provider: ClientProvider,
        secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self._app = FastAPI(title="payrun callbacks", docs_url=None, redoc_url=None)
        self._app.include_router(callback_router(client_provider, secret, max_body_bytes))
        self._app.add_api_route("/healthz", _healthz, methods=["GET"])
        self._host, self._port = host, port
        self._server: _QuietServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321 (only once started)."""
        if self._url is None:
            raise RuntimeError("CallbackServer is not started")
        return self._url

    def callback_url(self, kind: str) -> str:
        """The URL a downstream system should POST its answer to, e.g. kind="payment"."""
        return f"{self.url}/callbacks/{kind}"

    async def start(self, timeout: float = 10.0) -> str:  # float ok: time
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        config = uvicorn.Config(self._app, log_level="warning", access_log=False, lifespan="off")
        self._server = _QuietServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        try:
            await self._wait_started(timeout)
        except BaseException:
            self._task.cancel()
            sock.close()
            self._server, self._task = None, None
            raise
        self._url = f"http://{self._host}:{sock.getsockname()[1]}"
        log.info("callback server started", url=self._url)
        return self._url

    async def _wait_started(self, timeout: float) -> None:  # float ok: time
        assert self._server is not None and self._task is not None
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("callback server exited during startup")
            if time.monotonic() > deadline:
                raise TimeoutError(f"callback server not started within {timeout}s")
            await asyncio.sleep(0.02)

    async def stop(self, timeout: float = 10.0) -> None:  # float ok: time
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(self._task, timeout)
        finally:
            self._server, self._task, self._url = None, None, None

    async def __aenter__(self) -> CallbackServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


async def _healthz() -> dict[str, str]:
    return {"status": "ok"}
