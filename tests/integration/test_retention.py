"""`payrun purge`: refuses records younger than 4 years, removes older files, keeps paychecks.

Expected limits by hand from 26 CFR 31.6001-1(e)(2) (keep 4 years after the tax is due) and
the due dates in IRS Publication 15: wages paid in 2021 back the Q4 Form 941, Form 940 and
Forms W-2 due 2022-01-31, so they must be kept until 2026-01-31 and may go from 2026-02-01.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrun.adapters.db.engine import migrate, reading, transaction
from payrun.adapters.db.models import AuditLog, Paycheck, PayPeriod, PayRun, PaySchedule
from payrun.adapters.db.records import SqlRecords
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain.errors import InvalidInput
from payrun.private_files import write_private
from payrun.services.context import PayrollContext
from payrun.services.retention import latest_allowed_before, purge

TODAY = date(2026, 12, 4)
OLD_RUN = "payrun-biweekly-2020-12-20-regular"  # paid 2021-01-08
YOUNG_RUN = "payrun-biweekly-2024-06-02-regular"  # paid 2024-06-14


@pytest.mark.parametrize(
    ("today", "latest_before"),
    [
        (date(2026, 1, 31), date(2021, 1, 1)),  # 2021 wages: kept through 2026-01-31
        (date(2026, 2, 1), date(2022, 1, 1)),  # ... and free from 2026-02-01
        (date(2026, 12, 4), date(2022, 1, 1)),  # 2022 wages: kept through 2027-01-31
        (date(2027, 2, 1), date(2023, 1, 1)),
    ],
)
def test_the_latest_allowed_date_keeps_four_years_after_the_last_due_date(
    today: date, latest_before: date
) -> None:
    assert latest_allowed_before(today) == latest_before


def _run(session, run_id: str, start: date, pay: date, schedule: int) -> None:  # type: ignore[no-untyped-def]
    period = PayPeriod(schedule_id=schedule, start_date=start, end_date=start, pay_date=pay)
    session.add(period)
    session.flush()
    now = datetime.now(UTC)
    session.add(PayRun(id=run_id, pay_period_id=period.id, kind="regular", started_at=now))
    cents = dict.fromkeys(
        ("gross", "employee_taxes", "employer_taxes", "deductions", "net"), 100_00
    )
    session.add(
        Paycheck(
            idempotency_key=f"regular-{period.id}-1",
            run_id=run_id,
            employer_id=1,
            employee_id=1,
            pay_period_id=period.id,
            kind="regular",
            pay_date=pay,
            created_at=now,
            **{f"{k}_cents": v for k, v in cents.items()},
        )
    )


def _files(ctx: PayrollContext, run_id: str) -> list[Path]:
    """What a run leaves: 3 objects (two of its steps, its NACHA file in the store), a NACHA
    file, a bank-drop file and its state record in the output folder."""
    ctx.store.put_json(f"runs/{run_id}/employers.json", {})
    ctx.store.put_json(f"runs/{run_id}/employer-1/chunk-00000/snapshot.json", {})
    ctx.store.put_bytes(f"nacha/{run_id}/employer-1-payment-1.ach", b"ach")
    out = ctx.output_dir
    return [
        write_private(out / "nacha" / run_id / "employer-1-payment-1.ach", b"ach"),
        write_private(out / "bank-drop" / f"{run_id}-1-payment-1.ach", b"ach"),
        write_private(out / "bank-drop" / ".payrun" / f"{run_id}-1-payment-1.json", b"{}"),
    ]


@pytest.fixture
def ctx(payrun_home: Path) -> PayrollContext:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    with transaction(settings.db_url) as session:
        schedule = PaySchedule(name="biweekly", frequency="biweekly", anchor_date=date(2020, 1, 5))
        session.add(schedule)
        session.flush()
        _run(session, OLD_RUN, date(2020, 12, 20), date(2021, 1, 8), schedule.id)
        _run(session, YOUNG_RUN, date(2024, 6, 2), date(2024, 6, 14), schedule.id)
    return build_context(settings)


def _audit(ctx: PayrollContext) -> list[AuditLog]:
    with reading(ctx.db_url) as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.actor == "payrun purge")))


def test_a_date_younger_than_four_years_is_refused_and_nothing_is_removed(
    ctx: PayrollContext,
) -> None:
    files = _files(ctx, OLD_RUN) + _files(ctx, YOUNG_RUN)

    with pytest.raises(InvalidInput, match="latest allowed today is 2022-01-01") as refused:
        purge(ctx, SqlRecords(ctx.db_url), date(2024, 7, 1), TODAY)

    assert refused.value.field == "--before"
    assert all(f.exists() for f in files)
    assert len(ctx.store.keys(f"runs/{OLD_RUN}/")) == 2
    [record] = _audit(ctx)
    assert (record.action, record.outcome) == ("retention.refused", "rejected")
    assert record.details["before"] == "2024-07-01" and record.details["files"] == 0


def test_old_runs_lose_their_files_and_objects_but_keep_their_paychecks(
    ctx: PayrollContext,
) -> None:
    old, young = _files(ctx, OLD_RUN), _files(ctx, YOUNG_RUN)

    dry = purge(ctx, SqlRecords(ctx.db_url), date(2022, 1, 1), TODAY, dry_run=True)
    assert all(f.exists() for f in old)
    report = purge(ctx, SqlRecords(ctx.db_url), date(2022, 1, 1), TODAY)

    assert (dry.runs, dry.objects, dry.files) == (report.runs, report.objects, report.files)
    assert (report.runs, report.objects, report.files) == (1, 3, 3)
    assert not any(f.exists() for f in old)
    assert not (ctx.output_dir / "nacha" / OLD_RUN).exists()
    assert ctx.store.keys(f"runs/{OLD_RUN}/") == ctx.store.keys(f"nacha/{OLD_RUN}/") == []
    assert ctx.store.keys(f"nacha/{YOUNG_RUN}/") == [f"nacha/{YOUNG_RUN}/employer-1-payment-1.ach"]
    assert not (ctx.output_dir.parent / "snapshots" / "runs" / OLD_RUN).exists()
    assert all(f.exists() for f in young) and len(ctx.store.keys(f"runs/{YOUNG_RUN}/")) == 2
    with reading(ctx.db_url) as session:
        assert session.scalar(select(func.count()).select_from(Paycheck)) == 2
    assert [(a.action, a.outcome, a.details["files"]) for a in _audit(ctx)] == [
        ("retention.dry-run", "ok", 3),
        ("retention.purged", "ok", 3),
    ]


def test_the_command_refuses_a_young_date_in_one_line_with_exit_code_2(
    payrun_home: Path,
) -> None:
    payrun = Path(sys.executable).with_name("payrun")
    done = subprocess.run(
        [str(payrun), "purge", "--before", date.today().isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    last = done.stderr.splitlines()[-1]  # before it, the notice that the new home was tightened
    assert last.startswith("error: --before: ") and "latest allowed today is" in last
