"""idempotent answers: the answer an Idempotency-Key replays

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 07:30:00

api_requests (one row per API key, action and Idempotency-Key) gains the status and JSON body
of the first answer, so a retried POST gets the same answer instead of doing the work again.
Rows written before this revision (pay run starts) keep replaying by their target.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_requests") as batch:
        batch.add_column(sa.Column("response_status", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("response_body", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_requests") as batch:
        batch.drop_column("response_body")
        batch.drop_column("response_status")
