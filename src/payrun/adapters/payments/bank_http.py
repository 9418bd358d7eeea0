"""PaymentProvider over the bank's HTTP API: submit once per idempotency key, answer by callback."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import httpx
import structlog

from payrun.adapters.http_retry import default_timeout, request_with_retries
from payrun.services.ports import PaymentBatch, PaymentReceipt, ProviderStatus

log = structlog.get_logger(__name__)


class BankHttpProvider:
    """Implements PaymentProvider. Retries only what the Idempotency-Key makes safe to repeat.

    Raises payrun.adapters.http_retry.DownstreamUnavailable when the bank stays unreachable
    (retryable); a batch the bank refuses outright comes back as accepted=False.
    """

    name = "bank-http"

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
        # The outcome arrives by callback only if we told the bank where to send it.
        self.asynchronous = callback_url is not None
        self._attempts = attempts
        self._http = http or httpx.Client(timeout=default_timeout(timeout))

    def submit(self, batch: PaymentBatch, callback_token: bytes | None) -> PaymentReceipt:
        response = self._request(
            "POST",
            "/v1/batches",
            json=self._body(batch, callback_token),
            headers={"Idempotency-Key": batch.idempotency_key},
        )
        if response.status_code == 202:
            data = response.json()
            log.info(
                "batch handed to bank",
                run_id=batch.run_id,
                employer_id=batch.employer_id,
                reference=data["reference"],
                duplicate=data["duplicate"],
            )
            return PaymentReceipt(data["reference"], accepted=True, duplicate=data["duplicate"])
        if 400 <= response.status_code < 500:
            message = f"HTTP {response.status_code}: {_detail(response)}"
            log.warning(
                "bank refused batch",
                run_id=batch.run_id,
                employer_id=batch.employer_id,
                status=response.status_code,
            )
            return PaymentReceipt("", accepted=False, message=message)
        response.raise_for_status()
        raise httpx.HTTPStatusError(
            f"unexpected HTTP {response.status_code}", request=response.request, response=response
        )

    def cancel(self, idempotency_key: str) -> bool:
        response = self._request("POST", f"/v1/batches/{quote(idempotency_key, safe='')}/cancel")
        if response.status_code == 404:
            return False
        response.raise_for_status()
        return bool(response.json()["cancelled"])

    def status(self, idempotency_key: str) -> dict[str, Any] | None:
        """The bank's view of a batch (status, outcome, settlements), or None if unknown."""
        response = self._request("GET", f"/v1/batches/{quote(idempotency_key, safe='')}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return dict(response.json())

    def payment_status(self, idempotency_key: str) -> ProviderStatus:
        """The bank's record of the batch: accepted, settled, rejected, cancelled, or unknown."""
        found = self.status(idempotency_key)
        if found is None:
            return ProviderStatus("unknown")
        outcome = found.get("outcome") or {}
        message = str(outcome.get("error") or outcome.get("message") or "")
        return ProviderStatus(str(found["status"]), str(found.get("reference") or ""), message)

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return request_with_retries(
            self._http, method, self.base_url + path, attempts=self._attempts, **kwargs
        )

    def _body(self, batch: PaymentBatch, callback_token: bytes | None) -> dict[str, Any]:
        return {
            "nacha_b64": base64.b64encode(batch.nacha).decode(),
            "employer_id": batch.employer_id,
            "run_id": batch.run_id,
            "credit_total_cents": batch.credit_total_cents,
            "entry_count": batch.entry_count,
            "callback_url": self.callback_url if callback_token is not None else None,
            "callback_token_b64": _b64(callback_token),
        }


def _b64(token: bytes | None) -> str | None:
    return base64.b64encode(token).decode() if token is not None else None


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", ""))[:500]
    except ValueError:
        return response.text[:500]
