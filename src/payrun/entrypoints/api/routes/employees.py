"""Employees and their hours: /v1/employers/{id}/employees, /v1/employees/{id},
/v1/employers/{id}/time-entries. The body's `employee` is the calc employee object."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from payrun.entrypoints.api.auth import in_scope
from payrun.entrypoints.api.deps import (
    Context,
    IdempotencyKey,
    Operator,
    Uow,
    Viewer,
    audit_detail,
)
from payrun.entrypoints.api.idempotency import once
from payrun.entrypoints.api.schemas import Id, Limit, Page, Public, decode_cursor, page
from payrun.services import employee_records as svc
from payrun.services import time_entries
from payrun.services.context import utc_now
from payrun.services.errors import NotFound
from payrun.services.schema.amounts import Hours

router = APIRouter(tags=["employees"])


class EmployeeOut(Public):
    id: int
    employer_id: int
    external_id: str
    first_name: str
    last_name: str
    ssn_last4: str
    work_state: str
    home_state: str
    hire_date: date
    terminated_on: date | None
    pay: dict[str, str]
    bank_account: dict[str, str]
    employee: dict[str, Any]
    active: bool


class TimeEntryIn(Public):
    employee_id: Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
    date: svc.Day
    hours: Hours


class TimeEntriesOut(Public):
    recorded: int


def _out(view: svc.EmployeeView) -> EmployeeOut:
    return EmployeeOut(**view.__dict__)


@router.post("/v1/employers/{employer_id}/employees", status_code=201, response_model=EmployeeOut)
async def add_employee(
    employer_id: Id,
    body: svc.EmployeeRecord,
    who: Operator,
    ctx: Context,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Hire an employee (201). With an Idempotency-Key, a retry gets the first answer."""
    in_scope(who, employer_id, "employer", employer_id)

    async def work() -> EmployeeOut:
        [new_id] = await run_in_threadpool(svc.add_employees, uow, employer_id, [body], ctx.vault)
        audit_detail(request, employee_id=new_id)
        return _out(await run_in_threadpool(svc.get_employee, ctx.db_url, new_id))

    action = f"employee.create:{employer_id}"
    sent = body.model_dump(mode="json")
    return await once(request, ctx, who, action, idempotency_key, sent, 201, work, required=False)


@router.get("/v1/employers/{employer_id}/employees")
def list_employees(
    employer_id: Id,
    who: Viewer,
    ctx: Context,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
) -> Page[EmployeeOut]:
    in_scope(who, employer_id, "employer", employer_id)
    views = svc.list_employees(ctx.db_url, employer_id, decode_cursor(cursor), limit + 1)
    return Page[EmployeeOut](**page([_out(v) for v in views], [v.id for v in views], limit))


@router.get("/v1/employees/{employee_id}")
def get_employee(employee_id: Id, who: Viewer, ctx: Context) -> EmployeeOut:
    view = svc.get_employee(ctx.db_url, employee_id)
    in_scope(who, view.employer_id, "employee", employee_id)
    return _out(view)


class ScheduledChange(Public):
    employee_id: int
    effective_from: date
    status: str


@router.patch(
    "/v1/employers/{employer_id}/employees/{employee_id}",
    response_model=EmployeeOut,
    responses={202: {"model": ScheduledChange, "description": "kept until effective_from"}},
)
def change_employee(
    employer_id: Id, employee_id: Id, body: svc.EmployeeChange, who: Operator, ctx: Context
) -> Any:
    """Change an employee now (200 with the employee), or from a later `effective_from`
    (202: checked now, applied when a pay run opens a period starting on or after it)."""
    in_scope(who, employer_id, "employer", employer_id)
    if svc.employer_of(ctx.db_url, employee_id) != employer_id:
        raise NotFound("employee", employee_id)  # another employer's: as if absent
    scheduled = svc.change_employee(ctx.db_url, employee_id, body, ctx.vault, utc_now())
    if scheduled is not None:
        out = ScheduledChange(employee_id=employee_id, effective_from=scheduled, status="scheduled")
        return JSONResponse(out.model_dump(mode="json"), status_code=202)
    return _out(svc.get_employee(ctx.db_url, employee_id))


@router.post("/v1/employers/{employer_id}/time-entries", response_model=TimeEntriesOut)
async def record_time(
    employer_id: Id,
    entries: Annotated[list[TimeEntryIn], Body(max_length=10_000)],
    who: Operator,
    ctx: Context,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Replace each employee's hours for each day sent. With an Idempotency-Key, a retry gets
    the first answer."""
    in_scope(who, employer_id, "employer", employer_id)
    rows = [time_entries.TimeEntryInput(e.employee_id, e.date, e.hours) for e in entries]

    async def work() -> TimeEntriesOut:
        recorded = await run_in_threadpool(time_entries.record_time, ctx.db_url, employer_id, rows)
        return TimeEntriesOut(recorded=recorded)

    action = f"time.record:{employer_id}"
    sent = [e.model_dump(mode="json") for e in entries]
    return await once(request, ctx, who, action, idempotency_key, sent, 200, work, required=False)
