"""`payrun employee add --from FILE.json` and `payrun employee import FILE.csv|.json`: the API's
employee body, from files; one error line per bad row, and nothing written for a bad file."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from payrun.config import get_settings
from payrun.domain.errors import InvalidInput

# CSV cells are text; these keys (the last part of a dotted column name) are numbers or flags.
_WHOLE_NUMBERS = frozenset({"allowances", "regular_allowances", "estimated_deduction_allowances"})
_FLAGS = frozenset({"step2_checked", "exempt"})


def add_from_file(employer_id: int, path: Path) -> None:
    data = _read_json(path)
    if not isinstance(data, dict):
        raise InvalidInput("--from", "must hold one JSON object (the API's employee body)")
    ids = _write(employer_id, [data])
    typer.echo(f"employee {ids[0]} added to employer {employer_id}")


def import_command(
    file: Annotated[Path, typer.Argument(help="employees: a JSON array of API bodies, or CSV")],
    employer: Annotated[int, typer.Option(help="employer id")],
) -> None:
    """Add many employees at once: every row is checked first, each bad row gets one line,
    and nothing is written unless every row is good."""
    rows = _read_csv(file) if file.suffix.lower() == ".csv" else _read_json(file)
    if not isinstance(rows, list) or not rows:
        raise InvalidInput("FILE", "must hold a non-empty list of employees")
    from payrun.services.employee_records import check_records

    bad = check_records(rows)
    for index, error in bad:
        print(f"row {index + 1}: {error}", file=sys.stderr)
    if bad:
        print(
            f"error: {len(bad)} of {len(rows)} rows are bad; nothing was written", file=sys.stderr
        )
        raise typer.Exit(2)
    ids = _write(employer, rows)
    typer.echo(f"imported {len(ids)} employees into employer {employer}")


def _write(employer_id: int, rows: list[Any]) -> list[int]:
    from payrun.bootstrap import build_context
    from payrun.entrypoints.runner import prepare_database
    from payrun.services.employee_records import add_employees, parse_record
    from payrun.services.errors import Conflict, NotFound

    settings = get_settings()
    prepare_database(settings)
    records = [
        parse_record(row, f"row {i + 1}" if len(rows) > 1 else "") for i, row in enumerate(rows)
    ]
    try:
        ctx = build_context(settings)
        return add_employees(ctx.unit_of_work(), employer_id, records, ctx.vault)
    except NotFound:
        raise InvalidInput("--employer", f"unknown employer {employer_id}") from None
    except Conflict as error:
        raise InvalidInput(error.field, error.problem) from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput("FILE", f"cannot read {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput("FILE", f"not valid JSON: {error}") from None


def _read_csv(path: Path) -> list[dict[str, Any]]:
    """One employee per row; a column `a.b.c` fills the nested field; empty cells are left out."""
    try:
        with path.open(newline="", encoding="utf-8") as file:
            return [_nested(row) for row in csv.DictReader(file)]
    except OSError as error:
        raise InvalidInput("FILE", f"cannot read {path}: {error.strerror}") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise InvalidInput("FILE", f"not valid CSV: {error}") from None


def _nested(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, cell in row.items():
        if column is None or cell is None or cell.strip() == "":
            continue
        *parents, last = column.strip().split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = _cell(last, cell.strip())
    return out


def _cell(key: str, text: str) -> Any:
    if key in _WHOLE_NUMBERS and text.isdigit():
        return int(text)
    if key in _FLAGS and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
