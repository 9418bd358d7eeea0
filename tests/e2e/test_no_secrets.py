"""No secret in sight: a pay run with callbacks and webhooks, then a search for the secrets.

A real Temporal dev server, `payrun worker` as its own process (secrets in its environment,
logging at DEBUG), the bank and time-entry simulators answering by signed callback, and an
operator webhook that fails once before it takes the notices. After the run, the vault key,
the callback secret, the webhook secret and (on PostgreSQL) the database password are searched
for in the worker's log and PAYRUN_HOME's logs, in every workflow history read through the
client (raw payloads and failure messages), and in `ps` output while the worker runs.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import KEY_ENV, Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Employee, Employer, PaySchedule
from payrun.adapters.notify import InvalidSignature, verify_signature
from payrun.config import Settings
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.services.messages import Downstream
from payrun.services.seed import seed_demo
from payrun_sims.process import SimProcess
from tests.conftest import POSTGRES_URL, _postgres_schema_url

FINISHED = ("COMPLETED", "WITH_FAILURES")
FAST = Downstream(heartbeat_seconds=3, timeout_seconds=30, attempts=2)
WORKER_READY = b"worker on task queue"


class Hooks(ThreadingHTTPServer):
    """The operator's webhook: 500 to the first POST, then 200 to every correctly signed one."""

    def __init__(self, secret: str) -> None:
        super().__init__(("127.0.0.1", 0), _Hook)
        self.secret, self.signed, self.posts = secret.encode(), 0, 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/ops"


class _Hook(BaseHTTPRequestHandler):
    server: Hooks

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts += 1
        try:
            signature = self.headers["Payrun-Signature"]
            verify_signature(self.server.secret, body, signature, now=time.time())
            ok = self.server.posts > 1
        except InvalidSignature:
            ok = False
        self.server.signed += ok
        self.send_response(200 if ok else 500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hooks_secret() -> str:
    return f"whsec-{secrets.token_hex(16)}"


@pytest.fixture
def hooks(hooks_secret: str) -> Iterator[Hooks]:
    server = Hooks(hooks_secret)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def database(payrun_home: Path) -> Iterator[tuple[str, str | None]]:
    """PostgreSQL with a password in its URL when the suite has one (trust auth ignores it),
    in a schema of its own; else SQLite, which has no password to leak."""
    if not POSTGRES_URL:
        yield f"sqlite:///{payrun_home / 'payrun.db'}", None
        return
    from sqlalchemy import create_engine, text

    from payrun.adapters.db.engine import make_engine

    password = f"dbpw-{secrets.token_hex(12)}"
    url, schema = _postgres_schema_url(POSTGRES_URL)
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    url = f"{scheme}://{user.split(':')[0]}:{password}@{host}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, password
    finally:
        make_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    payrun = Path(sys.executable).with_name("payrun")
    with log.open("wb") as out:
        worker = subprocess.Popen([str(payrun), "worker"], env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while WORKER_READY not in log.read_bytes():
        assert worker.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "worker did not start"
        time.sleep(0.1)
    return worker


def _worker_processes(pid: int) -> bytes:
    """`ps` lines (pid and full arguments) of the worker and every process it started."""
    rows = _process_table()
    tree = {pid}
    for _ in range(5):  # children, grandchildren ...
        tree |= {p for p, parent, _ in rows if parent in tree}
    return b"\n".join(line for p, _, line in rows if p in tree)


def _process_table() -> list[tuple[int, int, bytes]]:
    """(pid, parent pid, line) from `ps`, or where ps reads them (/proc) if it is missing."""
    if shutil.which("ps"):
        table = subprocess.run(
            ["ps", "-eww", "-o", "pid=,ppid=,args="], capture_output=True, check=True
        ).stdout.splitlines()
        return [(int(r.split()[0]), int(r.split()[1]), r) for r in table]
    rows = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            args = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        rows.append((int(proc.name), parent, proc.name.encode() + b" " + args))
    return rows


async def _histories(client: Client, run_id: str) -> bytes:
    """Every workflow's history, serialised as Temporal stores it (payloads as their bytes)."""
    deadline = time.monotonic() + 30
    while True:
        found = [w async for w in client.list_workflows()]
        if (any(w.id == run_id for w in found) and len(found) > 1) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    blobs = []
    for wf in found:
        history = await client.get_workflow_handle(wf.id, run_id=wf.run_id).fetch_history()
        blobs += [event.SerializeToString() for event in history.events]
        blobs.append(history.to_json().encode())
    return b"\n".join(blobs)


async def test_no_secret_in_logs_history_or_process_arguments(
    payrun_home: Path,
    tmp_path: Path,
    hooks: Hooks,
    hooks_secret: str,
    temporal_cli_path: str,
    database: tuple[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, callback_secret = Fernet.generate_key().decode(), f"cbsec-{secrets.token_hex(16)}"
    db_url, db_password = database
    wanted = {"secret key": key, "callback secret": callback_secret, "webhook secret": hooks_secret}
    if db_password:
        wanted["database password"] = db_password
    monkeypatch.setenv(KEY_ENV, key)
    settings = Settings(home=payrun_home, database_url=db_url, task_queue="secrets-q")
    migrate(settings.db_url)
    seed_demo(settings.db_url, employers=2, employees=6, seed=3, vault=Vault.for_settings(settings))
    with transaction(settings.db_url) as session:  # one schedule for everyone: one run
        biweekly = session.scalar(select(PaySchedule.id).where(PaySchedule.name == "biweekly"))
        session.execute(update(Employer).values(schedule_id=biweekly))

    sims = [
        SimProcess(kind, args, secret=callback_secret, log_path=tmp_path / f"{kind}.log").start()
        for kind, args in (
            ("bank", ["--state", str(tmp_path / "bank.sqlite"), "--delay", "0.5"]),
            ("timeentry", ["--database-url", settings.db_url, "--delay", "0.2"]),
        )
    ]
    try:
        async with await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_cli_path
        ) as env:
            target = env.client.service_client.config.target_host
            worker_env = {
                **os.environ,
                "PAYRUN_HOME": str(payrun_home),
                "PAYRUN_DATABASE_URL": db_url,
                KEY_ENV: key,
                "PAYRUN_CALLBACK_SECRET": callback_secret,
                "PAYRUN_WEBHOOK_URL": hooks.url,
                "PAYRUN_WEBHOOK_SECRET": hooks_secret,
                "PAYRUN_BANK_URL": sims[0].url,
                "PAYRUN_TIME_ENTRY_URL": sims[1].url,
                "TEMPORAL_ADDRESS": target,
                "PAYRUN_TASK_QUEUE": settings.task_queue,
                "PAYRUN_LOG_LEVEL": "DEBUG",
            }
            worker = _start_worker(worker_env, tmp_path / "worker.log")
            try:
                plan = replace(plan_run(settings, RunRequest("biweekly")), downstream=FAST)
                summary = await (await start_run(env.client, settings, plan)).result()
                ps = _worker_processes(worker.pid)
                environ = Path(f"/proc/{worker.pid}/environ").read_bytes()
            finally:
                worker.send_signal(signal.SIGINT)
                worker.wait(timeout=30)
            history = await _histories(env.client, plan.run_id)
    finally:
        for sim in sims:
            sim.stop()

    assert summary.status == "COMPLETED" and summary.employers_failed == 0, summary
    assert hooks.signed >= 3 and hooks.posts > hooks.signed  # signed notices, one refused first
    logs = (tmp_path / "worker.log").read_bytes()
    logs += b"".join(p.read_bytes() for p in payrun_home.rglob("*.log"))
    assert b"object stored" in logs  # the worker's DEBUG logs were written
    assert str(worker.pid).encode() in ps and plan.run_id.encode() in history  # real sources
    assert all(s.encode() in environ for s in wanted.values())  # the worker held every secret
    leaks = {
        (name, source)
        for name, secret in wanted.items()
        for source, text in (("logs", logs), ("history", history), ("ps", ps))
        if secret.encode() in text
    }
    assert leaks == set()
    # Nor any employee's full SSN or account number: workflows pass ids and references.
    personal = _full_ssns_and_accounts(settings)
    assert len(personal) >= 2 * 12 + 2  # 12 SSNs and accounts, 2 funding accounts, both forms
    assert [n for n in personal if n.encode() in history or n.encode() in logs] == []


def _full_ssns_and_accounts(settings: Settings) -> set[str]:
    vault = Vault.for_settings(settings)
    with transaction(settings.db_url) as session:
        people = session.execute(select(Employee.ssn_enc, Employee.bank_account_enc)).all()
        funding = session.scalars(select(Employer.funding_account_enc)).all()
    tokens = [t for row in people for t in row] + list(funding)
    clear = [vault.decrypt(t) for t in tokens]
    return {*clear, *(n.replace("-", "") for n in clear)}  # as stored and digits only


async def test_no_secret_in_the_api_process_logs_history_or_arguments(
    payrun_home: Path,
    hooks_secret: str,
    temporal_cli_path: str,
    database: tuple[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`payrun api` (hosting its worker) at DEBUG: keys, the webhook secret, the database
    password, API keys (good and forged) and the people's SSNs and accounts it was sent never
    reach its log, the run's workflow histories, its arguments or its answers."""
    from tests.e2e.api_server import ApiServer
    from tests.e2e.test_api_pay_run import ACCOUNTS, EMPLOYEES, PERIOD, SSNS
    from tests.e2e.test_api_pay_run import EMPLOYER as EMPLOYER_BODY

    key = Fernet.generate_key().decode()
    db_url, db_password = database
    monkeypatch.setenv(KEY_ENV, key)
    monkeypatch.setenv("PAYRUN_DATABASE_URL", db_url)
    monkeypatch.setenv("PAYRUN_WEBHOOK_SECRET", hooks_secret)
    monkeypatch.setenv("PAYRUN_LOG_LEVEL", "DEBUG")
    forged = f"prk_{'0' * 12}_{secrets.token_urlsafe(32)}"
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path
    ) as env:
        target = env.client.service_client.config.target_host
        server = ApiServer(payrun_home, target, "secrets-api-q")
        server.env["PAYRUN_LOG_LEVEL"] = "DEBUG"
        with server:
            admin = server.key("admin")
            answers = _drive_api(server.url, admin, forged, EMPLOYER_BODY, EMPLOYEES, PERIOD[0])
            assert server.process is not None
            ps = _worker_processes(server.process.pid)
            environ = Path(f"/proc/{server.process.pid}/environ").read_bytes()
        history = await _histories(env.client, answers["run_id"])

    wanted = {
        "secret key": key,
        "webhook secret": hooks_secret,
        "admin key": admin,
        "admin key's secret": admin[len("prk_") + 13 :],  # after prefix and "_"
        "forged key": forged,
        **{f"ssn {n}": ssn for n, ssn in enumerate(SSNS)},
        **{f"ssn digits {n}": ssn.replace("-", "") for n, ssn in enumerate(SSNS)},
        **{f"account {n}": account for n, account in enumerate(ACCOUNTS)},
        "funding account": EMPLOYER_BODY["funding_account"]["account"],  # type: ignore[index]
    }
    if db_password:
        wanted["database password"] = db_password
    assert all(wanted[s].encode() in environ for s in ("secret key", "webhook secret"))
    logs = b"".join(p.read_bytes() for p in payrun_home.rglob("*.log"))
    assert b"ach file dropped" in logs and b"level='debug'" in logs  # it logged, at DEBUG
    assert b"event='request'" in logs and b"path='/v1/payruns'" in logs  # every request
    assert answers["run_id"].encode() in history and str(server.process.pid).encode() in ps
    leaks = {
        (name, source)
        for name, secret in wanted.items()
        for source, text in (
            ("logs", logs),
            ("history", history),
            ("ps", ps),
            ("answers", answers["bodies"]),
        )
        if secret.encode() in text
    }
    assert leaks == set()


def _drive_api(
    url: str,
    admin: str,
    forged: str,
    employer: dict[str, Any],
    employees: list[dict[str, Any]],
    period_start: str,
) -> dict[str, Any]:
    """Create the employer and its people, fail once with a forged key and once with a bad
    body, run payroll and wait for it: every answer's body kept."""
    import httpx

    bodies: list[bytes] = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {admin}"}, timeout=30) as c:

        def call(method: str, path: str, expect: int, **kwargs: Any) -> Any:
            response = c.request(method, path, **kwargs)
            bodies.append(response.content)
            assert response.status_code == expect, (path, response.text)
            return response.json()

        employer_id = call("POST", "/v1/employers", 201, json=employer)["id"]
        for body in employees:
            call("POST", f"/v1/employers/{employer_id}/employees", 201, json=body)
        bad = {**employees[0], "external_id": "E9", "ssn": employees[0]["ssn"][:-1] + "x"}
        call("POST", f"/v1/employers/{employer_id}/employees", 422, json=bad)
        call("GET", "/v1/employers", 401, headers={"Authorization": f"Bearer {forged}"})
        run_id = call(
            "POST",
            "/v1/payruns",
            202,
            json={"employer_ids": [employer_id], "period_start": period_start},
            headers={"Idempotency-Key": "secrets-run"},
        )["id"]
        deadline = time.monotonic() + 120
        while call("GET", f"/v1/payruns/{run_id}", 200)["status"] not in FINISHED:
            assert time.monotonic() < deadline, "the run did not complete"
            time.sleep(0.5)
    return {"run_id": run_id, "bodies": b"\n".join(bodies)}
