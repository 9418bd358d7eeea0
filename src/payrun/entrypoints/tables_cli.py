"""``payrun tables check [--year 2026]``: the state rule figures whose status is UNCONFIRMED."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from payrun.domain.errors import PayrollError
from payrun.tables import figure_statuses_for

tables_app = typer.Typer(no_args_is_help=True)


@tables_app.command("check")
def check_command(
    year: Annotated[int, typer.Option(help="tax year of the tables")] = date.today().year,
    show_all: Annotated[bool, typer.Option("--all", help="list confirmed figures too")] = False,
) -> None:
    """List every state figure on file with one source only (UNCONFIRMED), with its source."""
    try:
        figures = figure_statuses_for(year)
    except PayrollError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    unconfirmed = [f for f in figures if f.status != "confirmed"]
    chosen = figures if show_all else unconfirmed
    table = Table(title=f"{year} state figures: {len(unconfirmed)} UNCONFIRMED of {len(figures)}")
    for column in ("File", "Figure", "Value", "Status", "Source"):
        table.add_column(column, overflow="fold")
    for figure in chosen:
        table.add_row(figure.file, figure.name, figure.value, figure.status, figure.source)
    Console(width=200).print(table)
