"""The console's pages (GET, viewer) and actions (POST, operator): thin over the services."""

from __future__ import annotations

import time
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

import structlog
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from payrun.adapters.db import console_queries as views
from payrun.adapters.render import formats
from payrun.domain.errors import InvalidInput
from payrun.entrypoints.console.session import COOKIE, SESSION_SECONDS, principal
from payrun.services import dead_letter_views
from payrun.services.api_keys import Principal
from payrun.services.context import utc_now
from payrun.services.errors import NotFound
from payrun.services.messages import RedriveInput

router = APIRouter(prefix="/console", include_in_schema=False)
log = structlog.get_logger("payrun.console")
PER_PAGE = 50
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


@lru_cache(maxsize=1)
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("payrun.entrypoints.console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(money=formats.money, when=_when, quote=quote)
    return env


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def render(request: Request, template: str, who: Principal | None, status: int = 200,
           **context: Any) -> HTMLResponse:  # fmt: skip
    cookie = request.cookies.get(COOKIE)
    sessions = request.app.state.console_sessions
    html = (
        _templates()
        .get_template(template)
        .render(
            who=who,
            operator=bool(who and who.may("operator")),
            csrf=sessions.csrf(cookie) if cookie else "",
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)


def _login_first(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/console/login?next={quote(request.url.path)}", status_code=303)


def _not_found(request: Request, who: Principal, error: Exception) -> HTMLResponse:
    return render(request, "message.html", who, 404, title="Not found", message=str(error))


def _settings(request: Request) -> Any:
    return request.app.state.settings


@router.get("")
def home() -> RedirectResponse:
    return RedirectResponse("/console/runs", status_code=303)


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


@router.get("/runs")
def runs_page(request: Request, page: PageNumber = 1) -> Response:
    who = principal(request)
    if who is None:
        return _login_first(request)
    settings = _settings(request)
    runs = views.list_runs(settings.db_url, who.employer_ids, (page - 1) * PER_PAGE, PER_PAGE + 1)
    return render(
        request, "runs.html", who, runs=runs[:PER_PAGE], page=page, more=len(runs) > PER_PAGE
    )


@router.post("/runs")
async def start_run(request: Request) -> Response:
    """Start a pay run for a schedule's next unpaid (or a given) period: the CLI's path."""
    who = principal(request)
    if who is None:
        return _login_first(request)
    form = await _form(request)
    if not _allowed(request, who, form):
        return render(request, "message.html", who, 403, title="Forbidden",
                      message="Starting a run needs the operator role.")  # fmt: skip
    from payrun.entrypoints.runner import RunRequest, plan_run

    scope = tuple(sorted(who.employer_ids)) if who.employer_ids is not None else ()
    run = RunRequest(form.get("schedule", ""), form.get("period") or None, "regular", scope)
    try:
        inp = await run_in_threadpool(plan_run, _settings(request), run)
    except (InvalidInput, NotFound) as error:
        return render(request, "message.html", who, 422, title="Not started", message=str(error))
    await request.app.state.temporal.start_run(inp)
    await _opened(_settings(request).db_url, inp.run_id)
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


def _run_context(request: Request, who: Principal, run_id: str, page: int) -> dict[str, Any]:
    settings = _settings(request)
    run = views.run_summary(settings.db_url, run_id, who.employer_ids)
    employers = views.run_employers(
        settings.db_url, run_id, who.employer_ids, (page - 1) * PER_PAGE, PER_PAGE + 1
    )
    return {
        "run": run,
        "employers": employers[:PER_PAGE],
        "page": page,
        "more": len(employers) > PER_PAGE,
        "temporal_url": _temporal_url(settings, run_id),
    }


def _temporal_url(settings: Any, run_id: str) -> str:
    import os

    base = (
        os.environ.get("PAYRUN_TEMPORAL_UI_URL") or f"http://127.0.0.1:{settings.temporal_ui_port}"
    )
    return f"{base.rstrip('/')}/namespaces/{settings.temporal_namespace}/workflows/{quote(run_id)}"


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: str, page: PageNumber = 1) -> Response:
    who = principal(request)
    if who is None:
        return _login_first(request)
    try:
        return render(request, "run.html", who, **_run_context(request, who, run_id, page))
    except NotFound as error:
        return _not_found(request, who, error)


@router.get("/runs/{run_id}/progress")
def run_progress(request: Request, run_id: str, page: PageNumber = 1) -> Response:
    """The part of the run page that changes, polled by console.js until the run is done."""
    who = principal(request)
    if who is None:
        return Response(status_code=401)
    try:
        return render(request, "_progress.html", who, **_run_context(request, who, run_id, page))
    except NotFound:
        return Response(status_code=404)


@router.get("/runs/{run_id}/employers/{employer_id}")
def employer_page(
    request: Request, run_id: str, employer_id: int, page: PageNumber = 1
) -> Response:
    who = principal(request)
    if who is None:
        return _login_first(request)
    settings = _settings(request)
    try:
        run = views.run_summary(settings.db_url, run_id, who.employer_ids)
        employees = views.run_employees(
            settings.db_url, run_id, employer_id, who.employer_ids, (page - 1) * PER_PAGE,
            PER_PAGE + 1,
        )  # fmt: skip
    except NotFound as error:
        return _not_found(request, who, error)
    more = len(employees) > PER_PAGE
    return render(
        request, "employer.html", who, run=run, employer_id=employer_id,
        employees=employees[:PER_PAGE], page=page, more=more,
    )  # fmt: skip


@router.get("/employees/{employee_id}")
def employee_page(request: Request, employee_id: int) -> Response:
    who = principal(request)
    if who is None:
        return _login_first(request)
    try:
        history = views.employee_history(
            _settings(request).db_url, employee_id, who.employer_ids, PER_PAGE
        )
    except NotFound as error:
        return _not_found(request, who, error)
    return render(request, "employee.html", who, e=history, transitions=views.TRANSITIONS)


@router.get("/dead-letters")
def dead_letters_page(
    request: Request,
    after: Annotated[int, Query(ge=0)] = 0,
    error_type: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    who = principal(request)
    if who is None:
        return _login_first(request)
    query = dead_letter_views.LetterQuery(
        error_type or None, "OPEN", after, PER_PAGE + 1, who.employer_ids
    )
    letters = dead_letter_views.list_letters(_settings(request).db_url, query)
    return render(request, "dead_letters.html", who, letters=letters[:PER_PAGE],
                  next_after=letters[PER_PAGE - 1]["id"] if len(letters) > PER_PAGE else None,
                  error_type=error_type or "")  # fmt: skip


@router.post("/dead-letters/{letter_id}/resolve")
async def resolve(request: Request, letter_id: int) -> Response:
    """Retry (the Redrive workflow, as `payrun redrive`) or skip with a reason."""
    who = principal(request)
    if who is None:
        return _login_first(request)
    form = await _form(request)
    if not _allowed(request, who, form):
        return render(request, "message.html", who, 403, title="Forbidden",
                      message="Resolving dead letters needs the operator role.")  # fmt: skip
    db_url = _settings(request).db_url
    try:
        letter = await run_in_threadpool(dead_letter_views.get_letter, db_url, letter_id)
        if not who.sees(letter["employer_id"]):
            raise NotFound("dead letter", letter_id)
    except NotFound as error:
        return _not_found(request, who, error)
    if form.get("resolution") == "skip":
        reason = form.get("reason", "").strip() or "skipped in the console"
        actor = f"api-key:{who.key_id}"
        await run_in_threadpool(
            dead_letter_views.skip_letters, db_url, [letter_id], reason[:200], actor, utc_now()
        )
    else:
        chunk = _settings(request).chunk_size
        await request.app.state.temporal.start_redrive(
            RedriveInput([letter_id], None, "retry", chunk)
        )
    return RedirectResponse("/console/dead-letters", status_code=303)


@router.get("/paychecks/{paycheck_id}/stub.{kind}")
def stub(request: Request, paycheck_id: int, kind: str) -> Response:
    from payrun.adapters.db.documents import SqlDocumentReader
    from payrun.adapters.render import stub_html, stub_pdf
    from payrun.services.stubs import load_stub

    who = principal(request)
    if who is None:
        return _login_first(request)
    try:
        view = load_stub(
            SqlDocumentReader(_settings(request).db_url), paycheck_id, who.employer_ids
        )
    except InvalidInput as error:
        return _not_found(request, who, error)
    if kind == "pdf":
        return Response(stub_pdf(view), media_type="application/pdf")
    return HTMLResponse(stub_html(view))


@router.get("/runs/{run_id}/employers/{employer_id}/receipt.pdf")
def receipt(request: Request, run_id: str, employer_id: int) -> Response:
    from payrun.adapters.db.documents import SqlDocumentReader
    from payrun.adapters.render import receipt_pdf
    from payrun.services.stubs import load_receipt

    who = principal(request)
    if who is None:
        return _login_first(request)
    try:
        view = load_receipt(
            SqlDocumentReader(_settings(request).db_url), run_id, employer_id, who.employer_ids
        )
    except InvalidInput as error:
        return _not_found(request, who, error)
    return Response(receipt_pdf(view), media_type="application/pdf")


_STATIC = {"console.css": "text/css", "console.js": "text/javascript"}


@router.get("/static/{name}")
def static(name: str) -> Response:
    from importlib.resources import files

    if name not in _STATIC:
        return Response(status_code=404)
    body = files("payrun.entrypoints.console").joinpath("static", name).read_bytes()
    return Response(body, media_type=_STATIC[name])
