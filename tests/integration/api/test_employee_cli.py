"""`payrun employee add --from FILE.json` and `payrun employee import FILE.csv|.json`: the API's
body from files; one error line per bad row and nothing written for a bad file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, reading
from payrun.adapters.db.models import Employee
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.config import Settings
from payrun.entrypoints.cli import _register_subcommands, app
from payrun.services.employers import CreateEmployer, create_employer
from tests.integration.api.conftest import EMPLOYEE_BODY, ROUTING

runner = CliRunner()
HEADER = (
    "external_id,first_name,last_name,ssn,work_state,hire_date,pay.salary,pay.hourly_rate,"
    "bank_account.routing,bank_account.account,employee.w4.filing_status,"
    "employee.ca_de4.filing_status,employee.ca_de4.regular_allowances,"
    "employee.ca_de4.additional_withholding,employee.w4.step2_checked"
)


@pytest.fixture
def employer(payrun_home: Path) -> int:
    settings = Settings()
    migrate(settings.db_url)
    _register_subcommands()
    cmd = CreateEmployer(
        "Acme", "12-3456789", "CA", "biweekly", date(2025, 12, 28), ROUTING, "000123456789"
    )
    return create_employer(SqlUnitOfWork(settings.db_url), cmd, Vault.for_settings(settings)).id


def _employees() -> list[Employee]:
    with reading(Settings().db_url) as session:
        return list(session.scalars(select(Employee).order_by(Employee.id)))


def test_add_from_a_json_file_stores_the_whole_employee_object(
    employer: int, tmp_path: Path
) -> None:
    body = {
        **EMPLOYEE_BODY,
        "employee": {
            "w4": {"filing_status": "single", "step4c_extra": "20"},
            "ca_de4": {"additional_withholding": "15.00"},
        },
    }
    path = tmp_path / "ana.json"
    path.write_text(json.dumps(body))
    result = runner.invoke(
        app, ["employee", "add", "--employer", str(employer), "--from", str(path)]
    )
    assert result.exit_code == 0, result.output
    [stored] = _employees()
    assert stored.profile == {
        "w4": {"step4c_extra": "20"},
        "ca_de4": {"additional_withholding": "15.00"},
    }
    assert stored.ssn_last4 == "6789" and stored.rate_cents == 6_500_000


def test_import_csv_names_each_bad_row_and_writes_nothing(employer: int, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                f"E1,Ana,Lopez,123-45-6789,CA,2024-03-01,65000.00,,{ROUTING},987654321,single,"
                "single,2,15.00,true",
                f"E2,Bo,Chan,000-45-6789,CA,2024-03-01,,25.00,{ROUTING},987654322,single,,,,",
                f"E3,Cy,Diaz,234-56-7891,CA,2026-02-30,52000,,{ROUTING},987654323,single,,,,",
                f"E4,Di,Eng,345-67-8912,CA,2024-03-01,52000,,{ROUTING},987654324,married,,,-5,",
            ]
        )
        + "\n"
    )
    result = runner.invoke(app, ["employee", "import", str(path), "--employer", str(employer)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("row ")]
    assert [line.split(":")[0] for line in lines] == ["row 2", "row 3", "row 4"]
    assert "ssn" in lines[0] and "hire_date" in lines[1]
    assert "employee.ca_de4.additional_withholding" in lines[2]
    assert "123-45-6789" not in result.output and "000-45-6789" not in result.output
    assert _employees() == []


def test_import_json_writes_every_employee(employer: int, tmp_path: Path) -> None:
    rows = [{**EMPLOYEE_BODY, "external_id": f"E{n}"} for n in range(1, 4)]
    path = tmp_path / "staff.json"
    path.write_text(json.dumps(rows))
    result = runner.invoke(app, ["employee", "import", str(path), "--employer", str(employer)])
    assert result.exit_code == 0, result.output
    assert [e.external_id for e in _employees()] == ["E1", "E2", "E3"]
