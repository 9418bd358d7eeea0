"""`python -m benchmarks.console_pages`: how long the console's pages take over a run of
10,000 employers (BENCH_CONSOLE_EMPLOYERS) with 10 employees each.

Writes the rows a finished run leaves (employers, employees, their statuses, the run) straight
into a fresh SQLite file (no pay run: this measures the reads), then times each page through
the app in-process (TestClient, no network) and prints the median of 7 requests per page, the
first one (cold) apart. Nothing fails on machine speed.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    DeadLetter,
    Employee,
    EmployeeStatus,
    Employer,
    EmployerStatus,
    PayPeriod,
    PayRun,
    PaySchedule,
)
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.config import Settings
from payrun.entrypoints.api.app import create_app
from payrun.entrypoints.api.settings import ApiSettings
from payrun.services.api_keys import CreateKey, create_key
from payrun.services.context import utc_now

RUN = "payrun-biweekly-2026-01-04-regular"
NOW = datetime(2026, 1, 16, 12, tzinfo=UTC)


def _rows(db_url: str, employers: int, per: int) -> None:
    with transaction(db_url) as s:
        s.add(
            PaySchedule(id=1, name="biweekly", frequency="biweekly", anchor_date=date(2026, 1, 4))
        )
        s.flush()
        s.add(PayPeriod(id=1, schedule_id=1, start_date=date(2026, 1, 4),
                        end_date=date(2026, 1, 17), pay_date=date(2026, 1, 22)))  # fmt: skip
        s.execute(insert(Employer), [
            {"id": e, "ein": f"{10 + e // 10_000_000:02d}-{e:07d}", "name": f"Employer {e}",
             "state": "CA", "schedule_id": 1, "funding_routing": "121000358",
             "funding_account_enc": b"-", "funding_account_last4": "1111",
             "ach_company_id": "1000000000", "odfi_routing": "121000358"}
            for e in range(1, employers + 1)
        ])  # fmt: skip
        s.execute(insert(Employee), [
            {"id": i, "employer_id": (i - 1) // per + 1, "external_id": f"E{i:06d}",
             "first_name": "Pat", "last_name": f"Doe{i}", "ssn_enc": b"-", "ssn_last4": "0000",
             "hire_date": date(2024, 1, 1), "home_state": "CA", "work_state": "CA",
             "pay_type": "salary", "rate_cents": 6_000_000, "bank_routing": "121000358",
             "bank_account_enc": b"-", "bank_account_last4": "2222"}
            for i in range(1, employers * per + 1)
        ])  # fmt: skip
        s.add(PayRun(id=RUN, pay_period_id=1, status="COMPLETED", employer_ids=[],
                     started_at=NOW, finished_at=NOW))  # fmt: skip
        s.flush()
        s.execute(insert(EmployerStatus), [
            {"run_id": RUN, "employer_id": e, "status": "PAID", "employee_count": per,
             "updated_at": NOW}
            for e in range(1, employers + 1)
        ])  # fmt: skip
        s.execute(insert(EmployeeStatus), [
            {"run_id": RUN, "employer_id": (i - 1) // per + 1, "employee_id": i,
             "status": "PAID", "begin_at": NOW, "paid_at": NOW}
            for i in range(1, employers * per + 1)
        ])  # fmt: skip
        s.execute(insert(DeadLetter), [
            {"run_id": RUN, "employer_id": e, "employee_id": 0, "step": "payment",
             "error_type": "downstream_rejection", "error": "R01", "first_failed_at": NOW,
             "last_failed_at": NOW}
            for e in range(1, 501)
        ])  # fmt: skip


def main() -> None:
    employers = int(os.environ.get("BENCH_CONSOLE_EMPLOYERS", "10000"))
    home = Path(tempfile.mkdtemp(prefix="console-bench-"))
    settings = Settings(home=home)
    migrate(settings.db_url)
    started = time.perf_counter()
    _rows(settings.db_url, employers, 10)
    print(f"wrote {employers:,} employers, {employers * 10:,} employees and statuses "
          f"in {time.perf_counter() - started:.1f}s")  # fmt: skip
    key = create_key(SqlUnitOfWork(settings.db_url), CreateKey("admin"), utc_now()).key
    app = create_app(settings, ApiSettings(rate_per_key="100000/minute"), None)  # type: ignore[arg-type]
    pages = [
        "/console/runs",
        f"/console/runs/{RUN}",
        f"/console/runs/{RUN}?page=150",
        f"/console/runs/{RUN}/progress",
        f"/console/runs/{RUN}/employers/{employers}",
        f"/console/employees/{employers * 10}",
        "/console/dead-letters",
    ]
    with TestClient(app, base_url="https://bench") as client:
        client.post("/console/login", data={"api_key": key})
        for page in pages:
            cold = _timed(client, page)
            warm = statistics.median(_timed(client, page) for _ in range(7))
            print(f"{page:60s} cold {cold * 1000:6.1f} ms   median {warm * 1000:6.1f} ms")


def _timed(client: TestClient, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


if __name__ == "__main__":
    main()
