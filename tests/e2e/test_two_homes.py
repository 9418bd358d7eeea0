"""Two machines: `payrun worker` processes on two PAYRUN_HOME folders, sharing one database and
one object store (a folder) and nothing else. A's files are sent and their returns matched by
B, and B's by A.

Each home drops into its own bank folder (`<home>/out/bank-drop`), so where a file landed says
which worker sent it. To hand a prepared payment over, the preparing home's drop folder is
made unusable (a plain file where the folder was: its link to the bank is down), its worker is
killed while the failed send waits for its retry, and the other home's worker sends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Payment
from payrun.adapters.keyring import KEY_FILE_NAME
from payrun.config import Settings
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.services.funding_first import funding_key
from payrun.services.seed import one_schedule, seed_demo
from tests.e2e.test_crash import DeadWorkerWatch, Workers
from tests.integration.test_returns import (
    Returned,
    describe_paid_run,
    employee_of,
    nacha_of,
    return_file,
    statuses,
)

WAIT = 60.0  # seconds a run may take from its start to its result


@pytest.fixture
def homes(tmp_path: Path) -> tuple[Settings, Settings]:
    """Homes a and b on one SQLite database and one object-store folder, with the same key."""
    shared = tmp_path / "shared"
    shared.mkdir()
    common = {
        "database_url": f"sqlite:///{shared / 'payrun.db'}",
        "object_store": str(shared / "store"),
        "task_queue": f"homes-{uuid.uuid4()}",
    }
    a = Settings(home=tmp_path / "a", **common)
    b = Settings(home=tmp_path / "b", **common)
    migrate(a.db_url)
    seed_demo(a.db_url, employers=1, employees=5, seed=11, vault=Vault.for_settings(a))
    one_schedule(a.db_url, "biweekly")
    shutil.copy2(a.home_dir / KEY_FILE_NAME, b.home_dir / KEY_FILE_NAME)  # one installation
    return a, b


async def test_two_homes_send_and_match_returns_for_each_others_files(
    homes: tuple[Settings, Settings], temporal_cli_path: str
) -> None:
    a, b = homes
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path, ip="127.0.0.1"
    ) as env:
        address = env.client.service_client.config.target_host
        on_a, on_b = _workers(a, address), _workers(b, address)
        on_b.dead = on_a.dead  # one record of dead pids for the watch
        try:
            # Run 1: a prepares the files, b sends them.
            first = await _handed_over(env.client, on_a, on_b)
            # Run 2 (the next period): b prepares, a (started again) sends.
            second = await _handed_over(env.client, on_b, on_a)
        finally:
            on_a.stop_all()
            on_b.stop_all()

    for run_id, preparer, sender in ((first, a, b), (second, b, a)):
        _offline(preparer)  # what the sender does next needs nothing from the preparer's disk
        _online(sender)
        keys = _keys(sender, run_id)
        assert set(keys) <= _dropped(sender), run_id
        for key, path in keys.items():  # the sender dropped the very file the preparer wrote
            assert (_drop(sender) / f"{key}.ach").read_bytes() == nacha_of(sender, path)
        # ... and matches a return against it.
        paid = describe_paid_run(sender, run_id)
        entry = paid.credits[0]
        returns = sender.home_dir / f"returns-{run_id}.ach"
        returns.write_bytes(return_file(paid, [Returned("R03", entry)]))
        matched = _cli(sender, "ach", "returns", str(returns))
        assert matched.returncode == 0, matched.stderr
        assert "1 routed, 0 already processed, 0 conflicts, 0 unmatched" in matched.stdout
        assert statuses(paid)[employee_of(paid, entry)] == "RETURNED"
        _online(preparer)
        assert not _dropped(preparer) & set(keys), run_id  # the preparer sent none of them
    for home in (a, b):  # no payroll file in the store's naming lives on either disk
        assert not list(home.home_dir.rglob("employer-*-payment-*")), home.home
        assert not (home.home_dir / "snapshots").exists()


def _workers(settings: Settings, address: str) -> Workers:
    workers = Workers(settings, address)
    workers.env["PAYRUN_OBJECT_STORE"] = settings.snapshot_url
    return workers


async def _handed_over(client: Client, preparing: Workers, sending: Workers) -> str:
    """A pay run whose payment `preparing` prepares and `sending` sends; its run id."""
    if not _alive(preparing):
        _online(preparing.settings)
        preparing.start()
        await _until(lambda: _drop(preparing.settings).is_dir(), preparing, "the worker up")
    _block(preparing.settings)
    plan = plan_run(preparing.settings, RunRequest("biweekly"))
    handle = await start_run(client, preparing.settings, plan)
    watch = asyncio.ensure_future(DeadWorkerWatch(client, plan.run_id, preparing).watch())
    try:
        await _until_send_retried(client, handle, preparing)
        preparing.kill()  # while its failed send waits for the retry: no attempt in hand
        _unblock(preparing.settings)
        _offline(preparing.settings)  # the machine is gone, and its disk with it
        _online(sending.settings)
        if not _alive(sending):
            sending.start()
        summary = await asyncio.wait_for(handle.result(), timeout=WAIT)
    finally:
        watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch
    assert summary.status == "COMPLETED", summary
    return plan.run_id


def _alive(workers: Workers) -> bool:
    return bool(workers.started) and workers.live.poll() is None


async def _until_send_retried(client: Client, handle: WorkflowHandle, workers: Workers) -> None:
    """Until the employer's send_funding has failed on the blocked drop and waits, unstarted,
    for its next attempt."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        parent = await handle.describe()
        for child in parent.raw_description.pending_children:
            described = await client.get_workflow_handle(child.workflow_id).describe()
            for activity in described.raw_description.pending_activities:
                waiting = activity.state == PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED
                retried = waiting and activity.attempt >= 2
                if activity.activity_type.name == "send_funding" and retried:
                    assert "Not a directory" in activity.last_failure.message, activity
                    return
        await asyncio.sleep(0.1)
    pytest.fail(f"send_funding never failed on the blocked drop\n{workers.logs()}")


async def _until(seen: Callable[[], bool], workers: Workers, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not seen():
        if time.monotonic() > deadline:
            pytest.fail(f"never saw {what}\n{workers.logs()}")
        await asyncio.sleep(0.05)


def _offline(settings: Settings) -> None:
    """Take the home away (settings.home_dir would make it again: only its path is used)."""
    if settings.home.exists():
        settings.home.rename(settings.home.with_name(f"{settings.home.name}.offline"))


def _online(settings: Settings) -> None:
    away = settings.home.with_name(f"{settings.home.name}.offline")
    if away.exists():
        away.rename(settings.home)


def _drop(settings: Settings) -> Path:
    return settings.home_dir / "out" / "bank-drop"


def _block(settings: Settings) -> None:
    """The home's bank link is down: a plain file where its drop folder was."""
    drop = _drop(settings)
    drop.rename(drop.with_name("bank-drop.down"))
    drop.write_text("the bank link is down\n")


def _unblock(settings: Settings) -> None:
    drop, down = _drop(settings), _drop(settings).with_name("bank-drop.down")
    if down.exists():
        drop.unlink()
        down.rename(drop)


def _dropped(settings: Settings) -> set[str]:
    """Keys of the files in the home's drop folder."""
    return {p.stem for p in _drop(settings).glob("*.ach")} if _drop(settings).is_dir() else set()


def _keys(settings: Settings, run_id: str) -> dict[str, str]:
    """The run's provider keys (the debit's and the credits') -> their object-store keys."""
    with transaction(settings.db_url) as session:
        (payment,) = session.scalars(select(Payment).where(Payment.run_id == run_id))
        assert payment.nacha_path and payment.funding_path
        return {
            payment.idempotency_key: payment.nacha_path,
            funding_key(payment.idempotency_key): payment.funding_path,
        }


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI on that machine: its home, the shared database and object store."""
    env = {
        **os.environ,
        "PAYRUN_HOME": str(settings.home),
        "PAYRUN_DATABASE_URL": settings.db_url,
        "PAYRUN_OBJECT_STORE": settings.snapshot_url,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "payrun.entrypoints.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
