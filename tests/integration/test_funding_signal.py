"""The "debit settled" signal point for the filings service's WAIT_FOR_DEBITS: a settled funding
debit is listed and recorded once as an event; one that came back is not, until resolved."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import NotificationRecord, Payment
from payrun.services.funding import FundingDebitSettled, debits_settled
from payrun.services.recovery import resolve_case
from payrun.services.returns import process_returns
from tests.integration.test_recovery import funding_debit
from tests.integration.test_returns import (
    PaidRun,
    Recorder,
    Returned,
    context,
    copy_paid_run,
    return_file,
)


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def test_a_settled_debit_is_signalled_once_and_withdrawn_while_it_is_returned(
    paid: PaidRun,
) -> None:
    ctx = context(paid, Recorder())
    with transaction(paid.settings.db_url) as session:
        debit_total = session.scalar(
            select(Payment.debit_total_cents).where(Payment.id == paid.payment_id)
        )
        events = session.scalars(
            select(NotificationRecord.idempotency_key).where(
                NotificationRecord.event == "funding.debit_settled",
                NotificationRecord.employer_id == paid.employer_id,
            )
        ).all()
    mine = FundingDebitSettled(
        paid.run_id, paid.employer_id, paid.payment_id, int(debit_total or 0)
    )

    assert debits_settled(ctx, paid.run_id, paid.employer_id) == [mine]
    assert len(events) == 1  # recorded by the pay run's settlement, once

    process_returns(ctx, return_file(paid, [Returned("R02", funding_debit(paid))]))
    assert debits_settled(ctx, paid.run_id, paid.employer_id) == []
    resolve_case(ctx, 1, "wire", "wired 2026-12-07")
    assert debits_settled(ctx, paid.run_id, paid.employer_id) == [mine]
