"""Pay calendars on Temporal Schedules (the dev server: the time-skipping test server has no
Schedules) against a real database; and which periods are due, on hand-chosen dates."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from temporalio.client import Client, ScheduleOverlapPolicy
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    DeadLetter,
    Employee,
    Employer,
    Paycheck,
    PayPeriod,
    PayRun,
    PaySchedule,
    RecoveryCase,
)
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain.errors import InvalidInput
from payrun.entrypoints.schedules import (
    ScheduleOptions,
    backfill_schedule,
    list_schedules,
    pause_schedule,
    resume_schedule,
    sync_schedules,
)
from payrun.services.calendar_runs import calendar, due_periods, set_paused
from payrun.services.seed import seed_demo
from payrun.workflows.scheduled import (
    ScheduledPayRunsWorkflow,
    ScheduledRedriveInput,
    ScheduledRedriveWorkflow,
    ScheduledRunsInput,
    ScheduledRunsResult,
)
from payrun.workflows.worker import build_worker

# The seeded biweekly calendar (anchor Sunday 2025-12-28, pay 6 days after the period ends):
#   period 1  2025-12-28 .. 2026-01-10, pay Fri 2026-01-16 -> due 2026-01-14 with lead 2
#   period 2  2026-01-11 .. 2026-01-24, pay Fri 2026-01-30 -> due 2026-01-28
# so the daily actions of 2026-01-01 .. 2026-01-14 run period 1 (on the 14th) and nothing else.
FIRST_BIWEEKLY_RUN = "payrun-biweekly-2025-12-28-regular"
PAY_CALENDARS = ["weekly", "biweekly", "semimonthly", "monthly"]  # seeded in this order


@pytest.fixture
def settings(payrun_home: Path, database_url: str) -> Settings:
    settings = Settings(home=payrun_home, database_url=database_url, task_queue=f"q-{uuid.uuid4()}")
    migrate(settings.db_url)
    # seed 7 puts all 4 employers on the biweekly calendar (24 employees)
    seed_demo(settings.db_url, employers=4, employees=6, seed=7, vault=Vault.for_settings(settings))
    return settings


@pytest.fixture
async def env(temporal_cli_path: str):
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path, dev_server_log_level="error"
    ) as env:
        yield env


async def _settled(client: Client, schedule_id: str, actions: int) -> None:
    """Wait until the schedule has taken `actions` actions and none is still running."""
    handle = client.get_schedule_handle(schedule_id)
    for _ in range(600):
        info = (await handle.describe()).info
        if info.num_actions >= actions and not info.running_actions:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{schedule_id}: {info.num_actions} of {actions} actions, still running")


async def _scheduled_result(client: Client, day: str) -> ScheduledRunsResult:
    handle = client.get_workflow_handle(
        f"scheduled-biweekly-{day}T06:00:00Z", result_type=ScheduledRunsResult
    )
    return await handle.result()


def _paychecks_per_employee(settings: Settings) -> dict[int, int]:
    with transaction(settings.db_url) as session:
        rows = session.execute(
            select(Paycheck.employee_id, func.count()).group_by(Paycheck.employee_id)
        ).all()
        return {employee: count for employee, count in rows}


def _biweekly_employees(settings: Settings) -> set[int]:
    with transaction(settings.db_url) as session:
        query = (
            select(Employee.id)
            .join(Employer, Employer.id == Employee.employer_id)
            .join(PaySchedule, PaySchedule.id == Employer.schedule_id)
            .where(PaySchedule.name == "biweekly", Employee.active.is_(True))
        )
        return set(session.scalars(query))


def _runs(settings: Settings) -> list[tuple[str, str]]:
    with transaction(settings.db_url) as session:
        return list(session.execute(select(PayRun.id, PayRun.status).order_by(PayRun.id)).all())


# --- Temporal Schedules -------------------------------------------------------------------


async def test_sync_creates_a_schedule_per_pay_calendar_and_the_redrive(
    settings: Settings, env: WorkflowEnvironment
) -> None:
    db, queue = settings.db_url, settings.task_queue
    ids = await sync_schedules(env.client, db, queue, ScheduleOptions(hour_utc=7))
    assert ids == [f"payroll-{name}" for name in PAY_CALENDARS] + ["payroll-redrive"]

    views = {v.id: v for v in await list_schedules(env.client, db)}
    assert list(views) == ids
    assert all(v.synced and not v.paused for v in views.values())
    daily = views["payroll-biweekly"].next_runs
    assert all(t.hour == 7 and t.minute == 0 for t in daily)
    assert [b - a for a, b in itertools.pairwise(daily)] == [timedelta(days=1)] * (len(daily) - 1)
    redrive = views["payroll-redrive"].next_runs
    assert {b - a for a, b in itertools.pairwise(redrive)} == {timedelta(minutes=30)}
    described = await env.client.get_schedule_handle("payroll-biweekly").describe()
    assert described.schedule.policy.overlap == ScheduleOverlapPolicy.BUFFER_ONE

    # A second sync updates in place, and the database's paused flag wins.
    set_paused(db, "monthly", True)
    assert await sync_schedules(env.client, db, queue, ScheduleOptions(hour_utc=5)) == ids
    views = {v.id: v for v in await list_schedules(env.client, db)}
    assert all(t.hour == 5 for t in views["payroll-weekly"].next_runs)
    assert [v.id for v in views.values() if v.paused] == ["payroll-monthly"]


async def test_backfill_of_early_january_runs_the_due_biweekly_period_once(
    settings: Settings, env: WorkflowEnvironment
) -> None:
    client, db = env.client, settings.db_url
    await sync_schedules(client, db, settings.task_queue)
    async with build_worker(client, build_context(settings), settings.task_queue):
        await backfill_schedule(client, db, "biweekly", date(2026, 1, 1), date(2026, 1, 14))
        await _settled(client, "payroll-biweekly", actions=14)  # one action a day
        on_13th = await _scheduled_result(client, "2026-01-13")
        on_14th = await _scheduled_result(client, "2026-01-14")
        first = _paychecks_per_employee(settings)

        await backfill_schedule(client, db, "biweekly", date(2026, 1, 1), date(2026, 1, 14))
        await _settled(client, "payroll-biweekly", actions=28)
        again_14th = await _scheduled_result(client, "2026-01-14")
        second = _paychecks_per_employee(settings)

    assert (on_13th.as_of, on_13th.runs) == ("2026-01-13", [])
    assert on_14th.as_of == "2026-01-14"  # the backfilled day, not today
    assert [(r.run_id, r.status) for r in on_14th.runs] == [(FIRST_BIWEEKLY_RUN, "COMPLETED")]
    assert set(first) == _biweekly_employees(settings)
    assert set(first.values()) == {1}
    assert on_14th.runs[0].paychecks_created == len(first)
    assert again_14th.runs == []
    assert second == first
    assert _runs(settings) == [(FIRST_BIWEEKLY_RUN, "COMPLETED")]


async def test_pausing_stops_scheduled_runs_and_resuming_restores_them(
    settings: Settings, env: WorkflowEnvironment
) -> None:
    client, db, queue = env.client, settings.db_url, settings.task_queue
    await sync_schedules(client, db, queue)
    handle = client.get_schedule_handle("payroll-biweekly")

    await pause_schedule(client, db, "biweekly", note="year-end audit")
    state = (await handle.describe()).schedule.state
    assert calendar(db, "biweekly").paused
    assert (state.paused, state.note) == (True, "year-end audit")
    with pytest.raises(InvalidInput) as refused:
        await backfill_schedule(client, db, "biweekly", date(2026, 1, 1), date(2026, 1, 14))
    assert refused.value.field == "schedule"

    async def action_of_the_14th() -> list[str]:
        result = await client.execute_workflow(
            ScheduledPayRunsWorkflow.run,
            ScheduledRunsInput("biweekly", as_of="2026-01-14"),
            id=f"by-hand-{uuid.uuid4()}",
            task_queue=queue,
        )
        return [r.run_id for r in result.runs]

    async with build_worker(client, build_context(settings), queue):
        # An action already under way when the pause lands finds nothing due.
        assert await action_of_the_14th() == []
        assert _paychecks_per_employee(settings) == {}

        await resume_schedule(client, db, "biweekly")
        assert not calendar(db, "biweekly").paused
        assert not (await handle.describe()).schedule.state.paused
        assert await action_of_the_14th() == [FIRST_BIWEEKLY_RUN]
    assert set(_paychecks_per_employee(settings)) == _biweekly_employees(settings)


async def test_the_redrive_schedule_retries_only_the_retryable_error_types(
    settings: Settings, env: WorkflowEnvironment
) -> None:
    client, db = env.client, settings.db_url
    at = datetime(2026, 1, 16, tzinfo=UTC)
    with transaction(db) as session:
        session.add(
            DeadLetter(run_id=FIRST_BIWEEKLY_RUN, employer_id=1, employee_id=1, step="taxes",
                       error_type="calculation_error", error="negative net pay",
                       first_failed_at=at, last_failed_at=at)
        )  # fmt: skip
    await sync_schedules(client, db, settings.task_queue)
    async with build_worker(client, build_context(settings), settings.task_queue):
        await client.get_schedule_handle("payroll-redrive").trigger()
        await _settled(client, "payroll-redrive", actions=1)
        action = (await client.get_schedule_handle("payroll-redrive").describe()).info
        workflow_id = action.recent_actions[0].action.workflow_id
        results = await client.get_workflow_handle(workflow_id).result()

    assert [r["redriven"] for r in results] == [0, 0]  # downstream_timeout, then error
    with transaction(db) as session:
        letter = session.scalars(select(DeadLetter)).one()
        assert (letter.status, letter.attempts) == ("OPEN", 1)  # left for a human fix_and_retry


async def test_pause_of_a_schedule_not_yet_synced_says_to_sync(
    settings: Settings, env: WorkflowEnvironment
) -> None:
    with pytest.raises(InvalidInput, match="schedules sync"):
        await pause_schedule(env.client, settings.db_url, "weekly")


def _cli(
    settings: Settings, *args: str, temporal: str | None = None
) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    environ = {**os.environ, "PAYRUN_HOME": str(settings.home), "PAYRUN_TASK_QUEUE": "cli"}
    environ["PAYRUN_DATABASE_URL"] = settings.db_url
    if temporal:
        environ["TEMPORAL_ADDRESS"] = temporal
    command = [sys.executable, "-m", "payrun.entrypoints.cli", "schedules", *args]
    return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=60)


async def test_cli_syncs_and_lists_the_schedules(
    settings: Settings, env: WorkflowEnvironment
) -> None:
    address = env.client.service_client.config.target_host
    synced = _cli(settings, "sync", temporal=address)
    listed = _cli(settings, "list", temporal=address)

    assert synced.returncode == 0, synced.stderr
    assert listed.returncode == 0, listed.stderr
    assert "payroll-biweekly" in listed.stdout and "payroll-redrive" in listed.stdout


def test_cli_refuses_an_unknown_schedule_in_one_line_with_exit_2(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from payrun.entrypoints.cli import run_command_line

    monkeypatch.setattr(sys, "argv", ["payrun", "schedules", "pause", "fortnightly"])
    assert run_command_line() == 2
    assert capsys.readouterr().err == "error: schedule: unknown pay schedule 'fortnightly'\n"


def test_cli_backfill_refuses_a_day_that_is_not_a_date(settings: Settings) -> None:
    from typer.testing import CliRunner

    from payrun.entrypoints.schedules_cli import schedules_app

    args = ["backfill", "biweekly", "--start", "2026-01-32", "--end", "2026-02-01"]
    result = CliRunner().invoke(schedules_app, args)
    assert isinstance(result.exception, InvalidInput)
    assert result.exception.field == "--start"


# --- due_periods, on a hand-made calendar ------------------------------------------------
#   P0  2025-12-21 .. 2026-01-03, pay 2026-01-09
#   P1  2026-01-04 .. 2026-01-17, pay 2026-01-23 -> due 2026-01-21 with lead 2
#   P2  2026-01-18 .. 2026-01-31, pay 2026-02-06 -> due 2026-02-04 with lead 2
HANDMADE = {
    "P0": (date(2025, 12, 21), date(2026, 1, 3), date(2026, 1, 9)),
    "P1": (date(2026, 1, 4), date(2026, 1, 17), date(2026, 1, 23)),
    "P2": (date(2026, 1, 18), date(2026, 1, 31), date(2026, 2, 6)),
}


@pytest.fixture
def handmade(database_url: str) -> str:
    migrate(database_url)
    with transaction(database_url) as session:
        schedule = PaySchedule(
            name="handmade", frequency="biweekly", anchor_date=date(2025, 12, 21), pay_delay_days=6
        )
        session.add(schedule)
        session.flush()
        for start, end, pay in HANDMADE.values():
            session.add(
                PayPeriod(schedule_id=schedule.id, start_date=start, end_date=end, pay_date=pay)
            )
    return database_url


def _record_run(db: str, period: str, kind: str, finished: bool) -> None:
    start = HANDMADE[period][0]
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with transaction(db) as session:
        period_id = session.scalar(select(PayPeriod.id).where(PayPeriod.start_date == start))
        session.add(
            PayRun(
                id=f"payrun-handmade-{start}-{kind}",
                pay_period_id=period_id,
                kind=kind,
                status="COMPLETED" if finished else "RUNNING",
                started_at=at,
                finished_at=at if finished else None,
            )
        )


def _due(db: str, as_of: date, lead_days: int = 2) -> list[str]:
    starts = {v[0].isoformat(): k for k, v in HANDMADE.items()}
    return [starts[p.start_date] for p in due_periods(db, "handmade", as_of, lead_days)]


def test_a_period_is_due_exactly_lead_days_before_its_pay_date(handmade: str) -> None:
    _record_run(handmade, "P0", "regular", finished=True)
    assert _due(handmade, date(2026, 1, 20)) == []  # P1 pays on the 23rd: 3 days away
    assert _due(handmade, date(2026, 1, 21)) == ["P1"]  # 2 days away
    assert _due(handmade, date(2026, 2, 4)) == ["P1", "P2"]  # oldest first


def test_a_finished_regular_run_takes_its_period_off_the_due_list(handmade: str) -> None:
    assert _due(handmade, date(2026, 1, 21)) == ["P0", "P1"]
    _record_run(handmade, "P0", "offcycle-bonus", finished=True)  # not the regular run
    _record_run(handmade, "P1", "regular", finished=False)  # started, never finished
    assert _due(handmade, date(2026, 1, 21)) == ["P0", "P1"]
    with transaction(handmade) as session:
        run = session.get(PayRun, "payrun-handmade-2026-01-04-regular")
        run.status, run.finished_at = "WITH_FAILURES", datetime(2026, 1, 21, tzinfo=UTC)
    assert _due(handmade, date(2026, 1, 21)) == ["P0"]


def test_a_long_lead_still_waits_for_the_period_to_end(handmade: str) -> None:
    _record_run(handmade, "P0", "regular", finished=True)
    # lead 10: P1's pay date (Jan 23) is 10 days off on Jan 13, but its work ends on the 17th
    assert _due(handmade, date(2026, 1, 17), lead_days=10) == []
    assert _due(handmade, date(2026, 1, 18), lead_days=10) == ["P1"]


def test_a_paused_schedule_has_nothing_due_and_unknown_input_names_its_field(
    handmade: str,
) -> None:
    set_paused(handmade, "handmade", True)
    assert _due(handmade, date(2026, 2, 4)) == []
    with pytest.raises(InvalidInput) as unknown:
        due_periods(handmade, "fortnightly", date(2026, 2, 4), 2)
    with pytest.raises(InvalidInput) as negative:
        due_periods(handmade, "handmade", date(2026, 2, 4), -1)
    assert (unknown.value.field, negative.value.field) == ("schedule", "lead_days")


def test_the_catch_up_cutoff_leaves_periods_paid_before_it(handmade: str) -> None:
    # Synced on Jan 24: P0 (paid Jan 9) and P1 (paid Jan 23) are past, P2 (Feb 6) is not.
    due = due_periods(handmade, "handmade", date(2026, 2, 4), 2, not_before=date(2026, 1, 24))
    assert [p.start_date for p in due] == [HANDMADE["P2"][0].isoformat()]


async def test_the_daily_action_keeps_the_cutoff_and_a_backfill_runs_past_periods(
    settings: Settings, env: WorkflowEnvironment
) -> None:
    client, queue = env.client, settings.task_queue

    async def action(as_of: str) -> list[str]:
        inp = ScheduledRunsInput("biweekly", as_of=as_of, not_before="2026-01-20")
        result = await client.execute_workflow(
            ScheduledPayRunsWorkflow.run, inp, id=f"by-hand-{uuid.uuid4()}", task_queue=queue
        )
        return [r.run_id for r in result.runs]

    async with build_worker(client, build_context(settings), queue):
        # Synced on Jan 20: the first period (paid Jan 16) is past; nothing else is due yet.
        daily = await action("2026-01-20")
        # A backfilled day before the cutoff runs what was due on it, on purpose.
        backfilled = await action("2026-01-14")

    assert daily == []
    assert backfilled == [FIRST_BIWEEKLY_RUN]


async def test_the_redrive_schedule_presents_a_due_funding_debit_again_once(
    settings: Settings, env: WorkflowEnvironment
) -> None:
    client, db, queue = env.client, settings.db_url, settings.task_queue
    at = datetime(2026, 1, 16, tzinfo=UTC)
    with transaction(db) as session:
        session.add(
            RecoveryCase(idempotency_key="return-1-021000020000007-R01", employer_id=1,
                         run_id=FIRST_BIWEEKLY_RUN, payment_id=1, return_code="R01",
                         original_trace="021000020000007", amount_cents=1_234_56,
                         status="REDEBIT_DUE", redebit_on=date(2026, 1, 20), created_at=at)
        )  # fmt: skip

    async def redrive_action() -> None:
        await client.execute_workflow(
            ScheduledRedriveWorkflow.run, ScheduledRedriveInput(error_types=[]),
            id=f"redrive-by-hand-{uuid.uuid4()}", task_queue=queue,
        )  # fmt: skip

    async with build_worker(client, build_context(settings), queue):
        await redrive_action()
        await redrive_action()  # the next action: already sent, nothing more

    with transaction(db) as session:
        case = session.scalars(select(RecoveryCase)).one()
        assert (case.status, case.redebits) == ("REDEBIT_SENT", 1)
    dropped = sorted((settings.output_dir / "bank-drop").glob("recovery-*.ach"))
    assert [p.name for p in dropped] == [f"recovery-{case.id}-redebit-1.ach"]
