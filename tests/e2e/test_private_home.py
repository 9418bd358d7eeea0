"""`payrun demo` under the usual umask (022) leaves nothing in PAYRUN_HOME open to others.

A real process with the embedded Temporal dev server: the database and its WAL, the Temporal
file, the key, the snapshots, the NACHA files and the bank drop are all written by the code
under test, then every entry under the home is checked.
"""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employee
from payrun.config import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_demo_pay_run_under_umask_022_leaves_nothing_readable_by_others(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    env = {
        **os.environ,
        "PAYRUN_HOME": str(home),
        "PAYRUN_TEMPORAL_PORT": str(_free_port()),
        "PAYRUN_TEMPORAL_UI_PORT": str(_free_port()),
    }
    env.pop("PAYRUN_DATABASE_URL", None)
    env.pop("TEMPORAL_ADDRESS", None)
    payrun = Path(sys.executable).with_name("payrun")
    done = subprocess.run(
        [str(payrun), "demo", "--employers", "2", "--employees", "3"],
        env=env,
        cwd=tmp_path,
        umask=0o022,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr

    entries = [home, *home.rglob("*")]
    names = {p.relative_to(home).as_posix() for p in entries}
    open_to_others = [
        f"{stat.filemode(p.lstat().st_mode)} {p}"
        for p in entries
        if p.lstat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    ]
    assert open_to_others == []
    # The run really wrote what the issue found exposed.
    assert {"payrun.db", "temporal.db", "temporal.log", "secret.key"} <= names
    # NACHA files travel through the object store (issue 16): a folder by default
    assert any(n.startswith("snapshots/nacha/") and n.endswith(".ach") for n in names)
    assert any(n.startswith("out/bank-drop/") and n.endswith(".ach") for n in names)
    assert any(n.startswith("snapshots/runs/") and n.endswith(".json") for n in names)
    _object_keys_hold_ids_only(home, names)


# runs/<run id>/employers.json or runs/<run id>/employer-<id>/chunk-<n>/<step>[-<version>].json
OBJECT_KEY = re.compile(
    r"runs/payrun-[a-z]+-\d{4}-\d{2}-\d{2}-regular"
    r"(/employers\.json|/employer-\d+(/chunk-\d{5}(/[a-z_]+(-[0-9a-f]{16})?\.json)?)?)?"
)


def _object_keys_hold_ids_only(home: Path, names: set[str]) -> None:
    """Object keys and file names carry run, employer and chunk ids, never a name or an SSN."""
    keys = sorted(n.removeprefix("snapshots/") for n in names if n.startswith("snapshots/runs/"))
    assert [k for k in keys if not OBJECT_KEY.fullmatch(k)] == []
    settings = Settings(home=home)
    vault = Vault.for_settings(settings)
    with transaction(settings.db_url) as session:
        people = session.execute(select(Employee.first_name, Employee.last_name, Employee.ssn_enc))
        personal = {
            part.lower()
            for first, last, ssn_enc in people
            for part in (first, last, vault.decrypt(ssn_enc).replace("-", ""))
        }
    every_path = "\n".join(sorted(names)).lower().replace("-", "")
    assert len(personal) >= 6 and [p for p in personal if p in every_path] == []
