"""Idempotency-Keys through the unit of work, on fakes: claimed before the work, answered
after it, replayed to a retry, refused with another body, and let go when the work fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from payrun.services import idempotency as idem
from tests.unit.services.fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CREATE = idem.KeyedRequest(7, "employer.create", "k-1", idem.body_digest({"ein": "12-3456789"}))


def test_the_first_request_claims_the_key_and_a_retry_gets_its_answer() -> None:
    uow = FakeUnitOfWork()
    assert idem.begin(uow, CREATE, NOW) is None  # claimed: do the work
    assert uow.commits == 1 and uow.api_requests.rows[(7, "employer.create", "k-1")].status is None
    idem.finish(uow, CREATE, idem.Answer(201, {"id": 3}))
    assert idem.begin(uow, CREATE, NOW + timedelta(days=1)) == idem.Answer(201, {"id": 3})


def test_the_digest_ignores_key_order_but_not_values() -> None:
    assert idem.body_digest({"a": 1, "b": "x"}) == idem.body_digest({"b": "x", "a": 1})
    assert idem.body_digest({"a": 1}) != idem.body_digest({"a": 2})


def test_the_same_key_with_another_body_is_refused_answered_or_not() -> None:
    uow = FakeUnitOfWork()
    other = idem.KeyedRequest(7, "employer.create", "k-1", idem.body_digest({"ein": "other"}))
    idem.begin(uow, CREATE, NOW)
    with pytest.raises(idem.KeyReused):
        idem.begin(uow, other, NOW)
    idem.finish(uow, CREATE, idem.Answer(201, {"id": 3}))
    with pytest.raises(idem.KeyReused):
        idem.begin(uow, other, NOW)


def test_a_key_belongs_to_its_api_key_and_action() -> None:
    uow = FakeUnitOfWork()
    idem.begin(uow, CREATE, NOW)
    idem.finish(uow, CREATE, idem.Answer(201, {"id": 3}))
    for key_id, action in ((8, "employer.create"), (7, "employee.create:3")):
        assert idem.begin(uow, idem.KeyedRequest(key_id, action, "k-1", CREATE.digest), NOW) is None


def test_a_retry_while_the_first_is_at_work_is_told_so_until_the_claim_is_taken_over() -> None:
    uow = FakeUnitOfWork()
    idem.begin(uow, CREATE, NOW)
    with pytest.raises(idem.RequestInProgress):
        idem.begin(uow, CREATE, NOW + idem.TAKE_OVER_AFTER - timedelta(seconds=1))
    # the first request died unanswered: a later retry does the work (guarded by the action)
    assert idem.begin(uow, CREATE, NOW + idem.TAKE_OVER_AFTER) is None
    assert uow.api_requests.rows[(7, "employer.create", "k-1")].created_at == (
        NOW + idem.TAKE_OVER_AFTER
    )


def test_work_that_failed_lets_the_key_go_but_never_an_answered_one() -> None:
    uow = FakeUnitOfWork()
    idem.begin(uow, CREATE, NOW)
    idem.let_go(uow, CREATE)
    assert uow.api_requests.rows == {}
    assert idem.begin(uow, CREATE, NOW) is None  # sent again (corrected): a new request
    idem.finish(uow, CREATE, idem.Answer(201, {"id": 3}))
    idem.let_go(uow, CREATE)
    assert idem.begin(uow, CREATE, NOW) == idem.Answer(201, {"id": 3})
