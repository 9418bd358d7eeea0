"""`payrun repay`: fix a returned employee's bank account, then pay the same net again once."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from payrun.config import get_settings

repay_app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
console = Console(width=160)


def _context():  # type: ignore[no-untyped-def]
    from payrun.bootstrap import build_context
    from payrun.entrypoints.runner import prepare_database

    settings = get_settings()
    prepare_database(settings)
    return build_context(settings)


@repay_app.command("account")
def account_command(
    employee: Annotated[int, typer.Option(help="employee id")],
    routing: Annotated[str | None, typer.Option(help="new 9-digit routing number")] = None,
    account: Annotated[str | None, typer.Option(help="new account number")] = None,
    account_type: Annotated[str | None, typer.Option(help="checking or savings")] = None,
) -> None:
    """Correct an employee's direct-deposit account (audited; last 4 shown only)."""
    from payrun.adapters.db.engine import transaction
    from payrun.domain.errors import InvalidInput
    from payrun.services.bank_accounts import change_bank_account

    if routing is None and account is None and account_type is None:
        raise InvalidInput("--account", "give a new routing, account or account type")
    ctx = _context()
    with transaction(ctx.db_url) as session:
        changed = change_bank_account(ctx, session, employee, routing=routing, account=account,
                                      account_type=account_type, actor="operator",
                                      now=ctx.clock())  # fmt: skip
        last4, kind = changed.bank_account_last4, changed.bank_account_type
    console.print(f"employee {employee}: now pays to {kind} account ...{last4}")


@repay_app.command("write-off")
def write_off_command(
    paycheck: Annotated[int, typer.Option(help="the returned paycheck")],
    note: Annotated[str, typer.Option(help="why (kept in the audit log)")] = "",
) -> None:
    """Give up on paying a RETURNED paycheck: it is voided and its YTD taken back out."""
    from payrun.services.repay import write_off

    write_off(_context(), paycheck, note)
    console.print(f"paycheck {paycheck}: written off (VOIDED, year-to-date adjusted)")


@repay_app.command("send")
def send_command(
    paycheck: Annotated[int, typer.Option(help="the returned paycheck")],
) -> None:
    """Pay a RETURNED paycheck's net again as an off-cycle payment (once; taxes unchanged)."""
    from payrun.services.repay import repay

    result = repay(_context(), paycheck)
    console.print(
        f"paycheck {result.paycheck_id}: re-pay {result.attempt} of "
        f"${result.net_cents / 100:,.2f} to account ...{result.account_last4}: {result.status}"
    )
