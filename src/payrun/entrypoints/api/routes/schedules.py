"""/v1/schedules/{name}: read, pause and resume (admin) a pay calendar or the redrive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool

from payrun.domain.errors import InvalidInput
from payrun.entrypoints.api.deps import Admin, Context, Temporal, Viewer
from payrun.entrypoints.api.problems import Problem
from payrun.entrypoints.api.schemas import Public, Strict, Text
from payrun.services import calendar_runs
from payrun.services.api_keys import Principal

router = APIRouter(prefix="/v1/schedules", tags=["schedules"])
REDRIVE = "redrive"
Name = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class ScheduleOut(Public):
    name: str
    paused: bool


class PauseIn(Strict):
    note: Text | None = None


def _state(db_url: str, name: str) -> ScheduleOut:
    if name == REDRIVE:
        return ScheduleOut(name=name, paused=False)
    calendar = calendar_runs.calendar(db_url, name)
    return ScheduleOut(name=calendar.name, paused=calendar.paused)


async def _known(ctx: Context, name: str, who: Principal) -> ScheduleOut:
    """Schedules pay every employer on them: keys limited to some employers see none."""
    if who.employer_ids is not None:
        raise Problem(404, "not_found", f"no schedule {name}")
    try:
        return await run_in_threadpool(_state, ctx.db_url, name)
    except InvalidInput:
        raise Problem(404, "not_found", f"no schedule {name}") from None


@router.get("/{name}")
async def get_schedule(name: Name, who: Viewer, ctx: Context) -> ScheduleOut:
    return await _known(ctx, name, who)


@router.post("/{name}/pause")
async def pause(
    name: Name, who: Admin, ctx: Context, temporal: Temporal, body: PauseIn | None = None
) -> ScheduleOut:
    await _known(ctx, name, who)
    await temporal.pause(name, body.note if body else None)
    return ScheduleOut(name=name, paused=True) if name == REDRIVE else await _known(ctx, name, who)


@router.post("/{name}/resume")
async def resume(name: Name, who: Admin, ctx: Context, temporal: Temporal) -> ScheduleOut:
    await _known(ctx, name, who)
    await temporal.resume(name)
    return ScheduleOut(name=name, paused=False) if name == REDRIVE else await _known(ctx, name, who)
