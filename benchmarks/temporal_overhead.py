"""What one activity costs on the embedded Temporal, without any payroll work.

    python -m benchmarks.temporal_overhead [WORKFLOWS] [ACTIVITIES_PER_CHAIN]

Starts the embedded dev server twice, once with SQLite's defaults and once with the pragmas
payrun gives it (adapters/temporal_server.SQLITE_PRAGMAS), and runs WORKFLOWS workflows of
three parallel chains of no-op activities (heartbeating, with the pay run's timeouts) on one
worker. Prints activities/s and the CPU milliseconds per activity of the server and of the
worker process. Not a test: nothing here fails on machine speed.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import psutil
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import Worker

from payrun.adapters.temporal_server import SQLITE_PRAGMAS, EmbeddedTemporal

CHAINS = 3


@activity.defn
def noop(value: int) -> int:
    activity.heartbeat()
    return value + 1


@workflow.defn(sandboxed=False)
class Chains:
    @workflow.run
    async def run(self, length: int) -> int:
        async def chain() -> int:
            value = 0
            for _ in range(length):
                value = await workflow.execute_activity(
                    noop,
                    value,
                    start_to_close_timeout=timedelta(minutes=10),
                    heartbeat_timeout=timedelta(seconds=30),
                    retry_policy=RetryPolicy(maximum_attempts=8),
                )
            return value

        return sum(await asyncio.gather(*(chain() for _ in range(CHAINS))))


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def measure(pragmas: tuple[str, ...], workflows: int, length: int) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as home,
        EmbeddedTemporal(Path(home), 7299, 8299, sqlite_pragmas=pragmas) as server,
    ):
        assert server.process is not None, "port 7299 is taken by another server"
        client = await Client.connect(server.address)
        server_process, me = psutil.Process(server.process.pid), psutil.Process()
        with ThreadPoolExecutor(4) as executor:
            async with Worker(
                client,
                task_queue="overhead",
                workflows=[Chains],
                activities=[noop],
                activity_executor=executor,
                max_concurrent_activities=2,
                disable_eager_activity_execution=True,
            ):
                server_cpu, my_cpu = cpu_seconds(server_process), cpu_seconds(me)
                started = time.perf_counter()
                handles = [
                    await client.start_workflow(
                        Chains.run, length, id=f"overhead-{i}", task_queue="overhead"
                    )
                    for i in range(workflows)
                ]
                for handle in handles:
                    await handle.result()
                wall = time.perf_counter() - started
                server_cpu = cpu_seconds(server_process) - server_cpu
                my_cpu = cpu_seconds(me) - my_cpu
    activities = workflows * CHAINS * length
    return {
        "activities": activities,
        "per_second": activities / wall,
        "server_ms": 1000 * server_cpu / activities,
        "worker_ms": 1000 * my_cpu / activities,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workflows", type=int, nargs="?", default=20)
    parser.add_argument("length", type=int, nargs="?", default=8)
    args = parser.parse_args()
    for name, pragmas in (("SQLite defaults", ()), ("payrun's pragmas", SQLITE_PRAGMAS)):
        m = asyncio.run(measure(pragmas, args.workflows, args.length))
        print(
            f"{name:18s} {m['activities']:,.0f} activities, {m['per_second']:5.0f}/s;"
            f" CPU per activity: server {m['server_ms']:5.1f} ms, worker {m['worker_ms']:4.1f} ms"
        )


if __name__ == "__main__":
    main()
