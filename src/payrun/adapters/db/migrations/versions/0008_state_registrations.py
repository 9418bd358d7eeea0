"""employers' state payroll tax registrations (the California EDD employer account number)

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05 10:00:00

One JSON object per employer, state -> account number (California's as its 8 digits), as
payrun.services.registrations checks it. Not null, `{}` by default, so the rows written before
this revision have no registration and their filings carry no state account number.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employers") as batch:
        batch.add_column(
            sa.Column("state_registrations", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("employers") as batch:
        batch.drop_column("state_registrations")
