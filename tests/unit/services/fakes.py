"""In-memory fakes of the storage seam: handlers tested in milliseconds, no database."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from payrun.services.records import (
    AuditEntry,
    DeadLetterView,
    EmployerChanges,
    EmployerView,
    LetterQuery,
    NewApiKey,
    NewEmployee,
    NewEmployer,
    NewNotification,
    NewSchedule,
    PaycheckQuery,
    PaycheckView,
    SeenRequest,
    StoredApiKey,
)
from payrun.services.unit_of_work import AlreadyRecorded


class FakeSchedules:
    def __init__(self) -> None:
        self.rows: dict[int, NewSchedule] = {}

    def find(self, frequency: str, first_period_start: date) -> int | None:
        for schedule_id, s in self.rows.items():
            if (s.frequency, s.first_period_start) == (frequency, first_period_start):
                return schedule_id
        return None

    def add(self, schedule: NewSchedule) -> int:
        new_id = len(self.rows) + 1
        self.rows[new_id] = schedule
        return new_id


class FakeEmployers:
    """`ids`: employers that only exist (for hiring into); `rows`: employers added in full."""

    def __init__(self, ids: set[int], schedules: FakeSchedules) -> None:
        self.ids = ids
        self.schedules = schedules
        self.rows: dict[int, dict[str, Any]] = {}

    def exists(self, employer_id: int) -> bool:
        return employer_id in self.ids or employer_id in self.rows

    def ein_taken(self, ein: str) -> bool:
        return any(row["ein"] == ein for row in self.rows.values())

    def add(self, employer: NewEmployer) -> int:
        new_id = max([0, *self.ids, *self.rows]) + 1
        self.rows[new_id] = {**dataclasses.asdict(employer), "active": True}
        return new_id

    def view(self, employer_id: int) -> EmployerView | None:
        row = self.rows.get(employer_id)
        if row is None:
            return None
        schedule = self.schedules.rows[row["schedule_id"]]
        fields = {f.name for f in dataclasses.fields(EmployerView)}
        return EmployerView(
            id=employer_id,
            schedule=schedule.name,
            frequency=schedule.frequency,
            first_period_start=schedule.first_period_start,
            **{k: v for k, v in row.items() if k in fields},
        )

    def change(self, employer_id: int, changes: EmployerChanges) -> None:
        given = {k: v for k, v in dataclasses.asdict(changes).items() if v is not None}
        self.rows[employer_id] |= given

    def page(self, after_id: int, limit: int, only: frozenset[int] | None) -> list[EmployerView]:
        ids = sorted(i for i in self.rows if i > after_id and (only is None or i in only))
        return [v for v in map(self.view, ids[:limit]) if v is not None]


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


class FakeApiKeys:
    def __init__(self) -> None:
        self.rows: dict[int, StoredApiKey] = {}

    def add(self, key: NewApiKey) -> int:
        new_id = len(self.rows) + 1
        self.rows[new_id] = StoredApiKey(id=new_id, revoked_at=None, **dataclasses.asdict(key))
        return new_id

    def by_prefix(self, prefix: str) -> StoredApiKey | None:
        return next((k for k in self.rows.values() if k.prefix == prefix), None)

    def get(self, key_id: int) -> StoredApiKey | None:
        return self.rows.get(key_id)

    def every(self) -> list[StoredApiKey]:
        return [self.rows[i] for i in sorted(self.rows)]

    def revoke(self, key_id: int, at: datetime) -> None:
        self.rows[key_id] = dataclasses.replace(self.rows[key_id], revoked_at=at)


class FakeAudit:
    def __init__(self) -> None:
        self.rows: list[tuple[AuditEntry, datetime]] = []

    def add(self, entry: AuditEntry, at: datetime) -> None:
        self.rows.append((entry, at))


class FakeDeadLetters:
    def __init__(self) -> None:
        self.rows: dict[int, DeadLetterView] = {}

    def page(self, query: LetterQuery) -> list[DeadLetterView]:
        found = [
            d
            for _, d in sorted(self.rows.items())
            if d.id > query.after_id
            and (not query.status or d.status == query.status)
            and (not query.error_type or d.error_type == query.error_type)
            and (query.only_employers is None or d.employer_id in query.only_employers)
        ]
        return found[: query.limit]

    def get(self, letter_id: int) -> DeadLetterView | None:
        return self.rows.get(letter_id)

    def several(self, letter_ids: list[int]) -> list[DeadLetterView]:
        return [self.rows[i] for i in sorted(set(letter_ids)) if i in self.rows]

    def open_of_type(self, error_type: str) -> list[tuple[int, int]]:
        return [
            (d.id, d.employer_id)
            for _, d in sorted(self.rows.items())
            if d.status == "OPEN" and d.error_type == error_type
        ]

    def close(self, letter_id: int, status: str, resolution: str, at: datetime) -> None:
        letter = self.rows[letter_id]
        self.rows[letter_id] = dataclasses.replace(
            letter, status=status, resolution=resolution, resolved_at=at
        )


class FakePaychecks:
    def __init__(self) -> None:
        self.rows: dict[int, PaycheckView] = {}

    def get(self, paycheck_id: int) -> PaycheckView | None:
        return self.rows.get(paycheck_id)

    def page(self, query: PaycheckQuery) -> list[PaycheckView]:
        wanted = {
            "run_id": query.run_id,
            "employee_id": query.employee_id,
            "employer_id": query.employer_id,
        }
        found = [
            p
            for _, p in sorted(self.rows.items())
            if p.id > query.after_id
            and all(v is None or getattr(p, k) == v for k, v in wanted.items())
            and (query.only_employers is None or p.employer_id in query.only_employers)
        ]
        return found[: query.limit]

    def employer_of(self, paycheck_id: int) -> int | None:
        found = self.rows.get(paycheck_id)
        return None if found is None else found.employer_id


class FakeApiRequests:
    def __init__(self) -> None:
        self.rows: dict[tuple[int, str, str], SeenRequest] = {}

    def find(self, key_id: int, action: str, key: str) -> SeenRequest | None:
        return self.rows.get((key_id, action, key))

    def claim(self, key_id: int, action: str, key: str, digest: str, at: datetime) -> None:
        self.rows[(key_id, action, key)] = SeenRequest(digest, at, None, None)

    def answer(self, key_id: int, action: str, key: str, status: int, body: dict[str, Any]) -> None:
        seen = self.rows[(key_id, action, key)]
        self.rows[(key_id, action, key)] = dataclasses.replace(seen, status=status, body=body)

    def release(self, key_id: int, action: str, key: str) -> None:
        if (seen := self.rows.get((key_id, action, key))) is not None and seen.status is None:
            del self.rows[(key_id, action, key)]


class FakeUnitOfWork:
    """What is added inside ``with`` shows in ``committed`` only after ``commit()``; the other
    repositories' rows are put back the same way. ``read_only``: ``commit()`` refuses, as the
    reading unit of work does."""

    def __init__(self, employer_ids: set[int] | None = None, *, read_only: bool = False) -> None:
        self.schedules = FakeSchedules()
        self.employers = FakeEmployers(
            {1} if employer_ids is None else employer_ids, self.schedules
        )
        self.employees = FakeEmployees()
        self.notifications = FakeNotifications()
        self.api_keys = FakeApiKeys()
        self.audit = FakeAudit()
        self.dead_letters = FakeDeadLetters()
        self.paychecks = FakePaychecks()
        self.api_requests = FakeApiRequests()
        self.committed: dict[int, NewEmployee] = {}
        self.commits = 0
        self.read_only = read_only
        self._kept: list[Any] = []

    def _rolled_back(self) -> tuple[Any, ...]:
        """The repositories whose rows at entry (or at the last commit) count as committed."""
        return (
            self.employers,
            self.schedules,
            self.api_keys,
            self.audit,
            self.dead_letters,
            self.api_requests,
        )

    def _keep(self) -> None:
        self._kept = [copy.deepcopy(repo.rows) for repo in self._rolled_back()]

    def __enter__(self) -> Self:
        self.employees.rows = dict(self.committed)
        self._keep()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.employees.rows = dict(self.committed)  # uncommitted work is gone
        for repo, rows in zip(self._rolled_back(), self._kept, strict=True):
            repo.rows = rows

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.committed = dict(self.employees.rows)
        self._keep()
        self.commits += 1


class PlainVault:
    """Marks what it 'encrypts', so a test can see a secret was never stored in clear."""

    def encrypt(self, text: str) -> bytes:
        return b"enc:" + text[::-1].encode()
