"""Bad input at the command line: one line naming the field, exit code 2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Employee, PayRun
from payrun.config import Settings
from payrun.services.seed import seed_demo


@pytest.fixture
def home(payrun_home: Path) -> Path:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    seed_demo(settings.db_url, employers=2, employees=3, seed=5, vault=Vault.for_settings(settings))
    return payrun_home


def payrun(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAYRUN_HOME": str(home), "TEMPORAL_ADDRESS": "127.0.0.1:1"}
    return subprocess.run(
        [sys.executable, "-m", "payrun.entrypoints.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def counts(home: Path) -> tuple[int, int]:
    with transaction(Settings(home=home).db_url) as session:
        return (
            session.scalar(select(func.count()).select_from(Employee)) or 0,
            session.scalar(select(func.count()).select_from(PayRun)) or 0,
        )


GOOD = [
    "--employer", "1", "--external-id", "NEW1", "--first", "Ana", "--last", "Diaz",
    "--ssn", "123-45-6789", "--rate", "65000", "--routing", "021000021",
    "--account", "12345678", "--state", "CA",
]  # fmt: skip


def with_option(option: str, value: str) -> list[str]:
    args = list(GOOD)
    args[args.index(option) + 1] = value
    return args


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["run", "--employer", "999"], "employer"),
        (["run", "--period", "2031-02-30"], "period"),
        (["run", "--schedule", "fortnightly"], "schedule"),
        (["employee", "add", *with_option("--rate", "-5")], "--rate"),
        (["employee", "add", *with_option("--routing", "123456789")], "bank_routing"),
        (["employee", "add", *with_option("--employer", "999")], "--employer"),
        (["seed", "--employers", "-1"], "--employers"),
        (["redrive", "--resolution", "shred"], "resolution"),
    ],
)
def test_bad_input_is_one_line_naming_the_field_exit_2_nothing_written(
    home: Path, args: list[str], field: str
) -> None:
    before = counts(home)
    result = payrun(home, *args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert field in lines[0]
    assert counts(home) == before


def test_good_employee_is_added(home: Path) -> None:
    before = counts(home)
    result = payrun(home, "employee", "add", *GOOD)
    assert result.returncode == 0, result.stderr
    assert counts(home) == (before[0] + 1, before[1])
