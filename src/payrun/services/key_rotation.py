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
from typing import Any, Protocol

from sqlalchemy import Column, Table, bindparam, select, update

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import AuditLog, Base
from payrun.services.context import utc_now

LEGACY = "legacy"  # v1 and Fernet ciphertexts: no key id in them
GRACE_SECONDS = 2.0  # other processes re-read the ring within 1 s before they write


class KeyRing(Protocol):
    writable: bool

    def read(self) -> list[bytes]: ...
    def write(self, keys: list[bytes]) -> None: ...


@dataclass(frozen=True)
class EncryptedColumn:
    table: Table
    column: Column[Any]

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"

    @property
    def id(self) -> Column[Any]:
        return self.table.c.id


@dataclass
class RotationResult:
    key_id: str
    began: bool
    retired: list[str]
    resealed: dict[str, int] = field(default_factory=dict)


def encrypted_columns() -> list[EncryptedColumn]:
    """Every ciphertext column in the schema: its name ends in `_enc` (ssn_enc, ...)."""
    return [
        EncryptedColumn(table, column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_enc") and "id" in table.c
    ]


def reseal_batch(
    db_url: str, vault: Any, target: EncryptedColumn, after: int, size: int
) -> tuple[int | None, int]:
    """Re-seal the rows with id > after (at most size); the last id seen (None: no more
    rows) and how many were re-sealed."""
    with transaction(db_url) as session:
        rows = session.execute(
            select(target.id, target.column)
            .where(target.id > after)
            .order_by(target.id)
            .limit(size)
        ).all()
        changes = [
            {"row_id": row_id, "was": token, "fresh": vault.encrypt(vault.decrypt(token))}
            for row_id, token in rows
            if token is not None and not vault.is_current(token)
        ]
        changed = 0
        if changes:  # one statement, many parameter sets; a row changed meanwhile is skipped
            statement = (
                update(target.table)
                .where(target.id == bindparam("row_id"), target.column == bindparam("was"))
                .values({target.column.name: bindparam("fresh")})
            )
            connection = session.connection()
            changed = connection.execute(statement, changes).rowcount
    return (rows[-1][0] if rows else None), changed


def sweep(
    db_url: str,
    vault: Any,
    *,
    batch_size: int = 500,
    pause: float = 0.0,  # float ok: seconds
    on_batch: Callable[[str, int], None] = lambda _name, _count: None,
) -> dict[str, int]:
    """Re-seal every encrypted column under the current key; counts per column."""
    resealed: dict[str, int] = {}
    for target in encrypted_columns():
        after: int | None = 0
        resealed[target.name] = 0
        while after is not None:
            after, changed = reseal_batch(db_url, vault, target, after, batch_size)
            resealed[target.name] += changed
            on_batch(target.name, changed)
            if pause and after is not None:
                time.sleep(pause)
    return resealed


def keys_in_use(db_url: str, vault: Any) -> dict[str, Counter[str]]:
    """Per column, how many ciphertexts each key id (or LEGACY) sealed."""
    found: dict[str, Counter[str]] = {}
    with reading(db_url) as session:
        for target in encrypted_columns():
            query = select(target.column).where(target.column.is_not(None))
            tokens = session.scalars(query.execution_options(yield_per=5000))
            found[target.name] = Counter(vault.key_id_of(t) or LEGACY for t in tokens)
    return found


def stale(db_url: str, vault: Any) -> int:
    """Ciphertexts not under the current key."""
    current = vault.current_key_id
    return sum(n for c in keys_in_use(db_url, vault).values() for k, n in c.items() if k != current)


def rotate(
    db_url: str,
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
        counts = sweep(db_url, vault, batch_size=batch_size, pause=pause, on_batch=on_batch)
        for name, count in counts.items():
            result.resealed[name] = result.resealed.get(name, 0) + count
        if stale(db_url, vault) == 0:
            break
    if ring.writable and len(ring.read()) > 1:
        ring.write(ring.read()[:1])
        vault.reload()
    _audit(db_url, result)
    return result


def _audit(db_url: str, result: RotationResult) -> None:
    with transaction(db_url) as session:
        session.add(
            AuditLog(
                at=utc_now(),
                actor="payrun secrets rotate",
                action="secrets.rotate",
                subject=f"key {result.key_id}",
                details={
                    "key_id": result.key_id,
                    "retired_key_ids": result.retired,
                    "resealed": result.resealed,
                },
            )
        )
