"""Temporal Schedules for the pay calendars (one per pay schedule) and the dead-letter redrive."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleBackfill,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from payrun.domain.errors import InvalidInput
from payrun.services import calendar_runs
from payrun.services.redrive import ERROR_TYPES
from payrun.workflows.scheduled import (
    RETRYABLE_ERROR_TYPES,
    ScheduledPayRunsWorkflow,
    ScheduledRedriveInput,
    ScheduledRedriveWorkflow,
    ScheduledRunsInput,
)

REDRIVE = "redrive"  # pause/resume name of the redrive schedule
REDRIVE_ID = "payroll-redrive"


@dataclass(frozen=True)
class ScheduleOptions:
    hour_utc: int = 6  # each pay calendar's daily action
    lead_days: int = 2
    redrive_every_minutes: int = 30
    redrive_error_types: tuple[str, ...] = RETRYABLE_ERROR_TYPES
    chunk_size: int = 500
    employer_parallelism: int = 8
    catch_up_from: date | None = None  # periods paid before it are not started (sync's day)


@dataclass(frozen=True)
class ScheduleView:
    id: str
    paused: bool
    note: str | None = None
    next_runs: list[datetime] = field(default_factory=list)
    synced: bool = True  # False: in the database, not (yet) on Temporal


def schedule_id(name: str) -> str:
    return REDRIVE_ID if name == REDRIVE else f"payroll-{name}"


async def sync_schedules(
    client: Client, db_url: str, task_queue: str, options: ScheduleOptions | None = None
) -> list[str]:
    """Create or update one Schedule per pay schedule in the database, plus the redrive; the
    database's paused flag wins. Returns the schedule ids."""
    options = options or ScheduleOptions()
    _check(options)
    ids = []
    for cal in calendar_runs.calendars(db_url):
        schedule = _pay_schedule(cal, task_queue, options)
        ids.append(await _upsert(client, schedule_id(cal.name), schedule))
    ids.append(await _upsert(client, REDRIVE_ID, _redrive_schedule(task_queue, options)))
    return ids


def _check(options: ScheduleOptions) -> None:
    if not 0 <= options.hour_utc <= 23:
        raise InvalidInput("hour_utc", f"must be 0 to 23, not {options.hour_utc}")
    if options.lead_days < 0:
        raise InvalidInput("lead_days", f"must be 0 or more, not {options.lead_days}")
    if options.redrive_every_minutes < 1:
        raise InvalidInput("redrive_every_minutes", "must be at least 1")
    for error_type in options.redrive_error_types:
        if error_type not in ERROR_TYPES:
            raise InvalidInput("redrive_error_types", f"unknown error type {error_type!r}")


def _pay_schedule(
    cal: calendar_runs.CalendarState, task_queue: str, options: ScheduleOptions
) -> Schedule:
    cutoff = options.catch_up_from.isoformat() if options.catch_up_from else None
    inp = ScheduledRunsInput(
        cal.name,
        options.lead_days,
        options.chunk_size,
        options.employer_parallelism,
        not_before=cutoff,
    )
    daily = ScheduleCalendarSpec(hour=[ScheduleRange(options.hour_utc)], comment="daily")
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ScheduledPayRunsWorkflow.run, inp, id=f"scheduled-{cal.name}", task_queue=task_queue
        ),
        spec=ScheduleSpec(calendars=[daily]),
        # BUFFER_ONE: never two at once, and a day that falls while a long run is still going
        # runs right after it (SKIP would wait for the next day). One buffered action is enough:
        # each action runs every period due by its time, so it covers the days dropped before it.
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.BUFFER_ONE, catchup_window=timedelta(days=1)
        ),
        state=ScheduleState(paused=cal.paused, note="paused in payrun" if cal.paused else None),
    )


def _redrive_schedule(task_queue: str, options: ScheduleOptions) -> Schedule:
    inp = ScheduledRedriveInput(list(options.redrive_error_types), options.chunk_size)
    every = timedelta(minutes=options.redrive_every_minutes)
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ScheduledRedriveWorkflow.run, inp, id="scheduled-redrive", task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        # SKIP: a redrive still going has the same open dead letters in hand.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=every),
    )


async def _upsert(client: Client, sid: str, schedule: Schedule) -> str:
    try:
        await client.create_schedule(sid, schedule)
        return sid
    except ScheduleAlreadyRunningError:
        pass

    wanted = schedule.state

    def replace(current: ScheduleUpdateInput) -> ScheduleUpdate:
        kept = dataclasses.replace(schedule, state=current.description.schedule.state)
        return ScheduleUpdate(schedule=kept)  # the paused state is set apart, below

    handle = client.get_schedule_handle(sid)
    await handle.update(replace)
    if (await handle.describe()).schedule.state.paused != wanted.paused:
        await _set_paused(client, sid, wanted.paused, wanted.note)
    return sid


async def pause_schedule(client: Client, db_url: str, name: str, note: str | None = None) -> None:
    """Pause a pay calendar: first in the database (a run already going stops before its next
    period), then on Temporal (no more actions)."""
    if name != REDRIVE:
        calendar_runs.set_paused(db_url, name, True)
    await _set_paused(client, schedule_id(name), True, note or "paused in payrun")


async def resume_schedule(client: Client, db_url: str, name: str, note: str | None = None) -> None:
    if name != REDRIVE:
        calendar_runs.calendar(db_url, name)  # unknown -> InvalidInput before anything changes
    await _set_paused(client, schedule_id(name), False, note or "resumed in payrun")
    if name != REDRIVE:
        calendar_runs.set_paused(db_url, name, False)


async def _set_paused(client: Client, sid: str, paused: bool, note: str | None) -> None:
    handle = client.get_schedule_handle(sid)
    try:
        await (handle.pause(note=note) if paused else handle.unpause(note=note))
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        raise _not_synced(sid) from None


async def backfill_schedule(client: Client, db_url: str, name: str, start: date, end: date) -> None:
    """Take the actions of the days start..end (both included) now, one after the other; each
    runs the periods due on its own day."""
    if end < start:
        raise InvalidInput("end", f"{end} is before start {start}")
    if calendar_runs.calendar(db_url, name).paused:
        raise InvalidInput("schedule", f"{name} is paused: resume it first")
    window = ScheduleBackfill(
        start_at=datetime.combine(start, time.min, UTC) - timedelta(seconds=1),  # exclusive
        end_at=datetime.combine(end, time(23, 59, 59), UTC),  # inclusive
        overlap=ScheduleOverlapPolicy.BUFFER_ALL,  # every day, in order, never two at once
    )
    sid = schedule_id(name)
    try:
        await client.get_schedule_handle(sid).backfill(window)
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        raise _not_synced(sid) from None


async def list_schedules(client: Client, db_url: str) -> list[ScheduleView]:
    """Every schedule payrun manages, as Temporal describes it now (describe, not the
    eventually consistent list)."""
    views = []
    names = [cal.name for cal in calendar_runs.calendars(db_url)] + [REDRIVE]
    for name in names:
        try:
            found = await client.get_schedule_handle(schedule_id(name)).describe()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            views.append(ScheduleView(schedule_id(name), False, synced=False))
            continue
        state = found.schedule.state
        views.append(
            ScheduleView(found.id, state.paused, state.note, list(found.info.next_action_times))
        )
    return views


def _not_synced(sid: str) -> InvalidInput:
    return InvalidInput("schedule", f"{sid} is not on Temporal: run `payrun schedules sync`")
