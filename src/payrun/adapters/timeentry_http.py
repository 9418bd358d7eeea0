"""Client of the time-entry service: ask for hours worked; the answer comes by callback."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import structlog

from payrun.adapters.http_retry import default_timeout, request_with_retries

log = structlog.get_logger(__name__)


class TimeEntryRefused(Exception):
    """The time-entry service refused the request itself (4xx): retrying will not help."""


@dataclass(frozen=True, slots=True)
class TimeEntryAck:
    request_id: str
    duplicate: bool


class TimeEntryClient:
    """Safe to call twice with the same request_id (the service answers the latest token)."""

    def __init__(
        self,
        base_url: str,
        callback_url: str | None,
        timeout: float = 10.0,  # float ok: time
        attempts: int = 4,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.callback_url = callback_url
        self._attempts = attempts
        self._http = http or httpx.Client(timeout=default_timeout(timeout))

    def request_hours(
        self,
        request_id: str,
        employer_id: int,
        period_start: date,
        period_end: date,
        employee_ids: list[int],
        callback_token: bytes | None,
    ) -> TimeEntryAck:
        """Hand the question over; raises TimeEntryRefused (4xx) or DownstreamUnavailable."""
        body: dict[str, Any] = {
            "request_id": request_id,
            "employer_id": employer_id,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "employee_ids": list(employee_ids),
            "callback_url": self.callback_url if callback_token is not None else None,
            "callback_token_b64": base64.b64encode(callback_token).decode()
            if callback_token is not None
            else None,
        }
        response = request_with_retries(
            self._http,
            "POST",
            f"{self.base_url}/v1/timesheet-requests",
            attempts=self._attempts,
            json=body,
        )
        if 400 <= response.status_code < 500:
            raise TimeEntryRefused(f"HTTP {response.status_code}: {response.text[:500]}")
        response.raise_for_status()
        data = response.json()
        log.info(
            "hours requested",
            request_id=request_id,
            employer_id=employer_id,
            employees=len(employee_ids),
            duplicate=data["duplicate"],
        )
        return TimeEntryAck(data["request_id"], bool(data["duplicate"]))

    def close(self) -> None:
        self._http.close()
