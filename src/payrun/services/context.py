"""What every pay-run handler needs: the database, the snapshot store, the providers, a clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from payrun.services.ports import Notifier, ObjectStore, PaymentProvider, YtdHolds
from payrun.services.unit_of_work import UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_text(moment: datetime | None) -> str | None:
    """A stored time as the API shows it: UTC with its offset, whether the database kept the
    zone (PostgreSQL) or gave it back naive (SQLite stores UTC)."""
    if moment is None:
        return None
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat()


@dataclass
class PayrollContext:
    db_url: str
    store: ObjectStore
    output_dir: Path
    payment_provider: PaymentProvider
    notifier: Notifier | None = None
    vault: Any = None  # payrun.adapters.crypto.Vault: decrypts account numbers for NACHA files
    time_entry: Any = None  # TimeEntryClient: hours by callback; None: the time_entries table
    filings: Any = None  # publishes outbox events to the filings service; None: outbox only
    clock: Callable[[], datetime] = field(default=utc_now)
    heartbeat: Callable[[], None] = field(default=lambda: None)  # long handlers call it
    # A handler waiting on another run sleeps through this; a worker wires one that lets the
    # process's other steps run meanwhile (workflows.runtime.idle).
    pause: Callable[[float], None] = field(default=time.sleep)
    # Who else is paying our employees now, and how long a gross step waits for an earlier run
    # to write their YTD (services.ytd_turns; Settings.ytd_wait_seconds); bootstrap wires both.
    ytd_holds: YtdHolds | None = None
    ytd_wait_seconds: float = 480.0  # float ok: seconds
    # A new unit of work per call (the storage seam); bootstrap wires the SQL one.
    unit_of_work: Callable[[], UnitOfWork] = field(default=lambda: _unwired())
    # The same for handlers that only read: no write lock, and commit() refuses.
    reading_unit_of_work: Callable[[], UnitOfWork] = field(default=lambda: _unwired())

    def employer_prefix(self, run_id: str, employer_id: int) -> str:
        return f"runs/{run_id}/employer-{employer_id}/"

    def chunk_key(self, run_id: str, employer_id: int, chunk: int, name: str) -> str:
        return f"{self.employer_prefix(run_id, employer_id)}chunk-{chunk:05d}/{name}.json"


def _unwired() -> UnitOfWork:
    raise RuntimeError("no unit of work wired: build the context with payrun.bootstrap")
