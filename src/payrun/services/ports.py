"""Ports: the interfaces services need from the outside world. Adapters implement them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from payrun.domain.ytd_turn import Hold


class ObjectStoreError(Exception):
    """A key, a reference or a backend the object store cannot work with."""


class ObjectStore(Protocol):
    """Claim-check storage for snapshots: a local folder by default, s3:// by URL."""

    def put_json(self, key: str, value: object) -> str:
        """Write value as JSON under key (atomically); return its full reference (URL)."""

    def get_json(self, ref: str) -> object:
        """Read back what put_json wrote, by the reference it returned."""

    def put_bytes(self, key: str, data: bytes) -> str:
        """Write already-encoded bytes under key (atomically); return the full reference."""

    def get_bytes(self, ref: str) -> bytes:
        """Read back what put_bytes (or put_json) wrote."""

    def exists(self, ref: str) -> bool: ...

    def keys(self, prefix: str) -> list[str]:
        """The keys of every object under a folder-like prefix ('runs/r1/'), sorted."""

    def delete(self, keys: list[str]) -> None:
        """Delete these objects; a key with no object is skipped (deleting is idempotent)."""


@dataclass(frozen=True, slots=True)
class PaymentBatch:
    """One employer's payment for one run: a NACHA file and its totals.

    idempotency_key is stable for (employer, run): sending the same batch twice must
    move money once.
    """

    idempotency_key: str
    employer_id: int
    run_id: str
    entry_count: int
    credit_total_cents: int
    debit_total_cents: int
    nacha: bytes
    effective_date: date


@dataclass(frozen=True, slots=True)
class PaymentReceipt:
    """What a provider says when it accepts a batch (not yet settled)."""

    provider_reference: str
    accepted: bool
    duplicate: bool = False
    message: str = ""


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    """What a provider knows of one batch, asked by its idempotency key."""

    state: str  # unknown (never received) | accepted (not settled) | settled | rejected | cancelled
    reference: str = ""
    message: str = ""


class PaymentProvider(Protocol):
    """Sends a payment batch; the outcome arrives later through the callback token."""

    name: str

    def submit(self, batch: PaymentBatch, callback_token: bytes | None) -> PaymentReceipt:
        """Hand the batch over. Must be safe to call twice with the same idempotency key."""

    def cancel(self, idempotency_key: str) -> bool:
        """Best-effort cancel before settlement (saga compensation). True if cancelled."""

    def payment_status(self, idempotency_key: str) -> ProviderStatus:
        """Ask about a batch whose answer never reached us (a payment in doubt)."""


@dataclass(frozen=True, slots=True)
class Notification:
    """One event to tell people about; idempotency_key is unique per event."""

    idempotency_key: str
    event: str  # e.g. "employer.paid", "employer.failed", "run.completed"
    subject: str
    body: str
    payload: dict[str, object] = field(default_factory=dict)


class Notifier(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver once per idempotency key; retry transient failures; raise if it gives up."""


class Encrypter(Protocol):
    """Encrypts a secret (an SSN, an account number) for storage: the vault adapter."""

    def encrypt(self, text: str) -> bytes: ...


class YtdHolds(Protocol):
    """Who else is paying our employees right now (services.ytd_turns): the storage adapter."""

    def holds(self, run_id: str, employee_ids: list[int]) -> list[Hold]:
        """Every other run in flight that holds one of these employees (of run_id) in a step
        before its paycheck is written, with both runs' turns; in one set-based read."""
