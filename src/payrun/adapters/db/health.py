"""Is the database answering? (the API's readiness check)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from payrun.adapters.db.engine import reading


def database_reachable(db_url: str) -> bool:
    try:
        with reading(db_url) as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
