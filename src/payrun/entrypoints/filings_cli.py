"""`payrun filings`: list, show and retry tax deposits and returns; relay; run the worker."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from payrun.filings import statuses
from payrun.filings.config import FilingsSettings
from payrun.filings.store import FilingsStore

filings_app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
console = Console()


def _store() -> FilingsStore:
    return FilingsStore(FilingsSettings().db_url)


@filings_app.command("list")
def list_command(
    employer: Annotated[int | None, typer.Option(help="only this employer")] = None,
    status: Annotated[
        str | None, typer.Option(help="pending|blocked|submitted|filed|rejected")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
) -> None:
    """Deposits and returns, by due date."""
    rows = statuses.list_filings(_store(), employer, status)
    if as_json:
        typer.echo(json.dumps({"items": rows}, indent=2))
        return
    table = Table("id", "type", "period", "due", "status", "amount", "ack / reason")
    for row in rows:
        note = row["ack_id"] or "; ".join(r["reason"] for r in row["reasons"]) or ""
        table.add_row(
            row["id"], row["type"], row["period"], row["due"], row["status"], row["amount"], note
        )
    console.print(table)


@filings_app.command("show")
def show_command(
    filing_id: Annotated[str, typer.Argument(help="the filing id (see list)")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text")] = False,
) -> None:
    """One filing: its lines by form number, liabilities, DE 9C lines and status history."""
    shown = statuses.show(_store(), filing_id)
    if as_json:
        typer.echo(json.dumps(shown, indent=2))
        return
    head = f"{shown['type']} {shown['period']} due {shown['due']}: {shown['status']}"
    console.print(f"[bold]{shown['id']}[/bold] {head}")
    for line, amount in shown["lines"].items():
        console.print(f"  line {line:>9}  {amount:>14}")
    for entry in shown["history"]:
        note = entry.get("ack_id") or entry.get("reason") or ""
        console.print(f"  {entry['at']}  {entry['status']}  {note}")


@filings_app.command("retry")
def retry_command(
    filing_id: Annotated[str, typer.Argument(help="a blocked or rejected filing")],
) -> None:
    """After a correction: reconcile (returns) and transmit again."""
    item = statuses.filing(_store(), filing_id)
    if item["status"] not in ("blocked", "rejected"):
        typer.echo(
            f"error: {filing_id} is {item['status']}; only blocked or rejected retry", err=True
        )
        raise typer.Exit(2)
    _with_client(lambda client: _signal_retry(client, filing_id))
    console.print(f"{filing_id}: retry requested")


async def _signal_retry(client: Any, filing_id: str) -> None:
    from payrun.filings.messages import workflow_id

    await client.get_workflow_handle(workflow_id(filing_id)).signal("retry")


@filings_app.command("close-quarter")
def close_quarter_command(
    year: Annotated[int | None, typer.Option(help="default: the last quarter that ended")] = None,
    quarter: Annotated[int | None, typer.Option(min=1, max=4)] = None,
    employer: Annotated[int | None, typer.Option(help="one employer (default: all paid)")] = None,
) -> None:
    """File a quarter's returns (941, DE 9, and 940 after the fourth) for the employers paid in
    it, when no pay run in a later quarter has closed it; then relay the events."""
    from datetime import date

    from payrun.config import get_settings
    from payrun.filings.rules.calendar import quarter_end, quarter_of
    from payrun.services.context import utc_now
    from payrun.services.filing_events import close_quarter

    today = date.today()
    if (year is None) != (quarter is None):
        raise typer.BadParameter("give --year and --quarter together", param_hint="--quarter")
    if year is None or quarter is None:
        last = date(today.year, 3 * quarter_of(today) - 2, 1).toordinal() - 1
        year, quarter = date.fromordinal(last).year, quarter_of(date.fromordinal(last))
    if not 2000 <= year <= 2100:
        raise typer.BadParameter(f"{year} is not a payroll year", param_hint="--year")
    if quarter_end(year, quarter) >= today:
        raise typer.BadParameter(f"{year} Q{quarter} has not ended yet", param_hint="--quarter")
    closed = close_quarter(get_settings().db_url, year, quarter, utc_now(), employer)
    console.print(f"{year} Q{quarter} closed for {closed} employers (already closed: not again)")
    relay_command()


@filings_app.command("relay")
def relay_command() -> None:
    """Hand payroll's undelivered filing events to the filings service."""
    from payrun.config import get_settings
    from payrun.services.context import utc_now
    from payrun.services.filing_events import deliver_pending

    db_url = get_settings().db_url

    async def relay(client: Any) -> int:
        from payrun.workflows.filings_publisher import TemporalFilingsPublisher

        publisher = TemporalFilingsPublisher(
            client, asyncio.get_running_loop(), FilingsSettings().task_queue
        )
        return await asyncio.to_thread(deliver_pending, db_url, publisher, utc_now())

    console.print(f"delivered {_with_client(relay)} events")


@filings_app.command("worker")
def worker_command() -> None:
    """Run the filings worker (its own task queue) until interrupted; with PAYRUN_METRICS_PORT
    it serves /metrics (filing updates, items sent to agencies, latency per activity)."""
    from payrun.adapters.metrics import serve_metrics
    from payrun.config import get_settings
    from payrun.filings.workflows.worker import filings_worker

    settings = get_settings()
    if settings.metrics_port is not None:
        port = serve_metrics(settings.metrics_port, None, settings.metrics_host)
        console.print(f"metrics on http://{settings.metrics_host}:{port}/metrics")

    async def run(client: Any) -> None:
        from payrun.adapters.observe import MetricsInterceptor

        async with filings_worker(client, FilingsSettings(), interceptors=[MetricsInterceptor()]):
            await asyncio.Event().wait()

    _with_client(run)


def _with_client(call: Any) -> Any:
    from payrun.config import get_settings
    from payrun.entrypoints.runner import temporal_client

    async def go() -> Any:
        async with temporal_client(get_settings()) as client:
            return await call(client)

    return asyncio.run(go())
