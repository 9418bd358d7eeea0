"""Set-based writes of many rows through the driver: one executemany per table (COPY on
PostgreSQL), values converted by each column's own SQLAlchemy type, nothing compiled per row.

Core's executemany processes every parameter of every row in Python (bind processors, key
lookups); this does not (docs/deployment.md, "Measurements behind the code"). Everything
here runs inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

Convert = Callable[[Any], Any]


def converter(connection: Connection, table: Table, column: str) -> Convert:
    """What the column's type does to a Python value before the driver gets it (JSON to text,
    a datetime to SQLite's text form...); the identity when it does nothing."""
    process = table.c[column].type.bind_processor(connection.dialect)
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


def reserve_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """``count`` new primary keys for ``table``, taken before the rows are written.

    PostgreSQL draws them from the column's sequence. SQLite has no sequence (an INTEGER
    PRIMARY KEY takes max + 1): the caller's transaction holds SQLite's write lock from its
    BEGIN IMMEDIATE, so no other writer can take the same keys before it commits."""
    if count <= 0:
        return []
    name = table.name
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{name}', 'id')) "
            f"FROM generate_series(1, {int(count)})"
        )
        return [int(row[0]) for row in rows]
    top = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {name}").scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + count))


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """INSERT every row (a tuple of values in ``columns`` order, already converted) in one
    executemany."""
    values = list(rows)
    if not values:
        return
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        _copy(connection, f"COPY {table.name} ({names}) FROM STDIN", values)
        return
    marks = ", ".join([_mark(connection)] * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


def _copy(connection: Connection, sql: str, rows: list[Sequence[Any]]) -> None:
    """PostgreSQL's bulk path: COPY FROM STDIN on the transaction's own driver connection."""
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def update_rows(
    connection: Connection,
    table: Table,
    set_columns: Sequence[str],
    where_columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """UPDATE ... SET set_columns WHERE where_columns, one executemany; each row gives the set
    values then the where values, in order, as a tuple."""
    values = list(rows)
    if values:
        mark = _mark(connection)
        assign = ", ".join(f"{column} = {mark}" for column in set_columns)
        match = " AND ".join(f"{column} = {mark}" for column in where_columns)
        connection.exec_driver_sql(f"UPDATE {table.name} SET {assign} WHERE {match}", values)


def _mark(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"
