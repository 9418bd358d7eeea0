"""money movement: recovery cases for returned funding debits; employer funding settings

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-04 17:20:00

recovery_cases holds one row per returned funding debit (keyed by the return's business key);
repayments one row per re-pay of a returned paycheck (unique per paycheck and attempt);
ytd_adjustments one row per paycheck whose YTD contribution was taken back (unique key).
employers gains the funding account's type (checking 27 / savings 37 debits) and the
prefunded/trusted flag with its exposure limit in cents; payments the funding debit's own file
and its status (funding before credits).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employers") as batch:
        batch.add_column(
            sa.Column(
                "funding_account_type", sa.String(8), nullable=False, server_default="checking"
            )
        )
        batch.add_column(
            sa.Column("prefunded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("exposure_limit_cents", sa.BigInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("funding_path", sa.String(500), nullable=True))
        batch.add_column(sa.Column("funding_status", sa.String(16), nullable=True))
    op.create_table(
        "recovery_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(120), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("return_code", sa.String(3), nullable=False),
        sa.Column("original_trace", sa.String(15), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("redebit_on", sa.Date(), nullable=True),
        sa.Column("redebits", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("redebit_ref", sa.String(500), nullable=True),
        sa.Column("redebit_trace", sa.String(15), nullable=True),
        sa.Column("resolution", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_recovery_cases_employer", "recovery_cases", ["employer_id", "status"])
    op.create_table(
        "repayments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(160), nullable=False, unique=True),
        sa.Column("paycheck_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("original_payment_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("paycheck_id", "attempt"),
    )
    op.create_index("ix_repayments_original_payment_id", "repayments", ["original_payment_id"])
    op.create_table(
        "ytd_adjustments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(80), nullable=False, unique=True),
        sa.Column("paycheck_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("delta", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ytd_adjustments")
    op.drop_index("ix_repayments_original_payment_id", table_name="repayments")
    op.drop_table("repayments")
    op.drop_index("ix_recovery_cases_employer", table_name="recovery_cases")
    op.drop_table("recovery_cases")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("funding_status")
        batch.drop_column("funding_path")
    with op.batch_alter_table("employers") as batch:
        batch.drop_column("exposure_limit_cents")
        batch.drop_column("prefunded")
        batch.drop_column("funding_account_type")
