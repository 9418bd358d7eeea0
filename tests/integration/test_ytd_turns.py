"""Two runs paying one employee at once, step by step on a real database: the run that began the
employee later reads its YTD only after the other has written its paycheck, whichever kind
it is; a run that never writes it fails the waiting employee, naming it, after the bound."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    Employee,
    EmployeeStatus,
    Paycheck,
    PaycheckDetail,
    YtdAccumulator,
)
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.services import employee_steps, employer_steps, runs, stage_store
from payrun.services.messages import ChunkTask, EmployerInput, PayRunInput, StepResult
from payrun.services.seed import one_schedule, seed_demo

REGULAR = "payrun-biweekly-2026-01-04-regular"
BONUS = "payrun-biweekly-2026-01-04-offcycle-bonus"
NINE = datetime(2026, 1, 5, 9, tzinfo=UTC)
TEN = datetime(2026, 1, 5, 10, tzinfo=UTC)
WAIT_SECONDS = 60.0  # far beyond what these steps take: a run that waited it out was stuck


@pytest.fixture
def seeded(database_url: str, payrun_home: Path) -> tuple[Settings, int, int]:
    """Four employees of one biweekly employer; its first period and first employee."""
    settings = Settings(home=payrun_home, database_url=database_url)
    migrate(settings.db_url)
    seed_demo(settings.db_url, employers=1, employees=4, seed=7, vault=Vault.for_settings(settings))
    period = one_schedule(settings.db_url)
    with transaction(settings.db_url) as session:
        employee = session.scalar(select(Employee.id).order_by(Employee.id))
    assert employee is not None
    return settings, period, employee


class Run:
    """One run of the employer, opened and begun at `begun_at` (its turn), whose steps the
    test calls one by one on the run's single chunk, as its activities would."""

    def __init__(
        self, seeded: tuple[Settings, int, int], run_id: str, begun_at: datetime, bonus: bool
    ) -> None:
        settings, period, employee = seeded
        self.run_id = run_id
        self.ctx = build_context(settings)
        self.ctx.clock = lambda: begun_at
        self.ctx.ytd_wait_seconds = WAIT_SECONDS
        self.waited = threading.Event()
        self.ctx.pause = self._pause
        kind = "offcycle-bonus" if bonus else "regular"
        earnings = {str(employee): {"bonus": "500.00"}} if bonus else {}
        plan = runs.open_run(self.ctx, PayRunInput(run_id, period, kind, earnings=earnings))
        [self.employer_id] = plan.employer_ids
        begun = employer_steps.begin_employer(
            self.ctx, EmployerInput(run_id, self.employer_id, chunk_size=100)
        )
        assert begun.chunk_count == 1
        self.versions: dict[str, str] = {}

    def _pause(self, seconds: float) -> None:
        self.waited.set()
        time.sleep(seconds)

    def task(self) -> ChunkTask:
        return ChunkTask(self.run_id, self.employer_id, 0, dict(self.versions))

    def step(self, name: str) -> StepResult:
        result: StepResult = getattr(employee_steps, name)(self.ctx, self.task())
        self.versions[name] = result.version
        return result

    def through(self, *names: str) -> None:
        for name in names:
            self.step(name)

    def read_ytd(self, employee: int) -> tuple[int | None, dict[str, int]]:
        """The YTD version and cents this run's gross step calculated the employee from."""
        gross = stage_store.get(self.ctx, self.task(), "gross_pay", employee_steps.GrossStep)
        found = gross.employees[employee]
        return found.ytd_version, found.ytd_cents


def paycheck(settings: Settings, run_id: str, employee: int) -> tuple[int, dict[str, int]] | None:
    """The employee's paycheck of the run (its id and YTD after), None if it has none."""
    with transaction(settings.db_url) as session:
        found = session.execute(
            select(Paycheck.id, PaycheckDetail.ytd_after)
            .join(PaycheckDetail, PaycheckDetail.paycheck_id == Paycheck.id)
            .where(Paycheck.run_id == run_id, Paycheck.employee_id == employee)
        ).first()
    return None if found is None else (found[0], {k: int(v) for k, v in found[1].items()})


def status(settings: Settings, run_id: str, employee: int) -> tuple[str, str | None]:
    with transaction(settings.db_url) as session:
        row = session.execute(
            select(EmployeeStatus.status, EmployeeStatus.error).where(
                EmployeeStatus.run_id == run_id, EmployeeStatus.employee_id == employee
            )
        ).one()
    return row[0], row[1]


def test_an_off_cycle_run_waits_for_the_regular_paycheck_and_reads_its_ytd(
    seeded: tuple[Settings, int, int],
) -> None:
    settings, _, employee = seeded
    regular = Run(seeded, REGULAR, NINE, bonus=False)
    bonus = Run(seeded, BONUS, TEN, bonus=True)
    regular.through("time_entry", "gross_pay", "taxes")  # holds the employee at TAXED
    bonus.through("time_entry")
    with ThreadPoolExecutor(1) as pool:
        gross = pool.submit(bonus.step, "gross_pay")
        assert bonus.waited.wait(10), "the off-cycle run read the YTD without waiting"
        assert not gross.done()
        assert status(settings, BONUS, employee)[0] == "TIME_ENTERED"
        regular.through("retirement", "net_pay")
        result = gross.result(timeout=WAIT_SECONDS)
    assert (result.succeeded, result.failed) == (1, 0)
    bonus.through("taxes", "retirement", "net_pay")
    written = paycheck(settings, REGULAR, employee)
    assert written is not None
    regular_id, regular_after = written
    assert bonus.read_ytd(employee) == (regular_id, regular_after)
    assert status(settings, BONUS, employee) == ("NET_CALCULATED", None)
    assert paycheck(settings, BONUS, employee) is not None


def test_a_run_that_never_writes_the_ytd_fails_the_waiting_employee_naming_it(
    seeded: tuple[Settings, int, int],
) -> None:
    settings, _, employee = seeded
    regular = Run(seeded, REGULAR, NINE, bonus=False)
    bonus = Run(seeded, BONUS, TEN, bonus=True)
    bonus.ctx.ytd_wait_seconds = 0.5
    regular.through("time_entry", "gross_pay", "taxes")  # ... and goes no further
    bonus.through("time_entry")
    result = bonus.step("gross_pay")
    assert (result.succeeded, result.failed) == (0, 1)
    assert bonus.waited.is_set()
    failed, error = status(settings, BONUS, employee)
    assert failed == "FAILED"
    assert error is not None and REGULAR in error and "year-to-date" in error
    # Nothing is lost or paid twice: the regular run still pays it once, the bonus is not paid
    # (its employee is FAILED, for the dead letter and a redrive), and the YTD is the regular's.
    regular.through("retirement", "net_pay")
    written = paycheck(settings, REGULAR, employee)
    assert written is not None and paycheck(settings, BONUS, employee) is None
    with transaction(settings.db_url) as session:
        ytd = session.scalar(
            select(YtdAccumulator.amounts).where(YtdAccumulator.employee_id == employee)
        )
    assert ytd is not None and {k: int(v) for k, v in ytd.items()} == written[1]


@pytest.mark.parametrize(
    ("regular_at", "bonus_at"), [(NINE, TEN), (TEN, NINE)], ids=["regular-first", "bonus-first"]
)
def test_two_runs_reaching_the_ytd_together_never_wait_for_each_other(
    seeded: tuple[Settings, int, int], regular_at: datetime, bonus_at: datetime
) -> None:
    """Both gross steps start at once, in either order of the runs' turns: the run that began the
    employee first goes on at once, the other waits for its paycheck, and both are paid."""
    settings, _, employee = seeded
    regular = Run(seeded, REGULAR, regular_at, bonus=False)
    bonus = Run(seeded, BONUS, bonus_at, bonus=True)
    regular.through("time_entry")
    bonus.through("time_entry")
    first, then = (regular, bonus) if regular_at < bonus_at else (bonus, regular)
    with ThreadPoolExecutor(2) as pool:
        later = pool.submit(then.step, "gross_pay")
        earlier = pool.submit(first.step, "gross_pay")
        assert earlier.result(timeout=WAIT_SECONDS).failed == 0
        assert then.waited.wait(10) and not later.done()
        first.through("taxes", "retirement", "net_pay")
        assert later.result(timeout=WAIT_SECONDS).failed == 0
    then.through("taxes", "retirement", "net_pay")
    assert not first.waited.is_set()
    assert status(settings, REGULAR, employee) == ("NET_CALCULATED", None)
    assert status(settings, BONUS, employee) == ("NET_CALCULATED", None)
    first_check, then_check = (
        paycheck(settings, first.run_id, employee),
        paycheck(settings, then.run_id, employee),
    )
    assert first_check is not None and then_check is not None
    assert then.read_ytd(employee) == first_check
