"""/v1/payruns: start (operator, Idempotency-Key), read progress and list (viewer)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from payrun.entrypoints.api.auth import in_scope
from payrun.entrypoints.api.deps import (
    Context,
    Operator,
    Temporal,
    Viewer,
    audit_detail,
    require_idempotency_key,
)
from payrun.entrypoints.api.problems import Problem
from payrun.entrypoints.api.schemas import Id, Limit, MoneyText, Page, Public, Strict
from payrun.services import payrun_requests as svc
from payrun.services.api_keys import Principal
from payrun.services.context import utc_now
from payrun.services.errors import NotFound
from payrun.services.payrun_preview import preview_payrun

router = APIRouter(prefix="/v1/payruns", tags=["payruns"])
EmployeeKey = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,9}$")]
RunId = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._-]+$")]


class PayRunCreate(Strict):
    employer_ids: Annotated[list[Id], Field(min_length=1, max_length=1000)]
    period_start: Annotated[date | None, Field(strict=False)] = None
    kind: Literal["regular", "off_cycle"] = "regular"
    # employee id -> {"bonus": "500.00", "commission": ...}: paid beside the period's pay in
    # a regular run, alone in an off-cycle run
    earnings: Annotated[
        dict[EmployeeKey, dict[Literal["bonus", "commission"], MoneyText]] | None,
        Field(max_length=10_000),
    ] = None
    preview: bool = False


class PayRunAccepted(Public):
    id: str
    status: str


class EmployeeCounts(Public):
    done: int
    failed: int
    pending: int


class EmployerProgress(Public):
    employer_id: int
    status: str
    employees: EmployeeCounts


class PayRunOut(Public):
    id: str
    status: str
    kind: str
    period_start: str | None
    pay_date: str | None
    employer_ids: list[int]
    employers: list[EmployerProgress]
    started_at: str | None
    finished_at: str | None


def _visible(who: Principal, employer_ids: list[int], run_id: str) -> None:
    """A scoped key sees a run only if every employer of it is in its scope."""
    if who.employer_ids is None:
        return
    if not employer_ids or not set(employer_ids) <= who.employer_ids:
        raise NotFound("pay run", run_id)


class PreviewPaycheck(Public):
    employer_id: int
    employee_id: int
    gross: str
    employee_taxes: str
    deductions: str
    net_pay: str
    employer_taxes: str


class Blocker(Public):
    employer_id: int | None
    employee_id: int | None
    code: str
    detail: str


class PreviewOut(Public):
    """What the run would pay; nothing was written."""

    period_start: str
    pay_date: str
    employees: int
    already_paid: int
    totals: dict[str, str]
    paychecks: list[PreviewPaycheck]
    blockers: list[Blocker]


@router.post("", status_code=202, responses={200: {"model": PreviewOut}})
async def start_payrun(
    body: PayRunCreate,
    who: Operator,
    ctx: Context,
    temporal: Temporal,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Any:
    """Start a pay run (202; Idempotency-Key required), or with `preview: true` calculate
    every paycheck and blocker without writing anything (200)."""
    for employer_id in body.employer_ids:
        in_scope(who, employer_id, "employer", employer_id)
    earnings = {e: dict(lines) for e, lines in (body.earnings or {}).items() if lines}
    if body.kind == "off_cycle" and not earnings:
        raise Problem(
            422, "invalid_input", "an off-cycle run pays only earnings: send some", "earnings"
        )
    if body.preview and earnings:
        raise Problem(
            422, "not_supported", "a preview of per-run earnings is not available yet", "earnings"
        )
    if body.preview:
        return await _preview(ctx, body)
    key = require_idempotency_key(idempotency_key)
    settings = request.app.state.settings
    kind = "regular" if body.kind == "regular" else svc.off_cycle_kind(earnings)
    cmd = svc.StartPayRun(
        tuple(body.employer_ids),
        body.period_start,
        kind,
        settings.chunk_size,
        settings.employer_parallelism,
        earnings,
    )
    digest = svc.body_digest(body.model_dump(mode="json"))
    started = await run_in_threadpool(
        svc.start_payrun, ctx.db_url, cmd, who.key_id, key, digest, utc_now()
    )
    if started.inp is not None:
        try:
            await temporal.start_run(started.inp)
        except Exception:  # recorded: the same key starts it once Temporal answers
            raise Problem(
                503,
                "temporal_unavailable",
                "the run is recorded but could not be started; send the same request again",
                retryable=True,
            ) from None
    audit_detail(request, run_id=started.run_id, replayed=started.replayed)
    return PayRunAccepted(
        id=started.run_id,
        status="PENDING"
        if not started.replayed
        else (await run_in_threadpool(svc.get_payrun, ctx.db_url, started.run_id))["status"],
    )


async def _preview(ctx: Any, body: PayRunCreate) -> JSONResponse:
    found = await run_in_threadpool(
        preview_payrun, ctx.db_url, tuple(body.employer_ids), body.period_start
    )
    out = PreviewOut(
        period_start=found.period_start,
        pay_date=found.pay_date,
        employees=found.employees,
        already_paid=found.already_paid,
        totals={k: f"{v:.2f}" for k, v in found.totals.items()},
        paychecks=[PreviewPaycheck(**p) for p in found.paychecks],
        blockers=[Blocker(**b) for b in found.blockers],
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=200)


@router.get("")
def list_payruns(
    who: Viewer,
    ctx: Context,
    status: Literal["PENDING", "RUNNING", "COMPLETED", "PARTIAL", "FAILED"] | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
) -> Page[PayRunOut]:
    after = _decode_run_cursor(cursor)
    scope = who.employer_ids

    def visible(view: dict[str, Any]) -> bool:
        return scope is None or bool(view["employer_ids"] and set(view["employer_ids"]) <= scope)

    views = svc.list_payruns(ctx.db_url, svc.RunQuery(status, after, limit + 1), visible)
    more = len(views) > limit
    items = [PayRunOut(**v) for v in views[:limit]]
    return Page[PayRunOut](items=items, next_cursor=_run_cursor(items[-1].id) if more else None)


@router.get("/{run_id}")
def get_payrun(run_id: RunId, who: Viewer, ctx: Context) -> PayRunOut:
    view = svc.get_payrun(ctx.db_url, run_id)
    _visible(who, view["employer_ids"], run_id)
    return PayRunOut(**view)


def _run_cursor(run_id: str) -> str:
    import base64

    return base64.urlsafe_b64encode(run_id.encode()).decode().rstrip("=")


def _decode_run_cursor(cursor: str | None) -> str:
    import base64
    import binascii

    if not cursor:
        return ""
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Problem(422, "invalid_cursor", "not a cursor this API gave", "cursor") from None
    return text
