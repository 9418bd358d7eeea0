"""`payrun tables check`: the UNCONFIRMED state figures with their sources; rule files refuse
a figure without its source or status."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from payrun.domain.errors import UnknownTable
from payrun.entrypoints.cli import _register_subcommands, app
from payrun.tables import figure_statuses_for
from payrun.tables.state_rules import state_rules


def test_tables_check_lists_the_unconfirmed_figures_of_the_reference() -> None:
    _register_subcommands()
    result = CliRunner().invoke(app, ["tables", "check", "--year", "2026"])
    assert result.exit_code == 0, result.output
    # Reference §13: NC 2026 SUI wage base, NY new-employer SUI rate, NJ default without an
    # NJ-W4, VA daily = 300, Yonkers nonresident bands, NYS daily tables, Philadelphia's
    # first-half rates: each is listed with its source.
    for expected in (
        "nc.toml",
        "34200",
        "no_certificate_rate_table",
        "daily_periods",
        "yonkers_nonresident_bands",
        "nys_single_daily",
        "philadelphia_resident_percent",
    ):
        assert expected in result.output, expected
    assert "rate_percent" not in result.output.split("ga.toml")[-1].split("\n")[0]


def test_tables_check_counts_match_the_files_and_confirmed_figures_stay_out() -> None:
    figures = figure_statuses_for(2026)
    unconfirmed = {(f.file, f.name) for f in figures if f.status == "UNCONFIRMED"}
    assert ("2026/il.toml", "edition 2026-01-01..2026-12-31 rate_percent") not in unconfirmed
    assert ("2026/oh.toml", "sui.wage_base") in unconfirmed
    assert ("2026/pa.toml", "edition 2026-07-01..2026-12-31 philadelphia_resident_percent") not in (
        unconfirmed
    )
    assert ("2026/pa.toml", "edition 2026-01-01..2026-06-30 philadelphia_resident_percent") in (
        unconfirmed
    )


def test_tables_check_refuses_a_year_without_tables() -> None:
    _register_subcommands()
    result = CliRunner().invoke(app, ["tables", "check", "--year", "2025"])
    assert result.exit_code == 2
    assert "2025" in result.output


def _rule_file(figure: Any) -> dict[str, Any]:
    return {
        "meta": {"withholding": "il", "edition_date": "pay_date"},
        "wages": {"pit_excludes": {"value": [], "source": "s", "status": "confirmed"}},
        "edition": [
            {
                "effective_from": date(2026, 1, 1),
                "effective_to": date(2026, 12, 31),
                "figures": {"rate_percent": figure},
            }
        ],
    }


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        ({"value": "4.95", "status": "confirmed"}, "source"),
        ({"value": "4.95", "source": "IL-700-T"}, "status"),
        ({"value": "4.95", "source": "IL-700-T", "status": "maybe"}, "status"),
        ("4.95", "value, source, status"),
        ({"value": 4.95, "source": "IL-700-T", "status": "confirmed"}, "strings"),
    ],
)
def test_a_rule_file_figure_needs_its_source_and_status(figure: Any, message: str) -> None:
    with pytest.raises(UnknownTable, match=message) as caught:
        state_rules(_rule_file(figure), "2026/il.toml")
    assert "figures.rate_percent" in str(caught.value)
