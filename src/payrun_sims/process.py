"""Run a simulator as a real subprocess on a free loopback port, healthy before use."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from payrun.adapters.callbacks import SECRET_ENV

MODULES = {
    "bank": "payrun_sims.bank",
    "timeentry": "payrun_sims.timeentry",
    "agency": "payrun_sims.agencies",
}
HEALTH_TIMEOUT = httpx.Timeout(1.0)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _temp_log(kind: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f"payrun-sim-{kind}-", suffix=".log")
    os.close(fd)
    return Path(name)


class SimProcess:
    """One simulator process. Restartable on the same port (same URL) and the same args.

    >>> with SimProcess("bank", ["--state", "bank.db"], secret="s") as bank:
    ...     httpx.get(f"{bank.url}/healthz")
    """

    def __init__(
        self,
        kind: str,
        args: list[str] | None = None,
        secret: str | None = None,
        port: int | None = None,
        startup_timeout: float = 15.0,  # float ok: time
        log_path: str | Path | None = None,
    ) -> None:
        if kind not in MODULES:
            raise ValueError(f"kind: expected one of {sorted(MODULES)}, got {kind!r}")
        self.kind = kind
        self.args = list(args or [])
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._secret = secret
        self._startup_timeout = startup_timeout
        self.log_path = Path(log_path) if log_path else _temp_log(kind)
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SimProcess:
        """Start the process and wait (bounded) until GET /healthz answers 200."""
        if self.running:
            raise RuntimeError(f"{self.kind} simulator already running at {self.url}")
        command = [sys.executable, "-m", MODULES[self.kind], "--port", str(self.port), *self.args]
        with self.log_path.open("ab") as log_file:
            self._proc = subprocess.Popen(
                command,
                env=self._env(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._wait_healthy()
        return self

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self._secret is not None:
            env[SECRET_ENV] = self._secret
        return env

    def _wait_healthy(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"{self.kind} simulator exited with {self._proc.returncode}: "
                    f"{self.output()[-2000:]}"
                )
            if self._healthy():
                return
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"{self.kind} simulator not healthy within {self._startup_timeout}s")

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=HEALTH_TIMEOUT).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGKILL)
            self._proc.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:  # float ok: time
        """SIGTERM and wait; SIGKILL if it does not exit in time."""
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self) -> SimProcess:
        """Stop if needed, then start again on the same port with the same arguments."""
        self.stop()
        return self.start()

    def output(self) -> str:
        """What the process wrote so far (for failure messages)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> SimProcess:
        return self.start() if not self.running else self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
