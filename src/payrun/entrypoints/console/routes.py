"""The console's pages (GET, any role the key has): thin over the read queries."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from payrun.adapters.db import console_queries as views
from payrun.domain.errors import InvalidInput
from payrun.entrypoints.console.session import principal
from payrun.entrypoints.console.view import (
    PER_PAGE,
    PageNumber,
    context_of,
    login_first,
    not_found,
    render,
    settings_of,
)
from payrun.services import dead_letter_views
from payrun.services.api_keys import Principal
from payrun.services.errors import NotFound

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("")
def home() -> RedirectResponse:
    return RedirectResponse("/console/runs", status_code=303)


@router.get("/runs")
def runs_page(request: Request, page: PageNumber = 1) -> Response:
    who = principal(request)
    if who is None:
        return login_first(request)
    settings = settings_of(request)
    runs = views.list_runs(settings.db_url, who.employer_ids, (page - 1) * PER_PAGE, PER_PAGE + 1)
    return render(
        request, "runs.html", who, runs=runs[:PER_PAGE], page=page, more=len(runs) > PER_PAGE
    )


def _run_context(request: Request, who: Principal, run_id: str, page: int) -> dict[str, Any]:
    settings = settings_of(request)
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
        return login_first(request)
    try:
        return render(request, "run.html", who, **_run_context(request, who, run_id, page))
    except NotFound as error:
        return not_found(request, who, error)


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
        return login_first(request)
    settings = settings_of(request)
    try:
        run = views.run_summary(settings.db_url, run_id, who.employer_ids)
        employees = views.run_employees(
            settings.db_url, run_id, employer_id, who.employer_ids, (page - 1) * PER_PAGE,
            PER_PAGE + 1,
        )  # fmt: skip
    except NotFound as error:
        return not_found(request, who, error)
    more = len(employees) > PER_PAGE
    return render(
        request, "employer.html", who, run=run, employer_id=employer_id,
        employees=employees[:PER_PAGE], page=page, more=more,
    )  # fmt: skip


@router.get("/employees/{employee_id}")
def employee_page(request: Request, employee_id: int) -> Response:
    who = principal(request)
    if who is None:
        return login_first(request)
    try:
        history = views.employee_history(
            settings_of(request).db_url, employee_id, who.employer_ids, PER_PAGE
        )
    except NotFound as error:
        return not_found(request, who, error)
    return render(request, "employee.html", who, e=history, transitions=views.TRANSITIONS)


@router.get("/dead-letters")
def dead_letters_page(
    request: Request,
    after: Annotated[int, Query(ge=0)] = 0,
    error_type: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    who = principal(request)
    if who is None:
        return login_first(request)
    query = dead_letter_views.LetterQuery(
        error_type or None, "OPEN", after, PER_PAGE + 1, who.employer_ids
    )
    letters = dead_letter_views.list_letters(context_of(request).reading_unit_of_work(), query)
    return render(request, "dead_letters.html", who, letters=letters[:PER_PAGE],
                  next_after=letters[PER_PAGE - 1]["id"] if len(letters) > PER_PAGE else None,
                  error_type=error_type or "")  # fmt: skip


FILING_STATUSES = "^(pending|blocked|submitted|filed|rejected)?$"


@router.get("/filings")
def filings_page(
    request: Request,
    page: PageNumber = 1,
    status: Annotated[
        str | None, Query(pattern="^(pending|blocked|submitted|filed|rejected)?$")
    ] = None,
) -> Response:
    """Tax deposits and returns by due date, as the filings service last reported them."""
    from payrun.services.filing_updates import filings_due

    who = principal(request)
    if who is None:
        return login_first(request)
    rows = filings_due(
        settings_of(request).db_url, who.employer_ids, status, (page - 1) * PER_PAGE, PER_PAGE + 1
    )
    return render(request, "filings.html", who, filings=rows[:PER_PAGE], page=page,
                  more=len(rows) > PER_PAGE, status_filter=status or "")  # fmt: skip


@router.get("/paychecks/{paycheck_id}/stub.{kind}")
def stub(request: Request, paycheck_id: int, kind: str) -> Response:
    from payrun.adapters.db.documents import SqlDocumentReader
    from payrun.adapters.render import stub_html, stub_pdf
    from payrun.services.stubs import load_stub

    who = principal(request)
    if who is None:
        return login_first(request)
    try:
        view = load_stub(
            SqlDocumentReader(settings_of(request).db_url), paycheck_id, who.employer_ids
        )
    except InvalidInput as error:
        return not_found(request, who, error)
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
        return login_first(request)
    try:
        view = load_receipt(
            SqlDocumentReader(settings_of(request).db_url), run_id, employer_id, who.employer_ids
        )
    except InvalidInput as error:
        return not_found(request, who, error)
    return Response(receipt_pdf(view), media_type="application/pdf")


_STATIC = {"console.css": "text/css", "console.js": "text/javascript"}


@router.get("/static/{name}")
def static(name: str) -> Response:
    from importlib.resources import files

    if name not in _STATIC:
        return Response(status_code=404)
    body = files("payrun.entrypoints.console").joinpath("static", name).read_bytes()
    return Response(body, media_type=_STATIC[name])
