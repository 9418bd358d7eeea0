"""`payrun ach build|check|returns|reverse`: NACHA files, bank returns and reversals."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from payrun.domain.ach import BatchSummary, FileCheck, build_file, check_file, file_spec_from_json
from payrun.domain.errors import InvalidInput

if TYPE_CHECKING:
    from payrun.services.context import PayrollContext
    from payrun.services.returns import ReturnsReport, RoutedReturn

ach_app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Build and check NACHA ACH files."
)
console = Console()
err_console = Console(stderr=True)

EXIT_PROBLEMS = 1  # check: the file was read and breaks NACHA rules
EXIT_BAD_INPUT = 2  # build: the input cannot make a correct file; check: cannot read it


@ach_app.command("build")
def build(
    file: Annotated[Path, typer.Argument(help="JSON description of the file")],
    out: Annotated[Path, typer.Option("-o", "--out", help="where to write the NACHA file")],
) -> None:
    """Build a NACHA file from JSON. Nothing is written unless the whole file is valid."""
    try:
        data = build_file(file_spec_from_json(_read_json(file)))
    except InvalidInput as error:
        _fail(error)
    _write_atomic(out, data)
    report = check_file(data)
    console.print(
        f"wrote {out}: batches {len(report.batches)}, entries {report.entry_count}, "
        f"debits {dollars(report.debit_total_cents)}, "
        f"credits {dollars(report.credit_total_cents)}",
        highlight=False,
    )


@ach_app.command("check")
def check(file: Annotated[Path, typer.Argument(help="NACHA file to validate")]) -> None:
    """Validate a NACHA file and print its batches and totals."""
    try:
        data = file.read_bytes()
    except OSError as error:
        _fail(InvalidInput(str(file), f"cannot be read ({error.strerror})"))
    report = check_file(data)
    if report.file is not None:
        header = report.file.header
        console.print(
            f"{file}: to {header.immediate_destination} {header.immediate_destination_name}, "
            f"from {header.immediate_origin} {header.immediate_origin_name}, created "
            f"{header.file_creation_date} {header.file_creation_time}, modifier "
            f"{header.file_id_modifier}, {report.file.record_count} records",
            highlight=False,
            markup=False,
        )
        table = batch_table(report)
        needed = Measurement.get(console, console.options, table).minimum
        console.print(table, width=max(console.width, needed), crop=False)
    for problem in report.problems:
        err_console.print(f"problem: {problem}", markup=False, highlight=False)
    if report.problems:
        raise typer.Exit(EXIT_PROBLEMS)
    console.print(f"{file}: OK", highlight=False)


@ach_app.command("returns")
def returns(file: Annotated[Path, typer.Argument(help="return file from the ODFI")]) -> None:
    """Route each return to its paycheck, the dead-letter queue and a notification."""
    from payrun.services.returns import process_returns

    try:
        data = file.read_bytes()
    except OSError as error:
        _fail(InvalidInput(str(file), f"cannot be read ({error.strerror})"))
    try:
        report = process_returns(_context(), data)
    except InvalidInput as error:
        _fail(error)
    table = returns_table(report)
    needed = Measurement.get(console, console.options, table).minimum
    console.print(table, width=max(console.width, needed), crop=False)
    console.print(
        f"{file}: {report.count('routed')} routed, {report.count('duplicate')} already "
        f"processed, {report.count('conflict')} conflicts, {report.count('unmatched')} unmatched",
        highlight=False,
        markup=False,
    )


@ach_app.command("reverse")
def reverse(
    payment: Annotated[int, typer.Option("--payment", help="payment id to reverse")],
    employee: Annotated[
        list[int] | None, typer.Option("--employee", help="employee id (repeatable); default all")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="reversal date YYYY-MM-DD; default today")
    ] = None,
) -> None:
    """Write a reversing file for a settled payment, within 5 banking days of settlement."""
    from payrun.domain.ach import ReversalWindowClosed
    from payrun.services.reversals import reverse_payment

    try:
        reversal_date = _date(on) if on else date.today()
        ctx = _context()
        path = reverse_payment(ctx, payment, employee or None, reversal_date)
    except (InvalidInput, ReversalWindowClosed) as error:
        _fail(error)
    console.print(f"wrote {path}", highlight=False, markup=False)


def returns_table(report: ReturnsReport) -> Table:
    table = Table(title="ACH returns")
    for heading in ("Code", "Original trace", "Individual", "Amount", "Outcome"):
        table.add_column(heading, justify="right" if heading == "Amount" else "left")
    for heading in ("Paycheck", "Employee", "Routed to"):
        table.add_column(heading)
    for r in report.returns:
        table.add_row(
            r.return_code,
            r.original_trace_number,
            r.individual_id,
            dollars(r.amount_cents),
            r.outcome,
            "" if r.paycheck_id is None else f"{r.paycheck_id} {r.paycheck_status}",
            "" if r.employee_id is None else str(r.employee_id),
            _routed_to(r),
        )
    return table


def _routed_to(r: RoutedReturn) -> str:
    if r.outcome == "unmatched":
        return r.message
    if r.outcome == "duplicate":
        return "nothing: processed before" + ("; notification resent" if r.notified else "")
    status = "paycheck kept, review" if r.outcome == "conflict" else f"paycheck {r.paycheck_status}"
    fix = " (fix account first)" if r.account_fix_required else ""
    return f"{status}; dead letter bank_return{fix}; notified"


def _context() -> PayrollContext:
    from payrun.adapters.db.engine import migrate
    from payrun.bootstrap import build_context
    from payrun.config import get_settings

    settings = get_settings()
    migrate(settings.db_url)
    return build_context(settings)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("--date", f"must be YYYY-MM-DD, got {text!r}") from None


def batch_table(report: FileCheck) -> Table:
    """Batches and totals; every column is as wide as its widest cell, nothing is cut."""
    rows = [_batch_row(b) for b in report.batches]
    total = ["Total", "", "", "", "", "", str(report.entry_count)]
    rows.append([*total, dollars(report.debit_total_cents), dollars(report.credit_total_cents)])
    table = Table(title="NACHA batches")
    headings = ("Batch", "Class", "SEC", "Company", "Company ID", "Effective", "Entries")
    for index, heading in enumerate((*headings, "Debits", "Credits")):
        widest = max(len(heading), *(len(row[index]) for row in rows))
        right = heading in ("Entries", "Debits", "Credits")
        table.add_column(heading, justify="right" if right else "left", min_width=widest)
    for row in rows[:-1]:
        table.add_row(*row)
    table.add_section()
    table.add_row(*rows[-1])
    return table


def _batch_row(b: BatchSummary) -> list[str]:
    return [
        str(b.batch_number),
        str(b.service_class),
        b.sec_code,
        f"{b.company_name} / {b.entry_description}",
        b.company_id,
        b.effective_date.isoformat(),
        str(b.entry_count),
        dollars(b.debit_total_cents),
        dollars(b.credit_total_cents),
    ]


def dollars(cents: int) -> str:
    return f"${Decimal(cents).scaleb(-2):,.2f}"


def _read_json(file: Path) -> object:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(str(file), f"cannot be read ({error})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise InvalidInput(str(file), f"is not valid JSON ({error.msg} at {where})") from None


def _write_atomic(out: Path, data: bytes) -> None:
    """Temp file beside OUT, then rename: OUT is either absent or complete."""
    descriptor, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fail(error: Exception) -> NoReturn:
    err_console.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)
