"""paycheck details in their own table; employee status index without the status

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:50:00

A paycheck row is updated twice after it is written (attached to a payment, then PAID); with
its JSON columns inside it was ~2.8 KB, so each update rewrote a page per paycheck. The lines
and YTD amounts are written once and read rarely (pay stubs, voids): they move to
paycheck_details, one row per paycheck.

The employee status index (run, employer, status) made each of the five status updates per
employee per run rewrite an index entry; nothing needs the status in it (an employer's status
counts read its rows through (run, employer)), so it goes, and PostgreSQL can update in place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MOVED = ("lines", "ytd_after", "ytd_delta")


def upgrade() -> None:
    op.create_table(
        "paycheck_details",
        sa.Column("paycheck_id", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("ytd_after", sa.JSON(), nullable=False),
        sa.Column("ytd_delta", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["paycheck_id"], ["paychecks.id"]),
        sa.PrimaryKeyConstraint("paycheck_id"),
    )
    op.execute(
        "INSERT INTO paycheck_details (paycheck_id, lines, ytd_after, ytd_delta)"
        " SELECT id, lines, ytd_after, ytd_delta FROM paychecks"
    )
    for column in MOVED:  # SQLite >= 3.35 and PostgreSQL drop a plain column in place
        op.execute(f"ALTER TABLE paychecks DROP COLUMN {column}")
    op.drop_index("ix_employee_status_run_employer", table_name="employee_status")
    op.create_index("ix_employee_status_run_employer", "employee_status", ["run_id", "employer_id"])


def downgrade() -> None:
    op.drop_index("ix_employee_status_run_employer", table_name="employee_status")
    op.create_index(
        "ix_employee_status_run_employer", "employee_status", ["run_id", "employer_id", "status"]
    )
    for column in MOVED:
        op.add_column("paychecks", sa.Column(column, sa.JSON(), nullable=True))
    for column in MOVED:
        op.execute(
            f"UPDATE paychecks SET {column} = (SELECT d.{column} FROM paycheck_details d"
            " WHERE d.paycheck_id = paychecks.id)"
        )
    op.drop_table("paycheck_details")
