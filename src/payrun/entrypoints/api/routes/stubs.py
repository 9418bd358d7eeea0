"""/v1/paychecks/{id}/stub: the pay stub as PDF or HTML, by the Accept header (viewer)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from payrun.adapters.db.documents import SqlDocumentReader
from payrun.entrypoints.api.deps import Context, Viewer
from payrun.entrypoints.api.problems import Problem
from payrun.entrypoints.api.schemas import Id
from payrun.services.stubs import NotFound, load_stub

router = APIRouter(prefix="/v1/paychecks", tags=["paychecks"])
_PDF, _HTML = "application/pdf", "text/html"


@router.get(
    "/{paycheck_id}/stub",
    response_class=Response,
    responses={200: {"content": {_PDF: {}, _HTML: {}}}, 406: {}},
)
def get_stub(paycheck_id: Id, who: Viewer, ctx: Context, request: Request) -> Response:
    kind = _wanted(request.headers.get("accept", _PDF))
    try:
        stub = load_stub(SqlDocumentReader(ctx.db_url), paycheck_id, who.employer_ids)
    except NotFound:
        raise Problem(404, "not_found", f"no paycheck {paycheck_id}") from None
    from payrun.adapters.render import stub_html, stub_pdf

    if kind == _HTML:
        return HTMLResponse(stub_html(stub))
    return Response(stub_pdf(stub), media_type=_PDF)


def _wanted(accept: str) -> str:
    """PDF unless HTML is asked for (and PDF is not); 406 for anything else."""
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if _PDF in kinds or "*/*" in kinds or "application/*" in kinds:
        return _PDF
    if _HTML in kinds or "text/*" in kinds:
        return _HTML
    raise Problem(406, "not_acceptable", f"the stub is {_PDF} or {_HTML}", "Accept")
