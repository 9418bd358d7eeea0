"""Dead letters through the unit of work, on fakes: pages scoped by employer, skips all or
nothing, each skip audited with its reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from payrun.services.dead_letter_views import (
    LetterQuery,
    get_letter,
    list_letters,
    open_letters_of_type,
    skip_letters,
)
from payrun.services.errors import Conflict, NotFound
from payrun.services.records import DeadLetterView
from tests.unit.services.fakes import FakeUnitOfWork

FAILED = datetime(2026, 1, 9, 17, 0, tzinfo=UTC)
NOW = datetime(2026, 1, 10, 9, 30, tzinfo=UTC)


def _letter(letter_id: int, employer_id: int, **changes: object) -> DeadLetterView:
    values: dict[str, object] = {
        "id": letter_id,
        "run_id": "payrun-1-2026-01",
        "employer_id": employer_id,
        "employee_id": 40 + letter_id,
        "step": "calculate",
        "error_type": "validation",
        "error": "employee.w4.filing_status: unknown",
        "attempts": 1,
        "status": "OPEN",
        "resolution": None,
        "first_failed_at": FAILED,
        "last_failed_at": FAILED,
        "resolved_at": None,
    }
    return DeadLetterView(**(values | changes))  # type: ignore[arg-type]


def _uow(*letters: DeadLetterView) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.dead_letters.rows = {letter.id: letter for letter in letters}
    return uow


def test_a_letter_reads_as_the_api_shows_it() -> None:
    uow = _uow(_letter(1, 7, employee_id=0, error="x" * 3000))
    uow.read_only = True  # reading commits nothing
    shown = get_letter(uow, 1)
    assert shown["payrun_id"] == "payrun-1-2026-01"
    assert shown["employee_id"] is None  # 0: the employer as a whole
    assert len(shown["error"]) == 2000
    assert (shown["first_failed_at"], shown["resolved_at"]) == ("2026-01-09T17:00:00+00:00", None)
    with pytest.raises(NotFound):
        get_letter(uow, 2)


def test_a_page_starts_after_the_cursor_and_keeps_to_status_type_and_employers() -> None:
    uow = _uow(
        _letter(1, 7),
        _letter(2, 8),
        _letter(3, 7, status="SKIPPED"),
        _letter(4, 7, error_type="bank_return"),
        _letter(5, 7),
        _letter(6, 7),
    )
    query = LetterQuery(error_type="validation", after_id=1, limit=2, only_employers=frozenset({7}))
    assert [row["id"] for row in list_letters(uow, query)] == [5, 6]
    assert [row["id"] for row in list_letters(uow, LetterQuery(status=None))] == [1, 2, 3, 4, 5, 6]


def test_open_letters_of_a_type_are_only_those_of_employers_the_key_sees() -> None:
    uow = _uow(_letter(1, 7), _letter(2, 8), _letter(3, 7, status="RESOLVED"), _letter(4, 7))
    assert open_letters_of_type(uow, "validation", None) == [1, 2, 4]
    assert open_letters_of_type(uow, "validation", frozenset({7})) == [1, 4]
    assert open_letters_of_type(uow, "bank_return", None) == []


def test_a_skip_closes_each_letter_and_audits_its_reason() -> None:
    uow = _uow(_letter(1, 7), _letter(2, 7))
    assert skip_letters(uow, [2, 1, 2], "duplicate employee", "api-key:" + "9" * 70, NOW) == 2
    closed = uow.dead_letters.rows[1]
    assert (closed.status, closed.resolution, closed.resolved_at) == ("SKIPPED", "skip", NOW)
    assert [(e.subject, e.details["reason"], at) for e, at in uow.audit.rows] == [
        ("dead-letter-1", "duplicate employee", NOW),
        ("dead-letter-2", "duplicate employee", NOW),
    ]
    entry = uow.audit.rows[0][0]
    assert (entry.action, entry.outcome, len(entry.actor)) == ("dead_letter.skipped", "ok", 64)
    assert uow.commits == 1


def test_a_skip_with_an_unknown_id_names_it_and_closes_nothing() -> None:
    uow = _uow(_letter(1, 7))
    with pytest.raises(NotFound) as error:
        skip_letters(uow, [1, 9, 8], "r", "cli", NOW)
    assert error.value.ident == 8
    assert (uow.dead_letters.rows[1].status, uow.audit.rows, uow.commits) == ("OPEN", [], 0)


def test_a_skip_of_a_letter_no_longer_open_is_a_conflict_and_closes_none_of_them() -> None:
    uow = _uow(_letter(1, 7), _letter(2, 7, status="RESOLVED"))
    with pytest.raises(Conflict) as error:
        skip_letters(uow, [1, 2], "r", "cli", NOW)
    assert (error.value.field, error.value.problem) == ("status", "dead letter 2 is RESOLVED")
    assert (uow.dead_letters.rows[1].status, uow.audit.rows, uow.commits) == ("OPEN", [], 0)
