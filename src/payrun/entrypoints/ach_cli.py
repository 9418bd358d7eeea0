"""`payrun ach build FILE.json -o OUT.ach` and `payrun ach check OUT.ach`."""

from __future__ import annotations

import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from payrun.domain.ach import BatchSummary, FileCheck, build_file, check_file, file_spec_from_json
from payrun.domain.errors import InvalidInput

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


def _fail(error: InvalidInput) -> NoReturn:
    err_console.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)
