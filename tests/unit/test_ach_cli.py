"""`payrun ach build` and `payrun ach check` through Typer's test runner."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from payrun.entrypoints.ach_cli import ach_app
from tests.ach_example import ISSUE_EXAMPLE as EXAMPLE

runner = CliRunner()


def write_json(folder: Path, document: dict[str, Any]) -> Path:
    path = folder / "file.json"
    path.write_text(json.dumps(document))
    return path


def test_build_writes_the_file_and_check_prints_batches_and_totals(tmp_path: Path) -> None:
    out = tmp_path / "out.ach"
    built = runner.invoke(ach_app, ["build", str(write_json(tmp_path, EXAMPLE)), "-o", str(out)])
    assert built.exit_code == 0, built.output
    assert "credits $2,161.55" in built.stdout
    lines = out.read_bytes().decode().splitlines()
    assert len(lines) == 10
    assert lines[2][29:39] == "0000216155"  # entry amount, positions 30-39

    checked = runner.invoke(ach_app, ["check", str(out)])
    assert checked.exit_code == 0, checked.output
    assert "ACME PAYROLL INC" in checked.stdout
    assert "$2,161.55" in checked.stdout
    assert checked.stdout.rstrip().endswith("OK")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"routing": "021000022"}, "batches[0].entries[0].routing"),
        ({"account": "123456789012345678"}, "batches[0].entries[0].account"),
        ({"amount": "0"}, "batches[0].entries[0].amount"),
        ({"amount": "-1.00"}, "batches[0].entries[0].amount"),
        ({"amount": 2161.55}, "batches[0].entries[0].amount"),
        ({"name": "MÜLLER HANS"}, "batches[0].entries[0].name"),
    ],
)
def test_bad_input_is_one_line_naming_the_field_and_writes_nothing(
    tmp_path: Path, changes: dict[str, object], field: str
) -> None:
    document = copy.deepcopy(EXAMPLE)
    document["batches"][0]["entries"][0].update(changes)
    out = tmp_path / "out.ach"
    result = runner.invoke(ach_app, ["build", str(write_json(tmp_path, document)), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {field}: ")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"]  # no temp files either


def test_malformed_json_is_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "file.json"
    source.write_text('{"batches": [')
    result = runner.invoke(ach_app, ["build", str(source), "-o", str(tmp_path / "out.ach")])
    assert result.exit_code == 2
    assert "is not valid JSON" in result.stderr


def test_check_lists_problems_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "out.ach"
    runner.invoke(ach_app, ["build", str(write_json(tmp_path, EXAMPLE)), "-o", str(out)])
    out.write_bytes(out.read_bytes().replace(b"0000216155EMP", b"0000216156EMP"))
    result = runner.invoke(ach_app, ["check", str(out)])
    assert result.exit_code == 1
    assert "problem: batch 1 control total_credit_entry_dollar_amount" in result.stderr


def test_check_of_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(ach_app, ["check", str(tmp_path / "nope.ach")])
    assert result.exit_code == 2
    assert "cannot be read" in result.stderr
