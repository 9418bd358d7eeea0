"""Updates from the filings service reach payroll shuffled and duplicated; the state ends right."""

from __future__ import annotations

import random

import pytest

from payrun.adapters.db.engine import migrate
from payrun.domain.errors import InvalidInput
from payrun.filings.events import FilingUpdate
from payrun.services.filing_updates import apply_update, filing_statuses


def _update(kind: str, minute: int, sequence: int = 0, **extra: object) -> FilingUpdate:
    return FilingUpdate(
        filing_id="7-fed-S2026-04-22",
        employer_id=7,
        filing_type="federal_deposit",
        update_type=kind,
        at=f"2026-04-27T10:{minute:02d}:00+00:00",
        sequence=sequence,
        period="S2026-04-22",
        due="2026-04-29",
        amount_cents=123_456,
        **extra,  # type: ignore[arg-type]
    )


LIFE = [
    _update("opened", 0),
    _update("blocked", 1, reason="funding debit 12 not settled"),
    _update("opened", 2),
    _update("submitted", 3),
    _update("filed", 3, sequence=1, ack_id="IRS-ACK-1"),  # same instant: sequence decides
]


@pytest.mark.parametrize("seed", range(8))
def test_shuffled_and_duplicated_updates_end_in_the_newest_state(
    database_url: str, seed: int
) -> None:
    migrate(database_url)
    deliveries = LIFE * 3
    random.Random(seed).shuffle(deliveries)
    for update in deliveries:
        apply_update(database_url, update)
    (row,) = filing_statuses(database_url, employer_id=7)
    assert (row["status"], row["ack_id"], row["reason"]) == ("filed", "IRS-ACK-1", None)
    # each update is in the history once, in the order it happened
    assert [h["type"] for h in row["history"]] == [u.update_type for u in LIFE]


def test_an_older_update_changes_nothing(database_url: str) -> None:
    migrate(database_url)
    assert apply_update(database_url, _update("filed", 5, ack_id="A-1"))
    assert not apply_update(database_url, _update("blocked", 4, reason="late"))
    assert not apply_update(database_url, _update("filed", 5, ack_id="A-1"))
    (row,) = filing_statuses(database_url)
    assert (row["status"], row["ack_id"]) == ("filed", "A-1")


def test_an_unknown_update_type_is_refused(database_url: str) -> None:
    migrate(database_url)
    with pytest.raises(InvalidInput, match="update_type"):
        apply_update(database_url, _update("deleted", 1))
    assert filing_statuses(database_url) == []
