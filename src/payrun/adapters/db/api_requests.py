"""Idempotency-Keys on SQLAlchemy: the repository behind payrun.services.idempotency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from payrun.adapters.db.models_more import ApiRequest
from payrun.services.records import SeenRequest


class SqlApiRequestRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _where(self, key_id: int, action: str, key: str) -> Any:
        return (
            (ApiRequest.api_key_id == key_id)
            & (ApiRequest.action == action)
            & (ApiRequest.idempotency_key == key)
        )

    def find(self, key_id: int, action: str, key: str) -> SeenRequest | None:
        row = self.session.scalar(select(ApiRequest).where(self._where(key_id, action, key)))
        if row is None:
            return None
        created = row.created_at
        created = created if created.tzinfo else created.replace(tzinfo=UTC)  # SQLite: naive
        return SeenRequest(row.body_sha256, created, row.response_status, row.response_body)

    def claim(self, key_id: int, action: str, key: str, digest: str, at: datetime) -> None:
        self.session.add(
            ApiRequest(
                api_key_id=key_id,
                idempotency_key=key,
                action=action,
                body_sha256=digest,
                target="",
                created_at=at,
            )
        )

    def answer(self, key_id: int, action: str, key: str, status: int, body: dict[str, Any]) -> None:
        self.session.execute(
            update(ApiRequest)
            .where(self._where(key_id, action, key))
            .values(response_status=status, response_body=body)
        )

    def release(self, key_id: int, action: str, key: str) -> None:
        self.session.execute(
            delete(ApiRequest).where(
                self._where(key_id, action, key), ApiRequest.response_status.is_(None)
            )
        )
