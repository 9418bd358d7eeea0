"""Liveness and readiness: /healthz (the process answers), /readyz (database and Temporal)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from payrun.adapters.db.health import database_reachable
from payrun.entrypoints.api.problems import Problem

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> dict[str, str]:
    state = request.app.state
    if not await run_in_threadpool(database_reachable, state.settings.db_url):
        raise Problem(503, "database_unreachable", "the database does not answer")
    if not await state.temporal.reachable():
        raise Problem(503, "temporal_unreachable", "Temporal does not answer")
    return {"status": "ready"}
