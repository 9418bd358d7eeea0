"""Funding before credits, through the real workflows: the employer's debit goes first in its
own file; credits wait for it to settle. A debit the bank refuses holds the credits (never
sent) and alerts; a prefunded employer within its exposure limit is paid without waiting."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import DeadLetter, Employer, NotificationRecord, Payment
from payrun.adapters.db.models_more import FilingOutbox
from payrun.entrypoints.runner import RunRequest, plan_run
from payrun.services.filing_events import record_debit_settled
from tests.integration.test_recovery import run_next_period
from tests.integration.test_returns import PaidRun, copy_paid_run
from tests.integration.test_run_planning import schedule_of


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def bank_refuses_the_next_debit(paid: PaidRun) -> tuple[str, Path]:
    """The bank's acknowledgment rejects the next run's funding file; (payment key, drop)."""
    run_id = plan_run(paid.settings, RunRequest(schedule_of(paid), None)).run_id
    key = f"{run_id}-{paid.employer_id}-payment-1"
    drop = paid.settings.output_dir / "bank-drop"
    (drop / "ack").mkdir(parents=True, exist_ok=True)
    ack = {"status": "rejected", "message": "R02 account closed"}
    (drop / "ack" / f"{key}-funding.json").write_text(json.dumps(ack))
    return key, drop


def set_trust(paid: PaidRun, prefunded: bool, limit_cents: int) -> None:
    with transaction(paid.settings.db_url) as session:
        session.execute(
            update(Employer)
            .where(Employer.id == paid.employer_id)
            .values(prefunded=prefunded, exposure_limit_cents=limit_cents)
        )


def test_a_refused_debit_holds_the_credits_and_alerts(paid: PaidRun) -> None:
    key, drop = bank_refuses_the_next_debit(paid)

    outcome = asyncio.run(run_next_period(paid))

    assert outcome[paid.employer_id] == "DEAD_LETTERED"
    assert (drop / f"{key}-funding.ach").exists()  # the debit went first ...
    assert not (drop / f"{key}.ach").exists()  # ... and the credits never followed
    with transaction(paid.settings.db_url) as session:
        letter = session.scalar(
            select(DeadLetter).where(
                DeadLetter.run_id == outcome.run_id, DeadLetter.employer_id == paid.employer_id
            )
        )
        alert = session.scalar(
            select(NotificationRecord.event).where(
                NotificationRecord.idempotency_key == f"{key}-funding-held"
            )
        )
        payment = session.scalar(select(Payment).where(Payment.idempotency_key == key))
    assert letter is not None and (letter.step, letter.error_type) == (
        "funding_state",
        "downstream_timeout",
    )
    assert alert == "funding.held"
    assert payment is not None and payment.status == "CANCELLED"  # nothing was sent


def test_a_prefunded_employer_within_its_limit_is_paid_without_waiting(paid: PaidRun) -> None:
    key, drop = bank_refuses_the_next_debit(paid)
    set_trust(paid, prefunded=True, limit_cents=10_000_000_00)

    outcome = asyncio.run(run_next_period(paid))

    assert outcome[paid.employer_id] == "PAID"
    assert (drop / f"{key}-funding.ach").exists() and (drop / f"{key}.ach").exists()


def test_the_filings_service_hears_of_a_prefunded_debit_only_once_it_settles(
    paid: PaidRun,
) -> None:
    key, _ = bank_refuses_the_next_debit(paid)
    set_trust(paid, prefunded=True, limit_cents=10_000_000_00)
    asyncio.run(run_next_period(paid))
    with transaction(paid.settings.db_url) as session:
        payment = session.scalar(select(Payment).where(Payment.idempotency_key == key))
        assert payment is not None and payment.status == "PAID"  # the credits settled ...
        assert payment.funding_status != "SETTLED"  # ... the refused debit did not
    assert debit_events(paid, payment.id) == 0  # so its taxes may not be paid over yet

    with transaction(paid.settings.db_url) as session:  # the bank collects it after all
        session.execute(
            update(Payment).where(Payment.id == payment.id).values(funding_status="SETTLED")
        )
    now = datetime.now(UTC)
    assert record_debit_settled(paid.settings.db_url, payment.id, now) == 1
    assert record_debit_settled(paid.settings.db_url, payment.id, now) == 0  # once
    assert debit_events(paid, payment.id) == 1


def debit_events(paid: PaidRun, payment_id: int) -> int:
    with transaction(paid.settings.db_url) as session:
        return len(
            session.scalars(
                select(FilingOutbox.id).where(FilingOutbox.idempotency_key == f"debit:{payment_id}")
            ).all()
        )


def test_a_prefunded_employer_over_its_limit_waits_like_any_other(paid: PaidRun) -> None:
    key, drop = bank_refuses_the_next_debit(paid)
    set_trust(paid, prefunded=True, limit_cents=1_00)  # $1.00: any payroll exceeds it

    outcome = asyncio.run(run_next_period(paid))

    assert outcome[paid.employer_id] == "DEAD_LETTERED"
    assert not (drop / f"{key}.ach").exists()
