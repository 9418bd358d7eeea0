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
from payrun.adapters.temporal_server import EmbeddedTemporal
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


def test_sigterm_stops_workers_on_a_separate_temporal_server_cleanly(payrun_home: Path) -> None:
    """`payrun worker`s on a cluster (TEMPORAL_ADDRESS) stop on SIGTERM as they do on Ctrl-C,
    and exit 0. A KeyboardInterrupt thrown into the event loop from the signal handler left
    about half of them hanging for good (the bench's workers outlived its 30 s wait and CI
    failed), and one stop in 36 aborted in CPython's teardown (temporalio/sdk-python#300).
    The hang depends on timing: in a loop of 3 workers stopped after 4-9 s, 13 of 24 hung on
    the old code, but this test passed on it twice in a row when run alone."""
    migrate(Settings(home=payrun_home).db_url)
    server = EmbeddedTemporal(payrun_home, _free_port(), _free_port()).start()
    env = {**os.environ, "PAYRUN_HOME": str(payrun_home), "TEMPORAL_ADDRESS": server.address}
    workers: list[subprocess.Popen[bytes]] = []
    try:
        for round_ in range(2):
            logs = [payrun_home / f"worker-{round_}-{n}.log" for n in range(3)]
            workers = [_worker(env, path) for path in logs]
            deadline = time.monotonic() + 120
            while not all("worker on task queue" in path.read_text() for path in logs):
                assert all(w.poll() is None for w in workers), [p.read_text() for p in logs]
                assert time.monotonic() < deadline, "payrun worker did not start"
                time.sleep(0.2)
            time.sleep(3 + round_)  # their polls are waiting on the server, as in a live worker
            for w in workers:
                w.send_signal(signal.SIGTERM)
            for w, path in zip(workers, logs, strict=True):
                try:
                    w.wait(30)  # a bound for a hang, not a speed target: they stop in < 1 s
                except subprocess.TimeoutExpired:
                    raise AssertionError(f"ignored SIGTERM for 30 s: {path.read_text()}") from None
                assert w.returncode == 0, path.read_text()
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        server.stop()


def _worker(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "payrun.entrypoints.cli", "worker"],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
