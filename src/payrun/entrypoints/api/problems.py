"""RFC 9457 problem details: every error the API returns, with a stable code and the request id.

No stack trace, SQL or secret ever reaches a body: unexpected errors become a bare 500 whose
log line names only the exception type and the request id.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from payrun.domain.ach.reversals import ReversalWindowClosed
from payrun.domain.errors import InvalidInput, PayrollError
from payrun.services.errors import Conflict, NotFound
from payrun.services.idempotency import KeyReused, RequestInProgress
from payrun.services.schema.amounts import problem as amount_problem

MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger("payrun.api")

_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Missing, unknown, revoked or expired API key"),
    403: ("forbidden", "This key's role may not do this"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("body_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Send application/json"),
    422: ("invalid_input", "Invalid input"),
    429: ("rate_limited", "Too many requests"),
    500: ("internal", "Internal error"),
    503: ("unavailable", "Service unavailable"),
    504: ("timeout", "The request took too long"),
}
_RETRYABLE = frozenset({429, 500, 502, 503, 504})


class ProblemOut(BaseModel):
    """RFC 9457 problem details, as every error of this API is answered."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    retryable: bool
    request_id: str
    instance: str
    field: str | None = None


RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ProblemOut, "description": "A problem with the request (RFC 9457)"},
    "5XX": {"model": ProblemOut, "description": "A problem on our side (RFC 9457)"},
}


def problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """In the OpenAPI document, error responses are application/problem+json."""
    for operation in (op for path in schema.get("paths", {}).values() for op in path.values()):
        for status, response in operation.get("responses", {}).items():
            content = response.get("content", {})
            if status in ("4XX", "5XX") and "application/json" in content:
                content[MEDIA_TYPE] = content.pop("application/json")
    return schema


class Problem(Exception):
    """An error the API answers with: status, stable code, and the field at fault if any."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        detail: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        retryable: bool | None = None,
    ) -> None:
        default_code, title = _HTTP_CODES.get(status, ("error", "Error"))
        super().__init__(detail or title)
        self.status, self.code, self.title = status, code or default_code, title
        self.detail, self.field, self.headers = detail or title, field, headers or {}
        self.retryable = status in _RETRYABLE if retryable is None else retryable


def not_found(what: str, ident: object) -> Problem:
    return Problem(404, "not_found", f"no {what} {ident}")


def request_id_of(scope: Any) -> str:
    return str(scope.get("state", {}).get("request_id", ""))


def body(problem: Problem, request_id: str, instance: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": f"https://payrun.dev/problems/{problem.code}",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "code": problem.code,
        "retryable": problem.retryable,
        "request_id": request_id,
        "instance": instance,
    }
    if problem.field:
        data["field"] = problem.field
    return data


def response(problem: Problem, request_id: str, instance: str) -> JSONResponse:
    return JSONResponse(
        body(problem, request_id, instance),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=problem.headers,
    )


def _answer(request: Request, problem: Problem) -> JSONResponse:
    return response(problem, request_id_of(request.scope), request.url.path)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """pydantic's location without FastAPI's leading 'body'/'query': employee.w4.step4c_extra."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts if p not in ("quick path", "checked")) or "body"


def _first_error(errors: list[Any]) -> dict[str, Any]:
    """The first error as the amount checks word it (schema.amounts: an amount's quick path
    that refused an input is followed by the checks' own error, labelled)."""
    first = dict(errors[0]) if errors else {"type": "invalid", "loc": (), "msg": "invalid"}
    loc = tuple(first.get("loc", ()))
    if loc[-1:] == ("quick path",) and first["type"] != "extra_forbidden" and len(errors) > 1:
        checked = dict(errors[1])
        first = {**checked, "loc": tuple(checked["loc"])[:-1]}
    return first


def _validation_detail(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if kind in ("missing",):
        return "is required"
    return amount_problem(error)[:300]  # type: ignore[arg-type]


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return _answer(request, error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first = _first_error(list(error.errors()))
        loc = tuple(first.get("loc", ()))
        field = "body" if first.get("type") == "json_invalid" else field_path(loc)
        return _answer(request, Problem(422, "invalid_input", _validation_detail(first), field))

    @app.exception_handler(InvalidInput)
    async def _invalid_input(request: Request, error: InvalidInput) -> JSONResponse:
        return _answer(request, Problem(422, "invalid_input", error.problem, error.field))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, error: NotFound) -> JSONResponse:
        return _answer(request, Problem(404, "not_found", str(error)))

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, error: Conflict) -> JSONResponse:
        if isinstance(error, RequestInProgress):
            problem = Problem(
                409, "request_in_progress", error.problem, error.field, retryable=True
            )
            return _answer(request, problem)
        code = "idempotency_key_reused" if isinstance(error, KeyReused) else "conflict"
        return _answer(request, Problem(409, code, error.problem, error.field))

    @app.exception_handler(ReversalWindowClosed)
    async def _window(request: Request, error: ReversalWindowClosed) -> JSONResponse:
        return _answer(request, Problem(409, "reversal_window_closed", str(error)[:300]))

    @app.exception_handler(PayrollError)
    async def _payroll(request: Request, error: PayrollError) -> JSONResponse:
        return _answer(request, Problem(422, "payroll_rule", str(error)[:300]))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else None
        return _answer(
            request, Problem(error.status_code, detail=detail, headers=dict(error.headers or {}))
        )
