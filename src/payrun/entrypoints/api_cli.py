"""`payrun api` (serve the HTTP API) and `payrun keys create|list|revoke` (its API keys)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from payrun.config import Settings, get_settings
from payrun.domain.errors import InvalidInput

api_app = typer.Typer(add_completion=False)
keys_app = typer.Typer(no_args_is_help=True, add_completion=False, help="API keys.")
api_app.add_typer(keys_app, name="keys")
console = Console() if sys.stdout.isatty() else Console(width=160)  # piped: no wrapping


@api_app.command("api")
def api_command(
    host: Annotated[str | None, typer.Option(help="default PAYRUN_API_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="default PAYRUN_API_PORT or 8000")] = None,
    certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM)")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM)")] = None,
    worker: Annotated[bool, typer.Option(help="host a pay-run worker in this process")] = True,
) -> None:
    """Serve the payroll API (/v1, /openapi.json, /healthz, /readyz) over this database and
    Temporal (the embedded server unless TEMPORAL_ADDRESS is set)."""
    from payrun.entrypoints.api.settings import ApiSettings
    from payrun.entrypoints.runner import prepare_database

    if (certfile is None) != (keyfile is None):
        raise InvalidInput("--certfile", "TLS needs both --certfile and --keyfile")
    for option, path in (("--certfile", certfile), ("--keyfile", keyfile)):
        if path is not None and not path.is_file():
            raise InvalidInput(option, f"no such file {path}")
    settings = get_settings()
    overrides = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    api = ApiSettings().model_copy(update=overrides)
    prepare_database(settings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(settings, api, certfile, keyfile, worker))


async def _serve(settings: Settings, api, certfile, keyfile, worker: bool) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    from payrun.entrypoints.api.app import create_app
    from payrun.entrypoints.api.temporal import ClientGateway
    from payrun.entrypoints.runner import hosted_worker, temporal_client

    async with temporal_client(settings) as client:
        host = hosted_worker(client, settings) if worker else contextlib.nullcontext()
        async with host:
            gateway = ClientGateway(client, settings.task_queue, settings.db_url)
            app = create_app(settings, api, gateway)
            config = uvicorn.Config(
                app,
                host=api.host,
                port=api.port,
                ssl_certfile=str(certfile) if certfile else None,
                ssl_keyfile=str(keyfile) if keyfile else None,
                log_level="warning",
                access_log=False,
                server_header=False,
                timeout_keep_alive=5,
                h11_max_incomplete_event_size=16 * 1024,  # caps request line + headers
            )
            scheme = "https" if certfile else "http"
            console.print(f"payrun api on {scheme}://{api.host}:{api.port}", soft_wrap=True)
            await uvicorn.Server(config).serve()


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="viewer, operator or admin")],
    employer: Annotated[
        list[int] | None, typer.Option(help="limit the key to this employer (repeatable)")
    ] = None,
    expires: Annotated[str | None, typer.Option(help="lifetime, e.g. 90d or 12h")] = None,
    name: Annotated[str, typer.Option(help="what the key is for")] = "",
) -> None:
    """Create a key; it is printed once, alone on the last line, and only its hash is kept."""
    from payrun.bootstrap import unit_of_work_factory
    from payrun.services.api_keys import CreateKey, create_key
    from payrun.services.context import utc_now

    uow = unit_of_work_factory(_prepared())()
    new = create_key(uow, CreateKey(role, tuple(employer or ()), expires, name), utc_now())
    scope = ", ".join(str(e) for e in sorted(set(employer or ()))) or "all"
    typer.echo(f"key {new.id}: role {role}, employers {scope}; store it now, it is not kept")
    typer.echo(new.key)


@keys_app.command("list")
def keys_list() -> None:
    """Every key: id, prefix, role, scope, dates (never the key)."""
    from payrun.bootstrap import unit_of_work_factory
    from payrun.services.api_keys import list_keys

    table = Table(title="API keys", title_justify="left")
    for column in ("id", "prefix", "name", "role", "employers", "created", "expires", "revoked"):
        table.add_column(column)
    for key in list_keys(unit_of_work_factory(_prepared(), read_only=True)()):
        table.add_row(
            str(key.id),
            key.prefix,
            key.name,
            key.role,
            ", ".join(map(str, key.employer_ids)) or "all",
            f"{key.created_at:%Y-%m-%d %H:%M}",
            f"{key.expires_at:%Y-%m-%d %H:%M}" if key.expires_at else "-",
            f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "-",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="the key's id (keys list)")]) -> None:
    """Revoke a key: every request with it is refused from now on."""
    from payrun.bootstrap import unit_of_work_factory
    from payrun.services.api_keys import revoke_key
    from payrun.services.context import utc_now

    revoke_key(unit_of_work_factory(_prepared())(), key_id, utc_now())
    typer.echo(f"key {key_id} revoked")


def _prepared() -> Settings:
    from payrun.entrypoints.runner import prepare_database

    settings = get_settings()
    prepare_database(settings)
    return settings
