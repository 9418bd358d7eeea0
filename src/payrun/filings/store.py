"""The filings service's own store: ONE table of items keyed by partition key + sort key.

Item families (pk / sk), as in a DynamoDB single-table design:
  EMPLOYER#{id}            PROFILE                      the employer as enrolled (schedule, ...)
  EMPLOYER#{id}#{year}     EVENT#{event_id}             a liability event, as received
  EMPLOYER#{id}#{year}     DEBIT#{payment_id}           a funding debit that settled
  FILING#{filing_id}       META                         a deposit or return: status, figures
  FILING#{filing_id}       HISTORY#{at}#{status}        its status history
  QUEUE#{agency}           ITEM#{filing_id}             waiting for, or in, an agency batch
  BATCH#{batch_id}         META                         a batch sent to an agency
`kind`, `employer_id`, `status` and `due` are copied out of the data for listing (the
table's secondary index). It lives in its own database ($PAYRUN_HOME/filings.db, or any
SQLAlchemy URL) and never reads the payroll tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    make_url,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from payrun.private_files import touch_private

metadata = MetaData()
items = Table(
    "filings_items",
    metadata,
    Column("pk", String(200), primary_key=True),
    Column("sk", String(200), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("employer_id", Integer, nullable=True),
    Column("status", String(16), nullable=True),
    Column("due", Date, nullable=True),
    Column("version", Integer, nullable=False, default=0),
    Column("data", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_filings_items_kind_employer_status", "kind", "employer_id", "status"),
)


def default_url(home: Path) -> str:
    return f"sqlite:///{home / 'filings.db'}"


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=_encode))


def _encode(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


class FilingsStore:
    """Get, put (insert or replace), conditional put and query of the one table."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            _private_sqlite_file(url)
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    @contextmanager
    def _begin(self) -> Iterator[Any]:
        with self.engine.begin() as conn:
            yield conn

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        with self._begin() as conn:
            row = conn.execute(select(items).where(items.c.pk == pk, items.c.sk == sk)).first()
        return _item(row) if row else None

    def put(self, pk: str, sk: str, kind: str, data: dict[str, Any], **index: Any) -> None:
        """Insert or replace the item (its version goes up by one)."""
        with self._begin() as conn:
            self._upsert(conn, pk, sk, kind, data, index)

    def put_new(self, pk: str, sk: str, kind: str, data: dict[str, Any], **index: Any) -> bool:
        """Insert only if absent (an idempotent receive): False when the item already exists."""
        with self._begin() as conn:
            values = self._values(pk, sk, kind, data, index, version=1)
            stmt = _insert(conn)(items).values(**values).on_conflict_do_nothing()
            return conn.execute(stmt.returning(items.c.pk)).first() is not None

    def query(self, pk: str, prefix: str = "") -> list[dict[str, Any]]:
        """Every item of a partition whose sort key starts with prefix, in sort-key order."""
        with self._begin() as conn:
            rows = conn.execute(
                select(items)
                .where(items.c.pk == pk, items.c.sk.startswith(prefix, autoescape=True))
                .order_by(items.c.sk)
            ).all()
        return [_item(row) for row in rows]

    def by_index(
        self, kind: str, employer_id: int | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        stmt = select(items).where(items.c.kind == kind)
        if employer_id is not None:
            stmt = stmt.where(items.c.employer_id == employer_id)
        if status is not None:
            stmt = stmt.where(items.c.status == status)
        with self._begin() as conn:
            rows = conn.execute(stmt.order_by(items.c.due, items.c.pk)).all()
        return [_item(row) for row in rows]

    def _upsert(
        self, conn: Any, pk: str, sk: str, kind: str, data: dict[str, Any], index: dict[str, Any]
    ) -> None:
        values = self._values(pk, sk, kind, data, index, version=1)
        stmt = _insert(conn)(items).values(**values)
        update = {k: v for k, v in values.items() if k not in ("pk", "sk", "version")}
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["pk", "sk"],
                set_={**update, "version": items.c.version + 1},
            )
        )

    @staticmethod
    def _values(
        pk: str, sk: str, kind: str, data: dict[str, Any], index: dict[str, Any], version: int
    ) -> dict[str, Any]:
        return {
            "pk": pk,
            "sk": sk,
            "kind": kind,
            "employer_id": index.get("employer_id"),
            "status": index.get("status"),
            "due": index.get("due"),
            "version": version,
            "data": _jsonable(data),
            "updated_at": index.get("at") or datetime.now().astimezone(),
        }


def _insert(conn: Any) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def _item(row: Any) -> dict[str, Any]:
    return {**row.data, "_pk": row.pk, "_sk": row.sk, "_version": row.version}


def _private_sqlite_file(url: str) -> None:
    """Owner-only before SQLite creates it (names and SSNs' last four are in the events)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        touch_private(Path(database).resolve())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
