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


def _employee_0003(conn) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        text(
            "INSERT INTO pay_schedules (id, name, frequency, anchor_date, pay_delay_days,"
            " workweek_start, paused) VALUES (1, 'biweekly', 'biweekly', '2025-12-28', 3, 6,"
            " false)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO employers (id, ein, name, state, schedule_id, funding_routing,"
            " funding_account_enc, funding_account_last4, ach_company_id, odfi_routing,"
            " validation_policy, ca_ui_rate, futa_credit_reduction, match_formula, active)"
            " VALUES (1, '12-3456789', 'Acme', 'CA', 1, '021000021', :enc, '6789',"
            " '1123456789', '021000021', 'hold', '0.021', '0.003', :match, true)"
        ),
        {"enc": b"x", "match": '[{"up_to_percent": "4", "match_percent": "100"}]'},
    )
    conn.execute(
        text(
            "INSERT INTO employees (id, employer_id, external_id, first_name, last_name, ssn_enc,"
            " ssn_last4, hire_date, birth_date, home_state, work_state, pay_type, rate_cents,"
            " w4_form, w4_filing_status, w4_step2_checked, w4_step3_cents, w4_step4a_cents,"
            " w4_step4b_cents, w4_step4c_cents, w4_exempt, ca_de4_filing_status,"
            " ca_de4_regular_allowances, ca_de4_estimated_allowances, ca_de4_extra_cents,"
            " k401_pretax_percent, k401_roth_percent, section125_cents, hsa_cents,"
            " prior_year_fica_wages_cents, bank_routing, bank_account_enc, bank_account_last4,"
            " bank_account_type, active) VALUES (5, 1, 'E1', 'Ana', 'Diaz', :enc, '6789',"
            " '2020-01-06', '1970-03-04', 'CA', 'CA', 'salary', 6500000, 2020,"
            " 'married_filing_jointly', true, 220000, 0, 50000, 2550, false, 'married', 2, 1,"
            " 2500, '6', '1.5', 12345, 0,"
            " 6000000, '021000021', :enc, '5678', 'checking', true)"
        ),
        {"enc": b"x"},
    )


def test_one_employee_schema_carries_every_stored_form_field_into_the_profile(
    database_url: str,
) -> None:
    config = _alembic_config(database_url)
    command.upgrade(config, "0003")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        _employee_0003(conn)
    command.upgrade(config, "head")
    with engine.connect() as conn:
        profile = conn.execute(text("SELECT profile FROM employees WHERE id = 5")).scalar_one()
        settings = conn.execute(text("SELECT pay_settings FROM employers")).scalar_one()
    if isinstance(profile, str):
        import json

        profile, settings = json.loads(profile), json.loads(settings)
    assert profile == {
        "birth_date": "1970-03-04",
        "w4": {
            "filing_status": "married_filing_jointly",
            "step2_checked": True,
            "step3_credits": "2200",
            "step4a_other_income": "0",
            "step4b_deductions": "500",
            "step4c_extra": "25.5",
            "exempt": False,
        },
        # DE 4 line 2, stored and never paid before: now part of the employee object.
        "ca_de4": {
            "filing_status": "married",
            "regular_allowances": 2,
            "estimated_deduction_allowances": 1,
            "additional_withholding": "25",
        },
        "retirement": {"pretax_percent": "6", "roth_percent": "1.5"},
        "section125": "123.45",
        "hsa": "0",
        "prior_year_fica_wages": "60000",
    }
    assert settings == {
        "ca_ui_rate": "0.021",
        "futa_credit_reduction": "0.003",
        "match": [{"up_to_percent": "4", "match_percent": "100"}],
    }
    employee_columns = {c["name"] for c in inspect(engine).get_columns("employees")}
    assert not {"w4_filing_status", "ca_de4_extra_cents", "birth_date"} & employee_columns

    command.downgrade(config, "0003")
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT w4_filing_status, w4_step4c_cents, ca_de4_extra_cents, section125_cents"
                " FROM employees WHERE id = 5"
            )
        ).one()
        ui_rate = conn.execute(text("SELECT ca_ui_rate FROM employers")).scalar_one()
    assert tuple(row) == ("married_filing_jointly", 2550, 2500, 12345)
    assert ui_rate == "0.021"


def test_an_employer_from_before_0008_has_no_state_registration(database_url: str) -> None:
    config = _alembic_config(database_url)
    command.upgrade(config, "0003")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        _employee_0003(conn)
    command.upgrade(config, "head")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT state_registrations FROM employers")).scalar_one()
    assert stored in ({}, "{}")  # PostgreSQL's driver decodes JSON, SQLite's gives the text
    command.downgrade(config, "0006")
    assert "state_registrations" not in {
        c["name"] for c in inspect(engine).get_columns("employers")
    }


def test_the_migrations_make_every_column_the_models_declare(database_url: str) -> None:
    from payrun.adapters.db.models import Base

    command.upgrade(_alembic_config(database_url), "head")
    found = inspect(make_engine(database_url))
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in found.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
