"""Annotated dependency aliases the routes declare: who calls, with which role, and the
services' context."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from payrun.entrypoints.api.auth import requiring
from payrun.entrypoints.api.problems import Problem
from payrun.entrypoints.api.temporal import TemporalGateway
from payrun.services.api_keys import Principal
from payrun.services.context import PayrollContext
from payrun.services.unit_of_work import UnitOfWork

Viewer = Annotated[Principal, Depends(requiring("viewer"))]
Operator = Annotated[Principal, Depends(requiring("operator"))]
Admin = Annotated[Principal, Depends(requiring("admin"))]


def _context(request: Request) -> PayrollContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def _unit_of_work(request: Request) -> UnitOfWork:
    return request.app.state.ctx.unit_of_work()  # type: ignore[no-any-return]  # bootstrap's


def _reading_unit_of_work(request: Request) -> UnitOfWork:
    return request.app.state.ctx.reading_unit_of_work()  # type: ignore[no-any-return]


def _temporal(request: Request) -> TemporalGateway:
    return request.app.state.temporal  # type: ignore[no-any-return]


def require_idempotency_key(idempotency_key: str | None) -> str:
    """The Idempotency-Key header every POST that creates or moves money carries."""
    if not idempotency_key or not idempotency_key.strip():
        raise Problem(
            422,
            "idempotency_key_required",
            "send an Idempotency-Key header",
            field="Idempotency-Key",
        )
    return idempotency_key.strip()


Context = Annotated[PayrollContext, Depends(_context)]
# The Idempotency-Key header (payrun.entrypoints.api.idempotency): optional where declared so,
# checked by the route where a POST requires it.
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
Temporal = Annotated[TemporalGateway, Depends(_temporal)]
Uow = Annotated[UnitOfWork, Depends(_unit_of_work)]
ReadingUow = Annotated[UnitOfWork, Depends(_reading_unit_of_work)]  # for handlers that only read


def audit_detail(request: Request, **details: object) -> None:
    """Add what a change did (ids it created) to the audit record the middleware writes."""
    request.state.audit = {**getattr(request.state, "audit", {}), **details}
