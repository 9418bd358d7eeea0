"""The per-employee pipeline by chunk: time entry -> gross -> taxes -> retirement -> net.

Each step reads the earlier steps' outputs at the versions its task names (services.stage_store:
from this worker's memory, else the object store), calls the pure domain stage for every
employee of the chunk, writes its own output under a new version, and records statuses in one
set-based statement. An employee whose calculation fails is marked FAILED and drops out of the
later steps; the rest of the chunk goes on. Every step is idempotent: running it again writes a
new version of the same output and sets the same statuses. Before the gross step reads the YTD,
it waits for an earlier run paying the same employees to write theirs (services.ytd_turns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import TimeEntry, YtdAccumulator
from payrun.domain import paycheck as pc
from payrun.domain.errors import PayrollError
from payrun.domain.statuses import EmployeeRunStatus
from payrun.services import stage_store, statuses, ytd_turns
from payrun.services.context import PayrollContext
from payrun.services.messages import ChunkTask, StepResult
from payrun.services.pay_request import parse_pay_request
from payrun.services.paychecks import insert_paychecks
from payrun.services.requests import hours_str, with_earnings, ytd_request
from payrun.services.statuses import Failures
from payrun.tables import load_tables

Hours = dict[str, dict[str, str]]  # employee id -> ISO work date -> hours


@dataclass(frozen=True, slots=True)
class Gross:
    """The gross step's output for one employee: the complete request it calculated from
    (earnings and YTD filled in), the YTD version and cents it read, and the gross pay."""

    request: dict[str, Any]
    ytd_version: int | None
    gross: pc.GrossPay
    ytd_cents: dict[str, int]


@dataclass(frozen=True, slots=True)
class GrossStep:
    header: dict[str, Any]  # the chunk snapshot's run, period and pay date
    employees: dict[int, Gross]


@dataclass(frozen=True, slots=True)
class Taxed:
    pretax: pc.PretaxDeductions
    taxes: pc.Taxes


def _snapshot(ctx: PayrollContext, task: ChunkTask) -> dict[str, Any]:
    data = ctx.store.get_json(ctx.chunk_key(task.run_id, task.employer_id, task.chunk, "snapshot"))
    assert isinstance(data, dict)
    return data


def _hourly(snapshot: dict[str, Any]) -> list[int]:
    return [e["employee_id"] for e in snapshot["employees"] if "hourly_rate" in e["request"]]


def time_entry(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    """Hours worked for the hourly employees of the chunk, from the time-entry system of record."""
    snapshot = _snapshot(ctx, task)
    hourly = _hourly(snapshot)
    start = date.fromisoformat(snapshot["period_start"])
    end = date.fromisoformat(snapshot["period_end"])
    hours = read_hours(ctx.db_url, hourly, start, end) if hourly else {}
    return _record_hours(ctx, task, snapshot, hours)


def request_hours(ctx: PayrollContext, task: ChunkTask, callback_token: bytes) -> None:
    """Ask the time-entry service for the chunk's hours; it answers by callback with the token.
    The request id is stable, so a retried attempt re-points the same request at its token."""
    snapshot = _snapshot(ctx, task)
    ctx.time_entry.request_hours(
        f"{task.run_id}/employer-{task.employer_id}/chunk-{task.chunk}",
        task.employer_id,
        date.fromisoformat(snapshot["period_start"]),
        date.fromisoformat(snapshot["period_end"]),
        _hourly(snapshot),
        callback_token,
    )


def read_hours(
    db_url: str, employee_ids: list[int], start: date, end: date
) -> dict[str, dict[str, str]]:
    hours: dict[str, dict[str, str]] = {str(i): {} for i in employee_ids}
    with reading(db_url) as session:
        rows = session.execute(
            select(TimeEntry.employee_id, TimeEntry.work_date, TimeEntry.hours_hundredths).where(
                TimeEntry.employee_id.in_(employee_ids),
                TimeEntry.work_date >= start,
                TimeEntry.work_date <= end,
            )
        )
        for employee_id, work_date, hundredths in rows:
            hours[str(employee_id)][work_date.isoformat()] = hours_str(hundredths)
    return hours


def record_hours(ctx: PayrollContext, task: ChunkTask, hours: Hours) -> StepResult:
    """Store the hours (from the table or from the time-entry service's callback)."""
    return _record_hours(ctx, task, _snapshot(ctx, task), hours)


def _record_hours(
    ctx: PayrollContext, task: ChunkTask, snapshot: dict[str, Any], hours: Hours
) -> StepResult:
    version = stage_store.put(ctx, task, "time_entry", hours)
    stage_store.remember(task, "snapshot", version, snapshot)  # the gross step's other input
    ids = [e["employee_id"] for e in snapshot["employees"]]
    record_step(ctx, task.run_id, ids, EmployeeRunStatus.TIME_ENTERED, {})
    return StepResult("time_entry", len(ids), 0, version)


def gross_pay(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    hours: Hours = stage_store.get(ctx, task, "time_entry", Hours)
    snapshot = stage_store.recall(task, "snapshot", task.versions["time_entry"])
    snapshot = snapshot if snapshot is not None else _snapshot(ctx, task)
    employees = snapshot["employees"]
    ids = [e["employee_id"] for e in employees]
    # Another run paying these employees now writes their YTD first (services.ytd_turns).
    failures: Failures = ytd_turns.await_turn(ctx, task, ids)
    ytd = read_ytd(ctx.db_url, ids, int(snapshot["pay_date"][:4]))
    out: dict[int, Gross] = {}
    parsed: dict[int, Any] = {}
    for entry in employees:
        employee_id = entry["employee_id"]
        if employee_id in failures:  # still held by the run it waited for
            continue
        amounts, ytd_version = ytd.get(employee_id, ({}, None))
        request = with_earnings(
            entry["request"], hours.get(str(employee_id)), entry.get("salary_per_period")
        )
        request["earnings"].update(entry.get("extra_earnings") or {})  # the run's bonus ...
        request["ytd"] = ytd_request(amounts)
        try:
            parsed[employee_id] = parse_pay_request(request)
            gross = pc.gross_pay(parsed[employee_id], _tables(parsed[employee_id]))
        except PayrollError as err:
            failures[employee_id] = str(err)
            continue
        out[employee_id] = Gross(request, ytd_version, gross, amounts)
    header = {k: v for k, v in snapshot.items() if k != "employees"}
    version = stage_store.put(ctx, task, "gross_pay", GrossStep(header, out))
    stage_store.remember(task, "requests", version, parsed)
    return _finish(
        ctx, task, "gross_pay", version, list(out), failures, EmployeeRunStatus.GROSS_CALCULATED
    )


def _requests(ctx: PayrollContext, task: ChunkTask, gross: GrossStep) -> dict[int, Any]:
    """The parsed requests of the chunk: kept by the gross step in this process, or parsed
    again from the requests it stored."""
    version = task.versions["gross_pay"]
    found = stage_store.recall(task, "requests", version)
    if found is None:
        found = {i: parse_pay_request(g.request) for i, g in gross.employees.items()}
        stage_store.remember(task, "requests", version, found)
    return found  # type: ignore[no-any-return]


def taxes(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    gross = stage_store.get(ctx, task, "gross_pay", GrossStep)
    requests = _requests(ctx, task, gross)

    def stage(employee_id: int) -> Taxed:
        request, earned = requests[employee_id], gross.employees[employee_id].gross
        tables = _tables(request)
        pretax = pc.pretax_deductions(request, earned, tables)
        return Taxed(pretax, pc.taxes(request, earned, pretax, tables))

    out, failures = _apply(list(gross.employees), stage)
    version = stage_store.put(ctx, task, "taxes", out)
    return _finish(ctx, task, "taxes", version, list(out), failures, EmployeeRunStatus.TAXED)


def retirement(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    gross = stage_store.get(ctx, task, "gross_pay", GrossStep)
    taxed = stage_store.get(ctx, task, "taxes", dict[int, Taxed])
    requests = _requests(ctx, task, gross)

    def stage(employee_id: int) -> pc.Retirement:
        request = requests[employee_id]
        earned, tax = gross.employees[employee_id].gross, taxed[employee_id]
        return pc.retirement(request, earned, tax.pretax, _tables(request), tax.taxes)

    out, failures = _apply(list(taxed), stage)
    version = stage_store.put(ctx, task, "retirement", out)
    return _finish(
        ctx, task, "retirement", version, list(out), failures, EmployeeRunStatus.RETIREMENT_DONE
    )


def net_pay(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    """Net pay and the paycheck itself: inserted once, with the YTD update, in one transaction."""
    gross = stage_store.get(ctx, task, "gross_pay", GrossStep)
    taxed = stage_store.get(ctx, task, "taxes", dict[int, Taxed])
    plans = stage_store.get(ctx, task, "retirement", dict[int, pc.Retirement])
    requests = _requests(ctx, task, gross)

    def stage(employee_id: int) -> tuple[Any, int | None, dict[str, int]]:
        earned = gross.employees[employee_id]
        tax = taxed[employee_id]
        stub = pc.net_pay(
            requests[employee_id], earned.gross, tax.pretax, tax.taxes, plans[employee_id]
        )
        return stub, earned.ytd_version, earned.ytd_cents

    computed, failures = _apply(list(plans), stage)
    created, failed = insert_paychecks(ctx, task, gross.header, computed, failures)
    stage_store.forget(task)
    return StepResult("net_pay", created, failed)


def _apply(employee_ids: list[int], stage: Callable[[int], Any]) -> tuple[dict[int, Any], Failures]:
    """Run one pure stage for every employee the previous step passed."""
    out: dict[int, Any] = {}
    failures: Failures = {}
    for employee_id in employee_ids:
        try:
            out[employee_id] = stage(employee_id)
        except PayrollError as err:
            failures[employee_id] = str(err)
    return out, failures


STATUS_TIME = {
    EmployeeRunStatus.TIME_ENTERED: "time_entered_at",
    EmployeeRunStatus.GROSS_CALCULATED: "gross_calculated_at",
    EmployeeRunStatus.TAXED: "taxed_at",
    EmployeeRunStatus.RETIREMENT_DONE: "retirement_done_at",
    EmployeeRunStatus.NET_CALCULATED: "net_calculated_at",
}


def _finish(
    ctx: PayrollContext,
    task: ChunkTask,
    name: str,
    version: str,
    succeeded: list[int],
    failures: Failures,
    status: str,
) -> StepResult:
    record_step(ctx, task.run_id, succeeded, status, failures)
    return StepResult(name, len(succeeded), len(failures), version)


def _tables(parsed: Any) -> Any:
    return load_tables(parsed.pay_date.year, parsed.work_state)


def read_ytd(
    db_url: str, employee_ids: list[int], year: int
) -> dict[int, tuple[dict[str, int], int | None]]:
    """Year-to-date cents per employee, with the version (last paycheck id) they were read at."""
    with reading(db_url) as session:
        rows = session.execute(
            select(
                YtdAccumulator.employee_id, YtdAccumulator.amounts, YtdAccumulator.last_paycheck_id
            ).where(YtdAccumulator.employee_id.in_(employee_ids), YtdAccumulator.year == year)
        )
        return {row[0]: (dict(row[1]), row[2]) for row in rows}


def record_step(
    ctx: PayrollContext, run_id: str, succeeded: list[int], status: str, failures: Failures
) -> None:
    """The step's statuses, passed and failed, in one short write transaction."""
    if succeeded or failures:
        with transaction(ctx.db_url) as session:
            statuses.record_step(
                session, run_id, succeeded, status, STATUS_TIME[status], failures, ctx.clock()
            )
