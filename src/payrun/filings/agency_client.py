"""The agencies' batch endpoints over HTTP (IRS-like and EDD-like): send, then ask."""

from __future__ import annotations

from typing import Any

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class AgencyUnavailable(Exception):
    """The agency could not be reached or answered 5xx: retry later."""


class BatchUnknown(Exception):
    """The agency has no record of the batch (it lost it): send it again."""


class AgencyClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def send_batch(self, batch_id: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        """POST the batch; the agency dedupes by batch id, so a retry sends nothing twice."""
        body = {"batch_id": batch_id, "items": items}
        return self._call("POST", "/batches", json=body, headers={"Idempotency-Key": batch_id})

    def batch_status(self, batch_id: str) -> dict[str, Any]:
        return self._call("GET", f"/batches/{batch_id}")

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = httpx.request(method, self.base_url + path, timeout=TIMEOUT, **kwargs)
        except httpx.HTTPError as exc:
            raise AgencyUnavailable(f"{method} {path}: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise AgencyUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code == 404 and method == "GET":
            raise BatchUnknown(path)
        response.raise_for_status()
        return dict(response.json())
