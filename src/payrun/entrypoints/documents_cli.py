"""`payrun stub` and `payrun receipt`: a paycheck's pay stub and a run's payroll receipt."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from payrun.domain.errors import InvalidInput

OutputFile = Annotated[
    Path, typer.Option("-o", "--output", help="file to write; .pdf or .html", dir_okay=False)
]


def register(app: typer.Typer) -> None:
    app.command("stub")(stub_command)
    app.command("receipt")(receipt_command)


def stub_command(
    paycheck_id: Annotated[int, typer.Argument(help="paycheck id")], output: OutputFile
) -> None:
    """Write one paycheck's pay stub (current and YTD, Labor Code 226 items) as PDF or HTML."""
    from payrun.adapters.db.documents import SqlDocumentReader
    from payrun.adapters.render import stub_html, stub_pdf
    from payrun.services.stubs import load_stub

    kind = _kind(output)
    stub = load_stub(SqlDocumentReader(_database()), paycheck_id)
    _write(output, stub_pdf(stub) if kind == "pdf" else stub_html(stub).encode())


def receipt_command(
    run_id: Annotated[str, typer.Argument(help="pay run id (the workflow id)")],
    employer: Annotated[int, typer.Option(help="employer id")],
    output: OutputFile,
) -> None:
    """Write an employer's payroll receipt for a run: debits, net pay per employee, taxes."""
    from payrun.adapters.db.documents import SqlDocumentReader
    from payrun.adapters.render import receipt_html, receipt_pdf
    from payrun.services.stubs import load_receipt

    kind = _kind(output)
    receipt = load_receipt(SqlDocumentReader(_database()), run_id, employer)
    _write(output, receipt_pdf(receipt) if kind == "pdf" else receipt_html(receipt).encode())


def _kind(output: Path) -> str:
    kind = output.suffix.lower().lstrip(".")
    if kind not in ("pdf", "html"):
        raise InvalidInput("--output", f"{output.name} must end in .pdf or .html")
    return kind


def _database() -> str:
    from payrun.config import get_settings
    from payrun.entrypoints.runner import prepare_database

    settings = get_settings()
    prepare_database(settings)
    return settings.db_url


def _write(output: Path, content: bytes) -> None:
    partial = output.with_name(output.name + ".partial")  # nothing half-written under the name
    partial.write_bytes(content)
    partial.replace(output)
    typer.echo(f"wrote {output} ({len(content):,} bytes)")
