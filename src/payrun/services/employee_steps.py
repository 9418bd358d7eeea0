"""The per-employee pipeline by chunk: time entry -> gross -> taxes -> retirement -> net.

Each step reads the previous step's output from the object store, calls the pure domain
stage for every employee of the chunk, writes its own output, and records statuses in one
set-based statement. An employee whose calculation fails is marked FAILED and drops out of
the later steps; the rest of the chunk goes on. Every step is idempotent: running it again
rewrites the same output and the same statuses.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select, update

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import EmployeeStatus, TimeEntry, YtdAccumulator
from payrun.domain import paycheck as pc
from payrun.domain.errors import PayrollError
from payrun.domain.serde import money_text
from payrun.services.context import PayrollContext
from payrun.services.pay_request import parse_pay_request
from payrun.services.paychecks import insert_paychecks
from payrun.services.requests import hours_str, with_earnings, ytd_request
from payrun.tables import load_tables
from payrun.workflows.messages import ChunkTask, StepResult

Failures = dict[int, str]

# Parsed requests, kept between the steps of a chunk that run in this worker process. The key
# carries a nonce minted by the gross step, so a re-run of that step (new data after a fix)
# can never be answered from an older parse; another process simply parses again.
_PARSED: OrderedDict[str, Any] = OrderedDict()
_PARSED_MAX = 20_000
_PARSED_LOCK = threading.Lock()


def _parsed(entry: dict[str, Any]) -> Any:
    key = entry.get("request_key")
    with _PARSED_LOCK:
        found = _PARSED.get(key) if key else None
    if found is not None:
        return found
    parsed = parse_pay_request(entry["request"])
    if key:
        with _PARSED_LOCK:
            _PARSED[key] = parsed
            while len(_PARSED) > _PARSED_MAX:
                _PARSED.popitem(last=False)
    return parsed


def _load(ctx: PayrollContext, task: ChunkTask, name: str) -> dict[str, Any]:
    data = ctx.store.get_json(ctx.chunk_key(task.run_id, task.employer_id, task.chunk, name))
    assert isinstance(data, dict)
    return data


def _save(ctx: PayrollContext, task: ChunkTask, name: str, data: dict[str, Any]) -> None:
    ctx.store.put_json(ctx.chunk_key(task.run_id, task.employer_id, task.chunk, name), data)


def time_entry(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    """Hours worked for the hourly employees of the chunk, from the time-entry system of record."""
    snapshot = _load(ctx, task, "snapshot")
    hourly = [e["employee_id"] for e in snapshot["employees"] if "hourly_rate" in e["request"]]
    start = date.fromisoformat(snapshot["period_start"])
    end = date.fromisoformat(snapshot["period_end"])
    hours = read_hours(ctx.db_url, hourly, start, end) if hourly else {}
    return record_hours(ctx, task, hours)


def request_hours(ctx: PayrollContext, task: ChunkTask, callback_token: bytes) -> None:
    """Ask the time-entry service for the chunk's hours; it answers by callback with the token.
    The request id is stable, so a retried attempt re-points the same request at its token."""
    snapshot = _load(ctx, task, "snapshot")
    hourly = [e["employee_id"] for e in snapshot["employees"] if "hourly_rate" in e["request"]]
    ctx.time_entry.request_hours(
        f"{task.run_id}/employer-{task.employer_id}/chunk-{task.chunk}",
        task.employer_id,
        date.fromisoformat(snapshot["period_start"]),
        date.fromisoformat(snapshot["period_end"]),
        hourly,
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


def record_hours(
    ctx: PayrollContext, task: ChunkTask, hours: dict[str, dict[str, str]]
) -> StepResult:
    """Store the hours (from the table or from the time-entry service's callback)."""
    snapshot = _load(ctx, task, "snapshot")
    _save(ctx, task, "time_entry", {"hours": hours})
    ids = [e["employee_id"] for e in snapshot["employees"]]
    set_status(ctx, task.run_id, ids, "TIME_ENTERED", "time_entered_at")
    return StepResult("time_entry", len(ids), 0)


def gross_pay(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    snapshot = _load(ctx, task, "snapshot")
    hours = _load(ctx, task, "time_entry")["hours"]
    employee_ids = [e["employee_id"] for e in snapshot["employees"]]
    ytd = read_ytd(ctx.db_url, employee_ids, int(snapshot["pay_date"][:4]))
    out: dict[str, Any] = {}
    failures: Failures = {}
    nonce = f"{task.run_id}/{task.employer_id}/{task.chunk}/{uuid.uuid4().hex}"
    for entry in snapshot["employees"]:
        employee_id = entry["employee_id"]
        amounts, version = ytd.get(employee_id, ({}, None))
        request = with_earnings(
            entry["request"], hours.get(str(employee_id)), entry.get("salary_per_period")
        )
        request["ytd"] = ytd_request(amounts)
        entry_out = {
            "request": request,
            "ytd_version": version,
            "request_key": f"{nonce}/{employee_id}",
        }
        try:
            parsed = _parsed(entry_out)
            gross = pc.gross_pay(parsed, _tables(parsed))
        except PayrollError as err:
            failures[employee_id] = str(err)
            continue
        out[str(employee_id)] = {**entry_out, "gross": gross.to_dict()}
    return _finish(ctx, task, "gross_pay", out, failures, "GROSS_CALCULATED", "gross_calculated_at")


def taxes(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    def stage(parsed: Any, prior: dict[str, Any]) -> dict[str, Any]:
        tables = _tables(parsed)
        gross = pc.GrossPay.from_dict(prior["gross"])
        pretax = pc.pretax_deductions(parsed, gross, tables)
        taxed = pc.taxes(parsed, gross, pretax, tables)
        return {"pretax": pretax.to_dict(), "taxes": taxed.to_dict()}

    return _stage(ctx, task, "taxes", "gross_pay", stage, "TAXED", "taxed_at")


def retirement(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    def stage(parsed: Any, prior: dict[str, Any]) -> dict[str, Any]:
        gross = pc.GrossPay.from_dict(prior["gross"])
        pretax = pc.PretaxDeductions.from_dict(prior["pretax"])
        plan = pc.retirement(parsed, gross, pretax, _tables(parsed))
        return {"retirement": plan.to_dict()}

    return _stage(ctx, task, "retirement", "taxes", stage, "RETIREMENT_DONE", "retirement_done_at")


def net_pay(ctx: PayrollContext, task: ChunkTask) -> StepResult:
    """Net pay and the paycheck itself: inserted once, with the YTD update, in one transaction."""

    def stage(parsed: Any, prior: dict[str, Any]) -> dict[str, Any]:
        stub = pc.net_pay(
            parsed,
            pc.GrossPay.from_dict(prior["gross"]),
            pc.PretaxDeductions.from_dict(prior["pretax"]),
            pc.Taxes.from_dict(prior["taxes"]),
            pc.Retirement.from_dict(prior["retirement"]),
        )
        return {"stub": paycheck_record(stub)}

    snapshot = _load(ctx, task, "snapshot")
    prior = _load(ctx, task, "retirement")
    computed, failures = _apply(prior, stage)
    created, conflicts = insert_paychecks(ctx, task, snapshot, computed)
    failures.update(conflicts)
    ok = [int(i) for i in computed if int(i) not in conflicts]
    set_status(ctx, task.run_id, ok, "NET_CALCULATED", "net_calculated_at")
    mark_failed(ctx, task.run_id, failures, "calculation_error")
    return StepResult("net_pay", created, len(failures))


def paycheck_record(stub: Any) -> dict[str, Any]:
    """What the paycheck row keeps of the stub (amounts, lines with YTD, YTD after), built in
    one pass: the full stub dict recomputes YTD per line and costs more than the tax math."""
    after = stub.ytd_after.to_dict()
    amounts = {
        name: money_text(getattr(stub, name))
        for name in (
            "gross",
            "federal_income_tax",
            "social_security",
            "medicare",
            "additional_medicare",
            "state_income_tax",
            "state_disability",
            "net_pay",
        )
    }
    lines = [
        {
            "kind": line.kind,
            "code": line.code,
            "description": line.description,
            "current": money_text(line.current),
            "ytd": money_text(line.ytd),
        }
        for line in stub.lines
    ]
    return {**amounts, "lines": lines, "ytd_after": after}


def _stage(
    ctx: PayrollContext,
    task: ChunkTask,
    name: str,
    source: str,
    stage: Callable[[Any, dict[str, Any]], dict[str, Any]],
    status: str,
    column: str,
) -> StepResult:
    computed, failures = _apply(_load(ctx, task, source), stage)
    return _finish(ctx, task, name, computed, failures, status, column)


def _apply(
    prior: dict[str, Any], stage: Callable[[Any, dict[str, Any]], dict[str, Any]]
) -> tuple[dict[str, Any], Failures]:
    """Run one pure stage for every employee the previous step passed; carry the rest forward."""
    out: dict[str, Any] = {}
    failures: Failures = {}
    for employee_id, entry in prior.items():
        try:
            result = stage(_parsed(entry), entry)
        except PayrollError as err:
            failures[int(employee_id)] = str(err)
            continue
        out[employee_id] = {**entry, **result}
    return out, failures


def _finish(
    ctx: PayrollContext,
    task: ChunkTask,
    name: str,
    out: dict[str, Any],
    failures: Failures,
    status: str,
    column: str,
) -> StepResult:
    _save(ctx, task, name, out)
    set_status(ctx, task.run_id, [int(i) for i in out], status, column)
    mark_failed(ctx, task.run_id, failures, "calculation_error")
    return StepResult(name, len(out), len(failures))


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


def set_status(
    ctx: PayrollContext, run_id: str, employee_ids: list[int], status: str, column: str
) -> None:
    """One statement for the whole chunk; the transition's time goes in its own column."""
    if not employee_ids:
        return
    with transaction(ctx.db_url) as session:
        session.execute(
            update(EmployeeStatus)
            .where(EmployeeStatus.run_id == run_id, EmployeeStatus.employee_id.in_(employee_ids))
            .values({"status": status, column: ctx.clock()})
        )


def mark_failed(ctx: PayrollContext, run_id: str, failures: Failures, error_type: str) -> None:
    if not failures:
        return
    now = ctx.clock()
    table = EmployeeStatus.__table__
    with transaction(ctx.db_url) as session:
        session.connection().execute(
            update(table)
            .where(table.c.run_id == run_id, table.c.employee_id == bindparam("eid"))
            .values(status="FAILED", error_type=error_type, error=bindparam("err"), failed_at=now),
            [{"eid": i, "err": message[:2000]} for i, message in failures.items()],
        )
