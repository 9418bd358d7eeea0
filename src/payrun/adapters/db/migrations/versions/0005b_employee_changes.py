"""employee changes effective from a later day

Revision ID: 0005b
Revises: 0005
Create Date: 2026-12-04 18:10:00

A change to an employee sent with an `effective_from` after today is kept here, encrypted (it
may hold an SSN or an account number), until a pay run opens a period that starts on or after
that day; then it is applied (or, no longer valid, closed with its error).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005b"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employee_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("employee_id", sa.Integer, sa.ForeignKey("employees.id"), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("changes_enc", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_index("ix_employee_changes_due", "employee_changes", ["employee_id", "applied_at"])


def downgrade() -> None:
    op.drop_index("ix_employee_changes_due", "employee_changes")
    op.drop_table("employee_changes")
