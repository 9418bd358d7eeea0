"""One schema: every field of the stored employee and employer reaches the pay run's paycheck,
and the pay run's paycheck is `payrun calc` on the same stored data, line by line.

The pay run here is the real one without Temporal: the same handlers the activities call
(open, begin, the five employee steps per chunk), on a real database.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import select, update
from typer.testing import CliRunner

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    Employee,
    Employer,
    Paycheck,
    PaycheckDetail,
    PayPeriod,
    PaySchedule,
    TimeEntry,
)
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.entrypoints.cli import _register_subcommands, app
from payrun.services import employee_steps, employer_steps, runs
from payrun.services.context import PayrollContext
from payrun.services.messages import STEPS, ChunkTask, EmployerInput, PayRunInput
from payrun.services.schema import EmployeeModel, EmployerModel
from payrun.services.seed import one_schedule, seed_demo

from .state_schema_cases import (
    STATE_EMPLOYEE_CASES,
    STATE_EMPLOYEE_NO_EFFECT,
    STATE_EMPLOYER_CASES,
)

CA_SINGLE = {"w4": {"filing_status": "single"}, "ca_de4": {"filing_status": "single"}}
# A deferral far over the §402(g) limit in one paycheck, so the catch-up room decides it.
CATCH_UP = {"birth_date": "1970-05-01", "retirement": {"pretax_amount": "30000.00"}}
MILLION = 100_000_000  # cents: $1,000,000 a year, $38,461.54 a biweekly period


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


# Each employee field: (annual salary in cents, work state, control profile, variant profile).
# The variant differs from its control in that one field only.
EMPLOYEE_CASES: dict[str, tuple[int, str, dict[str, Any], dict[str, Any]]] = {
    "birth_date": (
        MILLION,
        "CA",
        _with(CATCH_UP, birth_date="1990-05-01"),  # 36 in 2026: no catch-up
        CATCH_UP,  # 56: the age 50 catch-up
    ),
    "w4.filing_status": (
        7_800_000,
        "TX",
        {"w4": {"filing_status": "single"}},
        {"w4": {"filing_status": "married_filing_jointly"}},
    ),
    "w4.step2_checked": (7_800_000, "TX", {"w4": {}}, {"w4": {"step2_checked": True}}),
    "w4.step3_credits": (7_800_000, "TX", {"w4": {}}, {"w4": {"step3_credits": "2200"}}),
    "w4.step4a_other_income": (
        7_800_000,
        "TX",
        {"w4": {}},
        {"w4": {"step4a_other_income": "10000"}},
    ),
    "w4.step4b_deductions": (
        7_800_000,
        "TX",
        {"w4": {}},
        {"w4": {"step4b_deductions": "10000"}},
    ),
    "w4.step4c_extra": (7_800_000, "TX", {"w4": {}}, {"w4": {"step4c_extra": "25.00"}}),
    "w4.exempt": (7_800_000, "TX", {"w4": {}}, {"w4": {"exempt": True}}),
    "w4_pre2020.marital_status": (
        7_800_000,
        "TX",
        {"w4_pre2020": {"marital_status": "single"}},
        {"w4_pre2020": {"marital_status": "married"}},
    ),
    "w4_pre2020.allowances": (
        7_800_000,
        "TX",
        {"w4_pre2020": {"marital_status": "single"}},
        {"w4_pre2020": {"marital_status": "single", "allowances": 3}},
    ),
    "w4_pre2020.additional_withholding": (
        7_800_000,
        "TX",
        {"w4_pre2020": {"marital_status": "single"}},
        {"w4_pre2020": {"marital_status": "single", "additional_withholding": "20.00"}},
    ),
    "w4_pre2020.exempt": (
        7_800_000,
        "TX",
        {"w4_pre2020": {"marital_status": "single"}},
        {"w4_pre2020": {"marital_status": "single", "exempt": True}},
    ),
    "ca_de4.filing_status": (
        7_800_000,
        "CA",
        CA_SINGLE,
        _with(CA_SINGLE, ca_de4={"filing_status": "married"}),
    ),
    "ca_de4.regular_allowances": (
        7_800_000,
        "CA",
        CA_SINGLE,
        _with(CA_SINGLE, ca_de4={"regular_allowances": 2}),
    ),
    "ca_de4.estimated_deduction_allowances": (
        7_800_000,
        "CA",
        CA_SINGLE,
        _with(CA_SINGLE, ca_de4={"estimated_deduction_allowances": 2}),
    ),
    # DE 4 line 2: stored and validated, and (before the one schema) never paid.
    "ca_de4.additional_withholding": (
        7_800_000,
        "CA",
        CA_SINGLE,
        _with(CA_SINGLE, ca_de4={"additional_withholding": "25.00"}),
    ),
    "ca_de4.exempt": (7_800_000, "CA", CA_SINGLE, _with(CA_SINGLE, ca_de4={"exempt": True})),
    "retirement.pretax_percent": (
        7_800_000,
        "TX",
        {"w4": {}},
        {"w4": {}, "retirement": {"pretax_percent": "5"}},
    ),
    "retirement.roth_percent": (
        7_800_000,
        "TX",
        {"w4": {}},
        {"w4": {}, "retirement": {"roth_percent": "5"}},
    ),
    "retirement.pretax_amount": (
        7_800_000,
        "TX",
        {"w4": {}},
        {"w4": {}, "retirement": {"pretax_amount": "100.00"}},
    ),
    "retirement.roth_amount": (
        7_800_000,
        "TX",
        {"w4": {}},
        {"w4": {}, "retirement": {"roth_amount": "100.00"}},
    ),
    "section125": (7_800_000, "CA", CA_SINGLE, _with(CA_SINGLE, section125="100.00")),
    "hsa": (7_800_000, "CA", CA_SINGLE, _with(CA_SINGLE, hsa="50.00")),
    # Over $150,000 last year: the catch-up must be Roth (SECURE 2.0 §603).
    "prior_year_fica_wages": (
        MILLION,
        "CA",
        CATCH_UP,
        _with(CATCH_UP, prior_year_fica_wages="200000.00"),
    ),
    "exempt": (7_800_000, "TX", {"w4": {}}, {"w4": {}, "exempt": True}),
    **STATE_EMPLOYEE_CASES,
}
# Fields declared not to change a paycheck, with the reason.
EMPLOYEE_NO_EFFECT = {
    "w4.form": "the form's year: every form from 2020 on has the same Steps, read the same way",
    **STATE_EMPLOYEE_NO_EFFECT,
}

AGE_61 = {"birth_date": "1965-05-01", "retirement": {"pretax_amount": "40000.00"}}
MATCH_4 = [{"up_to_percent": "4", "match_percent": "100"}]
TX_SUI = {"sui_rate": "0.027", "sui_wage_base": "9000"}
FIVE_PERCENT = {"w4": {}, "retirement": {"pretax_percent": "5"}}
# Each employer field: (annual salary in cents, work state, employee profile,
# control settings, variant settings).
EMPLOYER_CASES: dict[str, tuple[int, str, dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "ca_ui_rate": (7_800_000, "CA", CA_SINGLE, {}, {"ca_ui_rate": "0.05"}),
    # EDD Method B per period vs annualized: the annualized wages round differently.
    "ca_pit_method": (7_800_000, "CA", CA_SINGLE, {}, {"ca_pit_method": "annualized"}),
    "futa_credit_reduction": (7_800_000, "CA", CA_SINGLE, {}, {"futa_credit_reduction": "0.003"}),
    "match.up_to_percent": (
        7_800_000,
        "TX",
        FIVE_PERCENT,
        {"match": MATCH_4},
        {"match": [{"up_to_percent": "5", "match_percent": "100"}]},
    ),
    "match.match_percent": (
        7_800_000,
        "TX",
        FIVE_PERCENT,
        {"match": MATCH_4},
        {"match": [{"up_to_percent": "4", "match_percent": "50"}]},
    ),
    # Age 61: the plan's age 60-63 catch-up ($11,250) or, without it, the age 50 one ($8,000).
    "super_catch_up": (MILLION, "TX", AGE_61, {}, {"super_catch_up": False}),
    # A state's unemployment tax outside California: its rate on wages up to its base.
    "sui_rate": (7_800_000, "TX", {"w4": {}}, TX_SUI, _with(TX_SUI, sui_rate="0.05")),
    "sui_wage_base": (7_800_000, "TX", {"w4": {}}, TX_SUI, _with(TX_SUI, sui_wage_base="1000")),
    **STATE_EMPLOYER_CASES,
}
EMPLOYER_NO_EFFECT: dict[str, str] = {}


def leaf_fields(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every field a value is given for, nested objects walked through (a list's items too)."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        inner = [
            arg
            for arg in typing.get_args(info.annotation) or (info.annotation,)
            for arg in (typing.get_args(arg) or (arg,))
            if isinstance(arg, type) and issubclass(arg, BaseModel)
        ]
        if inner:
            yield from leaf_fields(inner[0], f"{path}.")
        else:
            yield path


def test_every_employee_and_employer_field_is_covered_here() -> None:
    """A field added to the schema fails this until it is shown to reach a paycheck."""
    assert set(leaf_fields(EmployeeModel)) == set(EMPLOYEE_CASES) | set(EMPLOYEE_NO_EFFECT)
    assert set(leaf_fields(EmployerModel)) == set(EMPLOYER_CASES) | set(EMPLOYER_NO_EFFECT)


@pytest.fixture
def ctx(payrun_home: Path) -> PayrollContext:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    seed_demo(settings.db_url, employers=1, employees=1, seed=3, vault=Vault.for_settings(settings))
    one_schedule(settings.db_url)
    with transaction(settings.db_url) as session:
        session.execute(update(Employee).values(active=False))  # only this test's employees
    return build_context(settings)


def add_employer(ctx: PayrollContext, pay_settings: dict[str, Any]) -> int:
    with transaction(ctx.db_url) as session:
        template = session.scalars(select(Employer).order_by(Employer.id)).first()
        assert template is not None
        count = len(session.scalars(select(Employer.id)).all())
        values = {c.key: getattr(template, c.key) for c in Employer.__table__.columns}
        values |= {"id": None, "ein": f"98-{count:07d}", "pay_settings": pay_settings}
        employer = Employer(**values)
        session.add(employer)
        session.flush()
        return employer.id


def add_employee(
    ctx: PayrollContext, employer_id: int, salary_cents: int, state: str, profile: dict[str, Any]
) -> int:
    EmployeeModel.model_validate(profile)  # what is stored is always valid
    with transaction(ctx.db_url) as session:
        template = session.scalars(select(Employee).order_by(Employee.id)).first()
        assert template is not None
        values = {c.key: getattr(template, c.key) for c in Employee.__table__.columns}
        count = len(session.scalars(select(Employee.id)).all())
        values |= {"id": None, "employer_id": employer_id, "external_id": f"T{count}"}
        values |= {"pay_type": "salary", "rate_cents": salary_cents, "profile": profile}
        values |= {"work_state": state, "home_state": state, "active": True}
        employee = Employee(**values)
        session.add(employee)
        session.flush()
        return employee.id


def pay_everyone(ctx: PayrollContext, run_id: str = "payrun-schema-test") -> None:
    """A pay run of the first biweekly period through the activities' handlers."""
    period_id = one_schedule(ctx.db_url)  # every employer on biweekly: its first period
    plan = runs.open_run(ctx, PayRunInput(run_id, period_id, chunk_size=50))
    for employer_id in plan.employer_ids:
        inp = EmployerInput(run_id, employer_id, chunk_size=50)
        employer_plan = employer_steps.begin_employer(ctx, inp)
        for chunk in range(employer_plan.chunk_count):
            versions: dict[str, str] = {}
            for step in STEPS:
                task = ChunkTask(run_id, employer_id, chunk, dict(versions))
                versions[step] = getattr(employee_steps, step)(ctx, task).version


def stub_lines(ctx: PayrollContext) -> dict[int, list[tuple[str, str, int, int]]]:
    """Each employee's paycheck lines: (kind, code, current cents, YTD cents)."""
    with transaction(ctx.db_url) as session:
        rows = session.execute(
            select(Paycheck.employee_id, PaycheckDetail.lines).join(
                PaycheckDetail, PaycheckDetail.paycheck_id == Paycheck.id
            )
        ).all()
    return {
        employee: [(ln["kind"], ln["code"], ln["cents"], ln["ytd_cents"]) for ln in lines]
        for employee, lines in rows
    }


def test_every_field_of_the_employee_changes_the_pay_runs_paycheck(ctx: PayrollContext) -> None:
    employer = add_employer(ctx, {})
    pairs = {
        field: (
            add_employee(ctx, employer, salary, state, control),
            add_employee(ctx, employer, salary, state, variant),
        )
        for field, (salary, state, control, variant) in EMPLOYEE_CASES.items()
    }
    no_effect = add_employee(ctx, employer, 7_800_000, "TX", {"w4": {"form": 2020}})
    same = add_employee(ctx, employer, 7_800_000, "TX", {"w4": {"form": 2024}})
    pay_everyone(ctx)
    lines = stub_lines(ctx)
    unchanged = [field for field, (a, b) in pairs.items() if lines[a] == lines[b]]
    assert unchanged == []
    assert lines[no_effect] == lines[same]


def test_every_employer_setting_changes_the_pay_runs_paycheck(ctx: PayrollContext) -> None:
    pairs = {}
    for field, (salary, state, profile, control, variant) in EMPLOYER_CASES.items():
        a = add_employee(ctx, add_employer(ctx, control), salary, state, profile)
        b = add_employee(ctx, add_employer(ctx, variant), salary, state, profile)
        pairs[field] = (a, b)
    pay_everyone(ctx)
    lines = stub_lines(ctx)
    assert [field for field, (a, b) in pairs.items() if lines[a] == lines[b]] == []


def calc_request(ctx: PayrollContext, employee_id: int) -> dict[str, Any]:
    """The `payrun calc` input a person would write from the stored employee: nothing from the
    pay run's own request builder."""
    with transaction(ctx.db_url) as session:
        employee = session.get(Employee, employee_id)
        assert employee is not None
        employer = session.get(Employer, employee.employer_id)
        assert employer is not None
        schedule = session.get(PaySchedule, employer.schedule_id)
        assert schedule is not None
        period = session.scalars(
            select(PayPeriod).where(PayPeriod.schedule_id == schedule.id).order_by(PayPeriod.id)
        ).first()
        assert period is not None
        hours = session.execute(
            select(TimeEntry.work_date, TimeEntry.hours_hundredths).where(
                TimeEntry.employee_id == employee_id,
                TimeEntry.work_date.between(period.start_date, period.end_date),
            )
        ).all()
        if employee.pay_type == "salary":
            # annual / 26, half-up to the cent (the stub's salary line)
            per_period = (Decimal(employee.rate_cents) / 100 / 26).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            earnings: dict[str, Any] = {"salary": str(per_period)}
        else:
            earnings = {
                "hourly_rate": str(Decimal(employee.rate_cents) / 100),
                "hours": {day.isoformat(): str(Decimal(h) / 100) for day, h in hours},
            }
        return {
            "pay_date": period.pay_date.isoformat(),
            "period_start": period.start_date.isoformat(),
            "period_end": period.end_date.isoformat(),
            "frequency": schedule.frequency,
            "workweek_start": schedule.workweek_start,
            "work_state": employee.work_state,
            "employee": employee.profile,
            "employer": employer.pay_settings,
            "earnings": earnings,
        }


def test_a_pay_runs_paychecks_are_payrun_calc_on_the_stored_employees_line_by_line(
    payrun_home: Path, tmp_path: Path
) -> None:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    vault = Vault.for_settings(settings)
    seed_demo(settings.db_url, employers=6, employees=40, seed=2, vault=vault)  # 3 in CA
    one_schedule(settings.db_url)
    ctx = build_context(settings)
    pay_everyone(ctx)
    lines = stub_lines(ctx)
    assert len(lines) == 240
    _register_subcommands()  # as `payrun` does before it runs a command
    runner = CliRunner()
    extra_withholding = 0
    for employee_id, paid in lines.items():
        request = calc_request(ctx, employee_id)
        de4 = request["employee"].get("ca_de4") or {}
        extra_withholding += Decimal(de4.get("additional_withholding", "0")) > 0
        path = tmp_path / f"{employee_id}.json"
        path.write_text(json.dumps(request))
        result = runner.invoke(app, ["calc", str(path), "--json"])
        assert result.exit_code == 0, result.output
        stub = json.loads(result.output)
        calculated = [
            (ln["kind"], ln["code"], cents(ln["current"]), cents(ln["ytd"])) for ln in stub["lines"]
        ]
        assert paid == calculated, employee_id
    assert extra_withholding > 0  # the seed's DE 4 line 2 employees are among them


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)
