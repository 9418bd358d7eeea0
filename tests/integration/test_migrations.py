"""Migrations carry existing data forward: 0001 -> 0002 moves paycheck details out of the row;
0003 leaves room in the status pages on PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import inspect, text

from payrun.adapters.db.engine import _alembic_config, make_engine


def _paycheck_0001(conn) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        text(
            "INSERT INTO paychecks (id, idempotency_key, run_id, employer_id, employee_id,"
            " pay_period_id, kind, pay_date, status, gross_cents, employee_taxes_cents,"
            " employer_taxes_cents, deductions_cents, net_cents, federal_income_tax_cents,"
            " social_security_cents, medicare_cents, state_income_tax_cents, lines, ytd_after,"
            " ytd_delta, created_at) VALUES (7, 'regular-1-3', 'run-a', 1, 3, 1, 'regular',"
            " '2026-01-09', 'PAID', 100000, 20000, 7650, 5000, 75000, 12000, 6200, 1450, 350,"
            " :lines, :after, :delta, '2026-01-09 12:00:00')"
        ),
        {
            "lines": '[{"kind": "employee_tax", "code": "FIT", "cents": 12000}]',
            "after": '{"gross": 100000}',
            "delta": '{"gross": 100000}',
        },
    )


def _upgraded_from_0001_with_a_paycheck(url: str) -> tuple[Any, Any]:
    config = _alembic_config(url)
    command.upgrade(config, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        _paycheck_0001(conn)
    command.upgrade(config, "head")
    return config, engine


def test_upgrading_moves_each_paychecks_details_and_keeps_its_amounts(database_url: str) -> None:
    _, engine = _upgraded_from_0001_with_a_paycheck(database_url)
    with engine.connect() as conn:
        net, status = conn.execute(text("SELECT net_cents, status FROM paychecks")).one()
        detail = conn.execute(
            text("SELECT paycheck_id, lines, ytd_after, ytd_delta FROM paycheck_details")
        ).one()
    columns = {c["name"] for c in inspect(engine).get_columns("paychecks")}
    assert (net, status) == (75000, "PAID")
    assert detail[0] == 7
    assert "FIT" in str(detail[1]) and "100000" in str(detail[2]) and "100000" in str(detail[3])
    assert not {"lines", "ytd_after", "ytd_delta"} & columns


def test_downgrading_puts_the_details_back_in_the_paycheck_row(database_url: str) -> None:
    config, engine = _upgraded_from_0001_with_a_paycheck(database_url)
    command.downgrade(config, "0001")
    with engine.connect() as conn:
        lines = conn.execute(text("SELECT lines FROM paychecks WHERE id = 7")).scalar_one()
    assert "FIT" in str(lines)
    assert not inspect(engine).has_table("paycheck_details")


def _status_fill_factor(engine: Any) -> list[str] | None:
    with engine.connect() as conn:
        return conn.execute(  # type: ignore[no-any-return]
            text(
                "SELECT reloptions FROM pg_class WHERE relname = 'employee_status'"
                " AND relnamespace = to_regnamespace(current_schema())"
            )
        ).scalar_one()


def test_status_pages_leave_room_for_updates_in_place_on_postgresql(database_url: str) -> None:
    config = _alembic_config(database_url)
    command.upgrade(config, "head")
    engine = make_engine(database_url)
    if engine.dialect.name != "postgresql":
        command.downgrade(config, "0002")  # SQLite has no fill factor: both ways are no-ops
        return
    assert _status_fill_factor(engine) == ["fillfactor=50"]
    command.downgrade(config, "0002")
    assert _status_fill_factor(engine) is None
