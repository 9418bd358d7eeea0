"""``payrun calc FILE``: one employee, one pay period, the pay stub (or each worksheet line)."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from payrun.domain.errors import InvalidInput, PayrollError
from payrun.domain.paycheck import PayStub, calculate
from payrun.services.pay_request import parse_pay_request
from payrun.tables import load_tables

_KINDS = (
    ("earning", "Earnings"),
    ("employee_tax", "Employee taxes"),
    ("deduction", "Deductions"),
    ("employer_tax", "Employer taxes"),
    ("employer_contribution", "Employer contributions"),
)


def calc_command(
    file: Annotated[str, typer.Argument(help="JSON pay request, or - for stdin")],
    explain: Annotated[bool, typer.Option("--explain", help="print every worksheet line")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Calculate one paycheck from a JSON description of an employee and a pay period."""
    try:
        stub = _calculate(file, explain)
    except PayrollError as error:
        typer.echo(f"error: {error}", err=True)  # one line, never wrapped
        raise typer.Exit(2) from None
    if json_output:
        typer.echo(json.dumps(stub.to_dict(), indent=2))
        return
    console = Console()
    if explain:
        _print_explain(console, stub)
    _print_stub(console, stub)


def _calculate(file: str, explain: bool) -> PayStub:
    data = _read(file)
    if not isinstance(data, dict):
        raise InvalidInput("request", "must be a JSON object")
    request = parse_pay_request(data)
    return calculate(
        request, load_tables(request.pay_date.year, request.work_state), explain=explain
    )


def _read(file: str) -> Any:
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput("FILE", f"cannot read {file}: {error.strerror}") from None
    try:
        # JSON numbers are read exactly (Decimal), never as float.
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise InvalidInput("FILE", f"not valid JSON: {error}") from None


def _print_stub(console: Console, stub: PayStub) -> None:
    table = Table(
        title=f"Pay stub — pay date {stub.pay_date}, {stub.frequency.value}, {stub.work_state}"
    )
    table.add_column("Line")
    table.add_column("Code")
    table.add_column("Current", justify="right")
    table.add_column("YTD", justify="right")
    lines = stub.lines
    for kind, title in _KINDS:
        chosen = [line for line in lines if line.kind == kind]
        if not chosen:
            continue
        table.add_section()
        table.add_row(f"[bold]{title}[/bold]", "", "", "")
        for line in chosen:
            table.add_row(line.description, line.code, str(line.current), str(line.ytd))
    after = stub.ytd_after
    table.add_section()
    table.add_row("[bold]Gross pay[/bold]", "", str(stub.gross), str(after["gross"]))
    table.add_row("[bold]Net pay[/bold]", "", f"[bold]{stub.net_pay}[/bold]", str(after["net_pay"]))
    console.print(table)


def _print_explain(console: Console, stub: PayStub) -> None:
    sections: dict[str, Table] = {}
    for line in stub.explain:
        table = sections.get(line.section)
        if table is None:
            table = Table(title=line.section)
            table.add_column("Line")
            table.add_column("What")
            table.add_column("Amount", justify="right")
            sections[line.section] = table
        table.add_row(line.line, line.text, line.value)
    for table in sections.values():
        console.print(table)
