"""filing outbox and filing status (issue 17)

Revision ID: 0007
Revises: i18a
Create Date: 2026-12-04 17:20:00

Payroll's side of the filings service: the outbox its events leave through, and the status of
each deposit and return as the service reports it. The service keeps its own data elsewhere.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "i18a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "filing_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(48), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.create_index("ix_filing_outbox_pending", "filing_outbox", ["delivered_at", "id"])
    op.create_table(
        "filing_status",
        sa.Column("filing_id", sa.String(160), primary_key=True),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("filing_type", sa.String(32), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("ack_id", sa.String(120), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
    )
    op.create_index("ix_filing_status_employer", "filing_status", ["employer_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_filing_status_employer", table_name="filing_status")
    op.drop_table("filing_status")
    op.drop_index("ix_filing_outbox_pending", table_name="filing_outbox")
    op.drop_table("filing_outbox")
