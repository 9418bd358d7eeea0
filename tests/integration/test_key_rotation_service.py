"""Key rotation as a service, on SQLite and PostgreSQL: employees hired while it runs are
re-sealed too, and at the end one key opens everything."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select

from payrun.adapters.crypto import Vault, key_id
from payrun.adapters.db.engine import migrate, reading
from payrun.adapters.db.models import Employee
from payrun.adapters.db.records import SqlCiphertexts, SqlRecords
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.adapters.keyring import KeySource
from payrun.services.hire import HireEmployee, hire
from payrun.services.key_rotation import rotate, stale
from payrun.services.seed import seed_demo


def test_every_encrypted_column_is_found() -> None:
    assert set(SqlCiphertexts("sqlite://").columns()) >= {
        "employees.ssn_enc",
        "employees.bank_account_enc",
        "employers.funding_account_enc",
    }


def test_employees_hired_during_a_rotation_end_up_under_the_new_key(
    database_url: str, tmp_path: Path
) -> None:
    old = Fernet.generate_key()
    ring = KeySource(tmp_path / "secret.key")
    ring.write([old])
    vault = Vault.reading(ring)  # as Vault.for_settings makes one
    migrate(database_url)
    seed_demo(database_url, employers=2, employees=15, seed=9, vault=vault)
    employer = 1
    hired: list[tuple[int, str]] = []

    def hire_some() -> None:
        hirer = Vault.reading(KeySource(tmp_path / "secret.key"))  # loaded before the rotation
        for n in range(8):
            ssn = f"123-45-{6700 + n}"
            cmd = HireEmployee(
                employer,
                f"NEW{n}",
                "Ana",
                "Diaz",
                ssn,
                "salary",
                "65000.00",
                "021000021",
                f"5550{n}",
                "CA",
            )
            hired.append((hire(SqlUnitOfWork(database_url), cmd, hirer, date(2026, 1, 5)), ssn))
            time.sleep(0.25)  # 2 s of hiring: before, during and after the switch of keys

    hiring = threading.Thread(target=hire_some)
    hiring.start()
    new = Fernet.generate_key()
    ciphertexts = SqlCiphertexts(database_url)
    result = rotate(
        ciphertexts,
        SqlRecords(database_url),
        vault,
        ring,
        lambda: new,
        batch_size=4,
        pause=0.05,
        grace=1.1,
    )
    hiring.join()

    only_new = Vault(new)
    assert result.key_id == key_id(new) and result.retired == [key_id(old)]
    assert ring.read() == [new] and stale(ciphertexts, only_new) == 0
    with reading(database_url) as session:
        stored = dict(session.execute(select(Employee.id, Employee.ssn_enc)).all())
    assert len(stored) == 30 + 8
    assert all(only_new.decrypt(stored[i]) == ssn.replace("-", "") for i, ssn in hired)
    assert all(only_new.decrypt(token) for token in stored.values())
