"""`payrun secrets rotate` killed with SIGKILL halfway, then run again: nothing is lost.

The rotation runs as a real process (throttled with --pause so it can be caught mid-way);
the test reads the database while it runs and kills it once some ciphertexts are under the new
key and some still under the old. In that state a vault loaded before the rotation still reads
everything and a new ciphertext goes under the new key. Running the command again finishes the
job with the same new key and retires the old one: the old key then opens nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from payrun.adapters.crypto import Vault, key_id
from payrun.adapters.db.engine import migrate, reading
from payrun.adapters.db.models import AuditLog, Employee, Employer
from payrun.adapters.db.records import SqlCiphertexts
from payrun.config import Settings
from payrun.domain.errors import InvalidInput
from payrun.services.key_rotation import keys_in_use
from payrun.services.seed import seed_demo

PAYRUN = str(Path(sys.executable).with_name("payrun"))


def _secrets(settings: Settings, vault: Vault) -> dict[tuple[str, int], str]:
    """Every SSN and account number in the clear, by (column, row id)."""
    with reading(settings.db_url) as session:
        employees = session.execute(
            select(Employee.id, Employee.ssn_enc, Employee.bank_account_enc)
        ).all()
        employers = session.execute(select(Employer.id, Employer.funding_account_enc)).all()
    found = {("ssn", i): vault.decrypt(s) for i, s, _ in employees}
    found |= {("account", i): vault.decrypt(a) for i, _, a in employees}
    found |= {("funding", i): vault.decrypt(f) for i, f in employers}
    return found


def _per_key(settings: Settings, vault: Vault) -> dict[str, int]:
    totals: dict[str, int] = {}
    for counts in keys_in_use(SqlCiphertexts(settings.db_url), vault).values():
        for kid, count in counts.items():
            totals[kid] = totals.get(kid, 0) + count
    return totals


def _rotate(home: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PAYRUN_HOME": str(home)}
    env.pop("PAYRUN_SECRET_KEY", None)
    return subprocess.Popen(
        [PAYRUN, "secrets", "rotate", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_rotation_killed_halfway_resumes_and_retires_the_old_key(
    payrun_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAYRUN_SECRET_KEY", raising=False)
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    before = Vault.for_settings(settings)  # loaded before the rotation, as a running worker
    seed_demo(settings.db_url, employers=3, employees=20, seed=5, vault=before)
    old_key = (payrun_home / "secret.key").read_bytes().strip()
    old_id = key_id(old_key)
    clear = _secrets(settings, before)
    total = len(clear)  # 3 employers + 60 employees x 2 = 123 ciphertexts
    assert total == 123 and _per_key(settings, before) == {old_id: total}

    # 123 rows in batches of 5 with 0.1 s between: about 3 s of work after a 2 s grace.
    first = _rotate(payrun_home, "--batch-size", "5", "--pause", "0.1")
    deadline = time.monotonic() + 60
    while True:
        counts = _per_key(settings, before)
        if counts.get(old_id, 0) <= total - 20:
            break
        assert first.poll() is None and time.monotonic() < deadline, first.stdout
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL

    ring = (payrun_home / "secret.key").read_bytes().split()
    new_id = key_id(ring[0])
    halfway = _per_key(settings, before)
    assert len(ring) == 2 and ring[1] == old_key and new_id != old_id
    assert halfway[old_id] >= 20 and halfway[new_id] >= 20, halfway  # really halfway
    # Pay runs go on: the vault loaded before reads both keys, and new secrets take the new key.
    assert _secrets(settings, before) == clear
    assert before.key_id_of(before.encrypt("123-45-6789")) == new_id

    second = _rotate(payrun_home, "--batch-size", "50")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output
    assert "resuming" in output and f"retired key(s) {old_id}" in output

    new_only = Vault(ring[0])
    assert (payrun_home / "secret.key").read_bytes().split() == [ring[0]]
    assert _per_key(settings, new_only) == {new_id: total}
    assert _secrets(settings, new_only) == clear  # every SSN and account still decrypts
    assert _refused_by(Vault(old_key), settings) == total  # the old key opens nothing now
    with reading(settings.db_url) as session:
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "secrets.rotate")).one()
    assert audit.details["retired_key_ids"] == [old_id] and audit.details["key_id"] == new_id


def _refused_by(vault: Vault, settings: Settings) -> int:
    refused = 0
    with reading(settings.db_url) as session:
        rows = session.execute(select(Employee.ssn_enc, Employee.bank_account_enc)).all()
        tokens = [t for row in rows for t in row]
        tokens += list(session.scalars(select(Employer.funding_account_enc)))
    for token in tokens:
        try:
            vault.decrypt(token)
        except InvalidInput:
            refused += 1
    return refused
