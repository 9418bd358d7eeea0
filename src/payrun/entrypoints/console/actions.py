"""The console's actions (POST): log in and out, and, for operators, start a run and resolve a
dead letter. Forms carry the session's CSRF token; the Guard audits each of them."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, quote

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from payrun.adapters.db import console_queries as views
from payrun.domain.errors import InvalidInput
from payrun.entrypoints.console.session import COOKIE, SESSION_SECONDS, principal
from payrun.entrypoints.console.view import (
    context_of,
    login_first,
    not_found,
    render,
    settings_of,
)
from payrun.services import dead_letter_views
from payrun.services.api_keys import Principal
from payrun.services.context import utc_now
from payrun.services.errors import NotFound
from payrun.services.messages import RedriveInput

router = APIRouter(prefix="/console", include_in_schema=False)
log = structlog.get_logger("payrun.console")


@router.get("/login")
def login_page(request: Request, next: str = "/console/runs") -> HTMLResponse:
    return render(request, "login.html", None, next=_local(next), error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    key, target = form.get("api_key", "").strip(), _local(form.get("next", "/console/runs"))
    who = await run_in_threadpool(request.app.state.keys.check, key, utc_now()) if key else None
    if who is None:
        log.info("console.login_refused")  # the request id, never the key
        error = "That key is unknown, revoked or expired."
        return render(request, "login.html", None, 401, next=target, error=error)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        request.app.state.console_sessions.seal(key),
        max_age=SESSION_SECONDS,
        path="/console",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console", secure=True, httponly=True, samesite="strict")
    return response


def _local(target: str) -> str:
    """Only a console path: never a redirect off the site."""
    return target if target.startswith("/console") and "//" not in target else "/console/runs"


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {key: values[0] for key, values in parse_qs(body, max_num_fields=20).items()}


@router.post("/runs")
async def start_run(request: Request) -> Response:
    """Start a pay run for a schedule's next unpaid (or a given) period: the CLI's path."""
    who = principal(request)
    if who is None:
        return login_first(request)
    form = await _form(request)
    if not _allowed(request, who, form):
        return render(request, "message.html", who, 403, title="Forbidden",
                      message="Starting a run needs the operator role.")  # fmt: skip
    from payrun.entrypoints.runner import RunRequest, plan_run

    scope = tuple(sorted(who.employer_ids)) if who.employer_ids is not None else ()
    run = RunRequest(form.get("schedule", ""), form.get("period") or None, "regular", scope)
    try:
        inp = await run_in_threadpool(plan_run, settings_of(request), run)
    except (InvalidInput, NotFound) as error:
        return render(request, "message.html", who, 422, title="Not started", message=str(error))
    await request.app.state.temporal.start_run(inp)
    await _opened(settings_of(request).db_url, inp.run_id)
    return RedirectResponse(f"/console/runs/{quote(inp.run_id)}", status_code=303)


async def _opened(db_url: str, run_id: str, wait: float = 15.0) -> None:  # float ok: seconds
    """Until the run's first activity has recorded it (a second or so), so its page has it."""
    import asyncio

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            await run_in_threadpool(views.run_summary, db_url, run_id, None)
            return
        except NotFound:
            await asyncio.sleep(0.2)


def _allowed(request: Request, who: Principal, form: dict[str, str]) -> bool:
    sessions = request.app.state.console_sessions
    return who.may("operator") and sessions.csrf_ok(request.cookies.get(COOKIE), form.get("csrf"))


@router.post("/dead-letters/{letter_id}/resolve")
async def resolve(request: Request, letter_id: int) -> Response:
    """Retry (the Redrive workflow, as `payrun redrive`) or skip with a reason."""
    who = principal(request)
    if who is None:
        return login_first(request)
    form = await _form(request)
    if not _allowed(request, who, form):
        return render(request, "message.html", who, 403, title="Forbidden",
                      message="Resolving dead letters needs the operator role.")  # fmt: skip
    ctx = context_of(request)
    try:
        letter = await run_in_threadpool(
            dead_letter_views.get_letter, ctx.reading_unit_of_work(), letter_id
        )
        if not who.sees(letter["employer_id"]):
            raise NotFound("dead letter", letter_id)
    except NotFound as error:
        return not_found(request, who, error)
    if form.get("resolution") == "skip":
        reason = form.get("reason", "").strip() or "skipped in the console"
        actor = f"api-key:{who.key_id}"
        await run_in_threadpool(
            dead_letter_views.skip_letters,
            ctx.unit_of_work(),
            [letter_id],
            reason[:200],
            actor,
            utc_now(),
        )
    else:
        chunk = settings_of(request).chunk_size
        await request.app.state.temporal.start_redrive(
            RedriveInput([letter_id], None, "retry", chunk)
        )
    return RedirectResponse("/console/dead-letters", status_code=303)
