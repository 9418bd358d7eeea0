"""kill -9 between the funding debit and the credits: once the employers' debits are recorded
as sent (at the bank, not settled), once they have settled but before any credit went out, and
once the credits are at the bank but not yet settled or recorded paid. Replacement workers
finish the run: every employer is debited exactly once, every employee credited exactly once,
each employer's debit equals its credits, nothing is dead-lettered.

Real processes: a Temporal dev server, the bank simulator, `payrun worker` subprocesses. The
bank holds each gap open: it settles a debit only DEBIT_DELAY seconds after taking it, then
refuses every batch (mode "fail", HTTP 503), then takes batches without settling them (mode
"never"). What the database and the bank said right after each kill is checked, so a kill
that landed anywhere else fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate
from payrun.adapters.db.models import DeadLetter, Employee, Paycheck, Payment
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain.ach.parser import AchFile, parse_file
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.services.funding_first import funding_key
from payrun.services.messages import Downstream, PayRunInput, RunSummary
from payrun.services.seed import one_schedule, seed_demo
from payrun_sims.process import SimProcess
from tests.e2e.test_crash import DeadWorkerWatch, Workers

SECRET = "crash-funding-secret"
EMPLOYERS, EMPLOYEES = 2, 6
DEBIT_DELAY = 5  # seconds the bank takes to settle a debit: the first gap
# Short bank timeouts, so a killed worker's send is retried within seconds.
DOWNSTREAM = Downstream(
    heartbeat_seconds=5, timeout_seconds=60, attempts=10, funding_wait_seconds=120
)
WAIT = 40.0  # seconds any one stage may take
DEBITS, CREDITS = (27, 37), (22, 32)  # Nacha transaction codes


@dataclass(frozen=True)
class Moment:
    """One employer's payment as the database and the bank saw it at a kill."""

    employer_id: int
    funding_status: str | None
    payment_status: str
    debits_at_bank: tuple[str, ...]  # the bank's status of each batch debiting the employer
    credits_at_bank: tuple[str, ...]  # ... and of each crediting its employees


@pytest.fixture
def world(payrun_home: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(home=payrun_home, task_queue=f"funding-{uuid.uuid4()}")
    migrate(settings.db_url)
    seed_demo(
        settings.db_url,
        employers=EMPLOYERS,
        employees=EMPLOYEES,
        seed=11,
        vault=Vault.for_settings(settings),
    )
    one_schedule(settings.db_url, "biweekly")  # one run pays every employer
    bank = SimProcess(
        "bank",
        ["--state", str(tmp_path / "bank.sqlite"), "--delay", str(DEBIT_DELAY),
         "--heartbeat-interval", "0.5"],
        secret=SECRET,
        log_path=tmp_path / "bank.log",
    ).start()  # fmt: skip
    settings = settings.model_copy(update={"bank_url": bank.url, "callback_secret": SECRET})
    reader = create_engine(settings.db_url)  # plain reads: never the product's writer lock
    try:
        yield settings, bank, reader, tmp_path / "bank.sqlite"
    finally:
        bank.stop()
        reader.dispose()


@pytest.mark.timeout(180)
async def test_kill_9_between_the_funding_debit_and_the_credits_pays_everyone_once(
    world, temporal_cli_path: str
) -> None:  # type: ignore[no-untyped-def]
    settings, bank, reader, bank_state = world
    plan = replace(plan_run(settings, RunRequest("biweekly")), downstream=DOWNSTREAM)
    run_id, started = plan.run_id, time.monotonic()
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path, ip="127.0.0.1"
    ) as env:
        workers = Workers(settings, env.client.service_client.config.target_host)
        workers.env.update(PAYRUN_BANK_URL=bank.url, PAYRUN_CALLBACK_SECRET=SECRET)
        watch = asyncio.ensure_future(DeadWorkerWatch(env.client, run_id, workers).watch())
        try:
            workers.start()
            handle = await start_run(env.client, settings, plan)
            # 1: every debit handed to the bank and recorded SENT, none settled yet.
            await _until(reader, run_id, Payment.funding_status, "SENT", handle, workers)
            at_sent = _kill(workers, reader, bank_state, run_id)
            _behave(bank, mode="fail")  # the bank refuses every batch until the next kill
            workers.start()
            # 2: every debit settled and recorded; no credit at the bank or recorded.
            await _until(reader, run_id, Payment.funding_status, "SETTLED", handle, workers)
            at_settled = _kill(workers, reader, bank_state, run_id)
            _behave(bank, mode="never")  # it takes batches, and settles none
            workers.start()
            # 3: the credits at the bank and recorded SENT; not settled, not recorded paid.
            await _until(reader, run_id, Payment.status, "SENT", handle, workers)
            at_credits = _kill(workers, reader, bank_state, run_id)
            _behave(bank, mode="ok", delay=0.2)
            workers.start()  # its retried send of the credits is the one the bank settles
            summary = await _result(handle, workers)
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
            workers.stop_all()
    print(f"\n{run_id}: {time.monotonic() - started:.1f} s; {at_sent} {at_settled} {at_credits}")

    # Each kill landed in its gap (what the database and the bank said right after it).
    for moment in at_sent:  # after the debit was sent, before it settled
        assert (moment.funding_status, moment.payment_status) == ("SENT", "PENDING"), moment
        assert moment.debits_at_bank in (("accepted",), ("settled",)), moment
        assert moment.credits_at_bank == (), moment
    for moment in at_settled:  # after it settled, before any credit was sent
        assert (moment.funding_status, moment.payment_status) == ("SETTLED", "PENDING"), moment
        assert (moment.debits_at_bank, moment.credits_at_bank) == (("settled",), ()), moment
    for moment in at_credits:  # after the credits were sent, before they were recorded paid
        assert (moment.funding_status, moment.payment_status) == ("SETTLED", "SENT"), moment
        assert (moment.debits_at_bank, moment.credits_at_bank) == (("settled",), ("accepted",))
    _assert_paid_once(settings, reader, bank_state, plan, summary)


# --- driving the run ------------------------------------------------------------------------


def _column(reader: Engine, run_id: str, column: Any) -> list[object]:
    """That column of the run's payments, by employer."""
    with reader.connect() as conn:
        query = select(column).where(Payment.run_id == run_id)
        return list(conn.scalars(query.order_by(Payment.employer_id)))


async def _until(
    reader: Engine,
    run_id: str,
    column: Any,
    value: str,
    handle: WorkflowHandle,
    workers: Workers,
) -> None:
    """Poll (every 20 ms) until every employer's payment has column == value; fail if the run
    ends or WAIT passes first."""
    result = asyncio.ensure_future(handle.result())
    deadline = time.monotonic() + WAIT
    try:
        while _column(reader, run_id, column) != [value] * EMPLOYERS:
            if result.done() or time.monotonic() > deadline:
                pytest.fail(
                    f"never saw every payment's {column.key} {value}: "
                    f"{_column(reader, run_id, column)} (run over: {result.done()})\n"
                    f"{workers.logs()}"
                )
            await asyncio.wait([result], timeout=0.02)
    finally:
        result.cancel()


def _kill(workers: Workers, reader: Engine, bank_state: Path, run_id: str) -> list[Moment]:
    """SIGKILL the live worker; what the database and the bank say right after."""
    workers.kill()
    return _moments(reader, bank_state, run_id)


async def _result(handle: WorkflowHandle, workers: Workers) -> RunSummary:
    try:
        return await asyncio.wait_for(handle.result(), timeout=2 * WAIT)
    except TimeoutError:
        pytest.fail(f"the run did not finish after the last kill\n{workers.logs()}")


def _behave(bank: SimProcess, *, mode: str, delay: float | None = None) -> None:
    change: dict[str, object] = {"mode": mode} | ({} if delay is None else {"delay": delay})
    httpx.post(f"{bank.url}/admin/behaviour", json=change, timeout=5).raise_for_status()


def _moments(reader: Engine, bank_state: Path, run_id: str) -> list[Moment]:
    """Each payment in the database and at the bank (whatever key a batch came under); taken
    with no worker alive, so nothing of ours moves while it is read."""
    with reader.connect() as conn:
        payments = list(conn.execute(select(Payment).where(Payment.run_id == run_id)))
    batches = _bank_batches(bank_state)

    def at_bank(employer_id: int, codes: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(
            b.status for b in batches if b.employer_id == employer_id and _amounts(b.ach, codes)
        )

    return [
        Moment(
            p.employer_id,
            p.funding_status,
            p.status,
            at_bank(p.employer_id, DEBITS),
            at_bank(p.employer_id, CREDITS),
        )
        for p in sorted(payments, key=lambda p: p.employer_id)
    ]


# --- the books ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankBatch:
    key: str
    employer_id: int
    status: str
    settlements: int
    ach: AchFile
    raw: bytes


def _bank_batches(state: Path) -> list[BankBatch]:
    """Every batch the bank ever took, from its own state file (read-only)."""
    with contextlib.closing(sqlite3.connect(f"file:{state}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT idempotency_key, employer_id, status, settlements, nacha FROM batches"
        ).fetchall()
    return [BankBatch(k, e, s, n, parse_file(bytes(raw)), bytes(raw)) for k, e, s, n, raw in rows]


def _amounts(ach: AchFile, codes: tuple[int, ...]) -> list[tuple[str, int]]:
    """(individual id, cents) of the entries with these transaction codes."""
    return [
        (e.detail.individual_identification_number.strip(), e.detail.amount)
        for e in ach.entries()
        if e.detail.transaction_code in codes
    ]


def _assert_paid_once(
    settings: Settings,
    reader: Engine,
    bank_state: Path,
    plan: PayRunInput,
    summary: RunSummary,
) -> None:
    with reader.connect() as conn:
        payments = list(conn.execute(select(Payment).where(Payment.run_id == plan.run_id)))
        checks = list(conn.execute(select(Paycheck).where(Paycheck.run_id == plan.run_id)))
        active = select(Employee.id, Employee.external_id, Employee.employer_id).where(
            Employee.active
        )
        people = conn.execute(active).all()
        letters = list(conn.execute(select(DeadLetter.step, DeadLetter.error_type)))
    assert summary.status == "COMPLETED", summary
    assert summary.employers == EMPLOYERS and not letters, letters
    # The database: one paycheck per employee, PAID; one payment per employer, debited and
    # credited for exactly its paychecks' net.
    staff = {employee: (employer, external) for employee, external, employer in people}
    assert sorted(c.employee_id for c in checks) == sorted(staff)
    assert {c.status for c in checks} == {"PAID"}
    employers = sorted({employer for _, _, employer in people})
    assert sorted(p.employer_id for p in payments) == employers and len(employers) == EMPLOYERS
    for p in payments:
        net = sum(c.net_cents for c in checks if c.employer_id == p.employer_id)
        assert (p.status, p.funding_status) == ("PAID", "SETTLED")
        assert p.credit_total_cents == p.debit_total_cents == net > 0
    # The bank: per employer one debit file and one credits file, each settled once, the very
    # files in the object store; the debit equals the credits; every employee credited once.
    batches = _bank_batches(bank_state)
    store = build_context(settings).store
    assert sorted(b.key for b in batches) == sorted(
        k for p in payments for k in (p.idempotency_key, funding_key(p.idempotency_key))
    )
    credited: Counter[tuple[int, str]] = Counter()  # external ids repeat across employers
    for p in payments:
        mine = [b for b in batches if b.employer_id == p.employer_id]
        (debit,) = [b for b in mine if _amounts(b.ach, DEBITS)]  # exactly one debit file
        (credit,) = [b for b in mine if _amounts(b.ach, CREDITS)]
        assert (debit.key, credit.key) == (funding_key(p.idempotency_key), p.idempotency_key)
        assert [(b.status, b.settlements) for b in (debit, credit)] == [("settled", 1)] * 2
        assert debit.raw == store.get_bytes(p.funding_path)
        assert credit.raw == store.get_bytes(p.nacha_path)
        assert not _amounts(debit.ach, CREDITS) and not _amounts(credit.ach, DEBITS)
        debited = sum(cents for _, cents in _amounts(debit.ach, DEBITS))
        assert debited == sum(cents for _, cents in _amounts(credit.ach, CREDITS))
        assert debited == p.credit_total_cents  # the files balance
        credited.update((p.employer_id, ident) for ident, _ in _amounts(credit.ach, CREDITS))
    assert credited == Counter({staff[c.employee_id]: 1 for c in checks if c.net_cents > 0})
    # ... and the object store holds one debit file per employer, no stray second one.
    debit_files = [k for k in store.keys(f"nacha/{plan.run_id}") if k.endswith("-funding.ach")]
    assert len(debit_files) == EMPLOYERS, debit_files
