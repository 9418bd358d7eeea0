"""The unit of work on SQLAlchemy: one session, one transaction, repositories over it."""

from __future__ import annotations

import dataclasses
from types import TracebackType
from typing import Self

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrun.adapters.db.engine import session_factory, writer_turn
from payrun.adapters.db.models import Employee, Employer
from payrun.services.unit_of_work import NewEmployee


class SqlEmployerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def exists(self, employer_id: int) -> bool:
        return self.session.get(Employer, employer_id) is not None


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


class SqlUnitOfWork:
    """``with SqlUnitOfWork(url) as uow: ...; uow.commit()``: all of it or none of it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> Self:
        self._turn = writer_turn(self.url)
        self._turn.__enter__()
        self.session = session_factory(self.url)()
        self.session.begin()
        self.employers = SqlEmployerRepository(self.session)
        self.employees = SqlEmployeeRepository(self.session)
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
        finally:
            self._turn.__exit__(kind, error, traceback)

    def commit(self) -> None:
        self.session.commit()
