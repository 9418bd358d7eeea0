"""Per-employer handlers: begin (snapshot + BEGIN statuses), validation, finish, compensation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, literal, or_, select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import (
    Employee,
    EmployeeStatus,
    Employer,
    EmployerStatus,
    Paycheck,
    PayPeriod,
    PayRun,
    PaySchedule,
)
from payrun.domain.periods import PayFrequency
from payrun.domain.statuses import EmployeeRunStatus, EmployerRunStatus, PaycheckStatus
from payrun.services import stage_store
from payrun.services.compensation import dead_letter_failed, unpaid_paychecks
from payrun.services.context import PayrollContext
from payrun.services.employee_records import apply_due_changes
from payrun.services.filing_events import deliver_filing_events, record_filing_events
from payrun.services.messages import (
    EmployerInput,
    EmployerPlan,
    EmployerResult,
    EmployerTally,
    Validation,
)
from payrun.services.notifications import notify
from payrun.services.recovery import check_not_blocked
from payrun.services.requests import (
    EMPLOYEE_ROW_COLUMNS,
    EmployeeRow,
    base_request,
    employer_config,
    period_request,
    salary_per_period,
)
from payrun.services.runs import earnings_key
from payrun.services.statuses import set_employer_status

DONE_STATUSES = (
    EmployeeRunStatus.NET_CALCULATED,
    EmployeeRunStatus.VALIDATED,
    EmployeeRunStatus.PAYMENT_SENT,
    EmployeeRunStatus.PAID,
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
        set_employer_status(session, run.id, employer.id, EmployerRunStatus.BEGIN, now, error=None)
        if ctx.vault is not None:  # changes effective by the period's start take effect now
            apply_due_changes(session, ctx.vault, employer.id, period.start_date, now)
        redrive = _has_employee_statuses(session, run.id, employer.id)
        snapshot = _SnapshotWriter(ctx, inp, run, period, schedule, employer)
        for unpaid in _unpaid_employees(session, run, period, employer.id, inp.chunk_size):
            batch = snapshot.paid_here(unpaid)
            if not batch:
                continue
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


def _run_earnings(ctx: PayrollContext, run_id: str) -> dict[str, dict[str, str]]:
    key = earnings_key(run_id)
    if key not in ctx.store.keys(key):
        return {}
    found = ctx.store.get_json(key)
    return found if isinstance(found, dict) else {}


def _unpaid_employees(
    session: Any, run: PayRun, period: PayPeriod, employer_id: int, chunk_size: int
) -> Iterator[list[EmployeeRow]]:
    """The employer's active employees, not terminated before the period, with no live
    paycheck for the period yet, chunk_size at a time: an employer of any size never sits in
    memory whole. Only the columns a request needs, through the Core connection: plain rows,
    without the ORM's per-row loading."""
    rows = session.connection().execute(
        select(*EMPLOYEE_ROW_COLUMNS)
        .where(
            Employee.employer_id == employer_id,
            Employee.active.is_(True),
            or_(Employee.terminated_on.is_(None), Employee.terminated_on >= period.start_date),
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
        Paycheck.status != PaycheckStatus.VOIDED,
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
        self.off_cycle = run.kind != "regular"
        self.earnings = _run_earnings(ctx, run.id)

    def paid_here(self, employees: Sequence[EmployeeRow]) -> list[EmployeeRow]:
        """An off-cycle run pays only the employees it has earnings for."""
        if not self.off_cycle:
            return list(employees)
        return [e for e in employees if str(e.id) in self.earnings]

    def write(self, employees: Sequence[EmployeeRow]) -> None:
        entries = [self._entry(employee) for employee in employees]
        key = self.ctx.chunk_key(self.inp.run_id, self.inp.employer_id, self.chunks, "snapshot")
        self.ctx.store.put_json(key, {**self.header, "employees": entries})
        self.chunks, self.employees = self.chunks + 1, self.employees + len(entries)
        self.ctx.heartbeat()

    def _entry(self, employee: EmployeeRow) -> dict[str, Any]:
        request = base_request(employee, self.config, self.period_part)
        entry: dict[str, Any] = {"employee_id": employee.id, "request": request}
        extra = self.earnings.get(str(employee.id))
        if extra:
            entry["extra_earnings"] = extra
        if self.off_cycle:  # no salary or hours: only the run's earnings
            request.pop("hourly_rate", None)
            request["annual_salary"] = "0"
            return entry
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
    literal(EmployeeRunStatus.BEGIN, EmployeeStatus.status.type),
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
    .values(
        status=EmployeeRunStatus.BEGIN, error=None, error_type=None, begin_at=bindparam("begun_at")
    )
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
        failed = statuses.get(EmployeeRunStatus.FAILED, 0)
        payable, net, broken = _payable_totals(session, inp.run_id, inp.employer_id)
        pending = sum(
            n for s, n in statuses.items() if s not in (*DONE_STATUSES, EmployeeRunStatus.FAILED)
        )
        if broken or pending:
            message = f"{broken} paychecks do not reconcile, {pending} employees unfinished"
            return Validation(False, payable, failed, net, message)
        if failed and policy != "partial":
            message = f"{failed} employees failed; policy 'hold' holds the whole employer"
            return Validation(False, payable, failed, net, message)
        if failed:
            dead_letter_failed(session, ctx, inp.run_id, inp.employer_id, now)
        session.execute(
            update(EmployeeStatus)
            .where(
                EmployeeStatus.run_id == inp.run_id,
                EmployeeStatus.employer_id == inp.employer_id,
                EmployeeStatus.status == EmployeeRunStatus.NET_CALCULATED,
            )
            .values(status=EmployeeRunStatus.VALIDATED, validated_at=now)
        )
        set_employer_status(session, inp.run_id, inp.employer_id, EmployerRunStatus.VALIDATED, now)
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
        ).where(unpaid_paychecks(run_id, employer_id))
    ).one()
    return int(payable), int(net), int(unreconciled_count) + int(negative)


def _status_counts(session: Any, run_id: str, employer_id: int) -> dict[str, int]:
    rows = session.execute(
        select(EmployeeStatus.status, func.count())
        .where(EmployeeStatus.run_id == run_id, EmployeeStatus.employer_id == employer_id)
        .group_by(EmployeeStatus.status)
    ).all()
    return {status: int(n) for status, n in rows}


def finish_employer(ctx: PayrollContext, tally: EmployerTally) -> EmployerResult:
    """Final status, the step outputs discarded from the store (its snapshots stay), and the
    completion notification."""
    now = ctx.clock()
    with transaction(ctx.db_url) as session:
        statuses = _status_counts(session, tally.run_id, tally.employer_id)
        paid = statuses.get(EmployeeRunStatus.PAID, 0)
        failed = statuses.get(EmployeeRunStatus.DEAD_LETTERED, 0) + statuses.get(
            EmployeeRunStatus.FAILED, 0
        )
        net = session.scalar(
            select(func.coalesce(func.sum(Paycheck.net_cents), 0)).where(
                Paycheck.run_id == tally.run_id,
                Paycheck.employer_id == tally.employer_id,
                Paycheck.status == PaycheckStatus.PAID,
            )
        )
        status = (
            EmployerRunStatus.PARTIAL
            if failed
            else (EmployerRunStatus.PAID if paid else EmployerRunStatus.NOTHING_TO_PAY)
        )
        set_employer_status(session, tally.run_id, tally.employer_id, status, now)
        record_filing_events(session, tally.run_id, tally.employer_id, now)  # the outbox
    stage_store.discard(ctx, tally.run_id, tally.employer_id)
    deliver_filing_events(ctx)
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
