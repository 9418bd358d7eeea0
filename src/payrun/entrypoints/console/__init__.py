"""The web console under /console of `payrun api`: server-rendered pages over the API's keys,
roles and employer scoping."""

from __future__ import annotations

import os

from fastapi import FastAPI

from payrun.entrypoints.console.session import Sessions


def mount_console(app: FastAPI) -> None:
    """Add the console's routes to the API app (which holds the keys, settings and Temporal)."""
    from payrun.entrypoints.console import actions, routes

    app.state.console_sessions = Sessions(os.environ.get("PAYRUN_CONSOLE_SECRET"))
    app.include_router(routes.router)
    app.include_router(actions.router)
