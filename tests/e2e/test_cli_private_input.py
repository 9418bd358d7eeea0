"""`payrun employee add` without --ssn/--account asks for them (no echo): they stay out of ps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Employee
from payrun.config import Settings
from payrun.services.seed import seed_demo

WITHOUT_SECRETS = [
    "--employer", "1", "--external-id", "NEW1", "--first", "Ana", "--last", "Diaz",
    "--rate", "65000", "--routing", "021000021", "--state", "CA",
]  # fmt: skip


def test_ssn_and_account_are_read_from_the_terminal_not_the_arguments(payrun_home: Path) -> None:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    vault = Vault.for_settings(settings)
    seed_demo(settings.db_url, employers=1, employees=2, seed=5, vault=vault)
    env = {**os.environ, "PAYRUN_HOME": str(payrun_home), "TEMPORAL_ADDRESS": "127.0.0.1:1"}

    done = subprocess.run(
        [sys.executable, "-m", "payrun.entrypoints.cli", "employee", "add", *WITHOUT_SECRETS],
        input="123-45-6789\n987654321\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "123-45-6789" not in done.stdout and "987654321" not in done.stdout  # not echoed
    with transaction(settings.db_url) as session:
        added = session.scalars(select(Employee).where(Employee.external_id == "NEW1")).one()
    assert vault.decrypt(added.ssn_enc).replace("-", "") == "123456789"
    assert vault.decrypt(added.bank_account_enc) == "987654321"
