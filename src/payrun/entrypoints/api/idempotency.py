"""Idempotency-Key on the POSTs that create or move money: the first answer, kept and replayed.

``once`` wraps a route's work: without a key the work runs (where the key is optional); with
one, a retry of the same body gets the first answer (``Idempotent-Replayed: true``) and the
work runs once. Pay run starts keep their own record (payrun.services.payrun_requests).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from payrun.entrypoints.api.deps import audit_detail, require_idempotency_key
from payrun.services import idempotency as idem
from payrun.services.api_keys import Principal
from payrun.services.context import PayrollContext, utc_now

REPLAYED = "Idempotent-Replayed"


async def once(
    request: Request,
    ctx: PayrollContext,
    who: Principal,
    action: str,
    idempotency_key: str | None,
    body: Any,
    status: int,
    work: Callable[[], Awaitable[BaseModel]],
    *,
    required: bool,
) -> JSONResponse:
    """Answer with ``work()``'s model at ``status`` once per key; ``body`` is what the
    request carried (JSON values), ``action`` names what it does and to what."""
    if not required and not (idempotency_key and idempotency_key.strip()):
        return _json(status, await work())
    key = require_idempotency_key(idempotency_key)
    keyed = idem.KeyedRequest(who.key_id, action, key, idem.body_digest(body))
    kept = await run_in_threadpool(idem.begin, ctx.unit_of_work(), keyed, utc_now())
    if kept is not None:
        audit_detail(request, replayed=True)
        return JSONResponse(kept.body, status_code=kept.status, headers={REPLAYED: "true"})
    try:
        out = await work()
    except BaseException:
        await run_in_threadpool(idem.let_go, ctx.unit_of_work(), keyed)
        raise
    answer = idem.Answer(status, out.model_dump(mode="json"))
    await run_in_threadpool(idem.finish, ctx.unit_of_work(), keyed, answer)
    return JSONResponse(answer.body, status_code=status)


def _json(status: int, out: BaseModel) -> JSONResponse:
    return JSONResponse(out.model_dump(mode="json"), status_code=status)
