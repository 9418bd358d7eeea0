"""One HTTP request with bounded retries on transient failures (connection errors, 5xx, 429).

Only for requests that are safe to repeat: idempotency keys or natural request ids.
"""

from __future__ import annotations

import random
import time
from typing import Any

import httpx
import structlog

from payrun.adapters.redact import safe_url

log = structlog.get_logger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class DownstreamUnavailable(Exception):
    """The downstream system could not be reached or kept failing; worth retrying later."""


def default_timeout(read: float) -> httpx.Timeout:  # float ok: time
    return httpx.Timeout(read, connect=min(read, 3.0), write=read, pool=read)


def request_with_retries(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    attempts: int = 4,
    backoff: float = 0.2,  # float ok: time
    **kwargs: Any,
) -> httpx.Response:
    """The first non-transient response; DownstreamUnavailable after `attempts` tries."""
    problem = ""
    for attempt in range(1, attempts + 1):
        try:
            response = http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            problem = type(exc).__name__
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            problem = f"HTTP {response.status_code}"
        log.info("downstream retry", url=safe_url(url), attempt=attempt, problem=problem)
        if attempt < attempts:
            time.sleep(backoff * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))
    raise DownstreamUnavailable(f"{method} {safe_url(url)}: {problem} after {attempts} attempts")
