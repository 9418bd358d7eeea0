"""The unit of work on SQLAlchemy: one session, one transaction, repositories over it."""

from __future__ import annotations

import dataclasses
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payrun.adapters.db.api_keys import SqlApiKeyRepository
from payrun.adapters.db.api_requests import SqlApiRequestRepository
from payrun.adapters.db.audit import SqlAuditRepository
from payrun.adapters.db.dead_letters import SqlDeadLetterRepository
from payrun.adapters.db.employers import SqlEmployerRepository, SqlScheduleRepository
from payrun.adapters.db.engine import make_engine, session_factory, writer_turn
from payrun.adapters.db.models import Employee, NotificationRecord
from payrun.adapters.db.paycheck_views import SqlPaycheckRepository
from payrun.domain.statuses import NotificationStatus
from payrun.services.records import NewEmployee, NewNotification
from payrun.services.unit_of_work import AlreadyRecorded


class SqlEmployeeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def external_id_taken(self, employer_id: int, external_id: str) -> bool:
        query = select(Employee.id).where(
            Employee.employer_id == employer_id, Employee.external_id == external_id
        )
        return self.session.scalar(query) is not None

    def add(self, employee: NewEmployee) -> int:
        row = Employee(**dataclasses.asdict(employee))
        self.session.add(row)
        self.session.flush()
        return row.id


class SqlNotificationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def status_of(self, idempotency_key: str) -> str | None:
        return self.session.scalar(
            select(NotificationRecord.status).where(
                NotificationRecord.idempotency_key == idempotency_key
            )
        )

    def add(self, notification: NewNotification) -> None:
        values = dataclasses.asdict(notification)
        values["subject"] = values["subject"][:200]
        self.session.add(NotificationRecord(status=NotificationStatus.PENDING, **values))

    def finish(self, idempotency_key: str, status: str, sent_at: datetime | None) -> None:
        self.session.execute(
            update(NotificationRecord)
            .where(NotificationRecord.idempotency_key == idempotency_key)
            .values(status=status, sent_at=sent_at, attempts=NotificationRecord.attempts + 1)
        )


class SqlUnitOfWork:
    """``with SqlUnitOfWork(url) as uow: ...; uow.commit()``: all of it or none of it.

    ``read_only=True`` is for handlers that only read: on SQLite it takes neither the writer
    turn nor the write lock (a deferred BEGIN; under WAL a reader never waits for a writer),
    and ``commit()`` refuses.
    """

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self.read_only = read_only

    def __enter__(self) -> Self:
        if self.read_only:
            self._turn: AbstractContextManager[object] = nullcontext()
            self._connection: Connection | None = (
                make_engine(self.url).connect().execution_options(payrun_read_only=True)
            )
            self.session = Session(bind=self._connection, expire_on_commit=False)
        else:
            self._turn = writer_turn(self.url)
            self._turn.__enter__()
            self._connection = None
            self.session = session_factory(self.url)()
        self.session.begin()
        self.employers = SqlEmployerRepository(self.session)
        self.schedules = SqlScheduleRepository(self.session)
        self.employees = SqlEmployeeRepository(self.session)
        self.notifications = SqlNotificationRepository(self.session)
        self.api_keys = SqlApiKeyRepository(self.session)
        self.audit = SqlAuditRepository(self.session)
        self.dead_letters = SqlDeadLetterRepository(self.session)
        self.paychecks = SqlPaycheckRepository(self.session)
        self.api_requests = SqlApiRequestRepository(self.session)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()  # after commit() there is nothing left to roll back
            self.session.close()
            if self._connection is not None:
                self._connection.close()
        finally:
            self._turn.__exit__(kind, error, traceback)

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            self.session.commit()
        except IntegrityError:
            raise AlreadyRecorded from None
