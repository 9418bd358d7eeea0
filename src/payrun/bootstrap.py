"""Wires adapters into the services: the one place that picks real implementations."""

from __future__ import annotations

from collections.abc import Callable

from payrun.config import Settings
from payrun.services.context import PayrollContext
from payrun.services.unit_of_work import UnitOfWork


def unit_of_work_factory(
    settings: Settings, *, read_only: bool = False
) -> Callable[[], UnitOfWork]:
    """A new unit of work per call, on the configured database; for a command that needs
    nothing else of the context (building that would make the vault's key)."""
    from payrun.adapters.db.unit_of_work import SqlUnitOfWork

    return lambda: SqlUnitOfWork(settings.db_url, read_only=read_only)


def build_context(settings: Settings) -> PayrollContext:
    from payrun.adapters.crypto import Vault
    from payrun.adapters.db.ytd_holds import SqlYtdHolds
    from payrun.adapters.notify.factory import build_notifier
    from payrun.adapters.object_store import open_object_store
    from payrun.adapters.payments.file_drop import FileDropProvider

    return PayrollContext(
        db_url=settings.db_url,
        store=open_object_store(
            settings.snapshot_url, sse=settings.s3_sse, kms_key_id=settings.s3_kms_key_id
        ),
        output_dir=settings.output_dir,
        payment_provider=FileDropProvider(settings.output_dir / "bank-drop"),
        vault=Vault.for_settings(settings),
        notifier=build_notifier(settings),
        unit_of_work=unit_of_work_factory(settings),
        reading_unit_of_work=unit_of_work_factory(settings, read_only=True),
        ytd_holds=SqlYtdHolds(settings.db_url),
        ytd_wait_seconds=settings.ytd_wait_seconds,
    )
