"""What every console page shares: its templates, the session's CSRF token, the redirects."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from payrun.adapters.render import formats
from payrun.entrypoints.console.session import COOKIE
from payrun.services.api_keys import Principal
from payrun.services.context import PayrollContext

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


def login_first(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/console/login?next={quote(request.url.path)}", status_code=303)


def not_found(request: Request, who: Principal, error: Exception) -> HTMLResponse:
    return render(request, "message.html", who, 404, title="Not found", message=str(error))


def settings_of(request: Request) -> Any:
    return request.app.state.settings


def context_of(request: Request) -> PayrollContext:
    """The services' context the app was built with (its unit-of-work factories)."""
    return request.app.state.ctx  # type: ignore[no-any-return]
