"""Per-employer handlers: begin (snapshot + BEGIN statuses), validation, finish, compensation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, literal, select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    DeadLetter,
    Employee,
    EmployeeStatus,
    Employer,
    EmployerStatus,
    Paycheck,
    PayPeriod,
    PayRun,
    PaySchedule,
    StatusEvent,
)
from payrun.domain.periods import PayFrequency
from payrun.services import stage_store
from payrun.services.context import PayrollContext
from payrun.services.notifications import notify
from payrun.services.paychecks import void_paychecks
from payrun.services.recovery import check_not_blocked
from payrun.services.requests import (
    EMPLOYEE_ROW_COLUMNS,
    EmployeeRow,
    base_request,
    employer_config,
    period_request,
    salary_per_period,
)
from payrun.workflows.messages import (
    EmployerFailure,
    EmployerInput,
    EmployerPlan,
    EmployerResult,
    EmployerTally,
    Validation,
)

DONE_STATUSES = ("NET_CALCULATED", "VALIDATED", "PAYMENT_SENT", "PAID")


def set_employer_status(
    session: Any, run_id: str, employer_id: int, status: str, now: datetime, **values: Any
) -> None:
    row = session.scalar(
        select(EmployerStatus).where(
            EmployerStatus.run_id == run_id, EmployerStatus.employer_id == employer_id
        )
    )
    if row is None:
        row = EmployerStatus(run_id=run_id, employer_id=employer_id)
        session.add(row)
    row.status, row.updated_at = status, now
    for key, value in values.items():
        setattr(row, key, value)
    session.add(
        StatusEvent(
            run_id=run_id,
            employer_id=employer_id,
            status=status,
            at=now,
            detail=values.get("error"),
        )
    )


def begin_employer(ctx: PayrollContext, inp: EmployerInput) -> EmployerPlan:
    """BEGIN for the employer and for each employee still to pay; employee snapshots in chunks."""
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        run = session.get(PayRun, inp.run_id)
        assert run is not None, inp.run_id
        period = session.get(PayPeriod, run.pay_period_id)
        employer = session.get(Employer, inp.employer_id)
        assert period is not None and employer is not None
        schedule = session.get(PaySchedule, period.schedule_id)
        assert schedule is not None
        check_not_blocked(session, employer.id)  # a returned funding debit holds the run
        set_employer_status(session, run.id, employer.id, "BEGIN", now, error=None)
        redrive = _has_employee_statuses(session, run.id, employer.id)
        snapshot = _SnapshotWriter(ctx, inp, run, period, schedule, employer)
        for batch in _unpaid_employees(session, run, period, employer.id, inp.chunk_size):
            snapshot.write(batch)
            _employee_begin(session, run.id, employer.id, [e.id for e in batch], now, redrive)
        session.execute(
            update(EmployerStatus)
            .where(EmployerStatus.run_id == run.id, EmployerStatus.employer_id == employer.id)
            .values(employee_count=snapshot.employees)
        )
        paid = session.scalar(  # via the employer's employees: indexed both ways
            _live_paychecks(run, period, employer.id)
            .join(Employee, Employee.id == Paycheck.employee_id)
            .where(Employee.employer_id == employer.id)
            .with_only_columns(func.count())
        )
        policy = employer.validation_policy
    return EmployerPlan(
        inp.run_id,
        inp.employer_id,
        snapshot.chunks,
        snapshot.employees,
        int(paid or 0),
        policy,
        time_entry_async=ctx.time_entry is not None,
    )


def _unpaid_employees(
    session: Any, run: PayRun, period: PayPeriod, employer_id: int, chunk_size: int
) -> Iterator[list[EmployeeRow]]:
    """The employer's active employees with no live paycheck for the period yet, chunk_size at
    a time: an employer of any size never sits in memory whole. Only the columns a request
    needs, through the Core connection: plain rows, without the ORM's per-row loading."""
    rows = session.connection().execute(
        select(*EMPLOYEE_ROW_COLUMNS)
        .where(
            Employee.employer_id == employer_id,
            Employee.active.is_(True),
            ~_live_paychecks(run, period, employer_id)
            .where(Paycheck.employee_id == Employee.id)
            .exists(),
        )
        .order_by(Employee.id)
        .execution_options(yield_per=chunk_size)
    )
    for partition in rows.partitions():
        yield list(map(EmployeeRow._make, partition))


def _live_paychecks(run: PayRun, period: PayPeriod, employer_id: int) -> Any:
    """This employer's paychecks of the period and run kind that still stand."""
    return select(Paycheck.id).where(
        Paycheck.pay_period_id == period.id,
        Paycheck.kind == run.kind,
        Paycheck.status != "VOIDED",
        Paycheck.employer_id == employer_id,
    )


class _SnapshotWriter:
    """Writes numbered chunk snapshots: the run's header and each employee's base request."""

    def __init__(
        self,
        ctx: PayrollContext,
        inp: EmployerInput,
        run: PayRun,
        period: PayPeriod,
        schedule: PaySchedule,
        employer: Employer,
    ) -> None:
        self.ctx, self.inp = ctx, inp
        self.header = {
            "run_id": run.id,
            "kind": run.kind,
            "pay_period_id": period.id,
            "pay_date": period.pay_date.isoformat(),
            "period_start": period.start_date.isoformat(),
            "period_end": period.end_date.isoformat(),
        }
        self.config = employer_config(employer)
        self.period_part = period_request(schedule, period)
        self.periods_per_year = PayFrequency.parse(schedule.frequency).periods_per_year
        self.chunks, self.employees = 0, 0

    def write(self, employees: Sequence[EmployeeRow]) -> None:
        entries = [self._entry(employee) for employee in employees]
        key = self.ctx.chunk_key(self.inp.run_id, self.inp.employer_id, self.chunks, "snapshot")
        self.ctx.store.put_json(key, {**self.header, "employees": entries})
        self.chunks, self.employees = self.chunks + 1, self.employees + len(entries)
        self.ctx.heartbeat()

    def _entry(self, employee: EmployeeRow) -> dict[str, Any]:
        request = base_request(employee, self.config, self.period_part)
        entry: dict[str, Any] = {"employee_id": employee.id, "request": request}
        if "annual_salary" in request:
            entry["salary_per_period"] = salary_per_period(
                employee.rate_cents, self.periods_per_year
            )
        return entry


# BEGIN rows go in with one INSERT ... SELECT per chunk; the ids are one expanding parameter
# (a bound list, not 500 clauses). A redrive first resets the rows an earlier execution of
# the run left, and inserts only for those without one.
_BEGIN_ROWS = select(
    bindparam("run", type_=EmployeeStatus.run_id.type),
    bindparam("employer", type_=EmployeeStatus.employer_id.type),
    Employee.id,
    literal("BEGIN", EmployeeStatus.status.type),
    bindparam("begun_at", type_=EmployeeStatus.begin_at.type),
).where(Employee.id.in_(bindparam("employees", expanding=True)))
_BEGIN_COLUMNS = ["run_id", "employer_id", "employee_id", "status", "begin_at"]
_INSERT_BEGIN = insert(EmployeeStatus).from_select(_BEGIN_COLUMNS, _BEGIN_ROWS)
_INSERT_BEGIN_UNLESS_BEGUN = insert(EmployeeStatus).from_select(
    _BEGIN_COLUMNS,
    _BEGIN_ROWS.where(
        ~select(EmployeeStatus.id)
        .where(EmployeeStatus.run_id == bindparam("run"), EmployeeStatus.employee_id == Employee.id)
        .exists()
    ),
)
_RESET_TO_BEGIN = (
    update(EmployeeStatus)
    .where(
        EmployeeStatus.run_id == bindparam("run"),
        EmployeeStatus.employee_id.in_(bindparam("employees", expanding=True)),
    )
    .values(status="BEGIN", error=None, error_type=None, begin_at=bindparam("begun_at"))
)


def _has_employee_statuses(session: Any, run_id: str, employer_id: int) -> bool:
    """Whether an earlier execution of this run (a redrive's first) began this employer."""
    return bool(
        session.scalar(
            select(
                select(EmployeeStatus.id)
                .where(EmployeeStatus.run_id == run_id, EmployeeStatus.employer_id == employer_id)
                .exists()
            )
        )
    )


def _employee_begin(
    session: Any,
    run_id: str,
    employer_id: int,
    employee_ids: list[int],
    now: datetime,
    redrive: bool,
) -> None:
    """BEGIN rows for this execution; a redrive resets earlier rows of the same run."""
    if not employee_ids:
        return
    params = {"run": run_id, "employer": employer_id, "employees": employee_ids, "begun_at": now}
    connection = session.connection()  # Core: these take plain parameters, not ORM bulk rows
    if redrive:
        connection.execute(_RESET_TO_BEGIN, params)
        connection.execute(_INSERT_BEGIN_UNLESS_BEGUN, params)
    else:
        connection.execute(_INSERT_BEGIN, params)


def validate_employer(ctx: PayrollContext, inp: EmployerInput) -> Validation:
    """Every employee succeeded (or, under the partial policy, the failed ones are set aside)
    and every paycheck reconciles: gross - employee taxes - deductions = net >= 0."""
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        policy = session.scalar(
            select(Employer.validation_policy).where(Employer.id == inp.employer_id)
        )
        assert policy is not None, inp.employer_id
        statuses = _status_counts(session, inp.run_id, inp.employer_id)
        failed = statuses.get("FAILED", 0)
        payable, net, broken = _payable_totals(session, inp.run_id, inp.employer_id)
        pending = sum(n for s, n in statuses.items() if s not in (*DONE_STATUSES, "FAILED"))
        if broken or pending:
            message = f"{broken} paychecks do not reconcile, {pending} employees unfinished"
            return Validation(False, payable, failed, net, message)
        if failed and policy != "partial":
            message = f"{failed} employees failed; policy 'hold' holds the whole employer"
            return Validation(False, payable, failed, net, message)
        if failed:
            _dead_letter_failed(session, ctx, inp.run_id, inp.employer_id, now)
        session.execute(
            update(EmployeeStatus)
            .where(
                EmployeeStatus.run_id == inp.run_id,
                EmployeeStatus.employer_id == inp.employer_id,
                EmployeeStatus.status == "NET_CALCULATED",
            )
            .values(status="VALIDATED", validated_at=now)
        )
        set_employer_status(session, inp.run_id, inp.employer_id, "VALIDATED", now)
    return Validation(True, payable, failed, net, "ok")


def _payable_totals(session: Any, run_id: str, employer_id: int) -> tuple[int, int, int]:
    """In one pass over the unpaid paychecks: how many, their net, and how many break
    gross - employee taxes - deductions = net >= 0 (one breaking both counts twice)."""
    unreconciled = (
        Paycheck.gross_cents - Paycheck.employee_taxes_cents - Paycheck.deductions_cents
    ) != Paycheck.net_cents
    payable, net, unreconciled_count, negative = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Paycheck.net_cents), 0),
            func.count().filter(unreconciled),
            func.count().filter(Paycheck.net_cents < 0),
        ).where(_unpaid(run_id, employer_id))
    ).one()
    return int(payable), int(net), int(unreconciled_count) + int(negative)


def _unpaid(run_id: str, employer_id: int) -> Any:
    return (
        (Paycheck.run_id == run_id)
        & (Paycheck.employer_id == employer_id)
        & (Paycheck.status == "CALCULATED")
        & Paycheck.payment_id.is_(None)
    )


def _status_counts(session: Any, run_id: str, employer_id: int) -> dict[str, int]:
    rows = session.execute(
        select(EmployeeStatus.status, func.count())
        .where(EmployeeStatus.run_id == run_id, EmployeeStatus.employer_id == employer_id)
        .group_by(EmployeeStatus.status)
    ).all()
    return {status: int(n) for status, n in rows}


def _dead_letter_failed(
    session: Any, ctx: PayrollContext, run_id: str, employer_id: int, now: datetime
) -> int:
    """Every FAILED employee becomes an open dead letter (reopening the one an earlier attempt
    left, as dead_letter does) and DEAD_LETTERED, in three set-based statements."""
    failed = (
        (EmployeeStatus.run_id == run_id)
        & (EmployeeStatus.employer_id == employer_id)
        & (EmployeeStatus.status == "FAILED")
    )
    # dead_letter's `error_type or "error"` and `error[:4000]`, in SQL
    error_type = func.coalesce(func.nullif(EmployeeStatus.error_type, ""), "error")
    error = func.substr(func.coalesce(EmployeeStatus.error, ""), 1, 4000)
    same_item = (
        (EmployeeStatus.run_id == DeadLetter.run_id)
        & (EmployeeStatus.employer_id == DeadLetter.employer_id)
        & (EmployeeStatus.employee_id == DeadLetter.employee_id)
        & (DeadLetter.step == "employee")
    )
    connection = session.connection()
    connection.execute(
        update(DeadLetter)
        .where(select(EmployeeStatus.id).where(failed, same_item).exists())
        .values(
            status="OPEN",
            resolution=None,
            resolved_at=None,
            error_type=select(error_type).where(failed, same_item).scalar_subquery(),
            error=select(error).where(failed, same_item).scalar_subquery(),
            last_failed_at=now,
        )
    )
    at = literal(now, DeadLetter.last_failed_at.type)
    connection.execute(
        insert(DeadLetter).from_select(
            [
                "run_id",
                "employer_id",
                "employee_id",
                "step",
                "error_type",
                "error",
                "payload_ref",
                "attempts",
                "status",
                "first_failed_at",
                "last_failed_at",
            ],
            select(
                EmployeeStatus.run_id,
                EmployeeStatus.employer_id,
                EmployeeStatus.employee_id,
                literal("employee", DeadLetter.step.type),
                error_type,
                error,
                literal(f"runs/{run_id}/employer-{employer_id}", DeadLetter.payload_ref.type),
                literal(1, DeadLetter.attempts.type),
                literal("OPEN", DeadLetter.status.type),
                at,
                at,
            )
            .where(failed, ~select(DeadLetter.id).where(same_item).exists())
            .order_by(EmployeeStatus.employee_id),
        )
    )
    dead = connection.execute(
        update(EmployeeStatus).where(failed).values(status="DEAD_LETTERED", dead_lettered_at=now)
    )
    return int(dead.rowcount)


def dead_letter(
    session: Any,
    run_id: str,
    employer_id: int,
    employee_id: int,
    step: str,
    error_type: str | None,
    error: str,
    payload_ref: str | None,
    now: datetime,
) -> int:
    """One open item per (run, employer, employee, step); a redrive that picks it counts an
    attempt. Returns the attempt that just failed."""
    row = session.scalar(
        select(DeadLetter).where(
            DeadLetter.run_id == run_id,
            DeadLetter.employer_id == employer_id,
            DeadLetter.employee_id == employee_id,
            DeadLetter.step == step,
        )
    )
    if row is None:
        session.add(
            DeadLetter(
                run_id=run_id,
                employer_id=employer_id,
                employee_id=employee_id,
                step=step,
                error_type=error_type or "error",
                error=error[:4000],
                payload_ref=payload_ref,
                attempts=1,
                status="OPEN",
                first_failed_at=now,
                last_failed_at=now,
            )
        )
        return 1
    row.status, row.resolution, row.resolved_at = "OPEN", None, None
    row.error_type, row.error, row.last_failed_at = error_type or "error", error[:4000], now
    return int(row.attempts)


def finish_employer(ctx: PayrollContext, tally: EmployerTally) -> EmployerResult:
    """Final status, the step outputs discarded from the store (its snapshots stay), and the
    completion notification."""
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        statuses = _status_counts(session, tally.run_id, tally.employer_id)
        paid = statuses.get("PAID", 0)
        failed = statuses.get("DEAD_LETTERED", 0) + statuses.get("FAILED", 0)
        net = session.scalar(
            select(func.coalesce(func.sum(Paycheck.net_cents), 0)).where(
                Paycheck.run_id == tally.run_id,
                Paycheck.employer_id == tally.employer_id,
                Paycheck.status == "PAID",
            )
        )
        status = "PARTIAL" if failed else ("PAID" if paid else "NOTHING_TO_PAY")
        set_employer_status(session, tally.run_id, tally.employer_id, status, now)
    stage_store.discard(ctx, tally.run_id, tally.employer_id)
    notify(
        ctx,
        key=f"{tally.run_id}-{tally.employer_id}-employer.{status.lower()}",
        event=f"employer.{status.lower()}",
        run_id=tally.run_id,
        employer_id=tally.employer_id,
        subject=f"Payroll {status.lower()} for employer {tally.employer_id}",
        body=f"{paid} employees paid, net ${int(net) / 100:,.2f}; {failed} set aside",
    )
    return EmployerResult(
        tally.employer_id,
        status,
        paychecks_created=tally.paychecks_created,
        paid=paid,
        failed=failed,
        already_paid=tally.already_paid,
        net_cents=int(net),
    )


def compensate_employer(ctx: PayrollContext, failure: EmployerFailure) -> EmployerResult:
    """Saga compensation, newest first: cancel the payment, void unpaid paychecks and their YTD,
    dead-letter the employer and its failed employees, notify. Safe to run again."""
    from payrun.services.payments import cancel_open_payments

    cancel_open_payments(ctx, failure.run_id, failure.employer_id)
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        voided = _void_unpaid(session, failure.run_id, failure.employer_id)
        _compensate_in_flight(session, failure.run_id, failure.employer_id, now)
        dead = _dead_letter_failed(session, ctx, failure.run_id, failure.employer_id, now)
        ref = f"runs/{failure.run_id}/employer-{failure.employer_id}"
        attempt = dead_letter(
            session,
            failure.run_id,
            failure.employer_id,
            0,
            failure.step,
            failure.error_type,
            failure.message,
            ref,
            now,
        )
        set_employer_status(
            session,
            failure.run_id,
            failure.employer_id,
            "DEAD_LETTERED",
            now,
            error=failure.message,
        )
    notify(  # once per failed attempt: a redrive that fails again is news too
        ctx,
        key=f"{failure.run_id}-{failure.employer_id}-employer.failed-{failure.step}-{attempt}",
        event="employer.failed",
        run_id=failure.run_id,
        employer_id=failure.employer_id,
        subject=f"Payroll held for employer {failure.employer_id}: {failure.error_type}",
        body=f"{failure.step} failed: {failure.message}. {voided} paychecks voided, {dead} "
        "employees dead-lettered. Redrive after fixing the cause.",
    )
    return EmployerResult(
        failure.employer_id,
        "DEAD_LETTERED",
        # what this execution created and is still live; voided ones may predate it
        paychecks_created=max(0, failure.paychecks_created - voided),
        failed=dead + voided,
        already_paid=failure.already_paid,
        message=f"{failure.error_type}: {failure.message}",
    )


VOID_BATCH = 1000


def _void_unpaid(session: Any, run_id: str, employer_id: int) -> int:
    """Void the employer's unpaid paychecks VOID_BATCH at a time (each batch drops out of the
    next query once voided): an employer of any size never sits in memory whole, and the
    accumulator lookup's IN lists stay within the database's parameter limits."""
    voided = 0
    while batch := list(
        session.scalars(
            select(Paycheck)
            .where(_unpaid(run_id, employer_id))
            .order_by(Paycheck.id)
            .limit(VOID_BATCH)
        )
    ):
        voided += void_paychecks(session, batch)
        session.flush()  # voided and written: the session keeps no hold on the batch
    return voided


def _compensate_in_flight(session: Any, run_id: str, employer_id: int, now: datetime) -> None:
    """COMPENSATED: every employee of the run still in progress, whether or not a paycheck was
    created yet; not the paid, not the failed (dead-lettered next), not one whose paycheck is
    still live in a payment the provider could not cancel."""
    live = select(Paycheck.employee_id).where(
        Paycheck.run_id == run_id, Paycheck.employer_id == employer_id, Paycheck.status != "VOIDED"
    )
    session.execute(
        update(EmployeeStatus)
        .where(
            EmployeeStatus.run_id == run_id,
            EmployeeStatus.employer_id == employer_id,
            EmployeeStatus.status.not_in(("PAID", "FAILED", "DEAD_LETTERED", "COMPENSATED")),
            EmployeeStatus.employee_id.not_in(live),
        )
        .values(status="COMPENSATED", compensated_at=now)
    )
