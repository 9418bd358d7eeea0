"""Driver-level bulk writes (adapters.db.bulk) on SQLite and PostgreSQL: reserved ids never
collide between concurrent writers, and values land as the ORM reads them back."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from sqlalchemy import select

from payrun.adapters.db.bulk import converter, insert_rows, reserve_ids, update_rows
from payrun.adapters.db.engine import migrate, reading, transaction
from payrun.adapters.db.models import Paycheck, PaycheckDetail, YtdAccumulator

NOW = datetime(2026, 3, 6, 12, 30, 15, 123456, tzinfo=UTC)


def _paycheck(connection, pid: int, employee_id: int) -> tuple:  # type: ignore[no-untyped-def]
    table = Paycheck.__table__
    when = converter(connection, table, "created_at")(NOW)
    pay_date = converter(connection, table, "pay_date")(date(2026, 3, 6))
    key = f"regular-7-{employee_id}"
    amounts = (250000, 30000, 20000, 10000, 210000, 20000, 15500, 3625, 0)
    return (pid, key, "run-1", 1, employee_id, 7, "regular", pay_date, "CALCULATED", *amounts, when)


COLUMNS = (
    "id", "idempotency_key", "run_id", "employer_id", "employee_id", "pay_period_id", "kind",
    "pay_date", "status", "gross_cents", "employee_taxes_cents", "employer_taxes_cents",
    "deductions_cents", "net_cents", "federal_income_tax_cents", "social_security_cents",
    "medicare_cents", "state_income_tax_cents", "created_at",
)  # fmt: skip


def _write(url: str, employees: range) -> list[int]:
    with transaction(url) as session:
        connection = session.connection()
        ids = reserve_ids(connection, Paycheck.__table__, len(employees))
        rows = [_paycheck(connection, pid, e) for pid, e in zip(ids, employees, strict=True)]
        insert_rows(connection, Paycheck.__table__, COLUMNS, rows)
        return ids


def test_rows_read_back_as_the_orm_wrote_them(database_url: str) -> None:
    migrate(database_url)
    with transaction(database_url) as session:
        connection = session.connection()
        [pid] = reserve_ids(connection, Paycheck.__table__, 1)
        insert_rows(connection, Paycheck.__table__, COLUMNS, [_paycheck(connection, pid, 42)])
        json = converter(connection, PaycheckDetail.__table__, "lines")
        lines = [{"kind": "earning", "code": "SALARY", "cents": 250000}]
        insert_rows(
            connection,
            PaycheckDetail.__table__,
            ("paycheck_id", "lines", "ytd_after", "ytd_delta"),
            [(pid, json(lines), json({"gross": 250000}), json({"gross": 250000}))],
        )
        insert_rows(
            connection,
            YtdAccumulator.__table__,
            ("employee_id", "year", "amounts", "last_paycheck_id"),
            [(42, 2026, json({"gross": 1}), None)],
        )
    with transaction(database_url) as session:
        acc = session.scalars(select(YtdAccumulator)).one()
        update_rows(
            session.connection(),
            YtdAccumulator.__table__,
            ("amounts", "last_paycheck_id"),
            ("id",),
            [(json({"gross": 250000}), pid, acc.id)],
        )
    with reading(database_url) as session:
        check = session.get(Paycheck, pid)
        assert check is not None
        assert (check.pay_date, check.created_at.replace(tzinfo=UTC)) == (date(2026, 3, 6), NOW)
        assert (check.employee_id, check.net_cents, check.status) == (42, 210000, "CALCULATED")
        detail = session.get(PaycheckDetail, pid)
        assert detail is not None and detail.lines == lines
        acc = session.scalars(select(YtdAccumulator)).one()
        assert (acc.amounts, acc.last_paycheck_id) == ({"gross": 250000}, pid)


def test_concurrent_writers_never_reserve_the_same_ids(database_url: str) -> None:
    migrate(database_url)
    taken: list[list[int]] = []
    errors: list[BaseException] = []

    def writer(first: int) -> None:
        try:
            for batch in range(5):
                start = first + batch * 100
                taken.append(_write(database_url, range(start, start + 100)))
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n * 10_000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    ids = [pid for batch in taken for pid in batch]
    assert len(ids) == len(set(ids)) == 2000
    with reading(database_url) as session:
        assert len(session.scalars(select(Paycheck.id)).all()) == 2000


def test_reserving_nothing_takes_nothing(database_url: str) -> None:
    migrate(database_url)
    with transaction(database_url) as session:
        assert reserve_ids(session.connection(), Paycheck.__table__, 0) == []
    assert _write(database_url, range(1, 3)) == [1, 2]
