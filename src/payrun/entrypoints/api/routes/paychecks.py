"""/v1/paychecks: list and read (viewer), void and reverse (operator)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from payrun.entrypoints.api.auth import in_scope
from payrun.entrypoints.api.deps import Context, IdempotencyKey, Operator, ReadingUow, Viewer
from payrun.entrypoints.api.idempotency import once
from payrun.entrypoints.api.schemas import Id, Limit, Page, Public, decode_cursor, page
from payrun.services import paycheck_actions as actions
from payrun.services import paycheck_views as views
from payrun.services.context import utc_now

router = APIRouter(prefix="/v1/paychecks", tags=["paychecks"])


class PaycheckOut(Public):
    """The keys `payrun calc --json` prints (amounts as two-decimal strings), with the ids,
    period, pay date, status and year-to-date after this paycheck."""

    id: int
    payrun_id: str
    employer_id: int
    employee_id: int
    pay_period_id: int
    period_start: str | None
    period_end: str | None
    pay_date: str
    kind: str
    status: str
    gross: str
    federal_income_tax: str
    social_security: str
    medicare: str
    additional_medicare: str
    state_income_tax: str
    state_disability: str
    section125: str
    hsa: str
    deferral_401k_pretax: str
    roth_401k: str
    catch_up_401k: str
    deferral_401k: str
    net_pay: str
    employer: dict[str, str]
    wages: dict[str, str]
    lines: list[dict[str, Any]]
    ytd_after: dict[str, str]


class ActionOut(Public):
    paycheck_id: int
    status: str
    changed: bool


@router.get("")
def list_paychecks(
    who: Viewer,
    uow: ReadingUow,
    payrun: Annotated[str | None, Query(max_length=120)] = None,
    employee: Annotated[Id | None, Query()] = None,
    employer: Annotated[Id | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
) -> Page[PaycheckOut]:
    query = views.PaycheckQuery(
        run_id=payrun,
        employee_id=employee,
        employer_id=employer,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
        only_employers=who.employer_ids,
    )
    rows = views.list_paychecks(uow, query)
    items = [PaycheckOut(**row) for row in rows]
    return Page[PaycheckOut](**page(items, [r["id"] for r in rows], limit))


@router.get("/{paycheck_id}")
def get_paycheck(paycheck_id: Id, who: Viewer, uow: ReadingUow) -> PaycheckOut:
    row = views.get_paycheck(uow, paycheck_id)
    in_scope(who, row["employer_id"], "paycheck", paycheck_id)
    return PaycheckOut(**row)


@router.post("/{paycheck_id}/void", response_model=ActionOut)
async def void_paycheck(
    paycheck_id: Id,
    who: Operator,
    ctx: Context,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Void a paycheck not yet paid (Idempotency-Key required)."""
    employer_id = await run_in_threadpool(
        views.paycheck_employer, ctx.reading_unit_of_work(), paycheck_id
    )
    in_scope(who, employer_id, "paycheck", paycheck_id)

    async def work() -> ActionOut:
        actor = f"api-key:{who.key_id}"
        done = await run_in_threadpool(actions.void_paycheck, ctx, paycheck_id, actor)
        return ActionOut(paycheck_id=done.paycheck_id, status=done.status, changed=done.changed)

    action = f"paycheck.void:{paycheck_id}"
    return await once(request, ctx, who, action, idempotency_key, {}, 200, work, required=True)


@router.post("/{paycheck_id}/reverse", response_model=ActionOut)
async def reverse_paycheck(
    paycheck_id: Id,
    who: Operator,
    ctx: Context,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Reverse a paid paycheck's credit (Idempotency-Key required: it moves money)."""
    employer_id = await run_in_threadpool(
        views.paycheck_employer, ctx.reading_unit_of_work(), paycheck_id
    )
    in_scope(who, employer_id, "paycheck", paycheck_id)

    async def work() -> ActionOut:
        actor, today = f"api-key:{who.key_id}", utc_now().date()
        done = await run_in_threadpool(actions.reverse_paycheck, ctx, paycheck_id, actor, today)
        return ActionOut(paycheck_id=done.paycheck_id, status=done.status, changed=done.changed)

    action = f"paycheck.reverse:{paycheck_id}"
    return await once(request, ctx, who, action, idempotency_key, {}, 200, work, required=True)
