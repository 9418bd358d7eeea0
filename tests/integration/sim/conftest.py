"""Fixtures: a signed-callback sink, the bank and time-entry simulators as real processes."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from payrun.adapters.callbacks import SIGNATURE_HEADER, verify_signature
from payrun_sims.process import SimProcess

SECRET = "test-callback-secret"


class CallbackSink:
    """A tiny HTTP server that records every callback and whether its signature was good."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/callbacks/test"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                signed = verify_signature(SECRET, raw, self.headers.get(SIGNATURE_HEADER))
                with sink._lock:
                    sink.received.append({**json.loads(raw), "signed": signed})
                body = b'{"status":"ok"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def of(self, outcome: str, token_b64: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                c
                for c in self.received
                if c["outcome"] == outcome and (token_b64 is None or c["token_b64"] == token_b64)
            ]

    def wait_for(
        self, outcome: str, token_b64: str | None = None, timeout: float = 10.0, count: int = 1
    ) -> list[dict[str, Any]]:
        """Bounded wait until `count` callbacks of that outcome (and token) arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(outcome, token_b64)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {outcome!r} callback within {timeout}s: {self.received}")

    def __enter__(self) -> CallbackSink:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def sink() -> Iterator[CallbackSink]:
    with CallbackSink() as running:
        yield running


@pytest.fixture
def start_bank(tmp_path: Path) -> Iterator[Callable[..., SimProcess]]:
    """start_bank(mode="ok", delay=0.0) -> a running bank process; all stopped at the end."""
    started: list[SimProcess] = []

    def start(mode: str = "ok", delay: float = 0.0) -> SimProcess:
        args = [
            "--state",
            str(tmp_path / "bank.sqlite"),
            "--mode",
            mode,
            "--delay",
            str(delay),
            "--heartbeat-interval",
            "0.2",
        ]
        bank = SimProcess("bank", args, secret=SECRET, log_path=tmp_path / "bank.log")
        started.append(bank)
        return bank.start()

    yield start
    for bank in started:
        bank.stop()


@pytest.fixture
def hours_db(tmp_path: Path) -> str:
    """A payroll SQLite database with only the time_entries table (others own the schema)."""
    path = tmp_path / "payroll.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE time_entries (employee_id INTEGER, work_date DATE,"
            " hours_hundredths INTEGER)"
        )
        db.executemany(
            "INSERT INTO time_entries VALUES (?, ?, ?)",
            [
                (1, "2026-01-05", 800),
                (1, "2026-01-06", 750),
                (1, "2026-01-06", 25),  # second entry the same day: 7.50 + 0.25 = 7.75
                (2, "2026-01-05", 1033),
                (2, "2026-01-19", 800),  # after the period: not reported
                (9, "2026-01-05", 800),  # not asked for
            ],
        )
    return f"sqlite:///{path}"


@pytest.fixture
def start_timeentry(tmp_path: Path, hours_db: str) -> Iterator[Callable[..., SimProcess]]:
    started: list[SimProcess] = []

    def start(mode: str = "ok", delay: float = 0.0) -> SimProcess:
        args = [
            "--database-url",
            hours_db,
            "--mode",
            mode,
            "--delay",
            str(delay),
            "--heartbeat-interval",
            "0.2",
        ]
        service = SimProcess("timeentry", args, secret=SECRET, log_path=tmp_path / "timeentry.log")
        started.append(service)
        return service.start()

    yield start
    for service in started:
        service.stop()
