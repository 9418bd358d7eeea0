"""A quarter no later pay run closes is closed by the operator: QuarterClosed once for every
employer paid in it, and the command refuses a quarter that has not ended."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import FilingOutbox, Paycheck
from payrun.filings.rules.calendar import quarter_of
from payrun.services.filing_events import close_quarter
from tests.integration.test_returns import PaidRun, copy_paid_run


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def closed_events(paid: PaidRun) -> list[tuple[int, str]]:
    with transaction(paid.settings.db_url) as session:
        rows = session.execute(
            select(FilingOutbox.employer_id, FilingOutbox.idempotency_key)
            .where(FilingOutbox.event_type == "QuarterClosed")
            .order_by(FilingOutbox.employer_id)
        )
        return [(employer, key) for employer, key in rows]


def test_the_quarter_of_the_last_pay_run_is_closed_once_for_each_employer_paid_in_it(
    paid: PaidRun,
) -> None:
    with transaction(paid.settings.db_url) as session:
        pay_date = session.scalar(select(func.max(Paycheck.pay_date)))
        employers = sorted(set(session.scalars(select(Paycheck.employer_id))))
    assert pay_date is not None
    year, quarter = pay_date.year, quarter_of(pay_date)
    assert closed_events(paid) == []  # no later pay run closed it

    now = datetime.now(UTC)
    assert close_quarter(paid.settings.db_url, year, quarter, now) == len(employers)
    assert close_quarter(paid.settings.db_url, year, quarter, now) == 0  # once

    key = f"{year}Q{quarter}"
    assert closed_events(paid) == [(e, f"quarter:{e}:{key}") for e in employers]
    assert close_quarter(paid.settings.db_url, year, quarter % 4 + 1, now) == 0  # none paid


def test_the_command_refuses_a_quarter_that_has_not_ended_in_one_line(paid: PaidRun) -> None:
    env = {"PAYRUN_HOME": str(paid.settings.home), "PATH": "/usr/bin:/bin"}
    command = ["filings", "close-quarter", "--year", "2099", "--quarter", "1"]
    result = subprocess.run(
        [sys.executable, "-m", "payrun.entrypoints.cli", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "2099 Q1 has not ended yet" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert closed_events(paid) == []
