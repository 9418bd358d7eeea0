"""`payrun run` without --period: the next unpaid period, never while the run before it is still
in flight, and it says which period it starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employer, PayRun, PaySchedule
from payrun.domain.errors import InvalidInput
from payrun.entrypoints.runner import RunRequest, plan_run
from tests.integration.test_returns import PaidRun, copy_paid_run, payrun


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def schedule_of(paid: PaidRun) -> str:
    with transaction(paid.settings.db_url) as session:
        name = session.scalar(
            select(PaySchedule.name)
            .join(Employer, Employer.schedule_id == PaySchedule.id)
            .where(Employer.id == paid.employer_id)
        )
        assert name is not None
        return name


def set_status(paid: PaidRun, status: str) -> None:
    with transaction(paid.settings.db_url) as session:
        session.execute(update(PayRun).where(PayRun.id == paid.run_id).values(status=status))


def test_the_next_period_waits_for_the_run_before_it(paid: PaidRun) -> None:
    schedule = schedule_of(paid)
    set_status(paid, "RUNNING")  # as if its workflow were still paying

    with pytest.raises(InvalidInput, match=f"previous run {paid.run_id} is still RUNNING"):
        plan_run(paid.settings, RunRequest(schedule, None))
    refused = payrun(paid.settings.home, "run", "--schedule", schedule)
    set_status(paid, "COMPLETED")
    planned = plan_run(paid.settings, RunRequest(schedule, None))

    assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
    assert planned.run_id != paid.run_id and planned.run_id.startswith(f"payrun-{schedule}-")
    assert planned.run_id > paid.run_id  # the period after it (ISO start dates sort)


def test_a_named_period_may_start_beside_a_run_in_flight(paid: PaidRun) -> None:
    schedule = schedule_of(paid)
    set_status(paid, "RUNNING")
    start = paid.run_id.removeprefix(f"payrun-{schedule}-").removesuffix("-regular")

    planned = plan_run(paid.settings, RunRequest(schedule, start, "offcycle-bonus"))

    assert planned.run_id == f"payrun-{schedule}-{start}-offcycle-bonus"
