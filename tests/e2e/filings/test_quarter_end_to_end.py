"""A quarter of real pay runs for California employers: the events leave payroll through its
outbox, every deposit and return is filed against the agency simulators, and payroll shows
each one `filed`; the Form 941 reconciles with the paychecks to the cent."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Employer, FilingOutbox, Paycheck, PayPeriod, PaySchedule
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.entrypoints.filings_cli import filings_app
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.filings.config import FilingsSettings
from payrun.filings.workflows.worker import filings_worker
from payrun.services.filing_updates import filing_statuses
from payrun.services.seed import seed_demo
from payrun.workflows.worker import build_worker
from payrun_sims.process import SimProcess
from tests.e2e.filings.conftest import steer


def _ca_employers_on_one_schedule(db_url: str) -> tuple[str, list[int], list[date]]:
    """The schedule with the most California employers, them, and its pay periods' starts
    up to the first pay date of the second quarter (which closes the first)."""
    with transaction(db_url) as session:
        rows = session.execute(
            select(PaySchedule.name, PaySchedule.id, Employer.id)
            .join(Employer, Employer.schedule_id == PaySchedule.id)
            .where(Employer.state == "CA")
        ).all()
        by_schedule: dict[tuple[str, int], list[int]] = {}
        for name, sid, eid in rows:
            by_schedule.setdefault((name, sid), []).append(eid)
        (name, sid), employers = max(by_schedule.items(), key=lambda kv: len(kv[1]))
        periods = session.execute(
            select(PayPeriod.start_date, PayPeriod.pay_date)
            .where(PayPeriod.schedule_id == sid)
            .order_by(PayPeriod.start_date)
        ).all()
    q1 = [start for start, pay in periods if pay < date(2026, 4, 1)]
    first_q2 = next(start for start, pay in periods if pay >= date(2026, 4, 1))
    return name, sorted(employers)[:3], [*q1, first_q2]


@pytest.fixture
def settings(payrun_home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = Settings(
        home=payrun_home, database_url=database_url, task_queue=f"payroll-{uuid.uuid4()}"
    )
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=12, employees=3, seed=17, vault=Vault.for_settings(settings)
    )
    monkeypatch.setenv("PAYRUN_FILINGS_TASK_QUEUE", f"filings-{uuid.uuid4()}")
    return settings


async def test_a_quarter_of_pay_runs_is_deposited_and_filed(
    settings: Settings, payrun_home: Path, temporal_test_server_path: str
) -> None:
    schedule, employers, periods = _ca_employers_on_one_schedule(settings.db_url)
    with (
        SimProcess("agency", ["--agency", "IRS"]) as irs,
        SimProcess("agency", ["--agency", "EDD"]) as edd,
    ):
        steer(irs)
        filings = FilingsSettings(
            home=payrun_home,
            payroll_task_queue=settings.task_queue,
            irs_url=irs.url,
            edd_url=edd.url,
        )
        async with (
            await WorkflowEnvironment.start_time_skipping(
                test_server_existing_path=temporal_test_server_path
            ) as env,
            build_worker(env.client, build_context(settings), settings.task_queue),
            filings_worker(env.client, filings),
        ):
            for start in periods:
                plan = plan_run(
                    settings,
                    RunRequest(schedule, start.isoformat(), employer_ids=tuple(employers)),
                )
                summary = await (await start_run(env.client, settings, plan)).result()
                assert summary.status == "COMPLETED", summary
            async with env.time_skipping_unlocked():  # type: ignore[attr-defined]
                statuses = await _until_all_filed(settings.db_url, employers)
    with transaction(settings.db_url) as session:
        undelivered = session.scalar(
            select(func.count()).where(FilingOutbox.delivered_at.is_(None))
        )
    assert undelivered == 0
    kinds = {s["filing_type"] for s in statuses}
    assert {"federal_deposit", "ca_deposit", "ca_ui_deposit", "form_941", "de_9"} <= kinds
    assert all(s["status"] == "filed" and s["ack_id"] for s in statuses), statuses
    for employer_id in employers:
        _form_941_reconciles_with_the_paychecks(settings.db_url, employer_id, payrun_home)


async def _until_all_filed(
    db_url: str, employers: list[int], timeout: float = 120.0
) -> list[dict[str, Any]]:
    """Every employer has its Q1 941 and DE 9, and every filing it has is filed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows = [s for s in filing_statuses(db_url) if s["employer_id"] in employers]
        returns = {(s["employer_id"], s["filing_type"]) for s in rows if s["period"] == "2026Q1"}
        complete = all((e, t) in returns for e in employers for t in ("form_941", "de_9"))
        if complete and all(s["status"] == "filed" for s in rows):
            return rows
        if loop.time() > deadline:
            raise AssertionError(f"not all filed within {timeout}s: {rows}")
        await asyncio.sleep(0.2)


def _form_941_reconciles_with_the_paychecks(db_url: str, employer_id: int, home: Path) -> None:
    with transaction(db_url) as session:
        fit, ss, medicare = session.execute(
            select(
                func.sum(Paycheck.federal_income_tax_cents),
                func.sum(Paycheck.social_security_cents),
                func.sum(Paycheck.medicare_cents),
            ).where(
                Paycheck.employer_id == employer_id,
                Paycheck.status == "PAID",
                Paycheck.pay_date < date(2026, 4, 1),
            )
        ).one()
    result = CliRunner().invoke(
        filings_app,
        ["show", f"{employer_id}-form_941-2026Q1", "--json"],
        env={"PAYRUN_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    form = json.loads(result.output)
    lines = form["lines"]
    cents = {k: int(v.replace(".", "")) for k, v in lines.items() if k != "1"}
    assert cents["3"] == fit  # line 3 = federal income tax withheld
    # line 5a col. 2 = SS wages x 12.4%, 5c = Medicare wages x 2.9%, rounded (hand rule)
    assert cents["5a"] == round(cents["5a_wages"] * 124 / 1000)
    assert cents["5c"] == round(cents["5c_wages"] * 29 / 1000)
    # employer shares match the employee's (no additional Medicare at these wages), so the
    # FICA owed is twice what was withheld; line 7 carries what 5a-5d's rounding left out
    assert cents["5e"] + cents["7"] == 2 * (ss + medicare)
    assert cents["12"] == fit + 2 * (ss + medicare) == cents["13"]  # line 13 = deposits
    assert cents["14"] == cents["15"] == 0
    assert form["line_16"]["total"] == lines["12"]  # a monthly depositor (no lookback)
    assert all(
        isinstance(v, str) and v.count(".") == 1 and len(v.split(".")[1]) == 2
        for k, v in lines.items()
        if k != "1"
    )
