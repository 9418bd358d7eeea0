"""Time-entry simulator: answers hours-worked requests later, by callback, from the payroll DB.

Run: python -m payrun_sims.timeentry --port N --database-url URL [--delay S] [--mode ...]
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import structlog
import uvicorn
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import Date, Engine, Integer, bindparam, create_engine, text

from payrun_sims.common import (
    Behaviour,
    CallbackSender,
    base_arguments,
    behaviour_router,
    callback_secret,
    configure_logging,
    work_with_heartbeats,
)

log = structlog.get_logger(__name__)
HUNDREDTH = Decimal("0.01")

HOURS_QUERY = (
    text(
        "SELECT employee_id, work_date, SUM(hours_hundredths) AS hundredths"
        " FROM time_entries"
        " WHERE employee_id IN :employee_ids AND work_date BETWEEN :period_start AND :period_end"
        " GROUP BY employee_id, work_date ORDER BY employee_id, work_date"
    )
    .bindparams(
        bindparam("employee_ids", expanding=True),
        bindparam("period_start", type_=Date()),
        bindparam("period_end", type_=Date()),
    )
    .columns(employee_id=Integer(), work_date=Date(), hundredths=Integer())
)


class TimesheetRequest(BaseModel):
    request_id: str = Field(min_length=1, max_length=200)
    employer_id: int
    period_start: date
    period_end: date
    employee_ids: list[int] = Field(max_length=100_000)
    callback_url: str | None = None
    callback_token_b64: str | None = None

    @model_validator(mode="after")
    def _period_in_order(self) -> TimesheetRequest:
        if self.period_end < self.period_start:
            raise ValueError("period_end: before period_start")
        return self

    def same_question(self, other: TimesheetRequest) -> bool:
        keys = {"employer_id", "period_start", "period_end", "employee_ids"}
        return self.model_dump(include=keys) == other.model_dump(include=keys)


def format_hours(hundredths: int) -> str:
    """Hours as an exact two-decimal string: 800 -> "8.00"."""
    return str((Decimal(hundredths) / 100).quantize(HUNDREDTH))


def read_hours(engine: Engine, request: TimesheetRequest) -> dict[str, dict[str, str]]:
    """{employee_id: {YYYY-MM-DD: "8.00"}}; every requested employee appears, even with none."""
    hours: dict[str, dict[str, str]] = {str(e): {} for e in request.employee_ids}
    if not request.employee_ids:
        return hours
    params = {
        "employee_ids": request.employee_ids,
        "period_start": request.period_start,
        "period_end": request.period_end,
    }
    with engine.connect() as conn:
        for row in conn.execute(HOURS_QUERY, params):
            hours[str(row.employee_id)][row.work_date.isoformat()] = format_hours(row.hundredths)
    return hours


@dataclass
class Pending:
    request: TimesheetRequest
    outcome: dict[str, Any] | None = None


class TimeEntrySimulator:
    """Keeps requests in memory (answers are re-readable) and answers each by callback."""

    def __init__(self, engine: Engine, behaviour: Behaviour, sender: CallbackSender) -> None:
        self.engine, self.behaviour, self.sender = engine, behaviour, sender
        self.requests: dict[str, Pending] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def submit(self, request: TimesheetRequest) -> bool:
        """Take a request; True if it is a duplicate of one already taken."""
        known = self.requests.get(request.request_id)
        if known is not None and not known.request.same_question(request):
            raise HTTPException(409, "request_id: reused with a different question")
        if known is not None:
            known.request = request  # its callback token is the one to answer now
        else:
            self.requests[request.request_id] = Pending(request)
        busy = request.request_id in self._tasks
        if not busy and (self.behaviour.mode != "never" or (known and known.outcome)):
            self._spawn(request.request_id, self._answer(request.request_id, self.behaviour.mode))
        return known is not None

    async def shutdown(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def _spawn(self, request_id: str, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks[request_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(request_id, None))

    async def _answer(self, request_id: str, mode: str) -> None:
        pending = self.requests[request_id]
        if pending.outcome is None:
            await work_with_heartbeats(
                self.behaviour.delay,
                self.behaviour.heartbeat_interval,
                lambda: self._heartbeat(pending),
            )
            pending.outcome = await self._outcome(pending.request, mode)
        request = pending.request
        if request.callback_url and request.callback_token_b64:
            payload = {"token_b64": request.callback_token_b64, **pending.outcome}
            answer = await self.sender.send(request.callback_url, payload)
            log.info("hours delivered", request_id=request_id, answer=(answer or {}).get("status"))

    async def _outcome(self, request: TimesheetRequest, mode: str) -> dict[str, Any]:
        if mode == "reject":
            return {
                "outcome": "failed",
                "error_type": "downstream_rejection",
                "message": f"time entry request {request.request_id} rejected",
            }
        hours = await asyncio.to_thread(read_hours, self.engine, request)
        return {
            "outcome": "completed",
            "result": {"request_id": request.request_id, "hours": hours},
        }

    async def _heartbeat(self, pending: Pending) -> None:
        request = pending.request
        if request.callback_url and request.callback_token_b64:
            await self.sender.heartbeat(
                request.callback_url,
                request.callback_token_b64,
                {"request_id": request.request_id, "status": "working"},
            )


def create_app(database_url: str, behaviour: Behaviour, secret: str) -> FastAPI:
    """The time-entry HTTP API reading the payroll database at database_url."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(database_url, pool_pre_ping=True)
        sender = CallbackSender(secret)
        app.state.sim = TimeEntrySimulator(engine, behaviour, sender)
        yield
        await app.state.sim.shutdown()
        await sender.aclose()
        engine.dispose()

    app = FastAPI(title="time entry simulator", lifespan=lifespan)
    app.include_router(behaviour_router(behaviour))

    @app.post("/v1/timesheet-requests", status_code=202)
    async def request_timesheets(body: TimesheetRequest) -> Any:
        if behaviour.mode == "fail":
            return JSONResponse({"detail": "time entry unavailable"}, status_code=503)
        duplicate = app.state.sim.submit(body)
        return {"request_id": body.request_id, "duplicate": duplicate}

    @app.get("/v1/timesheet-requests/{request_id}")
    async def get_request(request_id: str) -> dict[str, Any]:
        pending = app.state.sim.requests.get(request_id)
        if pending is None:
            raise HTTPException(404, "no such request_id")
        return {"request_id": request_id, "outcome": pending.outcome}

    return app


def main(argv: list[str] | None = None) -> None:
    parser = base_arguments("Time-entry simulator: hours worked, answered by callback")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PAYRUN_DATABASE_URL"),
        help="SQLAlchemy URL of the payroll database (default: $PAYRUN_DATABASE_URL)",
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url or PAYRUN_DATABASE_URL is required")
    configure_logging()
    behaviour = Behaviour(args.mode, args.delay, args.heartbeat_interval)
    app = create_app(args.database_url, behaviour, callback_secret(args))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
