"""What the simulators share: behaviour modes, signed callbacks with heartbeats, a CLI."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import structlog
from fastapi import APIRouter
from pydantic import BaseModel, Field

from payrun.adapters.callbacks import SECRET_ENV, SIGNATURE_HEADER, sign_body

log = structlog.get_logger(__name__)

Mode = Literal["ok", "fail", "reject", "never"]
MODES: tuple[str, ...] = ("ok", "fail", "reject", "never")
CALLBACK_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
CALLBACK_ATTEMPTS = 6


@dataclass
class Behaviour:
    """How the simulator answers right now; tests change it through /admin/behaviour."""

    mode: str = "ok"
    delay: float = 0.0  # float ok: time
    heartbeat_interval: float = 1.0  # float ok: time


class BehaviourUpdate(BaseModel):
    mode: Mode | None = None
    delay: float | None = Field(default=None, ge=0, le=3600)  # float ok: time


def behaviour_router(behaviour: Behaviour) -> APIRouter:
    """`GET|POST /admin/behaviour` and `GET /healthz`."""
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "mode": behaviour.mode}

    @router.get("/admin/behaviour")
    async def get_behaviour() -> dict[str, Any]:
        return {"mode": behaviour.mode, "delay": behaviour.delay}

    @router.post("/admin/behaviour")
    async def set_behaviour(update: BehaviourUpdate) -> dict[str, Any]:
        if update.mode is not None:
            behaviour.mode = update.mode
        if update.delay is not None:
            behaviour.delay = update.delay
        log.info("behaviour changed", mode=behaviour.mode, delay=behaviour.delay)
        return {"mode": behaviour.mode, "delay": behaviour.delay}

    return router


class CallbackSender:
    """POSTs signed callbacks; retries connection errors and 5xx with backoff (bounded)."""

    def __init__(self, secret: str, attempts: int = CALLBACK_ATTEMPTS) -> None:
        self._secret = secret
        self._attempts = attempts
        self._http = httpx.AsyncClient(timeout=CALLBACK_TIMEOUT)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, url: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The receiver's JSON answer, or None if it could not be reached in time."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        for attempt in range(1, self._attempts + 1):
            answer = await self._post_once(url, body)
            if answer is not None:
                return answer
            await asyncio.sleep(min(0.25 * 2**attempt, 4.0) * random.uniform(0.8, 1.2))
        log.warning("callback undelivered", url=url, outcome=payload.get("outcome"))
        return None

    async def heartbeat(self, url: str, token_b64: str, details: dict[str, Any]) -> None:
        """One heartbeat, one attempt: a lost heartbeat is made up by the next one."""
        payload = {"token_b64": token_b64, "outcome": "heartbeat", "details": details}
        await self._post_once(url, json.dumps(payload, separators=(",", ":")).encode())

    async def _post_once(self, url: str, body: bytes) -> dict[str, Any] | None:
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign_body(self._secret, body),
        }
        try:
            response = await self._http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.info("callback attempt failed", url=url, error=type(exc).__name__)
            return None
        if response.status_code >= 500:
            return None
        if response.status_code >= 400:
            log.warning("callback refused", url=url, status=response.status_code)
            return {"status": f"refused {response.status_code}"}
        return dict(response.json())


async def work_with_heartbeats(
    delay: float,  # float ok: time
    interval: float,  # float ok: time
    heartbeat: Callable[[], Awaitable[None]],  # float ok: time
) -> None:
    """Sleep `delay` seconds, calling heartbeat() first and then every `interval` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + delay
    while (remaining := deadline - loop.time()) > 0:
        await heartbeat()
        await asyncio.sleep(min(interval, remaining))


def base_arguments(description: str) -> argparse.ArgumentParser:
    """The command-line options every simulator takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before answering")
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument("--heartbeat-interval", type=float, default=1.0)
    parser.add_argument(
        "--callback-secret",
        default=None,
        help=f"HMAC secret for callbacks (default: ${SECRET_ENV})",
    )
    return parser


def callback_secret(args: argparse.Namespace) -> str:
    secret = args.callback_secret or os.environ.get(SECRET_ENV, "")
    if not secret:
        raise SystemExit(f"--callback-secret or {SECRET_ENV} is required")
    return secret


def configure_logging() -> None:
    level = getattr(logging, os.environ.get("PAYRUN_LOG_LEVEL", "INFO").upper(), logging.INFO)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(level))
