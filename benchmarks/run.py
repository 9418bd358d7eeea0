"""`make bench`: end-to-end pay-run throughput, memory and the per-employee design's ratio.

Seeds BENCH_EMPLOYEES employees (default 100,000) into a fresh PAYRUN_HOME/bench, runs one full
pay run on the embedded Temporal (every step, real database writes, NACHA files), checks that
every employee got exactly one paycheck and that totals reconcile, then runs the seed's
one-activity-per-employee design (chunk size 1) on a small sample for the ratio. Results are
printed and written to $PAYRUN_HOME/bench.json; the exit status is 1 if either run fails those
checks. Nothing fails on machine speed.

Environment: BENCH_EMPLOYEES, BENCH_EMPLOYERS (default employees/5000), BENCH_SAMPLE (default
300), BENCH_WORKERS (`payrun worker` processes, default 3; 0: one worker inside the bench
process), BENCH_WORKER_ACTIVITIES (activity slots per worker and queue, default 1: on 2
cores, 3 processes x 1 slot measured best), BENCH_CHUNK_SIZE (employees per chunk, default
5000, one chunk per bench employer: fewer, larger activities cost the Temporal server and the
workers' event loops less CPU per employee), PAYRUN_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import create_engine, func, make_url, select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import make_engine, migrate, transaction
from payrun.adapters.db.models import (
    Employee,
    EmployeeStatus,
    Paycheck,
    Payment,
)
from payrun.config import Settings
from payrun.entrypoints.runner import (
    RunRequest,
    follow,
    hosted_worker,
    plan_run,
    start_run,
    temporal_client,
)
from payrun.services.seed import one_schedule, seed_demo


class PeakRss:
    """Samples the resident memory of this process and its children: the largest single
    process (peak_process), the sum of all (peak_tree), and the peak of each kind (peak_by_kind:
    bench = this process, worker, temporal); and the CPU seconds each kind used while sampled
    (cpu_by_kind), to show where the time goes: also the workers' main threads (their event
    loops, part of "worker") and, when the database is a PostgreSQL server on this machine,
    its processes ("postgres": CPU only, their shared memory makes RSS meaningless)."""

    def __init__(self, interval: float = 0.2, database_url: str | None = None) -> None:
        self.interval, self.peak_process, self.peak_tree = interval, 0, 0
        self.peak_by_kind: dict[str, int] = {}
        self._cpu: dict[int, tuple[str, float, float]] = {}  # pid -> kind, first, last seen
        self._main_threads: dict[int, tuple[float, float]] = {}  # worker pid -> first, last
        self._local_postgres = _is_local_postgres(database_url)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            children = me.children(recursive=True)
            sizes = [("bench", me.memory_info().rss)]
            sizes += [(_kind(c), _rss(c)) for c in children]
            for kind, proc in [("bench", me), *((_kind(c), c) for c in children)]:
                self._sample_cpu(kind, proc)
                if kind == "worker":
                    self._sample_main_thread(proc)
            for proc in _postgres_processes() if self._local_postgres else ():
                self._sample_cpu("postgres", proc)
            for kind, size in sizes:
                self.peak_by_kind[kind] = max(self.peak_by_kind.get(kind, 0), size)
            self.peak_process = max(self.peak_process, *(size for _, size in sizes))
            self.peak_tree = max(self.peak_tree, sum(size for _, size in sizes))
            self._stop.wait(self.interval)

    def _sample_cpu(self, kind: str, proc: psutil.Process) -> None:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            return
        used = times.user + times.system
        known, first, _ = self._cpu.get(proc.pid, (kind, used, used))
        self._cpu[proc.pid] = (known if kind == "other" else kind, first, used)  # exiting: kept

    def _sample_main_thread(self, proc: psutil.Process) -> None:
        try:
            main = next((t for t in proc.threads() if t.id == proc.pid), None)
        except psutil.Error:
            return
        if main is not None:
            used = main.user_time + main.system_time
            first, _ = self._main_threads.get(proc.pid, (used, used))
            self._main_threads[proc.pid] = (first, used)

    @property
    def cpu_by_kind(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for kind, first, last in self._cpu.values():
            totals[kind] = totals.get(kind, 0.0) + last - first
        if self._main_threads:
            totals["worker main threads"] = sum(b - a for a, b in self._main_threads.values())
        return totals

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _kind(proc: psutil.Process) -> str:
    try:
        command = " ".join(proc.cmdline())
    except psutil.Error:
        return "other"
    return "worker" if " worker" in command else "temporal" if "temporal" in command else "other"


def _is_local_postgres(url: str | None) -> bool:
    if not url or not url.startswith("postgresql"):
        return False
    return make_url(url).host in (None, "", "localhost", "127.0.0.1", "::1")


def _postgres_processes() -> list[psutil.Process]:
    names = ("postgres", "postmaster")
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] in names]


def _rss(proc: psutil.Process) -> int:
    try:
        return proc.memory_info().rss
    except psutil.Error:
        return 0


def _settings(home: Path, **extra: Any) -> Settings:
    return Settings(home=home, **extra)


def seed(settings: Settings, employees: int, employers: int) -> float:
    started = time.perf_counter()
    migrate(settings.db_url)
    per = max(1, employees // employers)
    seed_demo(
        settings.db_url,
        employers=employers,
        employees=per,
        seed=2026,
        vault=Vault.for_settings(settings),
    )
    one_schedule(settings.db_url)  # one schedule, so one run covers everyone
    return time.perf_counter() - started


async def pay_run(settings: Settings, worker_processes: int) -> tuple[Any, float]:
    """The run on `worker_processes` separate `payrun worker` processes (0: a worker in this
    process); this process only starts the run and follows it."""
    plan = plan_run(settings, RunRequest("biweekly"))
    workers: list[subprocess.Popen[bytes]] = []
    async with temporal_client(settings) as client:
        env = {
            **os.environ,
            "TEMPORAL_ADDRESS": settings.temporal_target,
            "PAYRUN_HOME": str(settings.home_dir),
            "PAYRUN_DATABASE_URL": settings.db_url,
            "PAYRUN_CHUNK_SIZE": str(settings.chunk_size),
        }
        for _ in range(worker_processes):
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "payrun.entrypoints.cli", "worker"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        host = hosted_worker(client, settings) if not worker_processes else contextlib.nullcontext()
        try:
            async with host:
                await _workers_polling(client, settings.task_queue, max(1, worker_processes))
                started = time.perf_counter()
                summary = await follow(await start_run(client, settings, plan), None)
                return summary, time.perf_counter() - started
        finally:
            for w in workers:
                w.terminate()
                w.wait(timeout=30)


async def _workers_polling(client: Any, task_queue: str, workers: int) -> None:
    """Wait (up to a minute) until every worker polls the activity queue, so the run measures
    all of them working, not some still starting."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        described = await client.workflow_service.describe_task_queue(request)
        if len({p.identity for p in described.pollers}) >= workers:
            return
        await asyncio.sleep(0.2)
    print(f"warning: fewer than {workers} workers poll {task_queue} after 60 s")


def check(settings: Settings) -> dict[str, Any]:
    with transaction(settings.db_url) as session:
        employees = session.scalar(select(func.count()).select_from(Employee))
        per_employee = session.execute(
            select(func.count(), func.count(func.distinct(Paycheck.employee_id))).where(
                Paycheck.status != "VOIDED"
            )
        ).one()
        net = session.scalar(
            select(func.coalesce(func.sum(Paycheck.net_cents), 0)).where(Paycheck.status == "PAID")
        )
        paid = session.scalar(
            select(func.coalesce(func.sum(Payment.credit_total_cents), 0)).where(
                Payment.status == "PAID"
            )
        )
        unpaid = session.scalar(
            select(func.count()).where(Paycheck.status.not_in(("PAID", "VOIDED")))
        )
        broken = session.scalar(
            select(func.count()).where(
                Paycheck.gross_cents - Paycheck.employee_taxes_cents - Paycheck.deductions_cents
                != Paycheck.net_cents
            )
        )
    return {
        "paychecks_expected": employees,
        "paychecks_created": per_employee[0],
        "employees_with_paycheck": per_employee[1],
        "exactly_once": per_employee[0] == per_employee[1] == employees,
        "net_paid_cents": int(net),
        "payments_cents": int(paid),
        "paychecks_not_adding_up": int(broken or 0),
        "paychecks_unpaid": int(unpaid or 0),
        "reconciles": net == paid and broken == 0,
    }


def problems(result: dict[str, Any]) -> list[str]:
    """What is wrong with a bench run's outcome, in words (nothing: every employee was paid
    exactly once, the money reconciles and the run completed)."""
    found = []
    if not result["exactly_once"]:
        found.append(
            f"{result['paychecks_created']:,} live paychecks for "
            f"{result['employees_with_paycheck']:,} of {result['paychecks_expected']:,} employees"
        )
    if result["net_paid_cents"] != result["payments_cents"]:
        found.append(
            f"paid paychecks' net {result['net_paid_cents']:,} cents != paid payments'"
            f" credits {result['payments_cents']:,} cents"
        )
    if result["paychecks_not_adding_up"]:
        found.append(
            f"{result['paychecks_not_adding_up']:,} paychecks where gross - taxes -"
            " deductions != net"
        )
    if result["paychecks_unpaid"]:
        found.append(f"{result['paychecks_unpaid']:,} live paychecks not paid")
    if result["status"] != "COMPLETED":
        found.append(f"run status {result['status']}")
    return found


PHASES = (  # (phase, first transition, last transition) of the employee status records
    ("begin (snapshots, statuses)", "begin_at", "begin_at"),
    ("employee steps", "time_entered_at", "net_calculated_at"),
    ("validation and payment", "validated_at", "paid_at"),
)


def phases(settings: Settings) -> dict[str, tuple[float, float]]:
    """Wall time of each phase, from the employee status records' transition times: seconds
    from the first BEGIN to the phase's first and last transition (phases overlap: employers
    run in parallel)."""
    table = EmployeeStatus.__table__
    with transaction(settings.db_url) as session:
        row = session.execute(
            select(
                *(func.min(table.c[first]) for _, first, _ in PHASES),
                *(func.max(table.c[last]) for _, _, last in PHASES),
            )
        ).one()
    start = row[0]
    if start is None:
        return {}
    firsts, lasts = row[: len(PHASES)], row[len(PHASES) :]
    return {
        name: ((first - start).total_seconds(), (last - start).total_seconds())
        for (name, _, _), first, last in zip(PHASES, firsts, lasts, strict=True)
        if first is not None and last is not None
    }


def db_size_mb(settings: Settings) -> float:
    url = settings.db_url
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        files = [path, Path(f"{path}-wal")]
        return sum(f.stat().st_size for f in files if f.exists()) / 1e6
    with make_engine(url).connect() as conn:
        size = conn.exec_driver_sql(
            "select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = current_schema() and c.relkind = 'r'"
        ).scalar()
        return float(size or 0) / 1e6


@contextlib.contextmanager
def private_schema(url: str | None) -> Iterator[str | None]:
    """PostgreSQL: a fresh schema per bench run (the database's own tables are never touched)."""
    if not url or not url.startswith("postgresql"):
        yield url
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        make_engine(f"{url}{sep}options=-csearch_path%3D{schema}").dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def one(home: Path, employees: int, employers: int, workers: int, **extra: Any) -> dict[str, Any]:
    with private_schema(extra.pop("database_url", None)) as url:
        return _one(
            home, employees, employers, workers, **extra, **({"database_url": url} if url else {})
        )


def _one(home: Path, employees: int, employers: int, workers: int, **extra: Any) -> dict[str, Any]:
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    settings = _settings(home, **extra)
    seeded = seed(settings, employees, employers)
    with PeakRss(database_url=extra.get("database_url")) as rss:
        summary, wall = asyncio.run(pay_run(settings, workers))
    result = check(settings)
    return {
        "employees": result["paychecks_expected"],
        "employers": employers,
        "seed_s": seeded,
        "wall_s": wall,
        "paychecks_per_second": result["paychecks_created"] / wall,
        "peak_rss_mb": rss.peak_process / 1e6,  # the largest process: a worker, usually
        "peak_rss_tree_mb": rss.peak_tree / 1e6,
        "peak_rss_by_process_mb": {k: v / 1e6 for k, v in rss.peak_by_kind.items()},
        "cpu_s_by_process": rss.cpu_by_kind,
        "db_size_mb": db_size_mb(settings),
        "status": summary.status,
        "phases_s": phases(settings),
        **result,
    }


def _pure_calculation(employees: int, mix: str = "old") -> dict[str, Any]:
    """The pure-calculation benchmark in a process of its own, so the memory it holds is not
    counted in this process's peak RSS during the pay run."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from benchmarks import bench_calc

    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(bench_calc.run, employees=employees, repeats=3, mix=mix).result()


def main() -> None:
    from payrun.logs import configure

    configure(os.environ.get("PAYRUN_LOG_LEVEL", "WARNING"))
    employees = int(os.environ.get("BENCH_EMPLOYEES", "100000"))
    employers = int(os.environ.get("BENCH_EMPLOYERS", str(max(1, employees // 5000))))
    sample = int(os.environ.get("BENCH_SAMPLE", "300"))
    workers = int(os.environ.get("BENCH_WORKERS", "3"))  # worker processes (2 cores: 3 best)
    chunk_size = int(os.environ.get("BENCH_CHUNK_SIZE", "5000"))
    slots = int(os.environ.get("BENCH_WORKER_ACTIVITIES", "1"))
    os.environ["PAYRUN_WORKER_ACTIVITIES"] = str(slots)  # every worker, in or out of process
    home = Path(os.environ.get("PAYRUN_HOME", ".payrun")).resolve()
    db = os.environ.get("PAYRUN_DATABASE_URL")
    extra: dict[str, Any] = {"database_url": db} if db else {}

    # Both mixes: "old" (California and the states without an income tax) compares with
    # earlier runs; "states" adds the ten income-tax states of issue 19.
    calc = _pure_calculation(min(employees, 100_000))
    print(f"pure calculation: {calc['paychecks_per_second_median']:,.0f} paychecks/s (median)")
    calc_states = _pure_calculation(min(employees, 100_000), mix="states")
    print(
        "pure calculation, with the ten income-tax states: "
        f"{calc_states['paychecks_per_second_median']:,.0f} paychecks/s (median)"
    )
    print(
        f"pay run: {employees:,} employees over {employers} employers, {workers} worker processes"
        f" x {slots} slots, chunks of {chunk_size:,}"
    )
    main_run = one(home / "bench", employees, employers, workers, chunk_size=chunk_size, **extra)
    _report("chunked design", main_run)
    print(f"per-employee design (chunk size 1) on {sample} employees ...")
    small = one(home / "bench-per-employee", sample, 1, workers, chunk_size=1, **extra)
    _report("one activity per employee", small)
    result = {
        **main_run,
        "calc_paychecks_per_second": calc["paychecks_per_second_median"],
        "calc_states_paychecks_per_second": calc_states["paychecks_per_second_median"],
        "per_employee_paychecks_per_second": small["paychecks_per_second"],
        "per_employee_design_ratio": main_run["paychecks_per_second"]
        / small["paychecks_per_second"],
        "database": "postgresql" if db and db.startswith("postgres") else "sqlite",
        "worker_processes": workers,
        "worker_activities": slots,
        "chunk_size": chunk_size,
    }
    out = home / "bench.json"
    history = json.loads(out.read_text()) if out.exists() else []
    history = history if isinstance(history, list) else [history]
    out.write_text(
        json.dumps([*history, {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), **result}], indent=2)
    )
    print(f"ratio chunked / per-employee: {result['per_employee_design_ratio']:.1f}x")
    print(f"results appended to {out}")
    wrong = [
        f"{name}: {p}"
        for name, r in (("chunked", main_run), ("per-employee", small))
        for p in problems(r)
    ]
    if wrong:  # a fast run that pays someone twice, or nobody, is a failure, not a number
        sys.exit("bench run FAILED its checks:\n  " + "\n  ".join(wrong))


def _report(name: str, r: dict[str, Any]) -> None:
    print(
        f"  {name}: {r['paychecks_created']:,}/{r['paychecks_expected']:,} paychecks in "
        f"{r['wall_s']:.1f} s = {r['paychecks_per_second']:,.0f}/s; seed {r['seed_s']:.1f} s; "
        f"peak RSS {r['peak_rss_mb']:,.0f} MB per process ({r['peak_rss_tree_mb']:,.0f} MB all "
        "processes); "
        f"DB {r['db_size_mb']:,.0f} MB; reconciles: {r['reconciles']}; {r['status']}"
    )
    kinds = ", ".join(f"{k} {v:,.0f}" for k, v in r.get("peak_rss_by_process_mb", {}).items())
    print(f"    peak RSS by process (MB): {kinds}")
    cpu = ", ".join(f"{k} {v:,.1f}" for k, v in r.get("cpu_s_by_process", {}).items())
    print(f"    CPU seconds by process kind: {cpu}")
    for phase, (first, last) in r.get("phases_s", {}).items():
        print(f"    {phase:28s} from +{first:7.1f} s to +{last:7.1f} s")


if __name__ == "__main__":
    main()
