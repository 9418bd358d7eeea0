"""/v1/dead-letters: list and read (viewer); resolve by id or by error type (operator)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from payrun.entrypoints.api.auth import in_scope
from payrun.entrypoints.api.deps import (
    Context,
    IdempotencyKey,
    Operator,
    ReadingUow,
    Temporal,
    Viewer,
    audit_detail,
)
from payrun.entrypoints.api.idempotency import once
from payrun.entrypoints.api.problems import Problem
from payrun.entrypoints.api.schemas import (
    Id,
    Limit,
    Page,
    Public,
    Strict,
    Text,
    decode_cursor,
    page,
)
from payrun.services import dead_letter_views as svc
from payrun.services.api_keys import Principal
from payrun.services.context import utc_now
from payrun.services.employee_records import EmployeeChange, change_employee
from payrun.services.messages import RedriveInput
from payrun.services.schema import EmployeeModel

router = APIRouter(prefix="/v1/dead-letters", tags=["dead letters"])
ErrorType = Literal[
    "validation",
    "downstream_timeout",
    "downstream_rejection",
    "calculation_error",
    "bank_return",
    "error",
]
Resolution = Literal["retry", "fix_and_retry", "skip"]


class DeadLetterOut(Public):
    id: int
    payrun_id: str
    employer_id: int
    employee_id: int | None
    step: str
    error_type: str
    error: str
    attempts: int
    status: str
    resolution: str | None
    first_failed_at: str
    last_failed_at: str
    resolved_at: str | None


class ResolveByType(Strict):
    resolution: Resolution
    reason: Text | None = None  # required to skip
    error_type: ErrorType


class ResolveOne(Strict):
    resolution: Resolution
    reason: Text | None = None  # required to skip
    # fix_and_retry: the corrected calc employee object of the dead letter's employee, stored
    # (as PATCH would) before the employer is re-run
    employee: EmployeeModel | None = None


class Resolved(Public):
    dead_letter_ids: list[int]
    resolution: str
    skipped: int
    redrive_id: str | None  # the redrive workflow retrying them; poll the dead letters


@router.get("")
def list_dead_letters(
    who: Viewer,
    uow: ReadingUow,
    error_type: ErrorType | None = None,
    status: Literal["OPEN", "RESOLVED", "SKIPPED"] = "OPEN",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
) -> Page[DeadLetterOut]:
    query = svc.LetterQuery(error_type, status, decode_cursor(cursor), limit + 1, who.employer_ids)
    rows = svc.list_letters(uow, query)
    items = [DeadLetterOut(**row) for row in rows]
    return Page[DeadLetterOut](**page(items, [r["id"] for r in rows], limit))


@router.get("/{letter_id}")
def get_dead_letter(letter_id: Id, who: Viewer, uow: ReadingUow) -> DeadLetterOut:
    row = svc.get_letter(uow, letter_id)
    in_scope(who, row["employer_id"], "dead letter", letter_id)
    return DeadLetterOut(**row)


@router.post("/resolve", status_code=202, response_model=Resolved)
async def resolve_by_type(
    body: ResolveByType,
    who: Operator,
    ctx: Context,
    temporal: Temporal,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Resolve every open dead letter of one error type the key may see (Idempotency-Key
    required: a retry redrives payments)."""

    async def work() -> Resolved:
        ids = await run_in_threadpool(
            svc.open_letters_of_type, ctx.reading_unit_of_work(), body.error_type, who.employer_ids
        )
        return await _resolve(ids, body, who, ctx, temporal, request)

    sent = body.model_dump(mode="json")
    return await once(
        request, ctx, who, "dead_letters.resolve", idempotency_key, sent, 202, work, required=True
    )


@router.post("/{letter_id}/resolve", status_code=202, response_model=Resolved)
async def resolve_one(
    letter_id: Id,
    body: ResolveOne,
    who: Operator,
    ctx: Context,
    temporal: Temporal,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Resolve one dead letter (Idempotency-Key required: a retry redrives payments)."""

    async def work() -> Resolved:
        return await _resolve_one(letter_id, body, who, ctx, temporal, request)

    action, sent = f"dead_letter.resolve:{letter_id}", body.model_dump(mode="json")
    return await once(request, ctx, who, action, idempotency_key, sent, 202, work, required=True)


async def _resolve_one(
    letter_id: int,
    body: ResolveOne,
    who: Principal,
    ctx: Context,
    temporal: Temporal,
    request: Request,
) -> Resolved:
    row = await run_in_threadpool(svc.get_letter, ctx.reading_unit_of_work(), letter_id)
    in_scope(who, row["employer_id"], "dead letter", letter_id)
    if row["status"] != "OPEN":
        raise Problem(409, "conflict", f"dead letter {letter_id} is {row['status']}", "status")
    if body.employee is not None:
        if body.resolution != "fix_and_retry" or not row["employee_id"]:
            raise Problem(
                422,
                "invalid_input",
                "a corrected employee goes with fix_and_retry of an employee's dead letter",
                "employee",
            )
        change = EmployeeChange(employee=body.employee)
        await run_in_threadpool(
            change_employee, ctx.db_url, row["employee_id"], change, ctx.vault, utc_now()
        )
        audit_detail(request, fixed_employee_id=row["employee_id"])
    return await _resolve([letter_id], body, who, ctx, temporal, request)


async def _resolve(
    ids: list[int],
    body: ResolveOne | ResolveByType,
    who: Principal,
    ctx: Context,
    temporal: Temporal,
    request: Request,
) -> Resolved:
    """Skips close here, with their reason audited; retries go to the same Redrive workflow
    the CLI starts, which re-runs each employer through the idempotent pipeline."""
    if body.resolution == "skip":
        if not body.reason:
            raise Problem(422, "invalid_input", "a skip needs a reason", "reason")
        actor = f"api-key:{who.key_id}"
        skipped = (
            await run_in_threadpool(
                svc.skip_letters, ctx.unit_of_work(), ids, body.reason, actor, utc_now()
            )
            if ids
            else 0
        )
        audit_detail(request, dead_letter_ids=ids, resolution="skip")
        return Resolved(dead_letter_ids=ids, resolution="skip", skipped=skipped, redrive_id=None)
    redrive_id = None
    if ids:
        inp = RedriveInput(ids, None, body.resolution, request.app.state.settings.chunk_size)
        try:
            redrive_id = await temporal.start_redrive(inp)
        except Exception:  # nothing was changed: the caller may simply retry
            raise Problem(
                503, "temporal_unavailable", "could not start the redrive", retryable=True
            ) from None
    audit_detail(request, dead_letter_ids=ids, resolution=body.resolution, redrive_id=redrive_id)
    return Resolved(
        dead_letter_ids=ids, resolution=body.resolution, skipped=0, redrive_id=redrive_id
    )
