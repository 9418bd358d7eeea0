"""one employee schema: an employee's tax forms and an employer's pay settings as one document

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 17:40:00

An employee's W-4, DE 4, 401(k) election and pre-tax deductions were a column each, copied into
a pay request by hand, and the copies drifted: the DE 4 additional withholding was stored and
never reached a pay run. They become one JSON document, `employees.profile`, which is the
`employee` object of `payrun calc` (payrun.services.schema.employee) and goes into the pay
request as it is. Likewise the employer's settings that affect pay, `employers.pay_settings`
(all seven of them; three were columns).

The conversion is written out here, not imported, so this revision means the same thing
whatever the schema module becomes. Amounts go from integer cents to exact decimal strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_W4_AMOUNTS = {  # column -> field of the 2020+ W-4 object
    "w4_step3_cents": "step3_credits",
    "w4_step4a_cents": "step4a_other_income",
    "w4_step4b_cents": "step4b_deductions",
    "w4_step4c_cents": "step4c_extra",
}
_OTHER_AMOUNTS = {
    "section125_cents": "section125",
    "hsa_cents": "hsa",
    "prior_year_fica_wages_cents": "prior_year_fica_wages",
}
_EMPLOYEE_COLUMNS: list[tuple[str, Any]] = [
    ("birth_date", sa.Date()),
    ("w4_form", sa.Integer()),
    ("w4_filing_status", sa.String(32)),
    ("w4_step2_checked", sa.Boolean()),
    *((column, sa.BigInteger()) for column in _W4_AMOUNTS),
    ("w4_exempt", sa.Boolean()),
    ("w4_pre2020_marital_status", sa.String(16)),
    ("w4_pre2020_allowances", sa.Integer()),
    ("ca_de4_filing_status", sa.String(32)),
    ("ca_de4_regular_allowances", sa.Integer()),
    ("ca_de4_estimated_allowances", sa.Integer()),
    ("ca_de4_extra_cents", sa.BigInteger()),
    ("k401_pretax_percent", sa.String(8)),
    ("k401_roth_percent", sa.String(8)),
    *((column, sa.BigInteger()) for column in _OTHER_AMOUNTS),
]
_EMPLOYER_COLUMNS: list[tuple[str, Any]] = [
    ("ca_ui_rate", sa.String(12)),
    ("futa_credit_reduction", sa.String(12)),
    ("match_formula", sa.JSON()),
]


def _dollars(cents: int | None) -> str:
    return str(Decimal(cents or 0) / 100)


def _cents(amount: Any) -> int:
    return int(Decimal(str(amount or 0)) * 100)


def _profile(row: Any) -> dict[str, Any]:
    """The employee object the old columns meant (as the old request builder read them, plus
    the DE 4 additional withholding it dropped)."""
    profile: dict[str, Any] = {}
    if row.birth_date is not None:
        profile["birth_date"] = row.birth_date.isoformat()
    if (row.w4_form or 2020) >= 2020:
        w4: dict[str, Any] = {"filing_status": row.w4_filing_status or "single"}
        w4["step2_checked"] = bool(row.w4_step2_checked)
        w4 |= {field: _dollars(getattr(row, column)) for column, field in _W4_AMOUNTS.items()}
        w4["exempt"] = bool(row.w4_exempt)
        profile["w4"] = w4
    else:
        profile["w4_pre2020"] = {
            "marital_status": row.w4_pre2020_marital_status or "single",
            "allowances": row.w4_pre2020_allowances or 0,
            "exempt": bool(row.w4_exempt),
        }
    if row.work_state == "CA" or row.ca_de4_filing_status is not None:
        profile["ca_de4"] = {
            "filing_status": row.ca_de4_filing_status or "single",
            "regular_allowances": row.ca_de4_regular_allowances or 0,
            "estimated_deduction_allowances": row.ca_de4_estimated_allowances or 0,
            "additional_withholding": _dollars(row.ca_de4_extra_cents),
        }
    profile["retirement"] = {
        "pretax_percent": row.k401_pretax_percent or "0",
        "roth_percent": row.k401_roth_percent or "0",
    }
    profile |= {field: _dollars(getattr(row, column)) for column, field in _OTHER_AMOUNTS.items()}
    return profile


def upgrade() -> None:
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("profile", sa.JSON(), nullable=True))
    with op.batch_alter_table("employers") as batch:
        batch.add_column(sa.Column("pay_settings", sa.JSON(), nullable=True))
    bind = op.get_bind()
    employees = sa.table(
        "employees",
        sa.column("id", sa.Integer()),
        sa.column("work_state", sa.String()),
        sa.column("profile", sa.JSON()),
        *(sa.column(name, kind) for name, kind in _EMPLOYEE_COLUMNS),
    )
    rows = bind.execute(sa.select(employees)).all()
    for row in rows:
        bind.execute(
            employees.update().where(employees.c.id == row.id).values(profile=_profile(row))
        )
    employers = sa.table(
        "employers",
        sa.column("id", sa.Integer()),
        sa.column("pay_settings", sa.JSON()),
        *(sa.column(name, kind) for name, kind in _EMPLOYER_COLUMNS),
    )
    for row in bind.execute(sa.select(employers)).all():
        pay_settings = {
            "ca_ui_rate": row.ca_ui_rate,
            "futa_credit_reduction": row.futa_credit_reduction or "0",
            "match": list(row.match_formula or []),
        }
        bind.execute(
            employers.update().where(employers.c.id == row.id).values(pay_settings=pay_settings)
        )
    with op.batch_alter_table("employees") as batch:
        batch.alter_column("profile", existing_type=sa.JSON(), nullable=False)
        for name, _ in _EMPLOYEE_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("employers") as batch:
        batch.alter_column("pay_settings", existing_type=sa.JSON(), nullable=False)
        for name, _ in _EMPLOYER_COLUMNS:
            batch.drop_column(name)


def _columns(profile: dict[str, Any]) -> dict[str, Any]:
    """The old columns from a profile (fields that had no column are lost on the way down)."""
    w4, old = profile.get("w4"), profile.get("w4_pre2020")
    de4, plan = profile.get("ca_de4"), profile.get("retirement") or {}
    values: dict[str, Any] = {
        "birth_date": profile.get("birth_date"),
        "w4_form": 2019 if old else 2020,
        "w4_filing_status": (w4 or {}).get("filing_status", "single") if not old else None,
        "w4_step2_checked": bool((w4 or {}).get("step2_checked")),
        "w4_exempt": bool((w4 or old or {}).get("exempt") or profile.get("exempt")),
        "w4_pre2020_marital_status": old.get("marital_status") if old else None,
        "w4_pre2020_allowances": old.get("allowances", 0) if old else None,
        "ca_de4_filing_status": de4.get("filing_status", "single") if de4 else None,
        "ca_de4_regular_allowances": (de4 or {}).get("regular_allowances", 0),
        "ca_de4_estimated_allowances": (de4 or {}).get("estimated_deduction_allowances", 0),
        "ca_de4_extra_cents": _cents((de4 or {}).get("additional_withholding")),
        "k401_pretax_percent": str(plan.get("pretax_percent", "0")),
        "k401_roth_percent": str(plan.get("roth_percent", "0")),
    }
    values |= {column: _cents((w4 or {}).get(field)) for column, field in _W4_AMOUNTS.items()}
    values |= {column: _cents(profile.get(field)) for column, field in _OTHER_AMOUNTS.items()}
    return values


def downgrade() -> None:
    from datetime import date

    with op.batch_alter_table("employees") as batch:
        for name, kind in _EMPLOYEE_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("employers") as batch:
        for name, kind in _EMPLOYER_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    bind = op.get_bind()
    employees = sa.table(
        "employees",
        sa.column("id", sa.Integer()),
        sa.column("profile", sa.JSON()),
        *(sa.column(name, kind) for name, kind in _EMPLOYEE_COLUMNS),
    )
    for row in bind.execute(sa.select(employees.c.id, employees.c.profile)).all():
        values = _columns(row.profile or {})
        if values["birth_date"]:
            values["birth_date"] = date.fromisoformat(values["birth_date"])
        bind.execute(employees.update().where(employees.c.id == row.id).values(**values))
    employers = sa.table(
        "employers",
        sa.column("id", sa.Integer()),
        sa.column("pay_settings", sa.JSON()),
        *(sa.column(name, kind) for name, kind in _EMPLOYER_COLUMNS),
    )
    for row in bind.execute(sa.select(employers.c.id, employers.c.pay_settings)).all():
        pay_settings = row.pay_settings or {}
        bind.execute(
            employers.update()
            .where(employers.c.id == row.id)
            .values(
                ca_ui_rate=pay_settings.get("ca_ui_rate") or "0.034",
                futa_credit_reduction=pay_settings.get("futa_credit_reduction", "0"),
                match_formula=pay_settings.get("match", []),
            )
        )
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("profile")
    with op.batch_alter_table("employers") as batch:
        batch.drop_column("pay_settings")
