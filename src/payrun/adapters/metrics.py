"""Prometheus metrics of the worker and the API: what runs, pays and fails, served on /metrics.

Updated once per activity (a chunk of employees, an employer, a run), never per employee, so
the hot path pays a few microseconds per chunk. The dead-letter gauges are read from the
database when scraped (one grouped count on its (status, error_type) index)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

RUNS_STARTED = Counter("payrun_runs_started", "Pay runs opened (open_run completed)")
RUNS_FINISHED = Counter("payrun_runs_finished", "Pay runs closed, by final status", ["status"])
PAYCHECKS_CREATED = Counter("payrun_paychecks_created", "Paychecks written by the net-pay step")
EMPLOYEE_FAILURES = Counter(
    "payrun_employee_failures", "Employees a step failed (they go to dead letters)", ["step"]
)
EMPLOYER_FAILURES = Counter(
    "payrun_employer_failures",
    "Employers compensated after a failed step, by error type",
    ["step", "error_type"],
)
ACTIVITY_FAILURES = Counter(
    "payrun_activity_failures",
    "Activity attempts that raised, by activity and error type",
    ["activity", "error_type"],
)
PAYMENTS = Counter("payrun_payments", "Payments recorded, by status", ["status"])
PAYMENT_CENTS = Counter(
    "payrun_payment_cents", "Amount credited by recorded payments in cents, by status", ["status"]
)
# Chunk steps take milliseconds to a few seconds; payment and run steps up to minutes.
STEP_SECONDS = Histogram(
    "payrun_step_seconds",
    "Activity latency per activity (one observation per chunk, employer or run step)",
    ["activity"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)


class DeadLetterCollector(Collector):
    """payrun_dead_letters{status, error_type}: the queue as the database has it; OPEN is the
    depth an operator works down."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from sqlalchemy import func, select
        from sqlalchemy.exc import SQLAlchemyError

        from payrun.adapters.db.engine import reading
        from payrun.adapters.db.models import DeadLetter

        family = GaugeMetricFamily(
            "payrun_dead_letters",
            "Dead letters by status and error type",
            labels=["status", "error_type"],
        )
        try:
            with reading(self.db_url) as session:
                rows = session.execute(
                    select(DeadLetter.status, DeadLetter.error_type, func.count()).group_by(
                        DeadLetter.status, DeadLetter.error_type
                    )
                ).all()
        except SQLAlchemyError:  # a scrape must not fail with the database: no gauge this time
            return
        for status, error_type, count in rows:
            family.add_metric([status, error_type], count)
        yield family


_lock = threading.Lock()
_served: dict[int, Any] = {}
_collectors: dict[str, DeadLetterCollector] = {}


def watch_dead_letters(db_url: str) -> None:
    """Report this database's dead letters on /metrics: one collector per process, reading
    the database named last (a process serves one)."""
    with _lock:
        collector = _collectors.get("")
        if collector is None:
            collector = _collectors[""] = DeadLetterCollector(db_url)
            REGISTRY.register(collector)
        collector.db_url = db_url


def serve_metrics(port: int, db_url: str | None, host: str = "127.0.0.1") -> int:
    """/metrics on `host`:`port` (0: any free port) in a daemon thread; returns the port.
    Idempotent per port. The metrics hold counts and amounts, never a person's data.
    `db_url`: the payroll database whose dead letters are shown (None: the filings worker,
    which has none)."""
    if db_url is not None:
        watch_dead_letters(db_url)
    with _lock:
        if port and port in _served:
            return port
        server, _thread = start_http_server(port, addr=host)
        bound = int(server.server_port)
        _served[bound] = server
        return bound
