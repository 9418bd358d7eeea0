"""`payrun recovery`: returned funding debits, listed and resolved by an operator."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from payrun.config import get_settings
from payrun.domain.errors import InvalidInput

recovery_app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
console = Console(width=160)


def _context():  # type: ignore[no-untyped-def]
    from payrun.bootstrap import build_context
    from payrun.entrypoints.runner import prepare_database

    settings = get_settings()
    prepare_database(settings)
    return build_context(settings)


@recovery_app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option(help="only cases in this status")] = None,
) -> None:
    """Every recovery case (or those in one status)."""
    from payrun.services.recovery import list_cases

    cases = list_cases(_context(), status)
    table = Table(title=f"Recovery cases ({len(cases)})")
    for name in ("id", "employer", "run", "code", "amount", "status", "re-debits", "note"):
        table.add_column(name)
    for c in cases:
        table.add_row(
            str(c.id),
            str(c.employer_id),
            c.run_id,
            c.return_code,
            f"${c.amount_cents / 100:,.2f}",
            c.status + (f" ({c.resolution})" if c.resolution else ""),
            str(c.redebits),
            (c.note or "")[:50],
        )
    console.print(table)


@recovery_app.command("resolve")
def resolve_command(
    case_id: Annotated[int, typer.Option("--id", help="the recovery case")],
    action: Annotated[str, typer.Option(help="redebit, wire or write-off")],
    note: Annotated[str, typer.Option(help="why (kept in the audit log)")] = "",
) -> None:
    """Resolve an open case: debit the employer again, record a wire, or write it off."""
    from payrun.services.recovery import resolve_case

    case = resolve_case(_context(), case_id, action, note)
    console.print(f"recovery case {case.id}: {case.status}" + _how(case.resolution))


@recovery_app.command("redebit-due")
def redebit_due_command(
    on: Annotated[str | None, typer.Option(help="banking day (YYYY-MM-DD); default today")] = None,
) -> None:
    """Present again every R01/R09 funding debit due by this banking day (once each)."""
    from payrun.services.recovery import send_due_redebits

    ctx = _context()
    try:
        today = date.fromisoformat(on) if on else ctx.clock().date()
    except ValueError:
        raise InvalidInput("--on", f"must be a date YYYY-MM-DD, got {on!r}") from None
    sent = send_due_redebits(ctx, today)
    console.print(f"{len(sent)} re-debits sent")
    for c in sent:
        console.print(
            f"  case {c.id}: employer {c.employer_id} ${c.amount_cents / 100:,.2f} {c.status}"
        )


def _how(resolution: str | None) -> str:
    return f" ({resolution})" if resolution else ""
