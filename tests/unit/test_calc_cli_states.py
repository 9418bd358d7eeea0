"""`payrun calc --json` for a state with local and employee-paid taxes: each keyed by its code."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from payrun.entrypoints.cli import _register_subcommands, app


def test_calc_json_has_state_local_and_employee_taxes_by_code(tmp_path: Path) -> None:
    request = {
        "pay_date": "2026-03-13",
        "frequency": "weekly",
        "work_state": "NY",
        "employee": {
            "w4": {"filing_status": "single"},
            "ny_it2104": {"allowances": 3, "nyc_allowances": 3},
            "residence": {"state": "NY", "city": "NYC"},
        },
        "earnings": {"salary": "400.00"},
    }
    path = tmp_path / "ny.json"
    path.write_text(json.dumps(request))
    _register_subcommands()
    result = CliRunner().invoke(app, ["calc", str(path), "--json"])
    assert result.exit_code == 0, result.output
    stub = json.loads(result.output)
    # NYS Single Ex 1 8.01; NYC Single Ex 1 6.11; PFL 400 x 0.432% = 1.728 -> 1.73; DBL 0.5% x
    # 400 = 2.00, capped at 0.60 a week
    assert stub["state_income_tax"] == "8.01"
    assert stub["local_income_tax"] == {"NYC": "6.11"}
    assert stub["state_employee_taxes"] == {"NY_PFL": "1.73", "NY_DBL": "0.60"}
    lines = {line["code"]: line["current"] for line in stub["lines"]}
    assert (lines["NYC"], lines["NY_PFL"], lines["NY_DBL"]) == ("6.11", "1.73", "0.60")
    assert stub["ytd_after"]["ny_pfl_tax"] == "1.73"
    # SUI at the new-employer default 4.1%: 400 x 4.1% = 16.40
    assert stub["employer"]["state_unemployment"] == "16.40"


def test_calc_refuses_a_misspelt_certificate_field_naming_it(tmp_path: Path) -> None:
    request = {
        "pay_date": "2026-03-13",
        "frequency": "weekly",
        "work_state": "IL",
        "employee": {"il_w4": {"basic_allowance": 2}},
        "earnings": {"salary": "800.00"},
    }
    path = tmp_path / "il.json"
    path.write_text(json.dumps(request))
    _register_subcommands()
    result = CliRunner().invoke(app, ["calc", str(path)])
    assert result.exit_code == 2
    assert "employee.il_w4.basic_allowance" in result.output
