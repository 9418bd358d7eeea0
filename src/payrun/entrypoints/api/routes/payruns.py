"""/v1/payruns: start (operator, Idempotency-Key), read progress and list (viewer)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from payrun.entrypoints.api.auth import in_scope
from payrun.entrypoints.api.deps import (
    Context,
    IdempotencyKey,
    Operator,
    Temporal,
    Viewer,
    audit_detail,
)
from payrun.entrypoints.api.problems import Problem
from payrun.entrypoints.api.schemas import Id, Limit, MoneyText, Page, Public, Strict
from payrun.services import payrun_requests as svc
from payrun.services.api_keys import Principal
from payrun.services.context import utc_now
from payrun.services.errors import NotFound

router = APIRouter(prefix="/v1/payruns", tags=["payruns"])
RunId = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._-]+$")]


class PayRunCreate(Strict):
    employer_ids: Annotated[list[Id], Field(min_length=1, max_length=1000)]
    period_start: Annotated[date | None, Field(strict=False)] = None
    kind: Literal["regular", "off_cycle"] = "regular"
    earnings: dict[str, dict[str, MoneyText]] | None = None
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


@router.post("", status_code=202, responses={200: {"model": PayRunAccepted}})
async def start_payrun(
    body: PayRunCreate,
    who: Operator,
    key: IdempotencyKey,
    ctx: Context,
    temporal: Temporal,
    request: Request,
) -> PayRunAccepted:
    for employer_id in body.employer_ids:
        in_scope(who, employer_id, "employer", employer_id)
    if body.kind != "regular" or body.earnings:
        field = "earnings" if body.earnings else "kind"
        raise Problem(
            422,
            "not_supported",
            "off-cycle runs and per-run earnings are not supported by the pay run pipeline yet",
            field,
        )
    if body.preview:
        raise Problem(422, "not_supported", "preview is not available yet", "preview")
    settings = request.app.state.settings
    cmd = svc.StartPayRun(
        tuple(body.employer_ids),
        body.period_start,
        body.kind,
        settings.chunk_size,
        settings.employer_parallelism,
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


@router.get("")
def list_payruns(
    who: Viewer,
    ctx: Context,
    status: Literal["PENDING", "RUNNING", "COMPLETED", "PARTIAL", "FAILED"] | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
) -> Page[PayRunOut]:
    after = _decode_run_cursor(cursor)
    views = svc.list_payruns(ctx.db_url, svc.RunQuery(status, after, limit + 1))
    if who.employer_ids is not None:
        views = [
            v for v in views if v["employer_ids"] and set(v["employer_ids"]) <= who.employer_ids
        ]
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
