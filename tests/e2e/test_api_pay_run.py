"""Through real HTTP on a real server: an employer and employees with W-4, DE 4 (extra
withholding), 401(k), HSA, Section 125 and hours; a pay run started twice with one
Idempotency-Key, polled to the end; every paycheck equals `payrun calc` on the same employee,
to the cent; no response or log line holds a full SSN or account number."""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from payrun.entrypoints.cli import _register_subcommands, app
from tests.e2e.api_server import ApiServer

ROUTING = "021000021"
PERIOD = ("2025-12-28", "2026-01-10")  # the first biweekly period from the schedule's start
PAY_DATE = "2026-01-16"  # period end + 6 days, a Friday and a business day
POLL_BOUND_SECONDS = 120.0
EMPLOYER = {
    "name": "Acme Widgets",
    "ein": "12-3456789",
    "work_state": "CA",
    "pay_schedule": {"frequency": "biweekly", "first_period_start": PERIOD[0]},
    "funding_account": {"routing": ROUTING, "account": "000123456789", "type": "checking"},
    "pay_settings": {
        "ca_ui_rate": "0.031",
        "match": [{"up_to_percent": "4", "match_percent": "100"}],
    },
}
SSNS = ("123-45-6789", "234-56-7891", "345-67-8912")
ACCOUNTS = ("987654321", "876543219", "765432198")
EMPLOYEES: list[dict[str, Any]] = [
    {  # salaried: $78,000 / 26 = $3,000.00 a period exactly
        "external_id": "E1",
        "first_name": "Ana",
        "last_name": "O'Neil",
        "ssn": SSNS[0],
        "work_state": "CA",
        "hire_date": "2024-03-01",
        "pay": {"salary": "78000.00"},
        "bank_account": {"routing": ROUTING, "account": ACCOUNTS[0], "type": "checking"},
        "employee": {
            "birth_date": "1970-06-01",
            "w4": {"filing_status": "single", "step4c_extra": "20.00"},
            "ca_de4": {"filing_status": "single", "additional_withholding": "15.00"},
            "retirement": {"pretax_percent": "6"},
            "section125": "40.00",
        },
    },
    {  # hourly with overtime in the first week
        "external_id": "E2",
        "first_name": "Bao",
        "last_name": "Nguyen",
        "ssn": SSNS[1],
        "work_state": "CA",
        "hire_date": "2023-08-15",
        "pay": {"hourly_rate": "32.50"},
        "bank_account": {"routing": ROUTING, "account": ACCOUNTS[1], "type": "savings"},
        "employee": {
            "w4": {"filing_status": "married_filing_jointly", "step2_checked": True},
            "ca_de4": {"filing_status": "married", "regular_allowances": 2},
            "retirement": {"roth_percent": "4"},
            "hsa": "50.00",
        },
    },
    {  # a 2019 W-4 with allowances and extra withholding
        "external_id": "E3",
        "first_name": "Carmen",
        "last_name": "Díaz",
        "ssn": SSNS[2],
        "work_state": "CA",
        "hire_date": "2015-01-05",
        "pay": {"salary": "130000.00"},
        "bank_account": {"routing": ROUTING, "account": ACCOUNTS[2], "type": "checking"},
        "employee": {
            "w4_pre2020": {
                "marital_status": "married",
                "allowances": 3,
                "additional_withholding": "25.00",
            },
            "ca_de4": {"filing_status": "head_of_household", "additional_withholding": "10.00"},
            "retirement": {"pretax_amount": "500.00"},
        },
    },
]
# E2's hours: 9 a day Monday to Friday of the first workweek (45: 5 overtime), 8 in the second.
HOURS = {
    **{f"2025-12-{d}": "9" for d in (29, 30, 31)},
    **{f"2026-01-0{d}": "9" for d in (1, 2)},
    **{f"2026-01-0{d}": "8" for d in (5, 6, 7, 8, 9)},
}
# calc's keys a paycheck shows (the employer's under "employer").
COMPARED = (
    "gross",
    "federal_income_tax",
    "social_security",
    "medicare",
    "additional_medicare",
    "state_income_tax",
    "state_disability",
    "section125",
    "hsa",
    "deferral_401k_pretax",
    "roth_401k",
    "catch_up_401k",
    "net_pay",
)
EMPLOYER_COMPARED = (
    "social_security",
    "medicare",
    "futa",
    "state_unemployment",
    "ett",
    "match_401k",
)


def _calc(
    tmp: Path,
    employee: dict[str, Any],
    employer: dict[str, Any],
    earnings: dict[str, Any],
    ytd: dict[str, str] | None = None,
) -> dict[str, Any]:
    request = {
        "pay_date": PAY_DATE,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "frequency": "biweekly",
        "workweek_start": "sunday",
        "work_state": "CA",
        "employee": employee,
        "employer": employer,
        "earnings": earnings,
        "ytd": ytd or {},
    }
    path = tmp / f"calc-{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(request))
    result = CliRunner().invoke(app, ["calc", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


async def test_a_pay_run_over_http_pays_what_payrun_calc_says_to_the_cent(
    payrun_home: Path, tmp_path: Path, temporal_cli_path: str
) -> None:
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path, ip="127.0.0.1", dev_server_log_level="error"
    ) as env:
        target = env.client.service_client.config.target_host
        with ApiServer(payrun_home, target, f"q-{uuid.uuid4()}") as server:
            seen = _drive(server)
    _register_subcommands()
    employer_settings = seen["employer"]["pay_settings"]
    assert seen["paychecks"], "no paychecks"
    for check in seen["paychecks"]:
        employee = seen["employees"][check["employee_id"]]
        if "salary" in employee["pay"]:
            per_period = {"78000.00": "3000.00", "130000.00": "5000.00"}[employee["pay"]["salary"]]
            earnings: dict[str, Any] = {"salary": per_period}
        else:
            earnings = {"hourly_rate": employee["pay"]["hourly_rate"], "hours": HOURS}
        calc = _calc(tmp_path, employee["employee"], employer_settings, earnings)
        for key in COMPARED:
            assert check[key] == calc[key], (employee["external_id"], key)
        for key in EMPLOYER_COMPARED:
            assert check["employer"][key] == calc["employer"][key], (employee["external_id"], key)
        assert check["pay_date"] == PAY_DATE and check["status"] == "PAID"
    by_external = {seen["employees"][c["employee_id"]]["external_id"]: c for c in seen["paychecks"]}
    assert by_external["E1"]["gross"] == "3000.00"  # $78,000 / 26
    # E2: 80 regular hours x 32.50 = 2,600.00 + 5 overtime x 48.75 = 243.75
    assert by_external["E2"]["gross"] == "2843.75"
    assert Decimal(by_external["E1"]["employer"]["match_401k"]) > 0  # 4% matched in full
    _assert_bonus_is_calc(tmp_path, seen, employer_settings)
    _assert_masked(seen["bodies"] + [(payrun_home / "api.log").read_text()])


def _assert_bonus_is_calc(tmp: Path, seen: dict[str, Any], employer: dict[str, Any]) -> None:
    """The off-cycle paycheck is calc of the bonus alone on top of the regular paycheck's YTD."""
    bonus = seen["bonus"]
    regular = next(c for c in seen["paychecks"] if c["employee_id"] == bonus["employee_id"])
    employee = seen["employees"][bonus["employee_id"]]["employee"]
    calc = _calc(
        tmp, employee, employer, {"salary": "0", "bonus": "1000.00"}, ytd=regular["ytd_after"]
    )
    assert bonus["gross"] == "1000.00" and bonus["kind"].startswith("offcycle-")
    for key in COMPARED:
        assert bonus[key] == calc[key], ("bonus", key)
    for key in EMPLOYER_COMPARED:
        assert bonus["employer"][key] == calc["employer"][key], ("bonus", key)


def _drive(server: ApiServer) -> dict[str, Any]:
    """Every call the test makes over HTTP, and what it saw."""
    admin = {"Authorization": f"Bearer {server.key('admin')}"}
    bodies: list[str] = []
    with httpx.Client(base_url=server.url, headers=admin, timeout=30) as http:

        def call(method: str, path: str, expect: int, **kwargs: Any) -> Any:
            response = http.request(method, path, **kwargs)
            bodies.append(response.text)
            assert response.status_code == expect, (path, response.text)
            return response.json()

        employer = call("POST", "/v1/employers", 201, json=EMPLOYER)
        employer_id = employer["id"]
        employees = {}
        for body in EMPLOYEES:
            created = call("POST", f"/v1/employers/{employer_id}/employees", 201, json=body)
            employees[created["id"]] = created
        hourly = next(i for i, e in employees.items() if e["external_id"] == "E2")
        entries = [{"employee_id": hourly, "date": d, "hours": h} for d, h in HOURS.items()]
        call("POST", f"/v1/employers/{employer_id}/time-entries", 200, json=entries)
        run_body = {"employer_ids": [employer_id], "period_start": PERIOD[0]}
        key = {"Idempotency-Key": "first-payroll-2026"}
        first = call("POST", "/v1/payruns", 202, json=run_body, headers=key)
        second = call("POST", "/v1/payruns", 202, json=run_body, headers=key)
        assert second["id"] == first["id"]
        other = http.post(
            "/v1/payruns", json={**run_body, "period_start": "2026-01-11"}, headers=key
        )
        assert other.status_code == 409
        run = _poll(call, first["id"])
        assert run["status"] == "COMPLETED", run
        [progress] = run["employers"]
        assert progress["employees"] == {"done": 3, "failed": 0, "pending": 0}
        paychecks = call("GET", f"/v1/paychecks?payrun={first['id']}", 200)["items"]
        assert len(paychecks) == 3
        for check in paychecks:
            assert call("GET", f"/v1/paychecks/{check['id']}", 200) == check
        for employee_id in employees:
            employees[employee_id] = call("GET", f"/v1/employees/{employee_id}", 200)
        bonus = _bonus_run(call, employer_id, next(iter(employees)))
        _reverse_one(call, paychecks[0])
    return {
        "employer": employer,
        "employees": employees,
        "paychecks": paychecks,
        "bonus": bonus,
        "bodies": bodies,
    }


def _bonus_run(call: Any, employer_id: int, employee_id: int) -> dict[str, Any]:
    """An off-cycle run of the same period paying one employee a bonus, and nothing else."""
    body = {
        "employer_ids": [employer_id],
        "period_start": PERIOD[0],
        "kind": "off_cycle",
        "earnings": {str(employee_id): {"bonus": "1000.00"}},
    }
    started = call("POST", "/v1/payruns", 202, json=body, headers={"Idempotency-Key": "bonus"})
    assert started["id"].startswith("payrun-") and "offcycle-" in started["id"]
    assert _poll(call, started["id"])["status"] == "COMPLETED"
    [paycheck] = call("GET", f"/v1/paychecks?payrun={started['id']}", 200)["items"]
    assert paycheck["employee_id"] == employee_id
    return paycheck  # type: ignore[no-any-return]


def _reverse_one(call: Any, check: dict[str, Any]) -> None:
    """A paid paycheck reversed (the payment settled today, inside the 5-banking-day window):
    once, and a repeat changes nothing."""
    path, key = f"/v1/paychecks/{check['id']}/reverse", f"reverse-{check['id']}"
    first = call("POST", path, 200, headers={"Idempotency-Key": key})
    retried = call("POST", path, 200, headers={"Idempotency-Key": key})  # the first answer
    again = call("POST", path, 200, headers={"Idempotency-Key": key + "-again"})
    assert (first["status"], first["changed"]) == ("REVERSED", True)
    assert retried == first
    assert (again["status"], again["changed"]) == ("REVERSED", False)
    assert call("GET", f"/v1/paychecks/{check['id']}", 200)["status"] == "REVERSED"
    void = call("POST", f"/v1/paychecks/{check['id']}/void", 409, headers={"Idempotency-Key": "v"})
    assert void["code"] == "conflict"


def _poll(call: Any, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_BOUND_SECONDS
    while time.monotonic() < deadline:
        run = call("GET", f"/v1/payruns/{run_id}", 200)
        if run["status"] in ("COMPLETED", "PARTIAL", "FAILED"):
            return run  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} still {run['status']} after {POLL_BOUND_SECONDS}s")


def _assert_masked(texts: list[str]) -> None:
    for text in texts:
        for secret in (*SSNS, *(s.replace("-", "") for s in SSNS), *ACCOUNTS, "000123456789"):
            assert secret not in text
