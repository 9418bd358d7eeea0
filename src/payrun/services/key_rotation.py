"""Key rotation: every encrypted column re-sealed under a new key while pay runs go on.

1. Begin: the key ring becomes [new, old]; every process re-reads it (within a second before
   it writes, at once when it meets a ciphertext naming a key it lacks), so from then on the
   new key writes and both read.
2. Sweep: every `*_enc` column of every table, in batches of ids, one transaction each; a row
   is re-sealed only if its ciphertext is not under the new key, and updated only if it still
   holds what was read (a concurrent change is never overwritten).
3. Retire: once a pass finds nothing left under an old key, the ring becomes [new].

A crash anywhere resumes by running it again: the ring still holds [new, old] (no third key is
made) and the ciphertexts say which are done, so the sweep skips them. Progress is the data.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from payrun.services.context import utc_now

LEGACY = "legacy"  # v1 and Fernet ciphertexts: no key id in them
GRACE_SECONDS = 2.0  # other processes re-read the ring within 1 s before they write


class KeyRing(Protocol):
    writable: bool

    def read(self) -> list[bytes]: ...
    def write(self, keys: list[bytes]) -> None: ...


class Ciphertexts(Protocol):
    """Every encrypted column, by name ("employees.ssn_enc")."""

    def columns(self) -> list[str]: ...

    def reseal_batch(
        self, column: str, after: int, size: int, reseal: Callable[[bytes], bytes | None]
    ) -> tuple[int | None, int]: ...

    def count_by(self, column: str, label: Callable[[bytes], str]) -> Counter[str]: ...


class AuditTrail(Protocol):
    def audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        details: dict[str, Any],
        outcome: str = "ok",
    ) -> None: ...


@dataclass
class RotationResult:
    key_id: str
    began: bool
    retired: list[str]
    resealed: dict[str, int] = field(default_factory=dict)


def sweep(
    ciphertexts: Ciphertexts,
    vault: Any,
    *,
    batch_size: int = 500,
    pause: float = 0.0,  # float ok: seconds
    on_batch: Callable[[str, int], None] = lambda _name, _count: None,
) -> dict[str, int]:
    """Re-seal every encrypted column under the current key; counts per column."""

    def reseal(token: bytes) -> bytes | None:
        return None if vault.is_current(token) else vault.encrypt(vault.decrypt(token))

    resealed: dict[str, int] = {}
    for column in ciphertexts.columns():
        after: int | None = 0
        resealed[column] = 0
        while after is not None:
            after, changed = ciphertexts.reseal_batch(column, after, batch_size, reseal)
            resealed[column] += changed
            on_batch(column, changed)
            if pause and after is not None:
                time.sleep(pause)
    return resealed


def keys_in_use(ciphertexts: Ciphertexts, vault: Any) -> dict[str, Counter[str]]:
    """Per column, how many ciphertexts each key id (or LEGACY) sealed."""
    return {
        column: ciphertexts.count_by(column, lambda t: vault.key_id_of(t) or LEGACY)
        for column in ciphertexts.columns()
    }


def stale(ciphertexts: Ciphertexts, vault: Any) -> int:
    """Ciphertexts not under the current key."""
    current = vault.current_key_id
    counts = keys_in_use(ciphertexts, vault).values()
    return sum(n for c in counts for kid, n in c.items() if kid != current)


def rotate(
    ciphertexts: Ciphertexts,
    audit: AuditTrail,
    vault: Any,
    ring: KeyRing,
    new_key: Callable[[], bytes],
    *,
    batch_size: int = 500,
    pause: float = 0.0,  # float ok: seconds
    grace: float = GRACE_SECONDS,  # float ok: seconds
    on_batch: Callable[[str, int], None] = lambda _name, _count: None,
) -> RotationResult:
    """Begin (or resume), sweep until a pass finds nothing stale, retire the old keys."""
    keys = ring.read()
    began = ring.writable and len(keys) == 1
    if began:
        ring.write([new_key(), *keys])
        time.sleep(grace)  # writers that read the ring before the change see the new one
    vault.reload()
    result = RotationResult(vault.current_key_id, began, retired=vault.key_ids[1:])
    while True:
        counts = sweep(ciphertexts, vault, batch_size=batch_size, pause=pause, on_batch=on_batch)
        for name, count in counts.items():
            result.resealed[name] = result.resealed.get(name, 0) + count
        if stale(ciphertexts, vault) == 0:
            break
    if ring.writable and len(ring.read()) > 1:
        ring.write(ring.read()[:1])
        vault.reload()
    details: dict[str, Any] = {
        "key_id": result.key_id,
        "retired_key_ids": result.retired,
        "resealed": result.resealed,
    }
    subject = f"key {result.key_id}"
    audit.audit(utc_now(), "payrun secrets rotate", "secrets.rotate", subject, details)
    return result
