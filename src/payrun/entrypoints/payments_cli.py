"""`payrun payments`: payments in doubt, settled or failed by asking the provider."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from payrun.config import get_settings

payments_app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
console = Console(width=160)


@payments_app.command("reconcile")
def reconcile_command(
    run: Annotated[str | None, typer.Option(help="only this run's payments")] = None,
) -> None:
    """Ask the provider about every unsettled payment and record its answer."""
    from payrun.bootstrap import build_context
    from payrun.entrypoints.runner import prepare_database
    from payrun.services.in_doubt import resolve_in_doubt
    from payrun.services.lookups import require_run

    settings = get_settings()
    prepare_database(settings)
    ctx = build_context(settings)
    if settings.bank_url:  # asked, not submitted to: no callback receiver is needed
        from payrun.adapters.payments.bank_http import BankHttpProvider

        ctx.payment_provider = BankHttpProvider(settings.bank_url, None)
    if run is not None:
        require_run(ctx.db_url, run)
    answers = resolve_in_doubt(ctx, run)
    console.print(f"{len(answers)} unsettled payments asked about")
    for a in answers:
        console.print(
            f"  payment {a.payment_id} ({a.idempotency_key}): {a.provider_state} -> {a.status}"
        )
