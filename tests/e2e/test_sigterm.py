"""SIGTERM (kill, systemd stop) stops `payrun api` cleanly: the embedded Temporal server it
started goes with it instead of living on, orphaned, holding its ports and SQLite file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from payrun.adapters.db.engine import migrate
from payrun.config import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sigterm_stops_the_api_and_the_temporal_server_it_started(payrun_home: Path) -> None:
    migrate(Settings(home=payrun_home).db_url)
    port = _free_port()
    env = {
        **os.environ,
        "PAYRUN_HOME": str(payrun_home),
        "PAYRUN_API_PORT": str(port),
        "PAYRUN_TEMPORAL_PORT": str(_free_port()),
        "PAYRUN_TEMPORAL_UI_PORT": str(_free_port()),
    }
    env.pop("TEMPORAL_ADDRESS", None)
    with (payrun_home / "api.log").open("w") as log:
        api = subprocess.Popen(
            [sys.executable, "-m", "payrun.entrypoints.cli", "api"],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            assert api.poll() is None, (payrun_home / "api.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "payrun api did not start"
            time.sleep(0.3)
        [temporal] = [
            p for p in psutil.Process(api.pid).children(recursive=True) if "temporal" in p.name()
        ]
        api.send_signal(signal.SIGTERM)
        api.wait(60)
        gone, alive = psutil.wait_procs([temporal], timeout=30)
        assert alive == [] and gone == [temporal], "the embedded Temporal server was orphaned"
    finally:
        if api.poll() is None:
            api.kill()
        for proc in psutil.process_iter(["name", "cmdline"]):  # an orphan is init's child
            if "temporal" in (proc.info["name"] or "") and str(payrun_home) in " ".join(
                proc.info["cmdline"] or ()
            ):
                proc.kill()
