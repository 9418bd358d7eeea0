"""/v1/recovery-cases: returned funding debits; list and read (viewer), resolve (operator,
Idempotency-Key) as `payrun recovery resolve` does."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from payrun.domain.statuses import Resolution
from payrun.entrypoints.api.auth import in_scope
from payrun.entrypoints.api.deps import Context, IdempotencyKey, Operator, Viewer, audit_detail
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
    money,
    page,
)
from payrun.services import recovery as svc
from payrun.services.context import utc_text

router = APIRouter(prefix="/v1/recovery-cases", tags=["recovery cases"])
Action = Literal["redebit", "wire", "write_off"]
# The one mapping between the API's action names and the service's resolutions.
ACTIONS: dict[Action, Resolution] = {
    "redebit": Resolution.REDEBIT,
    "wire": Resolution.WIRE,
    "write_off": Resolution.WRITE_OFF,
}
_ACTION_OF = {resolution.value: action for action, resolution in ACTIONS.items()}
CaseStatus = Literal["REDEBIT_DUE", "REDEBIT_SENT", "OPEN", "RESOLVED"]


class RecoveryCaseOut(Public):
    """A returned funding debit: OPEN holds the employer's pay runs until it is resolved."""

    id: int
    employer_id: int
    payrun_id: str
    payment_id: int
    return_code: str
    amount: str
    status: CaseStatus
    redebit_on: str | None  # when the re-debit is (or was) presented
    redebits: int
    resolution: Action | None
    note: str | None
    opened_at: str
    resolved_at: str | None


class ResolveIn(Strict):
    """redebit: debit the employer again now; wire: the employer wired the money; write_off:
    the loss is booked. The note goes to the audit log."""

    action: Action
    note: Text | None = None


def _out(case: svc.CaseView) -> RecoveryCaseOut:
    return RecoveryCaseOut(
        id=case.id,
        employer_id=case.employer_id,
        payrun_id=case.run_id,
        payment_id=case.payment_id,
        return_code=case.return_code,
        amount=money(case.amount_cents),
        status=case.status,
        redebit_on=case.redebit_on.isoformat() if case.redebit_on else None,
        redebits=case.redebits,
        resolution=_ACTION_OF[case.resolution] if case.resolution else None,
        note=case.note,
        opened_at=utc_text(case.opened_at) or "",
        resolved_at=utc_text(case.resolved_at),
    )


@router.get("")
def list_recovery_cases(
    who: Viewer,
    ctx: Context,
    status: CaseStatus | None = None,
    employer_id: Annotated[Id | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
) -> Page[RecoveryCaseOut]:
    query = svc.CaseQuery(status, employer_id, who.employer_ids, decode_cursor(cursor), limit + 1)
    cases = svc.find_cases(ctx, query)
    return Page[RecoveryCaseOut](**page([_out(c) for c in cases], [c.id for c in cases], limit))


@router.get("/{case_id}")
def get_recovery_case(case_id: Id, who: Viewer, ctx: Context) -> RecoveryCaseOut:
    case = svc.get_case(ctx, case_id)
    in_scope(who, case.employer_id, "recovery case", case_id)
    return _out(case)


@router.post("/{case_id}/resolve", status_code=202, response_model=RecoveryCaseOut)
async def resolve_recovery_case(
    case_id: Id,
    body: ResolveIn,
    who: Operator,
    ctx: Context,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Resolve an open case (Idempotency-Key required: a re-debit moves money). The same key
    and body answer as the first time and do nothing more; another body is a conflict."""
    case = await run_in_threadpool(svc.get_case, ctx, case_id)
    in_scope(who, case.employer_id, "recovery case", case_id)

    async def work() -> RecoveryCaseOut:
        actor, resolution = f"api-key:{who.key_id}", ACTIONS[body.action].value
        try:
            resolved = await run_in_threadpool(
                svc.resolve_case, ctx, case_id, resolution, body.note or "", actor
            )
        except svc.CaseNotOpen as error:
            raise Problem(409, "case_not_open", error.problem, "status") from None
        audit_detail(request, recovery_case_id=case_id, action=body.action)
        return _out(resolved)

    action, sent = f"recovery.resolve:{case_id}", body.model_dump(mode="json")
    return await once(request, ctx, who, action, idempotency_key, sent, 202, work, required=True)
