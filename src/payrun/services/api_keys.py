"""API keys: created with a role and an employer scope, stored as a slow hash, revoked, checked.

A key reads ``prk_<prefix>_<secret>``: the prefix (public) finds its row, the secret is checked
against an Argon2id hash. Checking a key once costs tens of milliseconds on purpose, so a key
that passed is remembered in this process by an HMAC of the whole key (a keyed, fast digest
that is useless outside this process); its row is still read on every request, so a revoked or
expired key stops working at once, in every process.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from payrun.domain.errors import InvalidInput
from payrun.services.records import AuditEntry, NewApiKey, StoredApiKey
from payrun.services.unit_of_work import UnitOfWork

ROLES = ("viewer", "operator", "admin")
_RANK = {role: rank for rank, role in enumerate(ROLES)}
_KEY = re.compile(r"^prk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_DURATION = re.compile(r"^([1-9][0-9]{0,4})([dh])$")
_HASHER = PasswordHasher()  # Argon2id, the library's defaults (RFC 9106 low-memory profile)
# Tests that make many keys set PAYRUN_API_KEY_HASH=cheapest (argon2's test profile): a key
# then costs a millisecond instead of half a second. Checking reads the cost from the hash.
_CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)


def _hasher() -> PasswordHasher:
    return _CHEAP if os.environ.get("PAYRUN_API_KEY_HASH") == "cheapest" else _HASHER


_CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, role and the employers it may see (None: all)."""

    key_id: int
    role: str
    employer_ids: frozenset[int] | None

    def may(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def sees(self, employer_id: int) -> bool:
        return self.employer_ids is None or employer_id in self.employer_ids


@dataclass(frozen=True)
class NewKey:
    id: int
    key: str  # shown once, never stored


@dataclass(frozen=True)
class CreateKey:
    role: str
    employer_ids: tuple[int, ...] = ()
    expires_in: str | None = None  # "90d", "12h"
    name: str = ""


def parse_duration(text: str) -> timedelta:
    found = _DURATION.match(text.strip())
    if found is None:
        raise InvalidInput(
            "--expires", f"must be a number of days or hours (90d, 12h), not {text!r}"
        )
    number, unit = int(found.group(1)), found.group(2)
    return timedelta(days=number) if unit == "d" else timedelta(hours=number)


def create_key(uow: UnitOfWork, cmd: CreateKey, now: datetime, actor: str = "cli") -> NewKey:
    """Check the request, then store the new key's hash; the key itself is returned once.
    The audit log records who made it, its role, scope and prefix (never the secret)."""
    if cmd.role not in ROLES:
        raise InvalidInput("--role", f"must be one of {', '.join(ROLES)}, not {cmd.role!r}")
    expires = now + parse_duration(cmd.expires_in) if cmd.expires_in else None
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    stored = NewApiKey(
        prefix=prefix,
        secret_hash=_hasher().hash(secret),  # slow on purpose: before the writer's turn
        name=cmd.name[:100],
        role=cmd.role,
        employer_ids=tuple(sorted(set(cmd.employer_ids))),
        created_at=now,
        expires_at=expires,
    )
    with uow:
        for employer_id in cmd.employer_ids:
            if not uow.employers.exists(employer_id):
                raise InvalidInput("--employer", f"unknown employer {employer_id}")
        key_id = uow.api_keys.add(stored)
        details = {"role": cmd.role, "employer_ids": list(stored.employer_ids), "prefix": prefix}
        uow.audit.add(_audit(actor, "api_key.created", key_id, details), now)
        uow.commit()
    return NewKey(key_id, f"prk_{prefix}_{secret}")


def list_keys(uow: UnitOfWork) -> list[StoredApiKey]:
    with uow:
        return uow.api_keys.every()


def revoke_key(uow: UnitOfWork, key_id: int, now: datetime, actor: str = "cli") -> None:
    """From now on no request passes with it; revoking it again keeps the first time (and
    its one audit record)."""
    with uow:
        key = uow.api_keys.get(key_id)
        if key is None:
            raise InvalidInput("key", f"unknown key {key_id}")
        if key.revoked_at is None:
            uow.api_keys.revoke(key_id, now)
            uow.audit.add(_audit(actor, "api_key.revoked", key_id, {"prefix": key.prefix}), now)
            uow.commit()


def _audit(actor: str, action: str, key_id: int, details: dict[str, Any]) -> AuditEntry:
    return AuditEntry(actor, action, f"api_keys/{key_id}", "ok", details=details)


class KeyChecker:
    """Finds the Principal of a presented key, or None for any key that must not pass.

    `reading` makes a unit of work that only reads (the context's reading_unit_of_work): it
    runs on every request, and must not queue behind writers.
    """

    def __init__(self, reading: Callable[[], UnitOfWork]) -> None:
        self.reading = reading
        self._pepper = secrets.token_bytes(32)  # per process: the cache is useless elsewhere
        self._verified: dict[bytes, int] = {}  # HMAC of a key that passed -> its id
        self._lock = threading.Lock()

    def check(self, presented: str, now: datetime) -> Principal | None:
        found = _KEY.match(presented)
        if found is None:
            return None
        digest = hmac.new(self._pepper, presented.encode(), hashlib.sha256).digest()
        known = self._verified.get(digest)
        with self.reading() as uow:
            key = uow.api_keys.by_prefix(found.group(1))
        if key is None or (known is not None and known != key.id):
            return None
        if known is None and not _secret_matches(key.secret_hash, found.group(2)):
            return None
        if key.revoked_at is not None or (key.expires_at and key.expires_at <= now):
            return None
        if known is None:
            with self._lock:
                if len(self._verified) >= _CACHE_LIMIT:
                    self._verified.clear()
                self._verified[digest] = key.id
        scope = frozenset(key.employer_ids) if key.employer_ids else None
        return Principal(key.id, key.role, scope)


def _secret_matches(stored: str, secret: str) -> bool:
    try:
        return _HASHER.verify(stored, secret)  # the cost is the one stored in the hash
    except (VerificationError, InvalidHashError):
        return False
