"""API keys on SQLAlchemy: the repository behind payrun.services.api_keys."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from payrun.adapters.db.models import ApiKey
from payrun.services.records import NewApiKey, StoredApiKey


class SqlApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key: NewApiKey) -> int:
        row = ApiKey(
            prefix=key.prefix,
            secret_hash=key.secret_hash,
            name=key.name,
            role=key.role,
            employer_ids=list(key.employer_ids),
            created_at=key.created_at,
            expires_at=key.expires_at,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def by_prefix(self, prefix: str) -> StoredApiKey | None:
        row = self.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        return None if row is None else _stored(row)

    def get(self, key_id: int) -> StoredApiKey | None:
        row = self.session.get(ApiKey, key_id)
        return None if row is None else _stored(row)

    def every(self) -> list[StoredApiKey]:
        return [_stored(row) for row in self.session.scalars(select(ApiKey).order_by(ApiKey.id))]

    def revoke(self, key_id: int, at: datetime) -> None:
        self.session.execute(update(ApiKey).where(ApiKey.id == key_id).values(revoked_at=at))


def _stored(row: ApiKey) -> StoredApiKey:
    return StoredApiKey(
        id=row.id,
        prefix=row.prefix,
        secret_hash=row.secret_hash,
        name=row.name,
        role=row.role,
        employer_ids=tuple(int(i) for i in row.employer_ids or ()),
        created_at=_aware(row.created_at),
        expires_at=None if row.expires_at is None else _aware(row.expires_at),
        revoked_at=None if row.revoked_at is None else _aware(row.revoked_at),
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
