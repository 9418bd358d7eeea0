"""The effective-dated table files: loading, refusals, internal consistency, a new year as data."""

from __future__ import annotations

import shutil
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pytest

from payrun.domain.errors import UnknownTable
from payrun.tables import load_tables, load_tables_from, tables_for_pay_date

ROOT = Path(str(files("payrun.tables")))


def test_2026_figures_load() -> None:
    tables = load_tables(2026, "CA")
    assert tables.fica.social_security_wage_base == Decimal(184500)
    assert tables.fica.social_security_rate == Decimal("0.062")
    assert tables.futa.net_rate == Decimal("0.006")
    assert tables.retirement.elective_deferral_limit == Decimal(24500)
    assert tables.federal.allowance == Decimal(4300)
    ca = tables.state.california  # type: ignore[union-attr]
    assert ca is not None and ca.sdi_rate == Decimal("0.013") and ca.sdi_wage_base is None


def test_loaded_once_and_cached() -> None:
    assert load_tables(2026, "CA") is load_tables(2026, "CA")


def test_unknown_year_and_state_are_errors_not_defaults() -> None:
    with pytest.raises(UnknownTable, match="2025"):
        load_tables(2025, "CA")
    with pytest.raises(UnknownTable, match="'OR'"):
        load_tables(2026, "OR")


def test_no_income_tax_states() -> None:
    for state in ("TX", "FL", "WA", "NV"):
        assert load_tables(2026, state).state.withholding == "none"  # type: ignore[union-attr]


def test_tables_for_pay_date_checks_the_effective_dates() -> None:
    from datetime import date

    assert tables_for_pay_date(date(2026, 12, 31), "CA").year == 2026


def test_every_california_rate_row_continues_the_one_before() -> None:
    # Reference §4.2: each "plus" equals the cumulative tax of the lower brackets, to ±$0.01.
    ca = load_tables(2026, "CA").state.california  # type: ignore[union-attr]
    assert ca is not None
    for period, by_status in ca.rates.items():
        for status, schedule in by_status.items():
            for low, high in zip(schedule.brackets, schedule.brackets[1:], strict=False):
                expected = low.base_tax + (high.floor - low.floor) * low.rate
                assert abs(expected - high.base_tax) <= Decimal("0.01"), (period, status, high)


def test_every_federal_standard_row_continues_the_one_before() -> None:
    federal = load_tables(2026, None).federal
    for status, schedule in federal.standard.items():
        for low, high in zip(schedule.brackets, schedule.brackets[1:], strict=False):
            expected = low.base_tax + (high.floor - low.floor) * low.rate
            assert abs(expected - high.base_tax) <= Decimal("0.01"), (status, high)


def test_a_new_year_is_a_data_change(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "2026", tmp_path / "2027")
    for name in ("federal.toml", "ca.toml", "states.toml"):
        path = tmp_path / "2027" / name
        text = path.read_text().replace("2026", "2027")
        path.write_text(
            text.replace(
                'social_security_wage_base = "184500"', 'social_security_wage_base = "190000"'
            )
        )
    tables = load_tables_from(tmp_path, 2027, "CA")
    assert tables.year == 2027
    assert tables.fica.social_security_wage_base == Decimal(190000)


def test_float_figures_in_a_table_file_are_refused(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "2026", tmp_path / "2026")
    path = tmp_path / "2026" / "federal.toml"
    path.write_text(path.read_text().replace('wage_base = "7000"', "wage_base = 7000.0"))
    with pytest.raises(UnknownTable, match="float"):
        load_tables_from(tmp_path, 2026, None)


def test_a_gap_between_rows_is_refused(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "2026", tmp_path / "2026")
    path = tmp_path / "2026" / "federal.toml"
    path.write_text(
        path.read_text().replace(
            '["7500", "19900", "0.00", "10", "7500"]', '["7600", "19900", "0.00", "10", "7600"]', 1
        )
    )
    with pytest.raises(UnknownTable, match="gap"):
        load_tables_from(tmp_path, 2026, None)
