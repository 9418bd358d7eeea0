"""SQL side of personal data at rest: the encrypted columns, pay-run dates and the audit log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, bindparam, select, update

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import AuditLog, Base, PayPeriod, PayRun


@dataclass(frozen=True)
class _EncryptedColumn:
    table: Table
    column: Column[Any]

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"


def _encrypted_columns() -> dict[str, _EncryptedColumn]:
    """Every ciphertext column in the schema: its name ends in `_enc` (ssn_enc, ...)."""
    found = [
        _EncryptedColumn(table, column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_enc") and "id" in table.c
    ]
    return {c.name: c for c in found}


class SqlCiphertexts:
    """Implements services.key_rotation.Ciphertexts over every `*_enc` column."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._columns = _encrypted_columns()

    def columns(self) -> list[str]:
        return list(self._columns)

    def reseal_batch(
        self, column: str, after: int, size: int, reseal: Callable[[bytes], bytes | None]
    ) -> tuple[int | None, int]:
        """Rows with id > after (at most size), each through reseal (None: leave it); one
        transaction. A row changed meanwhile keeps its new value. The last id seen (None: no
        more rows) and how many rows were changed."""
        target = self._columns[column]
        ids = target.table.c.id
        with transaction(self.db_url) as session:
            query = select(ids, target.column).where(ids > after).order_by(ids).limit(size)
            rows = session.execute(query).all()
            changes = [
                {"row_id": row_id, "was": token, "fresh": fresh}
                for row_id, token in rows
                if token is not None and (fresh := reseal(token)) is not None
            ]
            changed = 0
            if changes:  # one statement, many parameter sets
                statement = (
                    update(target.table)
                    .where(ids == bindparam("row_id"), target.column == bindparam("was"))
                    .values({target.column.name: bindparam("fresh")})
                )
                changed = session.connection().execute(statement, changes).rowcount
        return (rows[-1][0] if rows else None), changed

    def count_by(self, column: str, label: Callable[[bytes], str]) -> Counter[str]:
        """How many ciphertexts of a column fall under each label (their key id)."""
        target = self._columns[column].column
        with reading(self.db_url) as session:
            query = select(target).where(target.is_not(None)).execution_options(yield_per=5000)
            return Counter(label(token) for token in session.scalars(query))


class SqlRecords:
    """Implements services.retention.Records and the audit trail of both services."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def runs_paid_before(self, day: date) -> list[str]:
        with reading(self.db_url) as session:
            query = (
                select(PayRun.id)
                .join(PayPeriod, PayPeriod.id == PayRun.pay_period_id)
                .where(PayPeriod.pay_date < day)
                .order_by(PayRun.id)
            )
            return list(session.scalars(query))

    def audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        details: dict[str, Any],
        outcome: str = "ok",
    ) -> None:
        with transaction(self.db_url) as session:
            row = AuditLog(at=at, actor=actor, action=action, subject=subject, details=details)
            row.outcome = outcome  # ok | rejected, as the API's audit records say
            session.add(row)
