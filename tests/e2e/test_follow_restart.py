"""`payrun run` keeps following its run through a restart of the Temporal server.

Real processes: the embedded dev server (SQLite file in PAYRUN_HOME, so the run survives it)
and `payrun run` as a subprocess hosting its worker. The server is killed with SIGKILL while
the run is in flight and started again on the same port and file a few seconds later."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import EmployerStatus, Paycheck, PayRun
from payrun.adapters.temporal_server import EmbeddedTemporal
from payrun.config import Settings
from payrun.services.seed import seed_demo

DOWN_SECONDS = 15.0  # longer than the client's own RPC retries (10 attempts, at most ~10 s)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_state(url: str) -> tuple[str | None, int]:
    with transaction(url) as session:
        status = session.scalar(select(PayRun.status))
        employers = session.scalar(select(func.count()).select_from(EmployerStatus)) or 0
        return status, employers


def test_run_follows_through_a_temporal_restart_and_ends_with_the_summary(
    payrun_home: Path,
) -> None:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=6, employees=40, seed=3, vault=Vault.for_settings(settings)
    )
    port, ui_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "PAYRUN_HOME": str(payrun_home),
        "PAYRUN_TEMPORAL_PORT": str(port),
        "PAYRUN_TEMPORAL_UI_PORT": str(ui_port),
        "PAYRUN_CHUNK_SIZE": "10",
        "PAYRUN_EMPLOYER_PARALLELISM": "2",
    }
    server = EmbeddedTemporal(payrun_home, port, ui_port).start()
    out = (payrun_home / "run.out").open("w+")
    cli = subprocess.Popen(
        [sys.executable, "-m", "payrun.entrypoints.cli", "run", "--schedule", "biweekly"],
        env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while _run_state(settings.db_url)[1] < 1:  # the run has begun paying employers
            assert cli.poll() is None and time.monotonic() < deadline, out.read()
            time.sleep(0.1)
        status, _ = _run_state(settings.db_url)
        assert status not in ("COMPLETED",), "the run ended before the server could be killed"
        assert server.process is not None
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
        server.process = None
        time.sleep(DOWN_SECONDS)
        server = EmbeddedTemporal(payrun_home, port, ui_port).start()
        code = cli.wait(240)
    finally:
        if cli.poll() is None:
            cli.kill()
        server.stop()
    out.seek(0)
    text = out.read()
    assert code == 0, text
    assert "Traceback" not in text
    assert "Temporal unreachable; the run goes on there, reconnecting" in text
    assert "Pay run summary" in text and "employers paid" in text
    with transaction(settings.db_url) as session:
        checks = session.execute(
            select(Paycheck.employee_id, func.count()).group_by(Paycheck.employee_id)
        ).all()
    assert checks and all(n == 1 for _, n in checks)


def test_run_gives_up_in_one_line_when_temporal_stays_away(payrun_home: Path) -> None:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=4, employees=40, seed=3, vault=Vault.for_settings(settings)
    )
    port, ui_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "PAYRUN_HOME": str(payrun_home),
        "PAYRUN_TEMPORAL_PORT": str(port),
        "PAYRUN_TEMPORAL_UI_PORT": str(ui_port),
        "PAYRUN_CHUNK_SIZE": "10",
        "PAYRUN_EMPLOYER_PARALLELISM": "1",
        "PAYRUN_FOLLOW_GIVE_UP_SECONDS": "3",
    }
    server = EmbeddedTemporal(payrun_home, port, ui_port).start()
    cli = subprocess.Popen(
        [sys.executable, "-m", "payrun.entrypoints.cli", "run", "--schedule", "biweekly"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while _run_state(settings.db_url)[1] < 1:
            assert cli.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        assert server.process is not None
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
        server.process = None
        stdout, stderr = cli.communicate(timeout=120)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert cli.returncode == 1, stdout + stderr
    assert "Traceback" not in stdout + stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith("error: lost Temporal for 3s") and "run the same command again" in line
