"""The service's own WAF: request ids, security headers, body size, per-address rate limits,
request timeouts, a problem (never a stack trace) for anything unexpected, and the audit
record of every call that changes something.

Pure ASGI (no BaseHTTPMiddleware), so a request pays a few function calls for all of it.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
import structlog

from payrun.entrypoints.api import problems
from payrun.entrypoints.api.problems import Problem
from payrun.entrypoints.api.settings import ApiSettings
from payrun.entrypoints.api.throttle import Throttle
from payrun.services.audit import AuditEntry, record
from payrun.services.context import utc_now
from payrun.services.unit_of_work import UnitOfWork

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

log = structlog.get_logger("payrun.api")
_GOOD_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
# The console's pages load their own stylesheet and script, and nothing from elsewhere.
CONSOLE_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
     b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
    if name == b"content-security-policy" else (name, value)
    for name, value in SECURITY_HEADERS
]  # fmt: skip
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class _BodyTooLarge(Exception):
    pass


class Guard:
    """Outermost middleware; every HTTP request passes through `__call__` once."""

    def __init__(
        self,
        app: App,
        settings: ApiSettings,
        throttle: Throttle,
        unit_of_work: Callable[[], UnitOfWork],
    ) -> None:
        self.app, self.settings, self.throttle = app, settings, throttle
        self.unit_of_work = unit_of_work  # the context's: each audit record in its own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        started = {"status": 0}
        clock = time.perf_counter()
        headers = CONSOLE_HEADERS if scope["path"].startswith("/console") else SECURITY_HEADERS
        extra = [*headers, (b"x-request-id", request_id.encode())]
        if scope.get("scheme") == "https":
            extra.append(_HSTS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                started["status"] = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            # every log line of the request (its handlers' too) carries its id
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                await self._guarded(scope, receive, send_with_headers)
        except _BodyTooLarge:
            await self._problem(scope, send_with_headers, started, Problem(413))
        except TimeoutError:
            await self._problem(scope, send_with_headers, started, Problem(504))
        except Exception as error:  # the one place that turns any error into a 500
            log.error("unexpected error", error_type=type(error).__name__, request_id=request_id)
            await self._problem(scope, send_with_headers, started, Problem(500))
        await self._audit(scope, started["status"])
        _log_request(scope, started["status"], time.perf_counter() - clock)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _too_long(scope, self.settings.max_body_bytes):
            raise _BodyTooLarge
        if scope["path"].startswith("/v1"):
            address = (scope.get("client") or ("unknown", 0))[0]
            wait = self.throttle.hit("address", address)
            if wait:
                limited = Problem(
                    429,
                    "rate_limited",
                    "too many requests from this address",
                    headers={"retry-after": str(wait)},
                )
                await problems.response(limited, _rid(scope), scope["path"])(scope, receive, send)
                return
        body = receive
        if scope["method"] in _CHANGES and not _has_length(scope):
            body = await _buffered_receive(receive, self.settings.max_body_bytes)
        await asyncio.wait_for(
            self.app(scope, body, send), timeout=self.settings.request_timeout_seconds
        )

    async def _problem(
        self, scope: Scope, send: Send, started: dict[str, int], problem: Problem
    ) -> None:
        if started["status"]:
            return  # the response has begun; the connection is closed by the server

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await problems.response(problem, _rid(scope), scope["path"])(scope, no_body, send)

    async def _audit(self, scope: Scope, status: int) -> None:
        principal = scope.get("state", {}).get("principal")
        if scope["method"] not in _CHANGES or principal is None:
            return
        route = scope.get("route")
        template = getattr(route, "path", scope["path"])
        outcome = "ok" if 200 <= status < 400 else ("error" if status >= 500 else "rejected")
        entry = AuditEntry(
            actor=f"api-key:{principal.key_id}",
            action=f"{scope['method']} {template}",
            subject=scope["path"],
            outcome=outcome,
            request_id=_rid(scope),
            details={"status": status, **scope["state"].get("audit", {})},
        )
        await anyio.to_thread.run_sync(record, self.unit_of_work(), entry, utc_now())


def _log_request(scope: Scope, status: int, seconds: float) -> None:
    """One line per request: method, path (ids only, never a query string or body), status,
    time, request id and the key's id. Health probes only at DEBUG."""
    principal = scope.get("state", {}).get("principal")
    quiet = scope["path"] in ("/healthz", "/readyz")
    (log.debug if quiet else log.info)(
        "request",
        method=scope["method"],
        path=scope["path"],
        status=status,
        ms=round(seconds * 1000, 1),
        request_id=_rid(scope),
        key_id=None if principal is None else principal.key_id,
    )


def _rid(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", ""))


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _GOOD_REQUEST_ID.match(text):
                return text
    return uuid.uuid4().hex


def _too_long(scope: Scope, limit: int) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value) > limit
            except ValueError:
                return True
    return False


async def _buffered_receive(receive: Receive, limit: int) -> Receive:
    """A body sent without a length (chunked) is read here first, up to the limit, then
    handed on; past the limit the request ends as a 413 before any route sees it."""
    messages: list[Message] = []
    seen = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        seen += len(message.get("body", b""))
        if seen > limit:
            raise _BodyTooLarge
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


def _has_length(scope: Scope) -> bool:
    return any(name == b"content-length" for name, _ in scope.get("headers", []))
