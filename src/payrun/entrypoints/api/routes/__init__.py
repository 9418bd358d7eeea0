"""One module per resource, each an APIRouter(prefix, tags)."""

from __future__ import annotations

from payrun.entrypoints.api.routes import (
    dead_letters,
    employees,
    employers,
    health,
    metrics,
    paychecks,
    payruns,
    recovery_cases,
    schedules,
    stubs,
)

ROUTERS = (
    health.router,
    employers.router,
    employees.router,
    paychecks.router,
    payruns.router,
    dead_letters.router,
    recovery_cases.router,
    schedules.router,
    stubs.router,
    metrics.router,
)
