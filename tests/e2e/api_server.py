"""A real `payrun api` process on a free loopback port, against a test Temporal server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from payrun.adapters.db.engine import migrate
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.config import Settings
from payrun.services.api_keys import CreateKey, create_key
from payrun.services.context import utc_now

START_BOUND_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ApiServer:
    """`payrun api --port N` hosting its worker, logs to a file (read by the masking checks)."""

    def __init__(
        self, home: Path, temporal_address: str, task_queue: str, *extra: str, scheme: str = "http"
    ) -> None:
        self.home, self.port, self.extra = home, free_port(), extra
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.verify: Any = True  # or an SSLContext trusting a test certificate
        self.log = home / "api.log"
        self.env = {
            **os.environ,
            "PAYRUN_HOME": str(home),
            "TEMPORAL_ADDRESS": temporal_address,
            "PAYRUN_TASK_QUEUE": task_queue,
            "PAYRUN_LOG_LEVEL": "INFO",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.settings = Settings(home=home)
        migrate(self.settings.db_url)

    def key(self, role: str, employers: tuple[int, ...] = ()) -> str:
        return create_key(
            SqlUnitOfWork(self.settings.db_url), CreateKey(role, employers), utc_now()
        ).key

    def __enter__(self) -> ApiServer:
        command = [
            sys.executable,
            "-m",
            "payrun.entrypoints.cli",
            "api",
            "--port",
            str(self.port),
            *self.extra,
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_BOUND_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"payrun api exited: {self.log.read_text()[-2000:]}")
            try:
                if (
                    httpx.get(f"{self.url}/healthz", timeout=1, verify=self.verify).status_code
                    == 200
                ):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("payrun api did not answer /healthz in time")

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
