"""Opening and closing a pay run: which employers, the snapshot, the summary."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    EmployeeStatus,
    Employer,
    EmployerStatus,
    Paycheck,
    Payment,
    PayPeriod,
    PayRun,
    PaySchedule,
    StatusEvent,
)
from payrun.domain.calendar import periods_for_year
from payrun.domain.errors import InvalidInput
from payrun.domain.statuses import EmployeeRunStatus, EmployerRunStatus, PaycheckStatus, RunStatus
from payrun.services.context import PayrollContext
from payrun.services.messages import CloseRun, PayRunInput, RunPlan, RunSummary
from payrun.services.notifications import notify

FINISHED_RUNS = ("COMPLETED", "WITH_FAILURES")


def run_id_for(schedule: str, period: PayPeriod, kind: str) -> str:
    """The business key of a run: the same period and kind always get the same id."""
    return f"payrun-{schedule}-{period.start_date.isoformat()}-{kind}"


def resolve_period(session: Session, schedule_name: str, period: str | None) -> PayPeriod:
    """A period by its start date (or id); None picks the first period with no regular run."""
    schedule = session.scalar(select(PaySchedule).where(PaySchedule.name == schedule_name))
    if schedule is None:
        raise InvalidInput("schedule", f"unknown pay schedule {schedule_name!r}")
    query = select(PayPeriod).where(PayPeriod.schedule_id == schedule.id)
    if period is None:
        done = select(PayRun.pay_period_id).where(PayRun.kind == "regular")
        next_unrun = query.where(PayPeriod.id.not_in(done)).order_by(PayPeriod.start_date).limit(1)
        found = session.scalar(next_unrun)
        if found is None and extend_calendar(
            session, schedule, _last_pay_year(session, schedule) + 1
        ):
            found = session.scalar(next_unrun)  # the calendar ran out: its next year was added
        if found is None:
            raise InvalidInput("period", "every period of this schedule has been run")
        _previous_run_finished(session, schedule, found)
        return found
    try:
        start = date.fromisoformat(period)
    except ValueError:
        raise InvalidInput("period", f"{period!r} is not a date (YYYY-MM-DD)") from None
    found = session.scalar(query.where(PayPeriod.start_date == start))
    if found is None:
        raise InvalidInput("period", f"no pay period of {schedule_name} starts on {period}")
    return found


def extend_calendar(session: Session, schedule: PaySchedule, through_year: int) -> int:
    """A pay calendar is made for its first years; this adds the periods paid in each later
    year up to `through_year` (the daily due check keeps the next year's there), by the same
    rule that made the first ones. Returns how many were added; a period is never added twice
    (unique schedule and start)."""
    have = set(
        session.scalars(select(PayPeriod.start_date).where(PayPeriod.schedule_id == schedule.id))
    )
    added = [
        PayPeriod(schedule_id=schedule.id, start_date=p.start, end_date=p.end, pay_date=p.pay_date)
        for year in range(_last_pay_year(session, schedule) + 1, through_year + 1)
        for p in periods_for_year(
            schedule.frequency, schedule.anchor_date, year, schedule.pay_delay_days
        )
        if p.start not in have
    ]
    session.add_all(added)
    session.flush()
    return len(added)


def _last_pay_year(session: Session, schedule: PaySchedule) -> int:
    last = session.scalar(
        select(func.max(PayPeriod.pay_date)).where(PayPeriod.schedule_id == schedule.id)
    )
    return last.year if last is not None else schedule.anchor_date.year - 1


def earnings_key(run_id: str) -> str:
    """Where a run's extra earnings (PayRunInput.earnings) are kept for its employers."""
    return f"runs/{run_id}/earnings.json"


def _previous_run_finished(session: Session, schedule: PaySchedule, period: PayPeriod) -> None:
    """The next unpaid period is never started while the one before it is still running:
    its paychecks would be calculated from a YTD the earlier run has not finished writing."""
    previous = session.execute(
        select(PayRun.id, PayRun.status)
        .join(PayPeriod, PayPeriod.id == PayRun.pay_period_id)
        .where(
            PayPeriod.schedule_id == schedule.id,
            PayPeriod.start_date < period.start_date,
            PayRun.kind == "regular",
        )
        .order_by(PayPeriod.start_date.desc())
        .limit(1)
    ).first()
    if previous is not None and previous.status not in FINISHED_RUNS:
        raise InvalidInput(
            "period",
            f"the previous run {previous.id} is still {previous.status}: wait for it, or "
            "name --period to start another period on purpose",
        )


def open_run(ctx: PayrollContext, inp: PayRunInput) -> RunPlan:
    """Record the run (BEGIN), pick its employers, snapshot them to the object store."""
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        period = session.get(PayPeriod, inp.pay_period_id)
        if period is None:
            raise InvalidInput("pay_period_id", f"unknown pay period {inp.pay_period_id}")
        employers = employers_for(session, period, inp.employer_ids)
        snapshot = [_employer_snapshot(e) for e in employers]
        ref = ctx.store.put_json(f"runs/{inp.run_id}/employers.json", snapshot)
        if inp.earnings:
            ctx.store.put_json(earnings_key(inp.run_id), inp.earnings)
        run = session.get(PayRun, inp.run_id)
        if run is None:
            session.add(
                PayRun(
                    id=inp.run_id,
                    pay_period_id=period.id,
                    kind=inp.kind,
                    status=RunStatus.RUNNING,
                    employer_ids=list(inp.employer_ids),
                    snapshot_ref=ref,
                    started_at=now,
                )
            )
        else:
            run.status, run.snapshot_ref, run.finished_at = RunStatus.RUNNING, ref, None
        session.add(StatusEvent(run_id=inp.run_id, status=RunStatus.BEGIN, at=now))
    return RunPlan(inp.run_id, [e.id for e in employers], ref)


def employers_for(session: Session, period: PayPeriod, wanted: list[int]) -> list[Employer]:
    query = select(Employer).where(
        Employer.schedule_id == period.schedule_id, Employer.active.is_(True)
    )
    if not wanted:
        return list(session.scalars(query.order_by(Employer.id)))
    found = {e.id: e for e in session.scalars(query.where(Employer.id.in_(wanted)))}
    for employer_id in wanted:
        if employer_id not in found:
            raise InvalidInput(
                "employer", f"unknown employer {employer_id} (or not on this pay schedule)"
            )
    return [found[i] for i in sorted(found)]


def _employer_snapshot(employer: Employer) -> dict[str, Any]:
    return {
        "id": employer.id,
        "ein": employer.ein,
        "name": employer.name,
        "state": employer.state,
        "validation_policy": employer.validation_policy,
    }


def close_run(ctx: PayrollContext, close: CloseRun) -> RunSummary:
    """Summarize the run from the database and record its final status."""
    now, run_id = ctx.clock(), close.run_id
    with transaction(ctx.db_url) as session:
        summary = summarize(session, run_id, close.paychecks_created, close.already_paid)
        session.execute(
            update(PayRun).where(PayRun.id == run_id).values(status=summary.status, finished_at=now)
        )
        session.execute(insert(StatusEvent).values(run_id=run_id, status=summary.status, at=now))
    notify(
        ctx,
        key=f"{run_id}-run.completed",
        event="run.completed",
        run_id=run_id,
        employer_id=None,
        subject=f"Pay run {run_id}: {summary.status}",
        body=(
            f"{summary.paychecks_created} paychecks, net ${summary.net_cents / 100:,.2f}, "
            f"{summary.employers_failed} employers failed"
        ),
    )
    return summary


def summarize(
    session: Session, run_id: str, paychecks_created: int = 0, already_paid: int = 0
) -> RunSummary:
    live = (Paycheck.run_id == run_id) & (Paycheck.status != PaycheckStatus.VOIDED)
    totals = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Paycheck.gross_cents), 0),
            func.coalesce(func.sum(Paycheck.employee_taxes_cents), 0),
            func.coalesce(func.sum(Paycheck.employer_taxes_cents), 0),
            func.coalesce(func.sum(Paycheck.deductions_cents), 0),
            func.coalesce(func.sum(Paycheck.net_cents), 0),
        ).where(live)
    ).one()
    employer_statuses = dict(
        session.execute(
            select(EmployerStatus.status, func.count())
            .where(EmployerStatus.run_id == run_id)
            .group_by(EmployerStatus.status)
        ).all()
    )
    employee_statuses = dict(
        session.execute(
            select(EmployeeStatus.status, func.count())
            .where(EmployeeStatus.run_id == run_id)
            .group_by(EmployeeStatus.status)
        ).all()
    )
    files = session.scalars(
        select(Payment.nacha_path).where(Payment.run_id == run_id, Payment.nacha_path.is_not(None))
    ).all()
    employers = sum(employer_statuses.values())
    employers_failed = employer_statuses.get(EmployerRunStatus.DEAD_LETTERED, 0)
    failed_employees = sum(
        n
        for s, n in employee_statuses.items()
        if s
        in (
            EmployeeRunStatus.FAILED,
            EmployeeRunStatus.COMPENSATED,
            EmployeeRunStatus.DEAD_LETTERED,
        )
    )
    return RunSummary(
        run_id=run_id,
        status=RunStatus.COMPLETED
        if not (employers_failed or failed_employees)
        else RunStatus.WITH_FAILURES,
        employers=employers,
        employers_failed=employers_failed,
        paychecks_created=paychecks_created,
        already_paid=already_paid,
        paychecks_live=int(totals[0]),
        failed_employees=failed_employees,
        gross_cents=int(totals[1]),
        employee_taxes_cents=int(totals[2]),
        employer_taxes_cents=int(totals[3]),
        deductions_cents=int(totals[4]),
        net_cents=int(totals[5]),
        nacha_files=[str(f) for f in files],
    )
