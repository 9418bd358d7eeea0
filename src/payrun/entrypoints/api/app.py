"""The FastAPI application factory: settings, security middlewares, problems, routes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.entrypoints.api import problems
from payrun.entrypoints.api.middleware import Guard
from payrun.entrypoints.api.routes import ROUTERS
from payrun.entrypoints.api.settings import ApiSettings
from payrun.entrypoints.api.temporal import TemporalGateway
from payrun.entrypoints.api.throttle import Throttle
from payrun.entrypoints.console import mount_console
from payrun.services.api_keys import KeyChecker

API_VERSION = "1"


def create_app(settings: Settings, api: ApiSettings, temporal: TemporalGateway) -> FastAPI:
    """One app over one database and Temporal; nothing global, so tests build as many as
    they need."""
    app = FastAPI(
        title="payrun",
        version=API_VERSION,
        description="Payroll: employers, employees, time, pay runs, paychecks, dead letters,"
        " recovery cases.",
        docs_url=None,  # the docs page loads scripts the security headers forbid; see the schema
        redoc_url=None,
        openapi_url="/openapi.json",
        responses=problems.RESPONSES,
    )
    app.state.ctx = build_context(settings)
    app.state.settings = settings
    app.state.api = api
    app.state.keys = KeyChecker(app.state.ctx.reading_unit_of_work)
    throttle = Throttle(api.rate_per_key, api.rate_per_address, api.rate_storage)
    app.state.throttle = throttle
    app.state.temporal = temporal
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    mount_console(app)  # /console: the web console on the same keys, roles and scoping
    if api.cors_origins:  # off unless origins are named
        app.add_middleware(
            CORSMiddleware,
            allow_origins=api.cors_origins,
            allow_methods=["GET", "POST", "PATCH"],
            allow_headers=["authorization", "content-type", "idempotency-key"],
        )
    app.add_middleware(
        Guard, settings=api, throttle=throttle, unit_of_work=app.state.ctx.unit_of_work
    )
    _problems_in_schema(app)
    return app


def _problems_in_schema(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problems.problem_media_type(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
