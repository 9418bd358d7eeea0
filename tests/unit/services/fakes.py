"""In-memory fakes of the storage seam: handlers tested in milliseconds, no database."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Self

from payrun.services.unit_of_work import AlreadyRecorded, NewEmployee, NewNotification


class FakeEmployers:
    def __init__(self, ids: set[int]) -> None:
        self.ids = ids

    def exists(self, employer_id: int) -> bool:
        return employer_id in self.ids


class FakeEmployees:
    def __init__(self) -> None:
        self.rows: dict[int, NewEmployee] = {}

    def external_id_taken(self, employer_id: int, external_id: str) -> bool:
        return any(
            e.employer_id == employer_id and e.external_id == external_id
            for e in self.rows.values()
        )

    def add(self, employee: NewEmployee) -> int:
        new_id = len(self.rows) + 1
        self.rows[new_id] = employee
        return new_id


class FakeNotifications:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, object]] = {}
        self.taken_by_another: set[str] = set()  # keys a concurrent writer commits first

    def status_of(self, idempotency_key: str) -> str | None:
        row = self.rows.get(idempotency_key)
        return None if row is None else str(row["status"])

    def add(self, notification: NewNotification) -> None:
        if notification.idempotency_key in self.taken_by_another:
            raise AlreadyRecorded
        row = {"record": notification, "status": "PENDING", "attempts": 0, "sent_at": None}
        self.rows[notification.idempotency_key] = row

    def finish(self, idempotency_key: str, status: str, sent_at: datetime | None) -> None:
        row = self.rows[idempotency_key]
        row |= {"status": status, "sent_at": sent_at, "attempts": int(row["attempts"]) + 1}  # type: ignore[call-overload]


class FakeUnitOfWork:
    """What is added inside ``with`` shows in ``committed`` only after ``commit()``."""

    def __init__(self, employer_ids: set[int] | None = None) -> None:
        self.employers = FakeEmployers(employer_ids or {1})
        self.employees = FakeEmployees()
        self.notifications = FakeNotifications()
        self.committed: dict[int, NewEmployee] = {}
        self.commits = 0

    def __enter__(self) -> Self:
        self.employees.rows = dict(self.committed)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.employees.rows = dict(self.committed)  # uncommitted work is gone

    def commit(self) -> None:
        self.committed = dict(self.employees.rows)
        self.commits += 1


class PlainVault:
    """Marks what it 'encrypts', so a test can see a secret was never stored in clear."""

    def encrypt(self, text: str) -> bytes:
        return b"enc:" + text[::-1].encode()
