"""The bank simulator's durable state: accepted batches in SQLite, keyed by idempotency key."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    idempotency_key TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    employer_id INTEGER NOT NULL,
    run_id TEXT NOT NULL,
    credit_total_cents INTEGER NOT NULL,
    entry_count INTEGER NOT NULL,
    nacha BLOB NOT NULL,
    callback_url TEXT,
    callback_token_b64 TEXT,
    status TEXT NOT NULL DEFAULT 'accepted',
    outcome_json TEXT,
    delivered INTEGER NOT NULL DEFAULT 0,
    settlements INTEGER NOT NULL DEFAULT 0,
    submissions INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
)
"""
TERMINAL = ("settled", "rejected", "cancelled")


@dataclass(frozen=True, slots=True)
class StoredBatch:
    idempotency_key: str
    reference: str
    fingerprint: str
    employer_id: int
    run_id: str
    credit_total_cents: int
    entry_count: int
    nacha: bytes
    callback_url: str | None
    callback_token_b64: str | None
    status: str
    outcome: dict[str, Any] | None
    delivered: bool
    settlements: int
    submissions: int

    def public(self) -> dict[str, Any]:
        """What GET /v1/batches/{key} shows (never the file itself)."""
        return {
            "idempotency_key": self.idempotency_key,
            "reference": self.reference,
            "employer_id": self.employer_id,
            "run_id": self.run_id,
            "credit_total_cents": self.credit_total_cents,
            "entry_count": self.entry_count,
            "status": self.status,
            "outcome": self.outcome,
            "delivered": self.delivered,
            "settlements": self.settlements,
            "submissions": self.submissions,
        }


class BatchStore:
    """One SQLite file; every state change is a single conditional UPDATE (at most once)."""

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=5.0
        )
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def insert(self, key: str, fingerprint: str, fields: dict[str, Any]) -> StoredBatch | None:
        """Insert a new batch; None if the key already exists (a duplicate submission)."""
        now = time.time()
        reference = f"BNK-{uuid.uuid4().hex[:16].upper()}"
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO batches (idempotency_key, reference, fingerprint,"
                " employer_id, run_id, credit_total_cents, entry_count, nacha, callback_url,"
                " callback_token_b64, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    reference,
                    fingerprint,
                    fields["employer_id"],
                    fields["run_id"],
                    fields["credit_total_cents"],
                    fields["entry_count"],
                    fields["nacha"],
                    fields["callback_url"],
                    fields["callback_token_b64"],
                    now,
                    now,
                ),
            )
        return self.get(key) if cursor.rowcount == 1 else None

    def record_resubmission(
        self, key: str, callback_url: str | None, token_b64: str | None
    ) -> None:
        """A duplicate submission: the latest attempt's callback token is the one to answer."""
        self._execute(
            "UPDATE batches SET submissions = submissions + 1,"
            " callback_url = COALESCE(?, callback_url),"
            " callback_token_b64 = COALESCE(?, callback_token_b64),"
            " delivered = 0, updated_at = ? WHERE idempotency_key = ?",
            (callback_url, token_b64, time.time(), key),
        )

    def finish(self, key: str, status: str, outcome: dict[str, Any]) -> bool:
        """Move an accepted batch to a terminal status; False if it already left 'accepted'."""
        settled = 1 if status == "settled" else 0
        return (
            self._execute(
                "UPDATE batches SET status = ?, outcome_json = ?, settlements = settlements + ?,"
                " updated_at = ? WHERE idempotency_key = ? AND status = 'accepted'",
                (status, json.dumps(outcome), settled, time.time(), key),
            )
            == 1
        )

    def mark_delivered(self, key: str, token_b64: str | None) -> None:
        self._execute(
            "UPDATE batches SET delivered = 1 WHERE idempotency_key = ?"
            " AND callback_token_b64 IS ?",
            (key, token_b64),
        )

    def get(self, key: str) -> StoredBatch | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM batches WHERE idempotency_key = ?", (key,)
            ).fetchone()
        return _to_batch(row) if row else None

    def unfinished(self) -> list[StoredBatch]:
        """Batches a restart must pick up: still accepted, or finished but not yet told."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM batches WHERE status = 'accepted'"
                " OR (delivered = 0 AND callback_token_b64 IS NOT NULL)"
            ).fetchall()
        return [_to_batch(row) for row in rows]

    def _execute(self, sql: str, params: tuple[Any, ...]) -> int:
        with self._lock:
            return self._db.execute(sql, params).rowcount


def _to_batch(row: sqlite3.Row) -> StoredBatch:
    outcome = json.loads(row["outcome_json"]) if row["outcome_json"] else None
    return StoredBatch(
        idempotency_key=row["idempotency_key"],
        reference=row["reference"],
        fingerprint=row["fingerprint"],
        employer_id=row["employer_id"],
        run_id=row["run_id"],
        credit_total_cents=row["credit_total_cents"],
        entry_count=row["entry_count"],
        nacha=bytes(row["nacha"]),
        callback_url=row["callback_url"],
        callback_token_b64=row["callback_token_b64"],
        status=row["status"],
        outcome=outcome,
        delivered=bool(row["delivered"]),
        settlements=row["settlements"],
        submissions=row["submissions"],
    )
