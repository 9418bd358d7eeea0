"""/metrics: the process's Prometheus metrics (its worker's, when it hosts one, and the
dead-letter depth), for a scraper holding a viewer key (no personal data, but business
volumes)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from payrun.adapters.metrics import watch_dead_letters
from payrun.entrypoints.api.deps import Viewer

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response)
def metrics(who: Viewer, request: Request) -> Response:
    watch_dead_letters(request.app.state.settings.db_url)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
