"""The pay run pays a seeded mix of employers in every state with a rule file, and each
paycheck equals `payrun calc` on the same stored employee, line by line (local taxes and
employee-paid state taxes included)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Employee
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.entrypoints.cli import _register_subcommands, app
from payrun.services.seed import one_schedule, seed_demo

from .test_one_schema import calc_request, cents, pay_everyone, stub_lines

NEW_STATES = {"NY", "IL", "PA", "NJ", "GA", "NC", "MI", "OH", "MA", "VA", "WA"}
STATE_CODES = {"NYC", "YONKERS", "PHL_WAGE", "PA_EIT", "PA_LST", "DETROIT", "NY_PFL", "NY_DBL"}
STATE_CODES |= {"NJ_UI", "NJ_WF", "NJ_TDI", "NJ_FLI", "PA_UC", "MA_PFML", "WA_PFML", "WA_CARES"}


def test_a_seeded_pay_run_across_the_new_states_is_payrun_calc_line_by_line(
    payrun_home: Path, tmp_path: Path
) -> None:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=70, employees=3, seed=19, vault=Vault.for_settings(settings)
    )
    one_schedule(settings.db_url)
    ctx = build_context(settings)
    with transaction(ctx.db_url) as session:
        states = {
            employee.id: employee.work_state for employee in session.scalars(select(Employee))
        }
    assert set(states.values()) >= NEW_STATES
    pay_everyone(ctx, "payrun-states-test")
    lines = stub_lines(ctx)
    assert len(lines) == len(states) == 210
    _register_subcommands()
    runner = CliRunner()
    seen: set[str] = set()
    for employee_id, paid in lines.items():
        if states[employee_id] not in NEW_STATES:
            continue
        path = tmp_path / f"{employee_id}.json"
        path.write_text(json.dumps(calc_request(ctx, employee_id)))
        result = runner.invoke(app, ["calc", str(path), "--json"])
        assert result.exit_code == 0, result.output
        stub = json.loads(result.output)
        calculated = [
            (ln["kind"], ln["code"], cents(ln["current"]), cents(ln["ytd"])) for ln in stub["lines"]
        ]
        assert paid == calculated, employee_id
        seen |= {code for _, code, amount, _ in paid if amount}
    # The mix reaches local taxes and employee-paid programs, not only state withholding.
    assert {"ST_PIT", "NY_PFL", "NJ_FLI", "PA_UC", "WA_PFML"} <= seen
    assert seen & {"NYC", "PHL_WAGE", "PA_EIT", "DETROIT"}
