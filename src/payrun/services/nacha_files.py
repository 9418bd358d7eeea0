"""Payroll NACHA files live in the object store (a key per file, kept in payments.nacha_path), so
any worker on any machine can send a file and match its returns."""

from __future__ import annotations

from pathlib import Path

from payrun.domain.errors import InvalidInput
from payrun.services.context import PayrollContext
from payrun.services.ports import ObjectStoreError


class MissingNachaFile(InvalidInput):
    """A payment's NACHA file is not in the object store: never treated as "no match"."""


def nacha_key(run_id: str, employer_id: int, sequence: int) -> str:
    return f"nacha/{run_id}/employer-{employer_id}-payment-{sequence}.ach"


def put_nacha(ctx: PayrollContext, key: str, data: bytes) -> str:
    """Store the file (atomically, same key same bytes on a retry); the key to record."""
    ctx.store.put_bytes(key, data)
    return key


def read_nacha(ctx: PayrollContext, ref: str | None, what: str) -> bytes:
    """The bytes of a recorded file; MissingNachaFile naming what (e.g. "payment 7") if gone.
    A reference written before files moved to the store is a local path and read as one."""
    if not ref:
        raise MissingNachaFile(what, "no NACHA file on record")
    try:
        if ref.startswith("/"):
            return Path(ref).read_bytes()
        return ctx.store.get_bytes(ref)
    except (OSError, ObjectStoreError) as error:
        raise MissingNachaFile(what, f"NACHA file {ref} cannot be read ({error})") from None
