"""`payrun secrets ...` (key rotation) and `payrun purge` (retention): personal data at rest."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from payrun.config import get_settings

secrets_app = typer.Typer(no_args_is_help=True, help="The keys that encrypt SSNs and accounts.")
console = Console()


def register(app: typer.Typer) -> None:
    """Add `payrun secrets` and `payrun purge` to the command line."""
    app.add_typer(secrets_app, name="secrets", help="Encryption keys: status and rotation.")
    app.command("purge")(purge)


@secrets_app.command("status")
def status() -> None:
    """Which key writes, which keys are held, and how many ciphertexts each key sealed."""
    from payrun.adapters.crypto import Vault
    from payrun.adapters.db.records import SqlCiphertexts
    from payrun.entrypoints.runner import prepare_database
    from payrun.services.key_rotation import keys_in_use

    settings = get_settings()
    prepare_database(settings)
    vault = Vault.for_settings(settings)
    console.print(f"current key {vault.current_key_id}; held: {', '.join(vault.key_ids)}")
    table = Table("column", "key id", "ciphertexts")
    for column, counts in keys_in_use(SqlCiphertexts(settings.db_url), vault).items():
        for kid, count in sorted(counts.items()):
            table.add_row(column, kid, str(count))
    console.print(table)


@secrets_app.command("rotate")
def rotate(
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="rows per transaction")] = 500,
    pause: Annotated[
        float, typer.Option(min=0, help="seconds between batches, to leave room for pay runs")
    ] = 0.0,
) -> None:
    """Re-encrypt every SSN and account number under a new key, then retire the old one.

    Resumable: after a crash, run it again (it carries on with the same new key). Pay runs
    may go on meanwhile: both keys read until the end, the new one writes.
    """
    from payrun.adapters.crypto import Vault
    from payrun.adapters.db.records import SqlCiphertexts, SqlRecords
    from payrun.adapters.keyring import KEY_ENV, KeySource, new_key
    from payrun.entrypoints.runner import prepare_database
    from payrun.services.key_rotation import rotate as rotate_keys

    settings = get_settings()
    prepare_database(settings)
    vault = Vault.for_settings(settings)
    ring = KeySource.for_home(settings.home_dir)
    if len(ring.read()) > 1:
        console.print("resuming the rotation begun before (the first key in the ring writes)")
    result = rotate_keys(
        SqlCiphertexts(settings.db_url),
        SqlRecords(settings.db_url),
        vault,
        ring,
        new_key,
        batch_size=batch_size,
        pause=pause,
        on_batch=lambda name, count: (
            console.print(f"  {name}: {count} re-encrypted") if count else None
        ),
    )
    total = sum(result.resealed.values())
    console.print(f"{total} ciphertexts re-encrypted under key {result.key_id}")
    if not result.retired:
        return
    if ring.writable:
        console.print(f"retired key(s) {', '.join(result.retired)}: removed from the key file")
    else:
        console.print(
            f"key(s) {', '.join(result.retired)} no longer needed: remove them from {KEY_ENV}"
        )


def purge(
    before: Annotated[
        str, typer.Option(help="remove files of runs paid before this date (YYYY-MM-DD)")
    ],
    dry_run: Annotated[bool, typer.Option(help="count what would go, remove nothing")] = False,
) -> None:
    """Remove old pay runs' snapshots, step outputs and files (paychecks stay in the database).

    Refuses a date that would remove records younger than the 4 years employment tax records
    must be kept. Every decision, with its counts, goes to the audit log.
    """
    from datetime import date

    from payrun.adapters.db.records import SqlRecords
    from payrun.bootstrap import build_context
    from payrun.domain.errors import InvalidInput
    from payrun.entrypoints.runner import prepare_database
    from payrun.services.retention import purge as purge_files

    try:
        cutoff = date.fromisoformat(before)
    except ValueError:
        raise InvalidInput("--before", f"must be a date YYYY-MM-DD, got {before!r}") from None
    settings = get_settings()
    prepare_database(settings)
    report = purge_files(
        build_context(settings), SqlRecords(settings.db_url), cutoff, date.today(), dry_run=dry_run
    )
    verb = "would remove" if dry_run else "removed"
    console.print(
        f"{verb} {report.objects} objects and {report.files} files of {report.runs} runs "
        f"paid before {report.before} (the law allows up to {report.legal_limit})"
    )
