"""Idempotency-Keys on the API's POSTs: the first request with a key does the work and its
answer is kept; a retry with the same key and body gets that answer back and does nothing; the
same key with another body is refused.

A key is claimed (recorded unanswered) in its own transaction before the work starts, so two
requests with one key never both do the work: the second is told the first is in progress. A
claim whose request died before answering is taken over after ``TAKE_OVER_AFTER``; the work
it may have done is then met by the action's own guard (a taken EIN or external id, a
paycheck already voided), never done twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from payrun.services.errors import Conflict
from payrun.services.unit_of_work import AlreadyRecorded, UnitOfWork

TAKE_OVER_AFTER = timedelta(minutes=5)
FIELD = "Idempotency-Key"


class KeyReused(Conflict):
    """The key came before with another body."""


class RequestInProgress(Conflict):
    """The first request with this key has not answered yet: send it again later."""


@dataclass(frozen=True)
class KeyedRequest:
    key_id: int  # the API key that sent it: keys are per caller
    action: str  # what the POST does and to what: "employer.create", "paycheck.void:12"
    key: str
    digest: str  # of the body (body_digest)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def body_digest(body: Any) -> str:
    """The same JSON content (whatever its key order) gives the same digest."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def begin(uow: UnitOfWork, request: KeyedRequest, now: datetime) -> Answer | None:
    """The kept answer to replay, or None once the key is claimed for this request."""
    with uow:
        seen = uow.api_requests.find(request.key_id, request.action, request.key)
        if seen is not None:
            if seen.digest != request.digest:
                raise KeyReused(FIELD, "was used before with another body")
            if seen.status is not None:
                return Answer(seen.status, seen.body or {})
            if now - seen.created_at < TAKE_OVER_AFTER:
                raise RequestInProgress(FIELD, "the first request with this key is in progress")
            uow.api_requests.release(request.key_id, request.action, request.key)
        uow.api_requests.claim(request.key_id, request.action, request.key, request.digest, now)
        try:
            uow.commit()
        except AlreadyRecorded:  # another request claimed it between our read and write
            raise RequestInProgress(
                FIELD, "the first request with this key is in progress"
            ) from None
    return None


def finish(uow: UnitOfWork, request: KeyedRequest, answer: Answer) -> None:
    """Keep the answer: every later request with this key and body gets it."""
    with uow:
        uow.api_requests.answer(
            request.key_id, request.action, request.key, answer.status, answer.body
        )
        uow.commit()


def let_go(uow: UnitOfWork, request: KeyedRequest) -> None:
    """The request failed before answering: the key may be sent again (a corrected body is
    then a new request, not a reuse)."""
    with uow:
        uow.api_requests.release(request.key_id, request.action, request.key)
        uow.commit()
