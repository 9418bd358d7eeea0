"""A run moves the worker's Prometheus counters and histograms, scraped over HTTP while it runs;
logs carry the run and employer ids in JSON and never a person's data."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import structlog
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import DeadLetter, Employee, Employer, Paycheck, PaySchedule
from payrun.adapters.metrics import serve_metrics
from payrun.adapters.observe import worker_interceptors
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.logs import configure
from payrun.services.seed import seed_demo
from payrun.workflows.worker import build_worker


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_move_during_a_run_and_show_the_dead_letter_depth(
    payrun_home: Path, temporal_test_server_path: str
) -> None:
    settings = Settings(home=payrun_home, chunk_size=3, task_queue=f"q-{uuid.uuid4()}")
    migrate(settings.db_url)
    seed_demo(settings.db_url, employers=3, employees=8, seed=7, vault=Vault.for_settings(settings))
    with transaction(settings.db_url) as session:
        first = session.scalars(select(Employer).order_by(Employer.id)).first()
        assert first is not None
        schedule = session.get(PaySchedule, first.schedule_id)
        assert schedule is not None
        employees = session.scalar(
            select(func.count())
            .select_from(Employee)
            .join(Employer, Employer.id == Employee.employer_id)
            .where(Employer.schedule_id == schedule.id)
        )
        now = datetime.now(UTC)
        session.add(
            DeadLetter(run_id="old-run", employer_id=first.id, employee_id=1, step="taxes",
                       error_type="InvalidInput", error="w4: bad", first_failed_at=now,
                       last_failed_at=now)
        )  # fmt: skip
    port = serve_metrics(0, settings.db_url)
    url = f"http://127.0.0.1:{port}/metrics"
    async with httpx.AsyncClient(timeout=10) as http:

        async def scrape() -> dict:  # type: ignore[type-arg]
            response = await http.get(url)
            assert response.status_code == 200
            return _samples(response.text)

        before = await scrape()
        during = []
        async with await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=temporal_test_server_path
        ) as env:
            plan = plan_run(settings, RunRequest(schedule.name))
            ctx, queue = build_context(settings), settings.task_queue
            async with build_worker(
                env.client, ctx, queue, interceptors=worker_interceptors(False)
            ):
                handle = await start_run(env.client, settings, plan)
                result = asyncio.ensure_future(handle.result())
                while not result.done():
                    during.append(await scrape())
                    await asyncio.sleep(0.05)
                summary = await result
        after = await scrape()

    with transaction(settings.db_url) as session:
        net = session.scalar(
            select(func.sum(Paycheck.net_cents)).where(Paycheck.run_id == plan.run_id)
        )
    assert summary.status == "COMPLETED" and summary.paychecks_created == employees

    def moved(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
        return _value(samples, name, **labels) - _value(before, name, **labels)

    assert moved(after, "payrun_runs_started_total") == 1
    assert moved(after, "payrun_runs_finished_total", status="COMPLETED") == 1
    assert moved(after, "payrun_paychecks_created_total") == employees
    assert moved(after, "payrun_payments_total", status="PAID") == summary.employers
    assert moved(after, "payrun_payment_cents_total", status="PAID") == net
    # one net_pay observation per chunk of 3: at least ceil(employees / 3) of them
    assert moved(after, "payrun_step_seconds_count", activity="net_pay") >= -(-employees // 3)
    assert moved(after, "payrun_step_seconds_bucket", activity="taxes", le="+Inf") > 0
    # while the run was going, the step histograms had moved before the run was finished
    assert any(
        moved(s, "payrun_step_seconds_count", activity="open_run") == 1
        and moved(s, "payrun_runs_finished_total", status="COMPLETED") == 0
        for s in during
    )
    assert _value(after, "payrun_dead_letters", status="OPEN", error_type="InvalidInput") == 1


def test_json_logs_carry_ids_and_redact_personal_fields(capsys) -> None:  # type: ignore[no-untyped-def]
    configure("INFO", fmt="json")
    try:
        with structlog.contextvars.bound_contextvars(run_id="payrun-x", employer_id=7):
            structlog.get_logger("t").info("step.done", ssn="123-45-6789", last_name="Lopez")
        line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    finally:
        configure("WARNING")
    assert line["event"] == "step.done"
    assert (line["run_id"], line["employer_id"]) == ("payrun-x", 7)
    assert line["ssn"] == line["last_name"] == "[redacted]"
