"""The employer's California EDD account number goes from its registration to the EDD: in the
enrolment payroll sends (again when it is new), in the filings service's profile, and in every
DE 88 / DE 9 item queued for the EDD, never in the IRS's; without one the items still go."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Employer, FilingOutbox
from payrun.filings import batches, service
from payrun.filings import keys as k
from payrun.filings.events import EmployerEnrolled
from payrun.filings.messages import Submission
from payrun.filings.store import FilingsStore
from payrun.services.filing_events import record_filing_events
from tests.integration.filings.test_routing import ENROLLED, _ca, _envelopes
from tests.integration.test_returns import PaidRun, copy_paid_run

CA_DEPOSIT, FEDERAL_DEPOSIT = "3-ca_deposit-CQ2026Q1", "3-federal_deposit-M2026-01"


def _queued(store: FilingsStore, agency: str, filing_id: str, attempt: int = 1) -> dict[str, Any]:
    item_id = batches.enqueue(store, Submission(agency, filing_id, attempt, 230_00))
    found = store.get(k.queue_pk(agency), f"ITEM#{item_id}")
    assert found is not None
    return dict(found["payload"])


def test_edd_items_carry_the_ca_account_number_and_irs_items_do_not(database_url: str) -> None:
    store = FilingsStore(database_url)
    enrolled = replace(ENROLLED, state_account="12345678")
    routes = service.receive(store, _envelopes(enrolled, *_ca("2026-01-15", 200_00, 30_00)))
    assert {r.filing_id for r in routes} == {FEDERAL_DEPOSIT, CA_DEPOSIT}
    edd = _queued(store, "EDD", CA_DEPOSIT)
    assert (edd["ein"], edd["state_account"]) == ("12-3456783", "12345678")
    assert "state_account" not in _queued(store, "IRS", FEDERAL_DEPOSIT)


def test_an_enrolment_sent_before_the_number_was_kept_still_files_and_a_later_one_is_used(
    database_url: str,
) -> None:
    store = FilingsStore(database_url)
    old = {key: v for key, v in asdict(ENROLLED).items() if key != "state_account"}
    envelopes = [
        {"type": "EmployerEnrolled", "event": old},
        *_envelopes(*_ca("2026-01-15", 200_00, 30_00)),
    ]
    service.receive(store, envelopes)
    assert _queued(store, "EDD", CA_DEPOSIT)["state_account"] == ""
    # the employer registers its number: payroll's next enrolment carries it, and the next
    # attempt of the same deposit reads it (the filing itself did not change)
    later = replace(ENROLLED, event_id="enrol:3:2026:87654321", state_account="87654321")
    assert service.receive(store, _envelopes(later)) == []
    assert _queued(store, "EDD", CA_DEPOSIT, attempt=2)["state_account"] == "87654321"


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


def _enrolments(paid: PaidRun) -> list[tuple[str, dict[str, Any]]]:
    with transaction(paid.settings.db_url) as session:
        rows = session.execute(
            select(FilingOutbox.idempotency_key, FilingOutbox.payload)
            .where(
                FilingOutbox.event_type == "EmployerEnrolled",
                FilingOutbox.employer_id == paid.employer_id,
            )
            .order_by(FilingOutbox.id)
        )
        return [(key, dict(payload)) for key, payload in rows]


def test_payroll_enrols_again_when_the_employer_registers_a_new_ca_number(paid: PaidRun) -> None:
    ((_, first),) = _enrolments(paid)
    year = first["year"]
    with transaction(paid.settings.db_url) as session:
        session.execute(
            update(Employer)
            .where(Employer.id == paid.employer_id)
            .values(state_registrations={"CA": "76543210"})
        )
        now = datetime.now(UTC)
        assert record_filing_events(session, paid.run_id, paid.employer_id, now) == 1
        assert record_filing_events(session, paid.run_id, paid.employer_id, now) == 0  # once
    (_, before), (key, after) = _enrolments(paid)
    assert before == first
    assert key == f"enrol:{paid.employer_id}:{year}:76543210"
    assert after["state_account"] == "76543210"
    assert {**after, "event_id": "", "state_account": ""} == {
        **first,
        "event_id": "",
        "state_account": "",
    }
    assert EmployerEnrolled(**after).state_account == "76543210"


def test_a_number_changed_back_or_removed_is_sent_again_and_an_unchanged_one_never(
    paid: PaidRun,
) -> None:
    """none -> A -> B -> A -> none -> none: each change is one more enrolment, in order."""
    ((_, first),) = _enrolments(paid)
    a, b = {"CA": "12345678"}, {"CA": "76543210"}
    for registrations in (a, b, a, {}, {}):
        with transaction(paid.settings.db_url) as session:
            session.execute(
                update(Employer)
                .where(Employer.id == paid.employer_id)
                .values(state_registrations=registrations)
            )
            record_filing_events(session, paid.run_id, paid.employer_id, datetime.now(UTC))
    sent = [payload["state_account"] for _, payload in _enrolments(paid)]
    assert first["state_account"] == ""
    assert sent == ["", "12345678", "76543210", "12345678", ""]
    assert len({key for key, _ in _enrolments(paid)}) == 5
