"""The `payrun` command line (Typer)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from payrun.config import Settings, get_settings
from payrun.domain.errors import InvalidInput
from payrun.entrypoints.run_display import (
    employee_counts,
    first_period,
    print_summary,
    run_all,
    schedules_in_use,
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
# Piped output (CI logs, `| tee`) gets room for the summary table instead of rich's 80 columns.
console = Console() if sys.stdout.isatty() else Console(width=120)
err_console = Console(stderr=True)


_terminated = False


def _on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM (kill, systemd stop, a container runtime) unwinds like Ctrl-C: the worker
    drains and the embedded Temporal server this process started is stopped, not orphaned.
    It is turned into SIGINT, not raised as KeyboardInterrupt here: inside `asyncio.run` the
    runner's own SIGINT handler cancels the main task cleanly, where an exception thrown into
    the event loop's internals left a worker hanging for good."""
    global _terminated
    _terminated = True
    signal.raise_signal(signal.SIGINT)


def main() -> None:
    """The `payrun` process: run the command line, then leave."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    code = run_command_line()
    if "temporalio.bridge.temporal_sdk_bridge" in sys.modules:
        _leave_without_interpreter_teardown(code)
    sys.exit(code)


def run_command_line() -> int:
    """The command line in this process (sys.argv), answered as an exit status."""
    from payrun.logs import configure

    settings = get_settings()
    configure(settings.log_level, settings.secret_values(), settings.log_format)
    _register_subcommands()
    return _answer(app)


def _leave_without_interpreter_teardown(code: int) -> None:
    """Exit once the command has finished and closed what it opened, skipping CPython's
    teardown: the Temporal SDK's Rust threads can still call into Python while the
    interpreter finalizes, which aborts the process (SIGABRT, 'PyGILState_Release: thread
    state must be current', temporalio/sdk-python#300), about one stop in 30 here."""
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _answer(command: Callable[..., object]) -> int:
    """Run the command line; every bad input (a value Typer cannot parse, an unknown id the
    command refuses) is one line on stderr and exit status 2, never a traceback."""
    from typer.exceptions import TyperException  # Typer's own usage errors (vendored click)

    from payrun.entrypoints.runner import TemporalUnavailable

    try:
        code = command(standalone_mode=False)
    except (InvalidInput, TyperException) as err:
        text = err.format_message() if isinstance(err, TyperException) else str(err)
        print("error: " + " ".join(text.split()), file=sys.stderr)
        return 2
    except (typer.Abort, KeyboardInterrupt):
        return 143 if _terminated else 130
    except TemporalUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return code if isinstance(code, int) else 0


def _register_subcommands() -> None:
    from payrun.entrypoints import data_cli
    from payrun.entrypoints.ach_cli import ach_app
    from payrun.entrypoints.api_cli import api_app
    from payrun.entrypoints.calc_cli import calc_command
    from payrun.entrypoints.documents_cli import register as register_documents
    from payrun.entrypoints.employee_cli import import_command
    from payrun.entrypoints.filings_cli import filings_app
    from payrun.entrypoints.payments_cli import payments_app
    from payrun.entrypoints.recovery_cli import recovery_app
    from payrun.entrypoints.repay_cli import repay_app
    from payrun.entrypoints.schedules_cli import schedules_app
    from payrun.entrypoints.tables_cli import tables_app

    app.command("calc")(calc_command)
    app.add_typer(ach_app, name="ach", help="Build and check NACHA ACH files.")
    app.add_typer(schedules_app, name="schedules", help="Pay calendars on Temporal Schedules.")
    register_documents(app)  # payrun stub, payrun receipt
    app.add_typer(api_app)  # `payrun api` and `payrun keys`
    employee_app.command("import")(import_command)
    app.add_typer(tables_app, name="tables", help="Tax table figures and their sources.")
    data_cli.register(app)  # payrun secrets ..., payrun purge
    app.add_typer(filings_app, name="filings", help="Tax deposits and returns (issue 17).")
    app.add_typer(recovery_app, name="recovery", help="Returned funding debits: list, resolve.")
    app.add_typer(payments_app, name="payments", help="Payments in doubt: ask the provider.")
    app.add_typer(repay_app, name="repay", help="Re-pay a returned paycheck once.")


@app.command()
def seed(
    employers: Annotated[int, typer.Option(help="employers to create")] = 20,
    employees: Annotated[int, typer.Option(help="employees per employer")] = 50,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same data)")] = 2026,
) -> None:
    """Create deterministic, realistic demo employers, employees and time entries."""
    summary = _seed(get_settings(), employers, employees, seed)
    console.print(
        f"seeded {summary.employers} employers, {summary.employees} employees, "
        f"{summary.time_entries} time entries"
        if summary.created
        else "database already seeded"
    )


def _seed(settings: Settings, employers: int, employees: int, seed_value: int):  # type: ignore[no-untyped-def]
    from payrun.adapters.crypto import Vault
    from payrun.adapters.db.engine import migrate
    from payrun.services.seed import seed_demo

    if employers < 1:
        raise InvalidInput("--employers", "must be at least 1")
    if employees < 1:
        raise InvalidInput("--employees", "must be at least 1")
    migrate(settings.db_url)
    return seed_demo(
        settings.db_url,
        employers=employers,
        employees=employees,
        seed=seed_value,
        vault=Vault.for_settings(settings),
    )


employee_app = typer.Typer(no_args_is_help=True, help="Employees.")
app.add_typer(employee_app, name="employee")


@employee_app.command("add")
def employee_add(
    employer: Annotated[int, typer.Option(help="employer id")],
    from_file: Annotated[
        Path | None, typer.Option("--from", help="the API's employee body (JSON), every field")
    ] = None,
    external_id: Annotated[
        str | None, typer.Option(help="the employer's id for the employee")
    ] = None,
    first: Annotated[str | None, typer.Option()] = None,
    last: Annotated[str | None, typer.Option()] = None,
    # Omitted, SSN and account are asked for without echo: arguments show in ps to every user.
    ssn: Annotated[str | None, typer.Option(help="NNN-NN-NNNN")] = None,
    rate: Annotated[
        str | None, typer.Option(help="annual salary or hourly rate, e.g. 65000.00")
    ] = None,
    routing: Annotated[
        str | None, typer.Option(help="ABA routing number for direct deposit")
    ] = None,
    account: Annotated[str | None, typer.Option(help="account number")] = None,
    state: Annotated[str | None, typer.Option(help="work and home state, e.g. CA")] = None,
    pay_type: Annotated[str, typer.Option(help="salary or hourly")] = "salary",
    filing_status: Annotated[str, typer.Option(help="Form W-4 filing status")] = "single",
) -> None:
    """Add one employee (a few fields, or --from the API's JSON body with every field); every
    field is checked before anything is written."""
    from datetime import date

    from payrun.adapters.crypto import Vault
    from payrun.adapters.db.unit_of_work import SqlUnitOfWork
    from payrun.entrypoints.runner import prepare_database
    from payrun.services.hire import HireEmployee, hire

    fields = {
        "--external-id": external_id,
        "--first": first,
        "--last": last,
        "--ssn": ssn,
        "--rate": rate,
        "--routing": routing,
        "--account": account,
        "--state": state,
    }
    if from_file is not None:
        from payrun.entrypoints.employee_cli import add_from_file

        given = [name for name, value in fields.items() if value is not None]
        if given:
            raise InvalidInput(given[0], "comes from the --from file; give one or the other")
        add_from_file(employer, from_file)
        return
    ssn = fields["--ssn"] = ssn or typer.prompt("SSN", hide_input=True)
    account = fields["--account"] = account or typer.prompt("Account", hide_input=True)
    for name, value in fields.items():
        if value is None:
            raise InvalidInput(name, "is required (or use --from FILE.json)")
    settings = get_settings()
    prepare_database(settings)
    cmd = HireEmployee(
        employer,
        external_id,
        first,
        last,
        ssn,
        pay_type,
        rate,
        routing,
        account,
        state,
        filing_status=filing_status,
    )
    new_id = hire(SqlUnitOfWork(settings.db_url), cmd, Vault.for_settings(settings), date.today())
    console.print(f"employee {new_id} added to employer {employer}")


@app.command()
def run(
    schedule: Annotated[str, typer.Option(help="pay schedule name")] = "biweekly",
    period: Annotated[
        str | None, typer.Option(help="period start date YYYY-MM-DD; default: next unpaid")
    ] = None,
    employer: Annotated[
        list[int] | None, typer.Option(help="only these employer ids (repeatable)")
    ] = None,
    kind: Annotated[str, typer.Option(help="regular, or an off-cycle label")] = "regular",
    worker: Annotated[bool, typer.Option(help="host a worker in this process")] = True,
) -> None:
    """Run payroll for one pay period (an ad-hoc or off-cycle run) and print the summary."""
    from payrun.entrypoints.runner import RunRequest

    settings = get_settings()
    request = RunRequest(schedule, period, kind, tuple(employer or ()))
    summaries = run_all(settings, [request], worker)
    print_summary(settings, summaries)


@app.command()
def demo(
    employers: Annotated[int, typer.Option()] = 20,
    employees: Annotated[int, typer.Option()] = 50,
) -> None:
    """Seed (if empty), run the first 2026 pay period of every schedule, print the results."""
    from payrun.entrypoints.runner import RunRequest, prepare_database

    settings = get_settings()
    prepare_database(settings)
    _seed(settings, employers, employees, 2026)
    counts = employee_counts(settings)
    console.print(
        f"[bold]payrun demo[/] — data in {settings.home_dir} "
        f"({counts[0]} employers, {counts[1]} employees)"
    )
    requests = [
        RunRequest(name, first_period(settings, name)) for name in schedules_in_use(settings)
    ]
    summaries = run_all(settings, requests, True)
    print_summary(settings, summaries)


@app.command()
def dlq(
    error_type: Annotated[str | None, typer.Option(help="only this error type")] = None,
) -> None:
    """List open dead letters."""
    from payrun.entrypoints.runner import prepare_database
    from payrun.services.messages import RedriveInput
    from payrun.services.redrive import open_dead_letters, validate_redrive

    settings = get_settings()
    prepare_database(settings)
    validate_redrive(RedriveInput([], error_type, "retry"))
    letters = open_dead_letters(settings.db_url, error_type)
    table = Table(title=f"Open dead letters ({len(letters)})")
    for name in ("id", "run", "employer", "employee", "step", "error type", "attempts", "error"):
        table.add_column(name)
    for d in letters:
        table.add_row(
            str(d.id),
            d.run_id,
            str(d.employer_id),
            str(d.employee_id or "-"),
            d.step,
            d.error_type,
            str(d.attempts),
            d.error[:60],
        )
    console.print(table)


@app.command()
def redrive(
    dead_letter: Annotated[
        list[int] | None, typer.Option("--id", help="dead letter ids (repeatable)")
    ] = None,
    error_type: Annotated[str | None, typer.Option(help="every open item of this type")] = None,
    resolution: Annotated[str, typer.Option(help="retry, fix_and_retry or skip")] = "retry",
    worker: Annotated[bool, typer.Option(help="host a worker in this process")] = True,
) -> None:
    """Redrive dead letters through the same idempotent pipeline (never pays twice)."""
    from payrun.entrypoints.runner import execute_redrive, prepare_database
    from payrun.services.lookups import require_dead_letters
    from payrun.services.messages import RedriveInput
    from payrun.services.redrive import validate_redrive

    settings = get_settings()
    prepare_database(settings)
    inp = RedriveInput(list(dead_letter or []), error_type, resolution, settings.chunk_size)
    validate_redrive(inp)
    require_dead_letters(settings.db_url, inp.dead_letter_ids)  # before Temporal is asked
    result = asyncio.run(execute_redrive(settings, inp, worker))
    console.print(
        f"redrive: {result.redriven} employer runs re-run, {result.resolved} items resolved, "
        f"{result.skipped} skipped"
    )
    for r in result.employers:
        console.print(
            f"  employer {r.employer_id}: {r.status}, {r.paychecks_created} new paychecks"
            + (f" — {r.message}" if r.message else "")
        )


@app.command()
def worker() -> None:
    """Run a worker against TEMPORAL_ADDRESS (or the embedded server) until interrupted."""
    from payrun.entrypoints.runner import hosted_worker, prepare_database, temporal_client

    settings = get_settings()
    prepare_database(settings)

    async def serve() -> None:
        async with temporal_client(settings) as client, hosted_worker(client, settings):
            console.print(
                f"worker on task queue {settings.task_queue} at {settings.temporal_target}"
            )
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


@app.command()
def server() -> None:
    """Run the embedded Temporal dev server alone (SQLite file in PAYRUN_HOME, UI on)."""
    from payrun.adapters.temporal_server import EmbeddedTemporal

    settings = get_settings()
    with EmbeddedTemporal(
        settings.home_dir, settings.temporal_port, settings.temporal_ui_port
    ) as srv:
        console.print(f"Temporal at {srv.address}, UI {srv.ui_url}; Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
