"""Running pay runs from the command line: follow each with a progress bar, then the summary."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from payrun.config import Settings
from payrun.domain.errors import InvalidInput
from payrun.services.messages import RunSummary

# Piped output (CI logs, `| tee`) gets room for the summary table instead of rich's 80 columns.
console = Console() if sys.stdout.isatty() else Console(width=120)
err_console = Console(stderr=True)


def employee_counts(settings: Settings) -> tuple[int, int]:
    from sqlalchemy import func, select

    from payrun.adapters.db.engine import transaction
    from payrun.adapters.db.models import Employee, Employer

    with transaction(settings.db_url) as session:
        employers = session.scalar(select(func.count()).select_from(Employer)) or 0
        employees = session.scalar(select(func.count()).select_from(Employee)) or 0
        return employers, employees


def schedules_in_use(settings: Settings) -> list[str]:
    from sqlalchemy import select

    from payrun.adapters.db.engine import transaction
    from payrun.adapters.db.models import Employer, PaySchedule

    with transaction(settings.db_url) as session:
        used = select(Employer.schedule_id).distinct()
        query = select(PaySchedule.name).where(PaySchedule.id.in_(used)).order_by(PaySchedule.id)
        return list(session.scalars(query))


def first_period(settings: Settings, schedule: str) -> str:
    from sqlalchemy import select

    from payrun.adapters.db.engine import transaction
    from payrun.adapters.db.models import PayPeriod, PaySchedule

    with transaction(settings.db_url) as session:
        query = (
            select(PayPeriod.start_date)
            .join(PaySchedule, PaySchedule.id == PayPeriod.schedule_id)
            .where(PaySchedule.name == schedule)
            .order_by(PayPeriod.start_date)
            .limit(1)
        )
        first = session.scalar(query)
        if first is None:
            raise InvalidInput("schedule", f"{schedule} has no pay periods")
        return first.isoformat()


def run_all(settings: Settings, requests: list, worker: bool) -> list[tuple[RunSummary, float]]:  # type: ignore[type-arg]
    from payrun.entrypoints.runner import TemporalUnavailable, plan_run, prepare_database

    prepare_database(settings)
    plans = [plan_run(settings, r) for r in requests]  # every check before anything is written
    for request, plan in zip(requests, plans, strict=True):
        if request.period is None:  # say which period "the next unpaid" turned out to be
            console.print(f"starting the next unpaid period of {request.schedule}: {plan.run_id}")
    try:
        return asyncio.run(_execute(settings, plans, worker))
    except TemporalUnavailable as err:  # one line, never a traceback
        err_console.print(f"error: {err}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None


async def _execute(settings: Settings, plans: list, worker: bool) -> list[tuple[RunSummary, float]]:  # type: ignore[type-arg]
    from payrun.entrypoints.runner import follow, hosted_worker, start_run, temporal_client

    results = []
    async with temporal_client(settings) as client:
        host = hosted_worker(client, settings) if worker else _nothing()
        async with host:
            for plan in plans:
                started = time.monotonic()
                with _progress_bar(plan.run_id) as update:
                    handle = await start_run(client, settings, plan)
                    summary = await follow(
                        handle, update, settings.follow_give_up_seconds, _connection_notice
                    )
                    update(
                        {
                            "employers_total": summary.employers,
                            "employers_done": summary.employers,
                            "paychecks_created": summary.paychecks_created,
                        }
                    )
                results.append((summary, time.monotonic() - started))
    return results


def _connection_notice(connected: bool) -> None:
    if connected:
        console.print("Temporal answers again; following the run")
    else:
        console.print("Temporal unreachable; the run goes on there, reconnecting")


class _nothing:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *_exc: object) -> None:
        return None


class _progress_bar:
    def __init__(self, run_id: str) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("employers · {task.fields[paychecks]} paychecks"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task = self.progress.add_task(run_id, total=None, paychecks=0)

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.progress.start()

        def update(state: dict[str, int]) -> None:
            self.progress.update(
                self.task,
                total=state.get("employers_total") or None,
                completed=state.get("employers_done", 0),
                paychecks=state.get("paychecks_created", 0),
            )

        return update

    def __exit__(self, *_exc: object) -> None:
        self.progress.stop()


def _run_label(run_id: str) -> str:
    """payrun-biweekly-2025-12-28-regular -> 'biweekly\n2025-12-28' (kind shown if not regular)."""
    body = run_id.removeprefix("payrun-")
    schedule, rest = body.split("-", 1)
    period, kind = rest[:10], rest[11:]
    return f"{schedule}\n{period}" + ("" if kind == "regular" else f"\n{kind}")


def _money(cents: int) -> str:
    return f"{cents / 100:,.2f}"  # float ok: display only, the amounts are exact integer cents


def print_summary(settings: Settings, summaries: list[tuple[RunSummary, float]]) -> None:
    """One column per run (and a total): fits a terminal however many metrics there are."""
    table = Table(title="Pay run summary", title_justify="left")
    table.add_column("", no_wrap=True)
    runs = [(_run_label(s.run_id), s, wall) for s, wall in summaries]
    for label, _, _ in runs:
        table.add_column(label, justify="right", no_wrap=True)
    if len(runs) > 1:
        table.add_column("total", justify="right", style="bold", no_wrap=True)

    def row(name: str, value: Callable[[RunSummary, float], str], total: str) -> None:
        cells = [value(s, wall) for _, s, wall in runs]
        table.add_row(name, *cells, *([total] if len(runs) > 1 else []))

    def total_of(attr: str) -> int:
        return sum(getattr(s, attr) for s, _ in summaries)

    wall_total = sum(w for _, w in summaries)
    created = total_of("paychecks_created")
    paid = total_of("employers") - total_of("employers_failed")
    row(
        "employers paid",
        lambda s, _: f"{s.employers - s.employers_failed}/{s.employers}",
        f"{paid}/{total_of('employers')}",
    )
    row("new paychecks", lambda s, _: f"{s.paychecks_created:,}", f"{created:,}")
    row("already paid", lambda s, _: f"{s.already_paid:,}", f"{total_of('already_paid'):,}")
    row(
        "failed employees",
        lambda s, _: f"{s.failed_employees:,}",
        f"{total_of('failed_employees'):,}",
    )
    for name, attr in (
        ("gross pay", "gross_cents"),
        ("employee taxes", "employee_taxes_cents"),
        ("employer taxes", "employer_taxes_cents"),
        ("deductions", "deductions_cents"),
        ("net pay", "net_cents"),
    ):
        row(name, lambda s, _, a=attr: _money(getattr(s, a)), _money(total_of(attr)))
    row("wall time (s)", lambda _, w: f"{w:.1f}", f"{wall_total:.1f}")
    row(
        "paychecks/s",
        lambda s, w: f"{s.paychecks_created / w if w else 0:,.0f}",
        f"{created / wall_total if wall_total else 0:,.0f}",
    )
    console.print(table)
    console.print(
        "Amounts are the run's live paychecks in dollars; gross - employee taxes - "
        "deductions = net pay for every paycheck."
    )
    created = sum(s.paychecks_created for s, _ in summaries)
    if created == 0:
        console.print(
            "[yellow]Nothing new was paid: 0 new paychecks — every employee of these "
            "periods already has one.[/]"
        )
    for s, _ in summaries:
        for path in s.nacha_files:
            console.print(
                f"NACHA file: {path} (object store {settings.snapshot_url})", soft_wrap=True
            )
    if settings.embedded_temporal:
        console.print(
            f"Temporal UI: http://127.0.0.1:{settings.temporal_ui_port} "
            "(open while `payrun server` runs)",
            soft_wrap=True,
        )
