"""``payrun calc``: the human stub, --explain worksheet lines, --json, stdin, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from payrun.entrypoints.calc_cli import calc_command
from tests.unit.domain.paydata import data

app = typer.Typer()
app.command("calc")(calc_command)


@app.command("version")
def _version() -> None:  # a second command keeps Typer in sub-command mode, as in the real CLI
    """Unused."""


runner = CliRunner()


def _write(tmp_path: Path, payload: object) -> str:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(payload))
    return str(path)


def test_json_output_has_the_documented_keys(tmp_path: Path) -> None:
    result = runner.invoke(app, ["calc", _write(tmp_path, data()), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["gross"] == "2500.00"
    assert out["federal_income_tax"] == "216.15"
    assert out["net_pay"] == "1976.51"
    assert out["employer"] == {
        "social_security": "155.00",
        "medicare": "36.25",
        "futa": "15.00",
        "state_unemployment": "85.00",
        "ett": "2.50",
        "match_401k": "0.00",
    }


def test_human_stub_from_stdin() -> None:
    result = runner.invoke(app, ["calc", "-"], input=json.dumps(data()))
    assert result.exit_code == 0, result.output
    assert "1976.51" in result.stdout
    assert "Federal income tax" in result.stdout


def test_explain_prints_the_worksheet_lines(tmp_path: Path) -> None:
    result = runner.invoke(app, ["calc", _write(tmp_path, data()), "--explain"])
    assert result.exit_code == 0, result.output
    assert "Pub 15-T Worksheet 1A" in result.stdout
    assert "56400.00" in result.stdout  # line 1i
    assert "216.153846" in result.stdout  # line 2h, before rounding
    assert "EDD Method B" in result.stdout


def test_json_numbers_are_read_exactly(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(data()).replace('"2500.00"', "2500.10"))
    result = runner.invoke(app, ["calc", str(path), "--json"])
    assert json.loads(result.stdout)["gross"] == "2500.10"


def test_bad_input_is_one_line_naming_the_field_and_exit_2(tmp_path: Path) -> None:
    bad = data(employee={"w4": {"filing_status": "foo"}})
    result = runner.invoke(app, ["calc", _write(tmp_path, bad), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: employee.w4.filing_status: unknown filing status 'foo' (one of head_of_household,"
        " hoh, married, married_filing_jointly, married_filing_separately, mfj, mfs, single)"
    ]


def test_not_json_and_missing_file_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{nope")
    assert runner.invoke(app, ["calc", str(path)]).exit_code == 2
    missing = runner.invoke(app, ["calc", str(tmp_path / "missing.json")])
    assert missing.exit_code == 2
    assert "FILE" in missing.stderr
