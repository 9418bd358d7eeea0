"""The pooled SQLAlchemy engine (SQLite by default, PostgreSQL by URL) and migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import msgspec
from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.orm import Session, sessionmaker

from payrun.private_files import touch_private

try:
    import fcntl
except ImportError:  # Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

MIGRATIONS = Path(__file__).with_name("migrations")


@lru_cache(maxsize=8)
def make_engine(url: str) -> Engine:
    """One pooled engine per URL per process (the role RDS Proxy plays in the seed)."""
    json = {"json_serializer": _json_text, "json_deserializer": msgspec.json.decode}
    if url.startswith("sqlite"):
        _private_database_file(url)
        engine = create_engine(
            url, connect_args={"timeout": 60, "check_same_thread": False}, **json
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, **json)


def _private_database_file(url: str) -> None:
    """Create the SQLite file owner-only before SQLite does (it would use 0644 minus the
    umask). SQLite gives its -wal, -shm and -journal files the database file's own mode, so
    they are private too; an existing database is tightened."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        touch_private(Path(database).resolve())


def _json_text(value: object) -> str:
    """JSON columns (paycheck lines, YTD amounts) hold integers and strings only; msgspec
    writes them several times faster than the standard library."""
    return msgspec.json.encode(value).decode()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy, not pysqlite, issue BEGIN (so writers take the lock up front).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def _sqlite_begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
    # BEGIN IMMEDIATE: concurrent workers queue on the write lock instead of failing
    # with "database is locked" when a read transaction tries to upgrade. Read-only work
    # (reading()) begins deferred instead: under WAL it never waits for a writer.
    if conn.get_execution_options().get("payrun_read_only"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(make_engine(url), expire_on_commit=False)


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """A session whose work commits together or not at all."""
    with writer_turn(url):
        session = session_factory(url)()
        try:
            with session.begin():
                yield session
        finally:
            session.close()


@contextmanager
def writer_turn(url: str) -> Iterator[None]:
    """SQLite has one writer at a time. Waiting writers queue on an OS file lock beside the
    database, which wakes the next one the moment the lock is released, instead of SQLite's
    busy handler, which sleeps in growing steps (up to 100 ms) and polls. A process that dies
    holding it releases it. The busy timeout stays as the safety net for other writers."""
    path = _lock_path(url)
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@lru_cache(maxsize=8)
def _lock_path(url: str) -> str | None:
    if not url.startswith("sqlite") or fcntl is None:
        return None
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return f"{Path(database).resolve()}-writer.lock"


@contextmanager
def reading(url: str) -> Iterator[Session]:
    """A read-only session: on SQLite it takes no write lock, so readers never queue."""
    engine = make_engine(url)
    with engine.connect().execution_options(payrun_read_only=True) as connection:
        session = Session(bind=connection, expire_on_commit=False)
        try:
            with session.begin():
                yield session
        finally:
            session.close()


def _alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    from alembic import command

    command.upgrade(_alembic_config(url), "head")


def is_migrated(url: str) -> bool:
    return inspect(make_engine(url)).has_table("alembic_version")
