"""`payrun schedules`: the Temporal Schedules that run the pay calendars and the redrive."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from temporalio.client import Client

from payrun.config import Settings, get_settings
from payrun.domain.errors import InvalidInput

schedules_app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
console = Console()
T = TypeVar("T")


def _with_client(settings: Settings, call: Callable[[Client], Awaitable[T]]) -> T:
    from payrun.entrypoints.runner import temporal_client

    async def go() -> T:
        async with temporal_client(settings) as client:
            return await call(client)

    return asyncio.run(go())


def _prepared() -> Settings:
    from payrun.entrypoints.runner import prepare_database

    settings = get_settings()
    prepare_database(settings)
    return settings


def _known(settings: Settings, name: str) -> None:
    """Refuse an unknown name before connecting to Temporal."""
    from payrun.entrypoints.schedules import REDRIVE
    from payrun.services.calendar_runs import calendar

    if name != REDRIVE:
        calendar(settings.db_url, name)


def _today() -> date:
    """Today in UTC: the default catch-up cutoff (backfill runs earlier periods on purpose)."""
    from datetime import UTC, datetime

    return datetime.now(UTC).date()


def _within(option: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InvalidInput(option, f"must be from {low} to {high}, got {value}")


def _day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(option, f"must be a date YYYY-MM-DD, not {value!r}") from None


@schedules_app.command()
def sync(
    hour: Annotated[int, typer.Option(help="hour (UTC) of each calendar's daily action")] = 6,
    lead_days: Annotated[int, typer.Option(help="run a period this many days before pay")] = 2,
    redrive_every: Annotated[int, typer.Option(help="minutes between redrives")] = 30,
    catch_up_from: Annotated[
        str | None,
        typer.Option(help="start no period paid before this day (YYYY-MM-DD); default today"),
    ] = None,
) -> None:
    """Create or update one schedule per pay schedule, plus the redrive."""
    from payrun.entrypoints.schedules import ScheduleOptions, sync_schedules

    _within("--hour", hour, 0, 23)
    _within("--lead-days", lead_days, 0, 60)
    _within("--redrive-every", redrive_every, 1, 24 * 60)
    settings = _prepared()
    options = ScheduleOptions(
        hour_utc=hour,
        lead_days=lead_days,
        redrive_every_minutes=redrive_every,
        catch_up_from=_day("--catch-up-from", catch_up_from) if catch_up_from else _today(),
        chunk_size=settings.chunk_size,
        employer_parallelism=settings.employer_parallelism,
    )
    ids = _with_client(
        settings, lambda c: sync_schedules(c, settings.db_url, settings.task_queue, options)
    )
    console.print(f"synced {len(ids)} schedules: {', '.join(ids)}")


@schedules_app.command("list")
def list_(
    count: Annotated[int, typer.Option(help="next run times to show")] = 3,
) -> None:
    """Show each schedule: paused or not, and its next run times (UTC)."""
    from payrun.entrypoints.schedules import list_schedules

    _within("--count", count, 1, 100)
    settings = _prepared()
    views = _with_client(settings, lambda c: list_schedules(c, settings.db_url))
    table = Table(title="Schedules", title_justify="left")
    for name in ("id", "paused", "next runs (UTC)", "note"):
        table.add_column(name)
    for v in views:
        runs = ", ".join(t.strftime("%Y-%m-%d %H:%M") for t in v.next_runs[:count])
        paused = "not synced" if not v.synced else ("yes" if v.paused else "no")
        table.add_row(v.id, paused, runs or "-", v.note or "")
    console.print(table)


@schedules_app.command()
def pause(
    name: Annotated[str, typer.Argument(help="pay schedule name, or 'redrive'")],
    note: Annotated[str | None, typer.Option(help="why (shown by list)")] = None,
) -> None:
    """Pause a schedule: no more scheduled runs until it is resumed."""
    from payrun.entrypoints.schedules import pause_schedule

    settings = _prepared()
    _known(settings, name)
    _with_client(settings, lambda c: pause_schedule(c, settings.db_url, name, note))
    console.print(f"paused {name}")


@schedules_app.command()
def resume(name: Annotated[str, typer.Argument(help="pay schedule name, or 'redrive'")]) -> None:
    """Resume a paused schedule."""
    from payrun.entrypoints.schedules import resume_schedule

    settings = _prepared()
    _known(settings, name)
    _with_client(settings, lambda c: resume_schedule(c, settings.db_url, name))
    console.print(f"resumed {name}")


@schedules_app.command()
def backfill(
    name: Annotated[str, typer.Argument(help="pay schedule name")],
    start: Annotated[str, typer.Option(help="first day, YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="last day (included), YYYY-MM-DD")],
) -> None:
    """Take the schedule's actions of start..end now; each runs the periods due on its day."""
    from payrun.entrypoints.schedules import backfill_schedule
    from payrun.services.calendar_runs import calendar

    settings = _prepared()
    first, last = _day("--start", start), _day("--end", end)
    calendar(settings.db_url, name)
    _with_client(settings, lambda c: backfill_schedule(c, settings.db_url, name, first, last))
    console.print(f"backfill of {name} from {first} to {last} requested")
